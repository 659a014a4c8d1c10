"""Proposal lists, the proposal page, work queues, stage ages and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tepat.audit.services import audit_record
from tepat.regions.selectors import region_within_q
from tepat.registry import masking
from tepat.registry.access import may_see_sensitive
from tepat.registry.selectors import personal_data_viewed
from tepat.updates import conf, kinds
from tepat.updates.access import deliberations_in_scope, proposals_in_scope
from tepat.updates.actions import proposal_actions
from tepat.updates.models import Deliberation, Document, Proposal, ProposalTransition
from tepat.updates.permissions import UpdatesCapability as U
from tepat.updates.permissions import updates_can
from tepat.updates.selectors.display import display_value
from tepat.updates.services.documents import OPEN_STAGES
from tepat.updates.services.proposals import village_facilitators

S = Proposal.Status
OPEN_STATUSES = tuple(s for s in S.values if s in OPEN_STAGES)
TRANSITION_LABELS = {
    "create": gettext_lazy("Entered"), "submit": gettext_lazy("Submitted"), "withdraw": gettext_lazy("Withdrawn"), "assign": gettext_lazy("Facilitator assigned"),
    "verify": gettext_lazy("Verified in the field"), "verify_emergency": gettext_lazy("Verified in the field (emergency)"),
    "reject_in_field": gettext_lazy("Rejected in the field"), "accept_in_deliberation": gettext_lazy("Accepted by the village deliberation"),
    "reject_in_deliberation": gettext_lazy("Rejected by the village deliberation"),
    "forward_to_supervisor": gettext_lazy("Checked by Dinsos, forwarded to the supervisor"),
    "approve": gettext_lazy("Approved by Dinsos"), "reject_by_district": gettext_lazy("Rejected by Dinsos"),
    "return_from_upstream": gettext_lazy("Returned by the centre/province"), "apply": gettext_lazy("Determined"),
}


@dataclass(slots=True)
class ProposalFilters:
    status: str = ""
    kind: str = ""
    region_code: str = ""
    query: str = ""
    mine: bool = False


def stage_age(proposal: Proposal, now: datetime | None = None) -> timedelta:
    return (now or timezone.now()) - proposal.stage_entered_at


def is_overdue(proposal: Proposal, now: datetime | None = None) -> bool:
    """Past the configured SLA for its current stage (closed stages have none)."""
    limit = conf.sla_days().get(proposal.status)
    return limit is not None and stage_age(proposal, now) > timedelta(days=limit)


def annotate_ages(proposals: list[Proposal]) -> list[Proposal]:
    """Attach `age_days` and `overdue` for lists (pages and API)."""
    now = timezone.now()
    for proposal in proposals:
        proposal.age_days = stage_age(proposal, now).days
        proposal.overdue = is_overdue(proposal, now)
    return proposals


def proposal_list(*, actor: Any, filters: ProposalFilters | None = None) -> QuerySet[Proposal]:
    filters = filters or ProposalFilters()
    proposals = proposals_in_scope(actor).select_related("region", "assigned_to")
    if filters.status:
        proposals = proposals.filter(status=filters.status)
    if filters.kind:
        proposals = proposals.filter(kind=filters.kind)
    if filters.region_code:
        code = filters.region_code
        proposals = proposals.filter(region_within_q(code, "region__code"))
    if filters.query:
        proposals = proposals.filter(Q(reference__icontains=filters.query) | Q(subject_name__icontains=filters.query))
    if filters.mine:
        proposals = proposals.filter(Q(created_by=actor) | Q(assigned_to=actor))
    return proposals.order_by("stage_entered_at")


@dataclass(slots=True)
class ChangeRow:
    subject: str
    label: str
    before: str
    after: str


@dataclass(slots=True)
class FactRow:
    path: str
    label: str
    value: str
    raw: Any


@dataclass(slots=True)
class StageSpan:
    status: str
    label: str
    entered_at: datetime
    left_at: datetime | None
    days: int
    overdue: bool


@dataclass(slots=True)
class HistoryEntry:
    at: datetime
    actor: str
    title: str
    detail: str = ""


@dataclass(slots=True)
class ProposalDetail:
    proposal: Proposal
    changes: list[ChangeRow]
    facts: list[FactRow]
    stages: list[StageSpan]
    history: list[HistoryEntry]
    actions: list[str]
    facilitators: list[Any] = field(default_factory=list)
    verifications: list[Any] = field(default_factory=list)
    deliberation_items: list[Any] = field(default_factory=list)
    reviews: list[Any] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    submissions: list[Any] = field(default_factory=list)
    age_days: int = 0
    overdue: bool = False


def change_rows(actor: Any, proposal: Proposal) -> list[ChangeRow]:
    sensitive_ok = may_see_sensitive(actor)
    return [
        ChangeRow(line.subject, line.label, display_value(actor, line.field, line.before, sensitive_ok=sensitive_ok),
                  display_value(actor, line.field, line.after, sensitive_ok=sensitive_ok))
        for line in kinds.preview(proposal)
    ]


def fact_rows(actor: Any, proposal: Proposal) -> list[FactRow]:
    sensitive_ok = may_see_sensitive(actor)
    return [
        FactRow(fact.path, fact.label,
                display_value(actor, fact.path.rsplit(".", 1)[-1], fact.value, sensitive_ok=sensitive_ok), fact.value)
        for fact in kinds.facts(proposal.kind, proposal.payload)
    ]


def _stages(transitions: list[ProposalTransition], proposal: Proposal) -> list[StageSpan]:
    now = timezone.now()
    limits = conf.sla_days()
    labels = dict(S.choices)
    spans: list[StageSpan] = []
    for index, step in enumerate(transitions):
        left = transitions[index + 1].occurred_at if index + 1 < len(transitions) else None
        duration = (left or now) - step.occurred_at
        limit = limits.get(step.to_status)
        spans.append(StageSpan(step.to_status, str(labels.get(step.to_status, step.to_status)), step.occurred_at,
                               left, duration.days, limit is not None and duration > timedelta(days=limit)
                               and step.to_status in OPEN_STAGES))
    return spans


def proposal_detail(*, actor: Any, proposal: Proposal) -> ProposalDetail:
    """Everything on a proposal's page: what it would change, its facts, its stages with their ages, its
    whole history (each transition, visit, decision, review, document, submission), and the next actions."""
    transitions = list(proposal.transitions.select_related("actor").order_by("id"))
    documents = list(proposal.documents.select_related("uploaded_by").order_by("created_at"))
    history = [
        HistoryEntry(t.occurred_at, t.actor.get_username() if t.actor else "system",
                     str(TRANSITION_LABELS.get(t.name, t.name)), t.reason)
        for t in transitions
    ]
    history += [
        HistoryEntry(d.created_at, d.uploaded_by.get_username(), _("Document added"),
                     f"{d.get_kind_display()}: {d.original_name}")
        for d in documents
    ]
    history.sort(key=lambda entry: entry.at)
    actions = proposal_actions(actor, proposal)
    facilitators = list(village_facilitators(proposal.region_id).order_by("username")) if "assign" in actions else []
    now = timezone.now()
    verifications = list(proposal.verifications.select_related("verifier").prefetch_related("photos"))
    policy = masking.policy_for(actor)
    for visit in verifications:
        # What the API returns (structured, masked) and what the page prints (labels, masked).
        visit.visible_results = masking.redact(policy, visit.fact_results or [])
        visit.shown_results = [
            {**entry, "proposed": display_value(policy, str(entry.get("path", "")), entry.get("proposed")),
             "value": display_value(policy, str(entry.get("path", "")), entry.get("value"))}
            for entry in visit.fact_results or []
        ]
    changes = change_rows(actor, proposal)
    personal_data_viewed(actor=actor, kind="proposal_detail", count=1, region_code=proposal.region_id,
                         target=proposal, extra={"reference": proposal.reference})
    return ProposalDetail(
        proposal=proposal,
        changes=changes,
        facts=fact_rows(actor, proposal),
        stages=_stages(transitions, proposal),
        history=history,
        actions=actions,
        facilitators=facilitators,
        verifications=verifications,
        deliberation_items=list(proposal.deliberation_items.select_related("deliberation", "decided_by")),
        reviews=list(proposal.reviews.select_related("reviewer")),
        documents=documents,
        submissions=list(proposal.submission_records.select_related("batch")),
        age_days=stage_age(proposal, now).days,
        overdue=is_overdue(proposal, now),
    )


@dataclass(slots=True)
class QueueSection:
    key: str
    title: str
    proposals: list[Proposal]
    total: int


@dataclass(slots=True)
class WorkQueue:
    sections: list[QueueSection]
    sessions: list[Deliberation]
    counts: dict[str, dict[str, int]]


QUEUE_LIMIT = 50


def work_queue(*, actor: Any) -> WorkQueue:
    """What waits for this actor, oldest first, with the age in the stage and the SLA highlight."""
    proposals = proposals_in_scope(actor).select_related("region", "assigned_to")
    wanted: list[tuple[str, str, Q]] = []
    if updates_can(actor, U.PROPOSE):
        wanted.append(("drafts", _("My drafts"), Q(status=S.DRAFT, created_by=actor)))
        wanted.append(("returned", _("Returned by the centre/province"), Q(status=S.RETURNED, created_by=actor)))
    if updates_can(actor, U.ASSIGN):
        wanted.append(("to_assign", _("Waiting for a facilitator"), Q(status=S.SUBMITTED)))
    if updates_can(actor, U.VERIFY):
        wanted.append(("to_verify", _("Field visits assigned to me"), Q(status=S.IN_VERIFICATION, assigned_to=actor)))
    if updates_can(actor, U.DELIBERATE):
        wanted.append(("to_deliberate", _("Waiting for the village deliberation"), Q(status=S.VERIFIED)))
    if updates_can(actor, U.REVIEW):
        wanted.append(("to_review", _("Waiting for the district check"), Q(status=S.ACCEPTED)))
    if updates_can(actor, U.APPROVE_REMOVAL):
        wanted.append(("to_approve_removal", _("Removals waiting for supervisor approval"),
                       Q(status=S.AWAITING_SUPERVISOR)))
    if updates_can(actor, U.DETERMINE) or updates_can(actor, U.SUBMIT):
        wanted.append(("to_determine", _("Approved, waiting for determination"), Q(status=S.APPROVED)))
    sections = []
    for key, title, condition in wanted:
        rows = proposals.filter(condition).order_by("stage_entered_at")
        listed = annotate_ages(list(rows[:QUEUE_LIMIT]))
        sections.append(QueueSection(key, str(title), listed, len(listed) if len(listed) < QUEUE_LIMIT else rows.count()))
    sessions: list[Deliberation] = []
    if updates_can(actor, U.DELIBERATE):
        sessions = list(deliberations_in_scope(actor).filter(
            status__in=(Deliberation.Status.PLANNED, Deliberation.Status.FINALISED)).select_related("region"))
    return WorkQueue(sections, sessions, stage_counts(actor=actor))


def stage_counts(*, actor: Any) -> dict[str, dict[str, int]]:
    """For the dashboard: per open stage, how many proposals and how many past the SLA. One query."""
    now = timezone.now()
    limits = conf.sla_days()
    aggregates: dict[str, Any] = {}
    for status in OPEN_STATUSES:
        aggregates[f"{status}__count"] = Count("pk", filter=Q(status=status))
        if status in limits:
            aggregates[f"{status}__overdue"] = Count(
                "pk", filter=Q(status=status, stage_entered_at__lt=now - timedelta(days=limits[status])))
    row = proposals_in_scope(actor).aggregate(**aggregates)
    return {
        status: {"count": row[f"{status}__count"], "overdue": row.get(f"{status}__overdue", 0),
                 "label": str(S(status).label)}
        for status in OPEN_STATUSES
    }


def assignable_facilitators(*, actor: Any, proposal: Proposal | None = None) -> list[Any]:
    """Facilitators the actor may assign: those covering the proposal's village, or (for the queue's bulk
    form) every active facilitator working within the actor's regions. Empty without the capability."""
    if not updates_can(actor, U.ASSIGN):
        return []
    if proposal is not None:
        return list(village_facilitators(proposal.region_id).order_by("username"))
    from tepat.accounts.access import scope_q
    from tepat.accounts.models import User
    from tepat.accounts.roles import Role

    return list(User.objects.filter(scope_q(actor, "region_assignments__region__code"), role=Role.FACILITATOR,
                                    is_active=True).distinct().order_by("username"))


def document_open(*, actor: Any, document: Document) -> Document:
    """A supporting document about to be shown: a view of personal data, so it is logged."""
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.view", target=document, region_code=document.region_id,
                     data={"kind": document.kind})
    return document
