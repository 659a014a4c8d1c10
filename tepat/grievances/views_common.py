"""What the pages and the API share beyond services: the referral letter download."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from tepat.grievances.letters import letter_pdf, letter_token
from tepat.grievances.selectors import subject_for
from tepat.registry.selectors import personal_data_viewed


def verify_url(request: Any, referral: Any) -> str:
    path = reverse("grievances:verify", args=[letter_token(referral)])
    base = getattr(settings, "TEPAT_PUBLIC_BASE_URL", "") or ""
    return f"{base.rstrip('/')}{path}" if base else request.build_absolute_uri(path)


def letter_response(request: Any, referral: Any) -> HttpResponse:
    """The letter PDF (the person's name and identity as the reader may see them); a personal-data view."""
    actor = request.user if getattr(request, "auth", None) is None else request.auth
    subject = subject_for(actor, referral.complaint)
    personal_data_viewed(actor=actor, kind="referral_letter", count=1, region_code=referral.complaint.region_id,
                         target=referral.complaint, extra={"letter_number": referral.letter_number})
    pdf = letter_pdf(referral, verify_url=verify_url(request, referral), subject_name=subject["name"],
                     subject_identity=subject["identity"],
                     office=getattr(settings, "TEPAT_OFFICE_NAME", "") or "Dinas Sosial")
    response = HttpResponse(pdf, content_type="application/pdf")
    safe = referral.letter_number.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="rujukan-{safe}.pdf"'
    return response
