"""Confirming a data-quality flag from its page: one click creates the proposal, then its page opens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tepat.core.exceptions import ApplicationError, ObjectNotFound, PermissionDeniedError
from tepat.quality.access import access_flag
from tepat.updates.services.from_flags import proposal_create_from_flag
from tepat.updates.views.common import refused


@login_required
@require_POST
def flag_confirm(request: HttpRequest, flag_id: Any) -> HttpResponse:
    flag = access_flag(actor=request.user, flag_id=flag_id)
    nik = (request.POST.get("nik") or "").strip()
    try:
        proposal = proposal_create_from_flag(actor=request.user, flag=flag, keep=request.POST.get("keep") or None,
                                             changes={"nik": nik} if nik else None,
                                             note=(request.POST.get("note") or "").strip())
    except (ObjectNotFound, PermissionDeniedError):
        raise
    except ApplicationError as exc:
        return refused(request, exc, reverse("quality:flag_detail", args=[flag.pk]))
    messages.success(request, _("Flag confirmed: proposal %(reference)s was created.")
                     % {"reference": proposal.reference})
    return redirect(reverse("updates:proposal_detail", args=[proposal.pk]))
