"""Reads of sessions, batches, periods and freezes, scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from tepat.accounts.access import actor_can
from tepat.accounts.roles import Capability
from tepat.registry.selectors import personal_data_viewed
from tepat.updates.access import batches_in_scope, deliberations_in_scope, freezes_in_scope, periods_in_scope
from tepat.updates.actions import deliberation_actions, ensure_deliberation_action
from tepat.updates.models import Deliberation, DeterminationPeriod, FreezePeriod, Proposal, SubmissionBatch
from tepat.updates.selectors.proposals import annotate_ages, proposals_in_scope


def deliberation_list(*, actor: Any) -> QuerySet[Deliberation]:
    return deliberations_in_scope(actor).select_related("region").order_by("-held_on", "-created_at")


@dataclass(slots=True)
class DeliberationDetail:
    deliberation: Deliberation
    items: list[Any]
    attendees: list[Any]
    candidates: list[Proposal] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)


def deliberation_detail(*, actor: Any, deliberation: Deliberation) -> DeliberationDetail:
    """The session with its agenda, attendees, the village's verified proposals not yet on an agenda, and
    what the actor can do next."""
    items = list(deliberation.items.select_related("proposal", "decided_by").order_by("position"))
    attendees = list(deliberation.attendees.order_by("position_order", "created_at"))
    actions = deliberation_actions(actor, deliberation)
    candidates: list[Proposal] = []
    if "edit" in actions:
        on_agenda = {item.proposal_id for item in items}
        candidates = annotate_ages([
            p for p in proposals_in_scope(actor).filter(region_id=deliberation.region_id,
                                                        status=Proposal.Status.VERIFIED).order_by("stage_entered_at")
            if p.pk not in on_agenda
        ])
    _viewed(actor, deliberation, "deliberation_detail", len(items) + len(candidates))
    return DeliberationDetail(deliberation, items, attendees, candidates, actions,
                              list(deliberation.documents.order_by("created_at")))


def _viewed(actor: Any, deliberation: Deliberation, kind: str, count: int) -> None:
    personal_data_viewed(actor=actor, kind=kind, count=count, region_code=deliberation.region_id,
                         target=deliberation)


def deliberation_view(*, actor: Any, deliberation: Deliberation) -> Deliberation:
    """The session as the API returns it (its agenda names the people concerned): the view is logged."""
    _viewed(actor, deliberation, "deliberation_detail", deliberation.items.count())
    return deliberation


def deliberation_minutes(*, actor: Any, deliberation: Deliberation) -> bytes:
    """The berita acara PDF (names of the people on the agenda): each download is logged."""
    from tepat.updates.pdf import minutes_pdf

    ensure_deliberation_action(actor, deliberation, "minutes")
    _viewed(actor, deliberation, "deliberation_minutes", deliberation.items.count())
    return minutes_pdf(deliberation)


def batch_list(*, actor: Any) -> QuerySet[SubmissionBatch]:
    return batches_in_scope(actor).select_related("region").order_by("-created_at")


def period_list(*, actor: Any) -> QuerySet[DeterminationPeriod]:
    """Newest first: open and running periods, then the versions by when they were determined."""
    return periods_in_scope(actor).select_related("region").order_by(
        "region_id", F("determined_at").desc(nulls_first=True), "-starts_on")


def freeze_list(*, actor: Any) -> QuerySet[FreezePeriod]:
    return freezes_in_scope(actor).select_related("region").order_by("-starts_on")


@dataclass(slots=True)
class PeriodProgress:
    period: DeterminationPeriod
    phase: str  # "open" | "applying" | "freezing" | "failed" | "done"
    percent: int
    holds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.phase in ("open", "done", "failed")


def period_progress(*, actor: Any, period: DeterminationPeriod) -> PeriodProgress:
    """How far a determination has got, and what it held back (reasons name KK/NIK: shown in full only to
    roles that see personal data; the others see the reason code). Caller fetched with `access_period`."""
    status = DeterminationPeriod.Status
    full = actor_can(actor, Capability.PERSONAL_DATA_FULL)
    holds = [
        {"reference": h.proposal.reference, "proposal_id": h.proposal_id, "kind": h.proposal.get_kind_display(),
         "reasons": [(i.get("id") if full else i.get("code", "")) for i in h.issues],
         "reasons_en": [(i.get("en") if full else i.get("code", "")) for i in h.issues]}
        for h in period.holds.select_related("proposal").order_by("id")
    ]
    if period.status == status.DETERMINED:
        return PeriodProgress(period, "done", 100, holds)
    if period.status == status.OPEN:
        return PeriodProgress(period, "open", 0, holds)
    phase = "failed" if period.error else "freezing" if period.families_total else "applying"
    done = period.applied_count + period.held_count
    applying = 50 * done // period.proposals_total if period.proposals_total else 50
    freezing = 50 * period.frozen_count // period.families_total if period.families_total else 0
    percent = min(99, (50 + freezing) if period.families_total else applying)
    return PeriodProgress(period, phase, percent, holds)
