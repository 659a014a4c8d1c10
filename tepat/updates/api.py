"""The workflow's JSON API: the same operations as the pages, through the same services.

Thin handlers: scoped fetch (`access_*`), one service or selector, a response schema. Capability
(403) and region scope (404, exactly like absent) are checked by those functions.
"""


from functools import partial
from uuid import UUID

from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from tepat.accounts.models import User
from tepat.core.concurrency import guarded, set_etag
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.quality.access import access_flag
from tepat.registry.access import access_family, access_individual
from tepat.updates import schemas as s
from tepat.updates.access import (
    access_batch,
    access_deliberation,
    access_deliberation_item,
    access_document,
    access_freeze,
    access_period,
    access_proposal,
)
from tepat.updates.actions import (
    batch_actions,
    deliberation_actions,
    freeze_actions,
    objection_actions,
    period_actions,
)
from tepat.updates.permissions import UpdatesCapability, ensure_updates_capability
from tepat.updates.selectors.diff import period_diff
from tepat.updates.selectors.proposals import (
    ProposalFilters,
    annotate_ages,
    assignable_facilitators,
    document_open,
    proposal_detail,
    proposal_list,
    stage_counts,
    work_queue,
)
from tepat.updates.selectors.sessions import (
    batch_list,
    deliberation_list,
    deliberation_view,
    freeze_list,
    period_list,
    period_progress,
)
from tepat.updates.selectors.sessions import (
    deliberation_minutes as minutes_selector,
)
from tepat.updates.services.bulk import (
    deliberation_decide_bulk,
    proposals_approve_bulk,
    proposals_assign_bulk,
)
from tepat.updates.services.deliberations import (
    deliberation_agenda_add,
    deliberation_attendee_add,
    deliberation_cancel,
    deliberation_create,
    deliberation_decide,
    deliberation_finalise,
    deliberation_sign,
)
from tepat.updates.services.determination import (
    period_create,
    period_determine_resume,
    period_determine_start,
)
from tepat.updates.services.documents import document_add
from tepat.updates.services.freezes import freeze_create, freeze_lift
from tepat.updates.services.from_flags import proposal_create_from_flag
from tepat.updates.services.objections import objection_create
from tepat.updates.services.proposals import (
    proposal_assign,
    proposal_assign_auto,
    proposal_create,
    proposal_submit,
    proposal_withdraw,
)
from tepat.updates.services.reviews import proposal_approve, proposal_pull_back, proposal_reject
from tepat.updates.services.submissions import (
    submission_batch_create,
    submission_batch_export,
    submission_response_import,
)
from tepat.updates.services.verification import verification_record
from tepat.updates.tasks import period_determine_task

router = Router(tags=["updates"])
ERRORS = dict.fromkeys((401, 403, 404, 409, 422), s.ErrorOut)


class ProposalQuery(Schema):
    status: str = ""
    kind: str = ""
    region: str = ""
    q: str = ""
    mine: bool = False


class AgePagination(PageNumberPagination):
    """Page numbers; each page's proposals get their stage age and SLA flag."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = annotate_ages(list(page["items"]))
        return page


def _detail(request: HttpRequest, proposal) -> dict:
    return s.ProposalDetailOut.build(proposal_detail(actor=request.auth, proposal=proposal))


def _with_actions(obj, actions):
    """The object with what the caller may do on it now (the detail responses' `actions`)."""
    obj.actions = actions
    return obj


def _session(request: HttpRequest, deliberation):
    return _with_actions(deliberation, deliberation_actions(request.auth, deliberation))


def _fresh(request: HttpRequest, proposal) -> dict:
    return _detail(request, access_proposal(actor=request.auth, proposal_id=proposal.pk))


# Proposals ------------------------------------------------------------------------------------------

# The proposal's writes: If-Match (the ETag of GET) makes a stale one a 409 with the current proposal.
_proposal_guard = guarded(lambda request, proposal_id, **_: access_proposal(actor=request.auth,
                                                                             proposal_id=proposal_id),
                          lambda request, row: s.ProposalDetailOut.model_validate(
                              _detail(request, row), context={"request": request}).model_dump(mode="json"))

@router.get("/proposals", response=list[s.ProposalListItem], summary="Proposals in my regions")
@paginate(AgePagination)
def list_proposals(request: HttpRequest, filters: Query[ProposalQuery]):
    return proposal_list(actor=request.auth, filters=ProposalFilters(
        status=filters.status, kind=filters.kind, region_code=filters.region, query=filters.q, mine=filters.mine))


@router.post("/proposals", response={201: s.ProposalDetailOut, **ERRORS}, summary="Enter a proposal")
def create_proposal(request: HttpRequest, payload: s.ProposalCreateIn):
    individual = access_individual(actor=request.auth, individual_id=payload.individual_id) \
        if payload.individual_id else None
    family = access_family(actor=request.auth, family_id=payload.family_id) if payload.family_id else None
    proposal = proposal_create(
        actor=request.auth, kind=payload.kind, source=payload.source, payload=payload.payload,
        region_code=payload.region_code, family=family, individual=individual,
        source_reference=payload.source_reference, reporter_name=payload.reporter_name, note=payload.note,
        submit=payload.submit,
    )
    return 201, _fresh(request, proposal)


def _bulk(result) -> dict:
    return {"done": result.done, "refused": result.refused, "items": result.items}


@router.post("/proposals/bulk/assign", response={200: s.BulkOut, **ERRORS},
             summary="Assign several proposals (to one facilitator, or round-robin); reported per proposal")
def bulk_assign(request: HttpRequest, payload: s.BulkProposalsIn):
    facilitator = None
    if payload.facilitator_id is not None:
        facilitator = User.objects.filter(pk=payload.facilitator_id).first() or User(role="")
    return _bulk(proposals_assign_bulk(actor=request.auth, proposal_ids=payload.proposal_ids,
                                       facilitator=facilitator))


@router.post("/proposals/bulk/approve", response={200: s.BulkOut, **ERRORS},
             summary="Approve several proposals; reported per proposal")
def bulk_approve(request: HttpRequest, payload: s.BulkProposalsIn):
    return _bulk(proposals_approve_bulk(actor=request.auth, proposal_ids=payload.proposal_ids, note=payload.note))


@router.get("/proposals/{proposal_id}", response={200: s.ProposalDetailOut, **ERRORS},
            summary="A proposal: what it would change, its stages and whole history")
def get_proposal(request: HttpRequest, proposal_id: UUID):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    set_etag(request, proposal)
    return _detail(request, proposal)


@router.post("/proposals/{proposal_id}/submit", response={200: s.ProposalDetailOut, **ERRORS})
@_proposal_guard
def submit_proposal(request: HttpRequest, proposal_id: UUID):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return _fresh(request, proposal_submit(actor=request.auth, proposal=proposal))


@router.post("/proposals/{proposal_id}/withdraw", response={200: s.ProposalDetailOut, **ERRORS})
@_proposal_guard
def withdraw_proposal(request: HttpRequest, proposal_id: UUID, payload: s.ReasonIn):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return _fresh(request, proposal_withdraw(actor=request.auth, proposal=proposal, reason=payload.reason))


@router.post("/proposals/{proposal_id}/assign", response={200: s.ProposalDetailOut, **ERRORS},
             summary="Assign a facilitator (by id, or round-robin with auto=true)")
@_proposal_guard
def assign_proposal(request: HttpRequest, proposal_id: UUID, payload: s.AssignIn):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    if payload.auto or payload.facilitator_id is None:
        proposal = proposal_assign_auto(actor=request.auth, proposal=proposal)
    else:
        facilitator = User.objects.filter(pk=payload.facilitator_id).first() or User(role="")
        proposal = proposal_assign(actor=request.auth, proposal=proposal, facilitator=facilitator)
    return _fresh(request, proposal)


@router.get("/proposals/{proposal_id}/facilitators", response={200: list[s.FacilitatorOut], **ERRORS},
            summary="The facilitators who can be assigned to this proposal")
def proposal_facilitators(request: HttpRequest, proposal_id: UUID):
    ensure_updates_capability(actor=request.auth, capability=UpdatesCapability.ASSIGN)
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return [{"id": u.pk, "username": u.get_username(), "name": u.get_full_name()}
            for u in assignable_facilitators(actor=request.auth, proposal=proposal)]


@router.post("/proposals/{proposal_id}/visit", response={200: s.ProposalDetailOut, **ERRORS},
             summary="Record the field visit with its photos (multipart: `data` is the visit as JSON)")
@_proposal_guard
def verify_proposal_with_photos(request: HttpRequest, proposal_id: UUID, data: Form[str],
                                photos: File[list[UploadedFile]] = None):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    try:
        visit = s.VerificationIn.model_validate_json(data)
    except ValueError as exc:
        raise ValidationFailed([Issue("json", "data", f"data kunjungan tidak sah: {exc}",
                                      f"the visit data is invalid: {exc}")]) from exc
    verification_record(
        actor=request.auth, proposal=proposal, visited_on=visit.visited_on, household_found=visit.household_found,
        outcome=visit.outcome, results=visit.result_dicts(), notes=visit.notes, latitude=visit.latitude,
        longitude=visit.longitude, rejection_reason=visit.rejection_reason, photos=list(photos or []),
    )
    return _fresh(request, proposal)


@router.get("/documents/{document_id}", response={200: None, **ERRORS},
            summary="Download a document (signed minutes, death certificate, photo); logged as a personal-data view")
def download_document(request: HttpRequest, document_id: UUID):
    document = document_open(actor=request.auth,
                             document=access_document(actor=request.auth, document_id=document_id))
    return FileResponse(document.file.open("rb"), content_type=document.content_type,
                        filename=document.original_name, as_attachment=True)


@router.post("/proposals/{proposal_id}/verification", response={200: s.ProposalDetailOut, **ERRORS},
             summary="Record the field visit of the assigned facilitator")
@_proposal_guard
def verify_proposal(request: HttpRequest, proposal_id: UUID, payload: s.VerificationIn):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    verification_record(
        actor=request.auth, proposal=proposal, visited_on=payload.visited_on,
        household_found=payload.household_found, outcome=payload.outcome, results=payload.result_dicts(),
        notes=payload.notes, latitude=payload.latitude, longitude=payload.longitude,
        rejection_reason=payload.rejection_reason,
    )
    return _fresh(request, proposal)


@router.post("/proposals/{proposal_id}/approve", response={200: s.ProposalDetailOut, **ERRORS},
             summary="District approval (removals go on to the supervisor)")
@_proposal_guard
def approve_proposal(request: HttpRequest, proposal_id: UUID, payload: s.NoteIn):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return _fresh(request, proposal_approve(actor=request.auth, proposal=proposal, note=payload.note))


@router.post("/proposals/{proposal_id}/reject", response={200: s.ProposalDetailOut, **ERRORS})
@_proposal_guard
def reject_proposal(request: HttpRequest, proposal_id: UUID, payload: s.ReasonIn):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return _fresh(request, proposal_reject(actor=request.auth, proposal=proposal, reason=payload.reason))


@router.post("/proposals/{proposal_id}/pull-back", response={200: s.ProposalDetailOut, **ERRORS},
             summary="Supervisor: take an approved proposal back to the district check before determination")
@_proposal_guard
def pull_back_proposal(request: HttpRequest, proposal_id: UUID, payload: s.ReasonIn):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return _fresh(request, proposal_pull_back(actor=request.auth, proposal=proposal, reason=payload.reason))


@router.post("/proposals/{proposal_id}/documents", response={201: s.DocumentOut, **ERRORS},
             summary="Attach a supporting document (PDF, JPEG or PNG)")
def add_document(request: HttpRequest, proposal_id: UUID, kind: Form[str], file: File[UploadedFile]):
    proposal = access_proposal(actor=request.auth, proposal_id=proposal_id)
    return 201, document_add(actor=request.auth, proposal=proposal, kind=kind, upload=file)


@router.get("/queue", response={200: s.WorkQueueOut, **ERRORS}, summary="What waits for me")
def get_queue(request: HttpRequest):
    queue = work_queue(actor=request.auth)
    return {"sections": queue.sections, "counts": queue.counts}


@router.get("/counts", response={200: dict[str, s.StageCountOut], **ERRORS},
            summary="Proposals per open stage, and how many are past the SLA")
def get_counts(request: HttpRequest):
    return stage_counts(actor=request.auth)


@router.post("/objections", response={201: s.ObjectionOut, **ERRORS},
             summary="Object to a listed family or person (becomes a proposal)")
def create_objection(request: HttpRequest, payload: s.ObjectionIn):
    family = access_family(actor=request.auth, family_id=payload.family_id)
    individual = access_individual(actor=request.auth, individual_id=payload.individual_id) \
        if payload.individual_id else None
    objection = objection_create(
        actor=request.auth, family=family, individual=individual, reason=payload.reason,
        statement=payload.statement, source=payload.source, objector_name=payload.objector_name,
        objector_contact=payload.objector_contact, changes=payload.changes,
    )
    return 201, _with_actions(objection, objection_actions(request.auth, objection))


# Village deliberation -----------------------------------------------------------------------------

@router.get("/deliberations", response=list[s.DeliberationOut], summary="Village deliberation sessions")
@paginate(PageNumberPagination)
def list_deliberations(request: HttpRequest):
    return deliberation_list(actor=request.auth)


@router.post("/deliberations", response={201: s.DeliberationDetailOut, **ERRORS})
def create_deliberation(request: HttpRequest, payload: s.DeliberationIn):
    return 201, _session(request, deliberation_create(actor=request.auth, **payload.dict()))


@router.get("/deliberations/{deliberation_id}", response={200: s.DeliberationDetailOut, **ERRORS})
def get_deliberation(request: HttpRequest, deliberation_id: UUID):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    return _session(request, deliberation_view(actor=request.auth, deliberation=deliberation))


@router.post("/deliberations/{deliberation_id}/attendees", response={201: s.AttendeeOut, **ERRORS})
def add_attendee(request: HttpRequest, deliberation_id: UUID, payload: s.AttendeeIn):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    return 201, deliberation_attendee_add(actor=request.auth, deliberation=deliberation, **payload.dict())


@router.post("/deliberations/{deliberation_id}/agenda", response={200: s.DeliberationDetailOut, **ERRORS})
def add_to_agenda(request: HttpRequest, deliberation_id: UUID, payload: s.AgendaIn):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    proposals = [access_proposal(actor=request.auth, proposal_id=pk) for pk in payload.proposal_ids]
    deliberation_agenda_add(actor=request.auth, deliberation=deliberation, proposals=proposals)
    return _session(request, access_deliberation(actor=request.auth, deliberation_id=deliberation_id))


@router.post("/deliberation-items/{item_id}/decision", response={200: s.ItemOut, **ERRORS})
def decide_item(request: HttpRequest, item_id: UUID, payload: s.DecisionIn):
    item = access_deliberation_item(actor=request.auth, item_id=item_id)
    return deliberation_decide(actor=request.auth, item=item, decision=payload.decision, reason=payload.reason)


@router.post("/deliberations/{deliberation_id}/decisions", response={200: s.BulkOut, **ERRORS},
             summary="Record every decision of the session at once; reported per agenda item")
def decide_items(request: HttpRequest, deliberation_id: UUID, payload: s.DecisionsIn):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    decisions = {key: (value.decision, value.reason) for key, value in payload.decisions.items()}
    return _bulk(deliberation_decide_bulk(actor=request.auth, deliberation=deliberation, decisions=decisions))


@router.post("/deliberations/{deliberation_id}/cancel", response={200: s.DeliberationDetailOut, **ERRORS},
             summary="Cancel a session that is not signed yet (reason required)")
def cancel_deliberation(request: HttpRequest, deliberation_id: UUID, payload: s.ReasonIn):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    return _session(request, deliberation_cancel(actor=request.auth, deliberation=deliberation, reason=payload.reason))


@router.post("/deliberations/{deliberation_id}/finalise", response={200: s.DeliberationDetailOut, **ERRORS},
             summary="Close the session; the minutes can then be printed and signed")
def finalise_deliberation(request: HttpRequest, deliberation_id: UUID, payload: s.FinaliseIn):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    return _session(request, deliberation_finalise(actor=request.auth, deliberation=deliberation, number=payload.number))


@router.get("/deliberations/{deliberation_id}/minutes.pdf", response={200: None, **ERRORS},
            summary="The berita acara as PDF")
def deliberation_minutes(request: HttpRequest, deliberation_id: UUID):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    response = HttpResponse(minutes_selector(actor=request.auth, deliberation=deliberation),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="berita-acara-{deliberation.held_on:%Y%m%d}.pdf"'
    return response


@router.post("/deliberations/{deliberation_id}/sign", response={200: s.DeliberationDetailOut, **ERRORS},
             summary="Upload the signed minutes: the session locks and its decisions take effect")
def sign_deliberation(request: HttpRequest, deliberation_id: UUID, file: File[UploadedFile]):
    deliberation = access_deliberation(actor=request.auth, deliberation_id=deliberation_id)
    return _session(request, deliberation_sign(actor=request.auth, deliberation=deliberation, signed_scan=file))


# Submission batches -------------------------------------------------------------------------------

@router.get("/batches", response=list[s.BatchOut], summary="Submission batches")
@paginate(PageNumberPagination)
def list_batches(request: HttpRequest):
    return batch_list(actor=request.auth)


@router.post("/batches", response={201: s.BatchDetailOut, **ERRORS},
             summary="Batch every approved proposal not yet sent to this destination")
def create_batch(request: HttpRequest, payload: s.BatchIn):
    batch = submission_batch_create(actor=request.auth, region_code=payload.region_code,
                                    destination=payload.destination)
    return 201, _with_actions(batch, batch_actions(request.auth, batch))


@router.get("/batches/{batch_id}", response={200: s.BatchDetailOut, **ERRORS},
            summary="A submission batch with its proposals and their responses")
def get_batch(request: HttpRequest, batch_id: UUID):
    batch = access_batch(actor=request.auth, batch_id=batch_id)
    return _with_actions(batch, batch_actions(request.auth, batch))


@router.get("/batches/{batch_id}/file", response={200: None, **ERRORS}, summary="The SIKS-style batch file")
def batch_file(request: HttpRequest, batch_id: UUID):
    batch = access_batch(actor=request.auth, batch_id=batch_id)
    response = HttpResponse(submission_batch_export(actor=request.auth, batch=batch),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.csv"'
    return response


@router.post("/batches/{batch_id}/response", response={200: s.ResponseImportOut, **ERRORS},
             summary="Import the centre's or province's response to a batch")
def import_batch_response(request: HttpRequest, batch_id: UUID, file: File[UploadedFile]):
    batch = access_batch(actor=request.auth, batch_id=batch_id)
    return submission_response_import(actor=request.auth, batch=batch, upload=file)


# Determination periods and freezes -----------------------------------------------------------------

class DiffQuery(Schema):
    older: UUID
    newer: UUID


@router.get("/periods", response=list[s.PeriodOut], summary="Determination periods")
@paginate(PageNumberPagination)
def list_periods(request: HttpRequest):
    return period_list(actor=request.auth)


@router.post("/periods", response={201: s.PeriodOut, **ERRORS})
def create_period(request: HttpRequest, payload: s.PeriodIn):
    return 201, period_create(actor=request.auth, region_code=payload.region_code, starts_on=payload.starts_on,
                              cadence=payload.cadence, label=payload.label)


@router.post("/periods/{period_id}/determine", response={202: s.PeriodOut, **ERRORS},
             summary="Start applying the approved changes and freezing this version (runs in the background; "
                     "poll GET /periods/{id})")
def determine_period(request: HttpRequest, period_id: UUID, payload: s.DetermineIn):
    period = access_period(actor=request.auth, period_id=period_id)
    period = period_determine_start(actor=request.auth, period=period, decree_number=payload.decree_number,
                                    decree_date=payload.decree_date)
    transaction.on_commit(partial(period_determine_task.enqueue, period_id=str(period.pk), actor_id=request.auth.pk))
    return 202, period


@router.post("/periods/{period_id}/resume", response={202: s.PeriodOut, **ERRORS},
             summary="Continue a determination that stopped with an error (runs in the background again)")
def resume_period(request: HttpRequest, period_id: UUID):
    period = access_period(actor=request.auth, period_id=period_id)
    period = period_determine_resume(actor=request.auth, period=period)
    transaction.on_commit(partial(period_determine_task.enqueue, period_id=str(period.pk), actor_id=request.auth.pk))
    return 202, period


@router.get("/periods/diff", response={200: s.DiffOut, **ERRORS},
            summary="What changed between two determined versions, with the cause of each change")
def diff_periods(request: HttpRequest, query: Query[DiffQuery]):
    older = access_period(actor=request.auth, period_id=query.older)
    newer = access_period(actor=request.auth, period_id=query.newer)
    diff = period_diff(actor=request.auth, older=older, newer=newer)
    return {"older": diff.older, "newer": diff.newer, "counts": diff.counts, "entries": diff.entries}


@router.get("/periods/{period_id}", response={200: s.PeriodDetailOut, **ERRORS},
            summary="One period with the progress of its determination and what it held back")
def get_period(request: HttpRequest, period_id: UUID):
    period = access_period(actor=request.auth, period_id=period_id)
    progress = period_progress(actor=request.auth, period=period)
    period.phase, period.percent, period.held = progress.phase, progress.percent, progress.holds
    return _with_actions(period, period_actions(request.auth, period))


@router.get("/freezes", response=list[s.FreezeOut], summary="Freeze periods")
@paginate(PageNumberPagination)
def list_freezes(request: HttpRequest):
    return freeze_list(actor=request.auth)


@router.post("/freezes", response={201: s.FreezeOut, **ERRORS},
             summary="Suspend approvals and determinations for a date range")
def create_freeze(request: HttpRequest, payload: s.FreezeIn):
    freeze = freeze_create(actor=request.auth, **payload.dict())
    return 201, _with_actions(freeze, freeze_actions(request.auth, freeze))


@router.post("/freezes/{freeze_id}/lift", response={200: s.FreezeOut, **ERRORS})
def lift_freeze(request: HttpRequest, freeze_id: UUID, payload: s.ReasonIn):
    freeze = access_freeze(actor=request.auth, freeze_id=freeze_id)
    freeze = freeze_lift(actor=request.auth, freeze=freeze, reason=payload.reason)
    return _with_actions(freeze, freeze_actions(request.auth, freeze))


# Data-quality flags -----------------------------------------------------------------------------------

@router.post("/flags/{flag_id}/confirm", response={201: s.ProposalDetailOut, **ERRORS},
             summary="Confirm a data-quality flag: creates the matching proposal (remove, change, merge)")
def confirm_flag(request: HttpRequest, flag_id: UUID, payload: s.FlagConfirmIn):
    flag = access_flag(actor=request.auth, flag_id=flag_id)
    proposal = proposal_create_from_flag(actor=request.auth, flag=flag, keep=payload.keep, changes=payload.changes,
                                         note=payload.note)
    return 201, _fresh(request, proposal)
