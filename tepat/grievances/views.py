"""Pages under /pengaduan/: the case list, the intake with its registry lookup (HTMX), a case with the actions
the actor may take now, referral letters, the SLA dashboard, the holiday calendar, and the public (no login)
verification of a referral letter. Thin: scoped fetch, one service or selector, render."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.accounts.access import actor_can, ensure_capability
from tepat.accounts.models import User
from tepat.accounts.roles import Capability
from tepat.accounts.throttle import client_ip
from tepat.core.exceptions import ApplicationError, ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.grievances import forms as f
from tepat.grievances import views_common as vc
from tepat.grievances.access import access_complaint, access_referral, complaints_visible
from tepat.grievances.letters import verify_token
from tepat.grievances.models import Complaint, Desk, Escalation, Holiday
from tepat.grievances.selectors import (
    ComplaintFilters,
    complaint_detail,
    complaint_list,
    dashboard,
    subject_lookup,
)
from tepat.grievances.services import complaints as svc
from tepat.grievances.services import referrals as ref
from tepat.grievances.services import sla
from tepat.grievances.services.follow_ups import complaint_follow_up_create

C = Capability
PAGE_SIZE = 25


def _ctx(**kwargs: Any) -> dict[str, Any]:
    return {"section": "grievances", **kwargs}


@login_required
@require_GET
def complaint_list_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.GRIEVANCES_VIEW)
    g = request.GET
    filters = ComplaintFilters(status=g.get("status", "open"), category=g.get("category", ""), desk=g.get("desk", ""),
                               sla_state=g.get("sla", ""), mine=g.get("mine") == "1", q=g.get("q", ""))
    page = Paginator(complaint_list(actor=request.user, filters=filters), PAGE_SIZE).get_page(g.get("page"))
    return render(request, "grievances/complaint_list.html", _ctx(
        page=page, filters=filters, statuses=Complaint.Status.choices, sla_states=Complaint.SlaState.choices,
        desks=Desk.choices,
        can_intake=actor_can(request.user, C.GRIEVANCES_INTAKE)))


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.GRIEVANCES_INTAKE)
    form = f.IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = request.FILES.getlist("attachments")
        try:
            complaint = svc.complaint_create_from_input(actor=request.user, data=form.cleaned_data, attachments=files)
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            f.apply_errors(form, exc)
        else:
            messages.success(request, _("Complaint %(ref)s recorded.") % {"ref": complaint.reference})
            return redirect("grievances:complaint_detail", pk=complaint.pk)
    return render(request, "grievances/complaint_new.html", _ctx(form=form))


@login_required
@require_GET
def subject_lookup_view(request: HttpRequest) -> HttpResponse:
    """HTMX partial of the intake: families found in the registry, with status and programmes."""
    ensure_capability(actor=request.user, capability=C.GRIEVANCES_INTAKE)
    query = request.GET.get("q", "").strip()
    rows, error = [], ""
    if len(query) >= 3:
        try:
            rows = subject_lookup(actor=request.user, query=query, client_ip=client_ip(request))
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            error = exc.message
    return render(request, "grievances/_subject_results.html", {"rows": rows, "query": query, "error": error})


def _action_forms(request: HttpRequest, complaint: Complaint, actions: list[str]) -> dict[str, Any]:
    handlers = None
    if "assign" in actions:
        handlers = User.objects.filter(is_active=True, region_assignments__region_id__in=[
            complaint.region_id, ".".join(complaint.region_id.split(".")[:2])]).distinct().order_by("username")
        handlers = handlers.filter(pk__in=[u.pk for u in handlers if actor_can(u, C.GRIEVANCES_HANDLE)])
    return {"assess": f.AssessForm(), "decide": f.DecideForm(), "wait": f.ReasonForm(), "reject": f.ReasonForm(),
            "close": f.NoteForm(), "mark_duplicate": f.DuplicateForm(), "follow_up": f.FollowUpForm(),
            "refer": f.ReferralForm(), "assign": f.AssignForm(handlers=handlers) if handlers is not None else None,
            "acknowledge": f.AcknowledgeForm(), "complete": f.OutcomeForm()}


@login_required
@require_GET
def complaint_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    complaint = access_complaint(actor=request.user, complaint_id=pk)
    detail = complaint_detail(actor=request.user, complaint=complaint)
    return render(request, "grievances/complaint_detail.html", _ctx(
        d=detail, c=complaint, forms=_action_forms(request, complaint, detail["actions"])))


def _run_action(request: HttpRequest, complaint: Complaint, action: str) -> None:
    actor, post = request.user, request.POST
    if action == "assess":
        svc.complaint_assess(actor=actor, complaint=complaint, assessment=post.get("assessment", ""),
                             recommendation=post.get("recommendation", ""))
    elif action == "decide":
        svc.complaint_decide(actor=actor, complaint=complaint, decision=post.get("decision", ""))
    elif action == "wait":
        svc.complaint_wait(actor=actor, complaint=complaint, reason=post.get("reason", ""))
    elif action == "resume":
        svc.complaint_resume(actor=actor, complaint=complaint)
    elif action == "close":
        svc.complaint_close(actor=actor, complaint=complaint, note=post.get("note", ""))
    elif action == "reject":
        svc.complaint_reject(actor=actor, complaint=complaint, reason=post.get("reason", ""))
    elif action == "mark_duplicate":
        original = complaints_visible(actor).filter(reference=post.get("original", "").strip()).first()
        if original is None:
            raise ApplicationError(_("The original complaint was not found."))
        svc.complaint_mark_duplicate(actor=actor, complaint=complaint, original=original)
    elif action == "assign":
        handler = User.objects.filter(pk=post.get("handler") or 0, is_active=True).first()
        svc.complaint_assign(actor=actor, complaint=complaint, handler=handler)
    elif action == "follow_up":
        try:
            payload = json.loads(post.get("payload") or "{}")
        except ValueError as exc:
            raise ValidationFailed([Issue("json", "payload", "data usulan bukan JSON yang sah",
                                          "the proposal data is not valid JSON")]) from exc
        complaint_follow_up_create(actor=actor, complaint=complaint, note=post.get("note", ""),
                                   proposal_kind=post.get("proposal_kind", ""),
                                   payload=payload if isinstance(payload, dict) else {},
                                   objection_reason=post.get("objection_reason", ""),
                                   programme_code=post.get("programme_code", ""), period=post.get("period", ""))
    elif action == "refer":
        form = f.ReferralForm(post)
        service = form.cleaned_data["service"] if form.is_valid() else None
        ref.referral_create(actor=actor, complaint=complaint, service=service, note=post.get("note", ""))
    elif action == "add_attachment":
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(_("Choose a file."))
        svc.attachment_add(actor=actor, complaint=complaint, upload=upload)
    else:
        raise Http404()


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    complaint = access_complaint(actor=request.user, complaint_id=pk)
    try:
        _run_action(request, complaint, action)
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        for text in ([i.text for i in exc.issues] if hasattr(exc, "issues") else [exc.message]):
            messages.error(request, text)
    else:
        messages.success(request, _("Saved."))
    return redirect("grievances:complaint_detail", pk=complaint.pk)


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    referral = access_referral(actor=request.user, referral_id=pk)
    post = request.POST
    try:
        if action == "acknowledge":
            ref.referral_acknowledge(actor=request.user, referral=referral, received_by=post.get("received_by", ""))
        elif action == "complete":
            ref.referral_complete(actor=request.user, referral=referral, outcome=post.get("outcome", ""))
        elif action == "cancel":
            ref.referral_cancel(actor=request.user, referral=referral, reason=post.get("reason", ""))
        else:
            raise Http404()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        for text in ([i.text for i in exc.issues] if hasattr(exc, "issues") else [exc.message]):
            messages.error(request, text)
    else:
        messages.success(request, _("Saved."))
    return redirect("grievances:complaint_detail", pk=referral.complaint_id)


@login_required
@require_GET
def referral_letter(request: HttpRequest, pk: Any) -> HttpResponse:
    return vc.letter_response(request, access_referral(actor=request.user, referral_id=pk))


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public (no login): valid or not, the letter number, date and institution — nothing about the person."""
    answer = verify_token(token)
    response = render(request, "grievances/verify.html", {"answer": answer}, status=200 if answer.valid else 404)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.GRIEVANCES_VIEW)
    data = dashboard(actor=request.user, region_code=request.GET.get("region", ""))
    return render(request, "grievances/dashboard.html", _ctx(
        data=data, states=Complaint.SlaState.choices, can_decide=actor_can(request.user, C.GRIEVANCES_DECIDE)))


@login_required
@require_POST
def escalation_ack(request: HttpRequest, pk: Any) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.GRIEVANCES_VIEW)
    escalation = Escalation.objects.filter(pk=pk, complaint__in=complaints_visible(request.user)).first()
    if escalation is None:
        raise ObjectNotFound()
    sla.escalation_acknowledge(actor=request.user, escalation=escalation)
    return redirect("grievances:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def holidays_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.GRIEVANCES_VIEW)
    form = f.HolidayForm(request.POST or None)
    if request.method == "POST":
        if not actor_can(request.user, C.GRIEVANCES_CONFIGURE):
            raise PermissionDenied()
        if request.POST.get("remove"):
            try:
                sla.holiday_remove(actor=request.user, day=date.fromisoformat(request.POST["remove"]))
            except ValueError as exc:
                raise Http404() from exc
            return redirect(reverse("grievances:holidays"))
        if form.is_valid():
            try:
                sla.holiday_set(actor=request.user, day=form.cleaned_data["date"], name=form.cleaned_data["name"])
            except ApplicationError as exc:
                f.apply_errors(form, exc)
            else:
                return redirect(reverse("grievances:holidays"))
    year = request.GET.get("year", "")
    rows = Holiday.objects.all()
    if year.isdigit():
        rows = rows.filter(date__year=int(year))
    return render(request, "grievances/holidays.html", _ctx(
        rows=rows, form=form, can_configure=actor_can(request.user, C.GRIEVANCES_CONFIGURE)))
