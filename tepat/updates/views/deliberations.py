from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.updates import forms as f
from tepat.updates.access import access_deliberation, access_deliberation_item, access_proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_capability, updates_can
from tepat.updates.selectors.sessions import deliberation_detail, deliberation_list, deliberation_minutes
from tepat.updates.services.bulk import deliberation_decide_bulk
from tepat.updates.services.deliberations import (
    deliberation_agenda_add,
    deliberation_attendee_add,
    deliberation_cancel,
    deliberation_create,
    deliberation_decide,
    deliberation_finalise,
    deliberation_sign,
)
from tepat.updates.views.common import form_response, posted, refused
from tepat.updates.views.proposals import report_bulk


def _url(deliberation: Any) -> str:
    return reverse("updates:deliberation_detail", args=[deliberation.pk])


@login_required
@require_http_methods(["GET", "POST"])
def deliberation_list_view(request: HttpRequest) -> HttpResponse:
    sessions = deliberation_list(actor=request.user)
    form = None
    if updates_can(request.user, UpdatesCapability.DELIBERATE):
        form = f.DeliberationForm(posted(request), actor=request.user)
    elif request.method == "POST":
        ensure_updates_capability(actor=request.user, capability=UpdatesCapability.DELIBERATE)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            deliberation = deliberation_create(actor=request.user, region_code=data["region"],
                                               held_on=data["held_on"], place=data["place"],
                                               chair_name=data["chair_name"])
        except ValidationFailed as exc:
            f.apply_issues(form, exc, {"region": "region"})
        else:
            return redirect(_url(deliberation))
    page = Paginator(sessions, 25).get_page(request.GET.get("page"))
    return form_response(request, "updates/deliberation_list.html", {"page": page, "form": form}, form)


@login_required
@require_GET
def deliberation_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    detail = deliberation_detail(actor=request.user, deliberation=deliberation)
    context = {"detail": detail, "deliberation": deliberation, "attendee_form": f.AttendeeForm(),
               "decision_form": f.DecisionForm(), "finalise_form": f.FinaliseForm(), "sign_form": f.SignForm(),
               "reason_form": f.ReasonForm()}
    return render(request, "updates/deliberation_detail.html", context)


def _run(request: HttpRequest, deliberation: Any, run: Any, done: str) -> HttpResponse:
    try:
        run()
    except ApplicationError as exc:
        return refused(request, exc, _url(deliberation))
    messages.success(request, done)
    return redirect(_url(deliberation))


@login_required
@require_POST
def attendee_add(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    return _run(request, deliberation, lambda: deliberation_attendee_add(
        actor=request.user, deliberation=deliberation, name=request.POST.get("name", ""),
        position=request.POST.get("position", "")), _("Attendee added."))


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    proposals = [access_proposal(actor=request.user, proposal_id=p) for p in request.POST.getlist("proposals")]
    return _run(request, deliberation, lambda: deliberation_agenda_add(
        actor=request.user, deliberation=deliberation, proposals=proposals), _("Added to the agenda."))


@login_required
@require_POST
def item_decide(request: HttpRequest, item_id: Any) -> HttpResponse:
    item = access_deliberation_item(actor=request.user, item_id=item_id)
    return _run(request, item.deliberation, lambda: deliberation_decide(
        actor=request.user, item=item, decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", "")), _("Decision recorded."))


@login_required
@require_POST
def decisions_bulk(request: HttpRequest, pk: Any) -> HttpResponse:
    """Every decision of the session from one form: decision_<item id> and reason_<item id>."""
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    decisions = {key.removeprefix("decision_"): (value, request.POST.get(f"reason_{key.removeprefix('decision_')}", ""))
                 for key, value in request.POST.items() if key.startswith("decision_")}
    try:
        result = deliberation_decide_bulk(actor=request.user, deliberation=deliberation, decisions=decisions)
    except ApplicationError as exc:
        return refused(request, exc, _url(deliberation))
    report_bulk(request, result, _("%(n)s decisions recorded."))
    return redirect(_url(deliberation))


@login_required
@require_POST
def deliberation_finalise_view(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    return _run(request, deliberation, lambda: deliberation_finalise(
        actor=request.user, deliberation=deliberation, number=request.POST.get("number", "")),
        _("The session is closed. Print the minutes, sign them and upload the scan."))


@login_required
@require_POST
def deliberation_sign_view(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    scan = request.FILES.get("signed_scan")
    if scan is None:
        messages.error(request, _("Choose the scan of the signed minutes."))
        return redirect(_url(deliberation))
    return _run(request, deliberation, lambda: deliberation_sign(
        actor=request.user, deliberation=deliberation, signed_scan=scan),
        _("The signed minutes were uploaded; the decisions now take effect."))


@login_required
@require_POST
def deliberation_cancel_view(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    return _run(request, deliberation, lambda: deliberation_cancel(
        actor=request.user, deliberation=deliberation, reason=request.POST.get("reason", "")), _("Cancelled."))


@login_required
@require_GET
def minutes_pdf_view(request: HttpRequest, pk: Any) -> HttpResponse:
    deliberation = access_deliberation(actor=request.user, deliberation_id=pk)
    response = HttpResponse(deliberation_minutes(actor=request.user, deliberation=deliberation),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="berita-acara-{deliberation.held_on:%Y%m%d}.pdf"'
    return response
