"""Request and response shapes of the workflow API. Values shown to a person pass through the same
display rules as the pages (codes as labels, NIK/KK masked unless the role sees them whole)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


class UserOut(Schema):
    id: int
    username: str
    name: str = Field(..., alias="get_full_name")


class ProposalListItem(Schema):
    id: UUID
    reference: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    source: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    region_code: str = Field(..., alias="region_id")
    subject_name: str
    stage_entered_at: dt.datetime
    age_days: int = 0
    overdue: bool = False
    assigned_to: str | None = Field(None, alias="assigned_to.username")


class ChangeRowOut(Schema):
    subject: str
    label: str
    before: str
    after: str


class FactRowOut(Schema):
    path: str
    label: str
    value: str


class StageOut(Schema):
    status: str
    label: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    days: int
    overdue: bool


class HistoryOut(Schema):
    at: dt.datetime
    actor: str
    title: str
    detail: str


class VerificationOut(Schema):
    id: UUID
    visited_on: dt.date
    verifier: str = Field(..., alias="verifier.username")
    household_found: bool
    outcome: str
    fact_results: list[dict] = Field(..., alias="visible_results")  # masked by the selector (ADR 0008)
    notes: str
    latitude: float | None
    longitude: float | None
    rejection_reason: str


class DocumentOut(Schema):
    id: UUID
    kind: str
    original_name: str
    content_type: str
    size: int
    created_at: dt.datetime


class ReviewOut(Schema):
    id: UUID
    reviewer: str = Field(..., alias="reviewer.username")
    level: str
    decision: str
    reason: str
    created_at: dt.datetime


class AgendaEntryOut(Schema):
    id: UUID
    deliberation_id: UUID
    deliberation_kind: str = Field(..., alias="deliberation.kind")
    held_on: dt.date = Field(..., alias="deliberation.held_on")
    deliberation_status: str = Field(..., alias="deliberation.status")
    position: int
    decision: str
    reason: str


class SubmissionOut(Schema):
    id: UUID
    batch_id: UUID
    batch_number: str = Field(..., alias="batch.number")
    destination: str = Field(..., alias="batch.destination")
    line: int
    response: str
    response_reason: str
    responded_at: dt.datetime | None


class FacilitatorOut(Schema):
    id: int
    username: str
    name: str


class BulkItemOut(Schema):
    id: str
    reference: str
    ok: bool
    message: str
    status: str


class BulkOut(Schema):
    done: int
    refused: int
    items: list[BulkItemOut]


class BulkProposalsIn(Schema):
    proposal_ids: list[UUID]
    facilitator_id: int | None = None
    note: str = ""


class ProposalDetailOut(Schema):
    id: UUID
    reference: str
    kind: str
    source: str
    source_reference: str
    status: str
    status_label: str
    region_code: str
    family_id: UUID | None
    individual_id: UUID | None
    subject_name: str
    destination: str
    closed_reason: str
    age_days: int
    overdue: bool
    changes: list[ChangeRowOut]
    facts: list[FactRowOut]
    stages: list[StageOut]
    history: list[HistoryOut]
    actions: list[str]
    verifications: list[VerificationOut]
    documents: list[DocumentOut]
    assigned_to: FacilitatorOut | None = None
    deliberation_items: list[AgendaEntryOut] = []
    reviews: list[ReviewOut] = []
    submissions: list[SubmissionOut] = []

    @staticmethod
    def build(detail: Any) -> dict[str, Any]:
        p = detail.proposal
        return {
            "id": p.pk, "reference": p.reference, "kind": p.kind, "source": p.source,
            "source_reference": p.source_reference, "status": p.status, "status_label": p.get_status_display(),
            "region_code": p.region_id, "family_id": p.family_id, "individual_id": p.individual_id,
            "subject_name": p.subject_name, "destination": p.destination, "closed_reason": p.closed_reason,
            "age_days": detail.age_days, "overdue": detail.overdue, "changes": detail.changes, "facts": detail.facts,
            "stages": detail.stages, "history": detail.history, "actions": detail.actions,
            "verifications": detail.verifications, "documents": detail.documents,
            "assigned_to": {"id": p.assigned_to.pk, "username": p.assigned_to.get_username(),
                            "name": p.assigned_to.get_full_name()} if p.assigned_to_id else None,
            "deliberation_items": detail.deliberation_items, "reviews": detail.reviews,
            "submissions": detail.submissions,
        }


class ProposalCreateIn(Schema):
    kind: str
    source: str = "village_operator"
    region_code: str = ""
    family_id: UUID | None = None
    individual_id: UUID | None = None
    payload: dict[str, Any]
    source_reference: str = ""
    reporter_name: str = ""
    note: str = ""
    submit: bool = True


class ReasonIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    note: str = ""


class AssignIn(Schema):
    facilitator_id: int | None = None
    auto: bool = False


class FactResultIn(Schema):
    result: str
    value: Any = None


class VerificationIn(Schema):
    visited_on: dt.date
    household_found: bool
    outcome: str
    results: dict[str, FactResultIn] = {}
    notes: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    rejection_reason: str = ""

    def result_dicts(self) -> dict[str, dict[str, Any]]:
        return {path: item.dict() for path, item in self.results.items()}


class ObjectionIn(Schema):
    family_id: UUID
    individual_id: UUID | None = None
    reason: str
    statement: str
    source: str = "operator"
    objector_name: str = ""
    objector_contact: str = ""
    changes: dict[str, Any] | None = None


class ObjectionOut(Schema):
    id: UUID
    reason: str
    source: str
    proposal_id: UUID
    proposal_reference: str = Field(..., alias="proposal.reference")
    actions: list[str] = []  # what can be done with the proposal it became


class QueueSectionOut(Schema):
    key: str
    title: str
    total: int
    proposals: list[ProposalListItem]


class StageCountOut(Schema):
    label: str
    count: int
    overdue: int


class WorkQueueOut(Schema):
    sections: list[QueueSectionOut]
    counts: dict[str, StageCountOut]


class AttendeeIn(Schema):
    name: str
    position: str


class AttendeeOut(Schema):
    id: UUID
    name: str
    position: str


class DeliberationIn(Schema):
    region_code: str
    held_on: dt.date
    place: str
    chair_name: str
    chair_title: str = ""
    number: str = ""


class AgendaIn(Schema):
    proposal_ids: list[UUID]


class DecisionIn(Schema):
    decision: str
    reason: str = ""


class DecisionsIn(Schema):
    """Every decision of a session at once: {agenda item id: {decision, reason}}."""

    decisions: dict[str, DecisionIn]


class FinaliseIn(Schema):
    number: str = ""


class ItemOut(Schema):
    id: UUID
    proposal_id: UUID
    proposal_reference: str = Field(..., alias="proposal.reference")
    subject_name: str = Field(..., alias="proposal.subject_name")
    decision: str
    reason: str


class DeliberationOut(Schema):
    id: UUID
    region_code: str = Field(..., alias="region_id")
    kind: str
    number: str
    held_on: dt.date
    place: str
    chair_name: str
    chair_title: str
    status: str


class DeliberationDetailOut(DeliberationOut):
    actions: list[str] = []  # edit (agenda, attendees, decisions), cancel, finalise, sign, minutes
    attendees: list[AttendeeOut]
    items: list[ItemOut]

    @staticmethod
    def resolve_attendees(obj: Any) -> list[Any]:
        return list(obj.attendees.order_by("position_order", "created_at"))

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.select_related("proposal").order_by("position"))


class BatchIn(Schema):
    region_code: str
    destination: str


class BatchRecordOut(Schema):
    line: int
    proposal_reference: str = Field(..., alias="proposal.reference")
    response: str
    response_reason: str


class BatchOut(Schema):
    id: UUID
    number: str
    region_code: str = Field(..., alias="region_id")
    destination: str
    status: str
    created_at: dt.datetime


class BatchDetailOut(BatchOut):
    actions: list[str] = []  # download, import_response
    records: list[BatchRecordOut]

    @staticmethod
    def resolve_records(obj: Any) -> list[Any]:
        return list(obj.records.select_related("proposal").order_by("line"))


class ResponseImportOut(Schema):
    accepted: list[str]
    returned: list[str]
    already_determined: list[str]
    pulled_back: list[str] = []  # returned while pulled back by the supervisor: recorded, the proposal stays


class PeriodIn(Schema):
    region_code: str
    starts_on: dt.date
    cadence: str = ""
    label: str = ""


class DetermineIn(Schema):
    decree_number: str
    decree_date: dt.date


class PeriodOut(Schema):
    id: UUID
    region_code: str = Field(..., alias="region_id")
    label: str
    cadence: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    decree_number: str
    decree_date: dt.date | None
    determined_at: dt.datetime | None
    applied_count: int
    held_count: int
    proposals_total: int
    family_count: int
    individual_count: int


class HoldOut(Schema):
    reference: str
    proposal_id: UUID
    kind: str
    reasons: list[str]
    reasons_en: list[str]


class PeriodDetailOut(PeriodOut):
    actions: list[str] = []  # determine, resume
    phase: str
    percent: int
    error: str
    frozen_count: int
    families_total: int
    holds: list[HoldOut] = Field(..., alias="held")


class FieldChangeOut(Schema):
    subject: str
    field: str
    label: str
    before: str
    after: str
    before_code: Any = None
    after_code: Any = None
    member_id: str = ""


class CauseOut(Schema):
    proposal_id: UUID
    reference: str
    kind: str
    period: str
    verification: str
    deliberation: str
    approval: str
    kind_code: str = ""
    period_id: UUID | None = None
    verification_id: UUID | None = None
    deliberation_id: UUID | None = None
    review_id: UUID | None = None


class CorrectionOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    action_label: str
    reason: str
    target_type: str
    target_id: str


class DiffEntryOut(Schema):
    family_id: UUID
    kk_number: str
    region_code: str
    change: str
    fields: list[FieldChangeOut]
    causes: list[CauseOut]
    corrections: list[str]
    direct_corrections: list[CorrectionOut]


class DiffOut(Schema):
    older: PeriodOut
    newer: PeriodOut
    counts: dict[str, int]
    entries: list[DiffEntryOut]


class FreezeIn(Schema):
    region_code: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str


class FreezeOut(Schema):
    id: UUID
    region_code: str = Field(..., alias="region_id")
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    lifted_at: dt.datetime | None
    lift_reason: str
    actions: list[str] = []  # lift (in the responses of create and lift)


class FlagConfirmIn(Schema):
    """Confirming a data-quality flag. `keep`: for a duplicate, the id of the record kept (default: the left
    one); `changes`: for a NIK correction, {"nik": "..."} (a civil-registry mismatch defaults to its values)."""

    keep: UUID | None = None
    changes: dict[str, Any] | None = None
    note: str = ""
