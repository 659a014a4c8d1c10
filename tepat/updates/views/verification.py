from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tepat.core.exceptions import InvalidTransition, PermissionDeniedError, ValidationFailed
from tepat.updates.access import access_proposal
from tepat.updates.forms import VerificationForm, apply_issues
from tepat.updates.permissions import UpdatesCapability, ensure_updates_capability
from tepat.updates.selectors.proposals import change_rows, fact_rows
from tepat.updates.services.verification import verification_record
from tepat.updates.views.common import form_response, posted, posted_files, refused


@login_required
@require_http_methods(["GET", "POST"])
def proposal_verify(request: HttpRequest, pk: Any) -> HttpResponse:
    """The facilitator's visit form, made for a phone: one fact per block, GPS and camera from the phone."""
    ensure_updates_capability(actor=request.user, capability=UpdatesCapability.VERIFY)
    proposal = access_proposal(actor=request.user, proposal_id=pk)
    detail_url = reverse("updates:proposal_detail", args=[proposal.pk])
    if proposal.assigned_to_id != request.user.pk:
        raise PermissionDeniedError("Usulan ini tidak ditugaskan kepada Anda / This proposal is not assigned to you")
    form = VerificationForm(posted(request), facts=fact_rows(request.user, proposal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            verification_record(
                actor=request.user, proposal=proposal, visited_on=data["visited_on"],
                household_found=data["household_found"], outcome=data["outcome"], results=form.results(),
                notes=data["notes"], latitude=data["latitude"], longitude=data["longitude"],
                rejection_reason=data["rejection_reason"], photos=posted_files(request).getlist("photos"),
            )
        except ValidationFailed as exc:
            apply_issues(form, exc, {**form.mapping(), "photos": "__all__"})
        except InvalidTransition as exc:
            return refused(request, exc, detail_url)
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect(detail_url)
    context = {"form": form, "proposal": proposal, "changes": change_rows(request.user, proposal)}
    return form_response(request, "updates/proposal_verify.html", context, form)
