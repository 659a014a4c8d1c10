from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.accounts.models import User
from tepat.core.exceptions import ApplicationError, BusinessRuleViolation, InvalidTransition, ValidationFailed
from tepat.core.paging import paginate_sorted
from tepat.registry.access import access_family, access_individual
from tepat.updates import forms as f
from tepat.updates.access import access_document, access_proposal
from tepat.updates.models import Proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_capability
from tepat.updates.selectors.proposals import (
    ProposalFilters,
    annotate_ages,
    assignable_facilitators,
    document_open,
    proposal_detail,
    proposal_list,
    work_queue,
)
from tepat.updates.services.bulk import BulkResult, proposals_approve_bulk, proposals_assign_bulk
from tepat.updates.services.documents import document_add
from tepat.updates.services.objections import objection_create
from tepat.updates.services.proposals import (
    proposal_assign,
    proposal_assign_auto,
    proposal_create,
    proposal_submit,
    proposal_withdraw,
)
from tepat.updates.services.reviews import proposal_approve, proposal_pull_back, proposal_reject
from tepat.updates.views.common import form_response, posted, refused

K = Proposal.Kind
PAGE_SIZE = 25
# Sortable columns of the proposal list: ?sort=<key> or ?sort=-<key>.
PROPOSAL_SORTS = {"age": "stage_entered_at", "reference": "reference", "kind": "kind", "subject": "subject_name",
                  "village": "region__name", "stage": "status"}
FAMILY_FORMS = {
    K.ADD_MEMBER: f.AddMemberForm, K.REMOVE_MEMBER: f.RemoveMemberForm, K.REMOVE_FAMILY: f.RemoveFamilyForm,
    K.PROGRAM: f.ProgramForm,
}


def _detail_url(proposal: Any) -> str:
    return reverse("updates:proposal_detail", args=[proposal.pk])


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "updates/queue.html", {"queue": work_queue(actor=request.user),
                                                  "facilitators": assignable_facilitators(actor=request.user)})


def report_bulk(request: HttpRequest, result: BulkResult, done: str) -> None:
    """One message for what went through, one per refused item naming it and why."""
    if result.done:
        messages.success(request, done % {"n": result.done})
    for item in result.items:
        if not item.ok:
            messages.error(request, f"{item.reference or item.id}: {item.message}")


@login_required
@require_POST
def proposal_bulk_assign(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("facilitator", "")
    facilitator = None
    if chosen:
        facilitator = (User.objects.filter(pk=chosen).first() if chosen.isdigit() else None) or User(role="")
    result = proposals_assign_bulk(actor=request.user, proposal_ids=request.POST.getlist("proposals"),
                                   facilitator=facilitator)
    report_bulk(request, result, _("Facilitator assigned to %(n)s proposals."))
    return redirect("updates:queue")


@login_required
@require_POST
def proposal_bulk_approve(request: HttpRequest) -> HttpResponse:
    result = proposals_approve_bulk(actor=request.user, proposal_ids=request.POST.getlist("proposals"),
                                    note=request.POST.get("note", ""))
    report_bulk(request, result, _("%(n)s proposals approved."))
    return redirect("updates:queue")


@login_required
@require_GET
def proposal_list_view(request: HttpRequest) -> HttpResponse:
    form = f.ProposalFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    proposals = proposal_list(actor=request.user, filters=ProposalFilters(
        status=data.get("status", ""), kind=data.get("kind", ""), query=data.get("q", "")))
    listing = paginate_sorted(request, proposals, sorts=PROPOSAL_SORTS, default="age", per_page=PAGE_SIZE)
    return render(request, "updates/proposal_list.html",
                  {"form": form, "page": listing.page, "listing": listing, "page_numbers": listing.page_numbers,
                   "proposals": annotate_ages(list(listing.page.object_list))})


def _created(request: HttpRequest, proposal: Proposal) -> HttpResponse:
    messages.success(request, _("Proposal %(reference)s was saved.") % {"reference": proposal.reference})
    return redirect(_detail_url(proposal))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, kind: str) -> HttpResponse:
    """A new family, or an emergency (a new family that skips the deliberation)."""
    ensure_updates_capability(actor=request.user, capability=UpdatesCapability.PROPOSE)
    emergency = kind == K.EMERGENCY
    form = f.NewFamilyForm(posted(request), actor=request.user, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        payload, mapping = form.payload()
        try:
            proposal = proposal_create(actor=request.user, kind=K.EMERGENCY if emergency else K.NEW_FAMILY,
                                       payload=payload, region_code=form.cleaned_data["region"],
                                       submit="save_draft" not in request.POST, **form.source_data())
        except ValidationFailed as exc:
            f.apply_issues(form, exc, mapping)
        except BusinessRuleViolation as exc:  # e.g. another open proposal for the same KK, NIK or member
            form.add_error(None, exc.message)
        else:
            return _created(request, proposal)
    title = _("Emergency proposal") if emergency else _("Proposal: new family")
    return form_response(request, "updates/proposal_new_family.html", {"form": form, "title": title}, form)


@login_required
@require_http_methods(["GET", "POST"])
def family_proposal(request: HttpRequest, family_id: Any, kind: str) -> HttpResponse:
    """Proposals about a listed family or one of its members (?member=<id>)."""
    ensure_updates_capability(actor=request.user, capability=UpdatesCapability.PROPOSE)
    family = access_family(actor=request.user, family_id=family_id)
    member_id = request.GET.get("member") or request.POST.get("member_id")
    individual = access_individual(actor=request.user, individual_id=member_id) if member_id else None
    if individual is not None and individual.family_id != family.pk:
        individual = None
    if kind == K.CHANGE_DATA:
        form = f.ChangeForm(posted(request), target=individual or family, member=individual is not None)
    elif kind in FAMILY_FORMS:
        extra = {"family": family} if kind == K.PROGRAM else {}
        form = FAMILY_FORMS[kind](posted(request), **extra)
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        payload, mapping = form.payload()
        try:
            proposal = proposal_create(actor=request.user, kind=kind, payload=payload, family=family,
                                       individual=individual, submit="save_draft" not in request.POST,
                                       **form.source_data())
        except ValidationFailed as exc:
            f.apply_issues(form, exc, {**mapping, "individual": "__all__", "family": "__all__"})
        except BusinessRuleViolation as exc:  # e.g. another open proposal for the same KK, NIK or member
            form.add_error(None, exc.message)
        else:
            return _created(request, proposal)
    context = {"form": form, "family": family, "individual": individual, "kind": kind,
               "kind_label": K(kind).label}
    return form_response(request, "updates/proposal_family_form.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def objection_new(request: HttpRequest, family_id: Any) -> HttpResponse:
    ensure_updates_capability(actor=request.user, capability=UpdatesCapability.PROPOSE)
    family = access_family(actor=request.user, family_id=family_id)
    form = f.ObjectionForm(posted(request), family=family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        individual = access_individual(actor=request.user, individual_id=data["member"]) if data["member"] else None
        try:
            objection = objection_create(
                actor=request.user, family=family, individual=individual, reason=data["reason"],
                statement=data["statement"], source=data["source"], objector_name=data["objector_name"],
                objector_contact=data["objector_contact"],
            )
        except ValidationFailed as exc:
            f.apply_issues(form, exc, {"individual": "member"})
        except BusinessRuleViolation as exc:  # e.g. another open proposal for the same KK, NIK or member
            form.add_error(None, exc.message)
        else:
            return _created(request, objection.proposal)
    return form_response(request, "updates/objection_form.html", {"form": form, "family": family}, form)


@login_required
@require_GET
def proposal_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    proposal = access_proposal(actor=request.user, proposal_id=pk)
    detail = proposal_detail(actor=request.user, proposal=proposal)
    context = {
        "detail": detail, "proposal": proposal,
        "assign_form": f.AssignForm(facilitators=detail.facilitators),
        "document_form": f.DocumentForm(), "reason_form": f.ReasonForm(), "note_form": f.NoteForm(),
    }
    return render(request, "updates/proposal_detail.html", context)


def _action(request: HttpRequest, pk: Any, run: Any, done: str) -> HttpResponse:
    """Run one transition service for a button on the proposal page."""
    proposal = access_proposal(actor=request.user, proposal_id=pk)
    try:
        run(proposal)
    except (ValidationFailed, InvalidTransition, BusinessRuleViolation) as exc:
        return refused(request, exc, _detail_url(proposal))
    messages.success(request, done)
    return redirect(_detail_url(proposal))


@login_required
@require_POST
def proposal_submit_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return _action(request, pk, lambda p: proposal_submit(actor=request.user, proposal=p), _("Submitted."))


@login_required
@require_POST
def proposal_withdraw_view(request: HttpRequest, pk: Any) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _action(request, pk, lambda p: proposal_withdraw(actor=request.user, proposal=p, reason=reason),
                   _("Withdrawn."))


@login_required
@require_POST
def proposal_assign_view(request: HttpRequest, pk: Any) -> HttpResponse:
    chosen = request.POST.get("facilitator", "")

    def run(proposal: Proposal) -> Any:
        if not chosen:
            return proposal_assign_auto(actor=request.user, proposal=proposal)
        facilitator = User.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        return proposal_assign(actor=request.user, proposal=proposal, facilitator=facilitator or User(role=""))

    return _action(request, pk, run, _("Facilitator assigned."))


@login_required
@require_POST
def proposal_approve_view(request: HttpRequest, pk: Any) -> HttpResponse:
    note = request.POST.get("note", "")
    return _action(request, pk, lambda p: proposal_approve(actor=request.user, proposal=p, note=note),
                   _("Approved."))


@login_required
@require_POST
def proposal_reject_view(request: HttpRequest, pk: Any) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _action(request, pk, lambda p: proposal_reject(actor=request.user, proposal=p, reason=reason),
                   _("Rejected."))


@login_required
@require_POST
def proposal_pull_back_view(request: HttpRequest, pk: Any) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _action(request, pk, lambda p: proposal_pull_back(actor=request.user, proposal=p, reason=reason),
                   _("Pulled back to the supervisor's check."))


@login_required
@require_POST
def document_add_view(request: HttpRequest, pk: Any) -> HttpResponse:
    proposal = access_proposal(actor=request.user, proposal_id=pk)
    form = f.DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_detail_url(proposal))
    try:
        document_add(actor=request.user, proposal=proposal, kind=form.cleaned_data["kind"],
                     upload=form.cleaned_data["file"])
    except ApplicationError as exc:
        return refused(request, exc, _detail_url(proposal))
    messages.success(request, _("Document added."))
    return redirect(_detail_url(proposal))


@login_required
@require_GET
def document_download(request: HttpRequest, pk: Any) -> HttpResponse:
    document = document_open(actor=request.user, document=access_document(actor=request.user, document_id=pk))
    return FileResponse(document.file.open("rb"), content_type=document.content_type,
                        filename=document.original_name, as_attachment=document.content_type == "application/pdf")

