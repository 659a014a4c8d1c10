"""One transitions table per workflow, and the one function that moves a row along it.

`transition()` locks the row (`select_for_update`), refuses a change its table does not allow, saves
the new status with the given field updates, and records the audit event, in the caller's transaction.
Nothing else assigns `status` on these models. Capability × scope is checked by the calling service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.core.exceptions import InvalidTransition
from tepat.updates.claims import OPEN_STATUSES
from tepat.updates.models import (
    Deliberation,
    DeterminationPeriod,
    Proposal,
    ProposalClaim,
    ProposalTransition,
    SubmissionBatch,
)

P = Proposal.Status
D = Deliberation.Status


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[str]
    target: str


def _t(sources: set[str], target: str) -> Transition:
    return Transition(frozenset(sources), target)


PROPOSAL_TRANSITIONS: dict[str, Transition] = {
    "submit": _t({P.DRAFT}, P.SUBMITTED),
    "withdraw": _t({P.DRAFT, P.SUBMITTED}, P.WITHDRAWN),
    "assign": _t({P.SUBMITTED, P.IN_VERIFICATION}, P.IN_VERIFICATION),
    "verify": _t({P.IN_VERIFICATION}, P.VERIFIED),
    "verify_emergency": _t({P.IN_VERIFICATION}, P.ACCEPTED),  # emergencies skip the deliberation
    "reject_in_field": _t({P.IN_VERIFICATION}, P.REJECTED),
    "accept_in_deliberation": _t({P.VERIFIED}, P.ACCEPTED),
    "reject_in_deliberation": _t({P.VERIFIED}, P.REJECTED),
    "forward_to_supervisor": _t({P.ACCEPTED}, P.AWAITING_SUPERVISOR),
    "approve": _t({P.ACCEPTED, P.AWAITING_SUPERVISOR}, P.APPROVED),
    "reject_by_district": _t({P.ACCEPTED, P.AWAITING_SUPERVISOR}, P.REJECTED),
    # The supervisor takes an approved proposal back to the district check before it is determined.
    "pull_back": _t({P.APPROVED}, P.AWAITING_SUPERVISOR),
    "return_from_upstream": _t({P.APPROVED}, P.RETURNED),
    "apply": _t({P.APPROVED}, P.APPLIED),
}

DELIBERATION_TRANSITIONS: dict[str, Transition] = {
    "finalise": _t({D.PLANNED}, D.FINALISED),
    "sign": _t({D.FINALISED}, D.SIGNED),
    "cancel": _t({D.PLANNED}, D.CANCELLED),
}

PERIOD_TRANSITIONS: dict[str, Transition] = {
    "start": _t({DeterminationPeriod.Status.OPEN}, DeterminationPeriod.Status.DETERMINING),
    "determine": _t({DeterminationPeriod.Status.DETERMINING}, DeterminationPeriod.Status.DETERMINED),
}

BATCH_TRANSITIONS: dict[str, Transition] = {
    "answer": _t({SubmissionBatch.Status.SENT}, SubmissionBatch.Status.ANSWERED),
}

TABLES: dict[type[models.Model], tuple[str, dict[str, Transition]]] = {
    Proposal: ("proposal", PROPOSAL_TRANSITIONS),
    Deliberation: ("deliberation", DELIBERATION_TRANSITIONS),
    DeterminationPeriod: ("determination_period", PERIOD_TRANSITIONS),
    SubmissionBatch: ("submission_batch", BATCH_TRANSITIONS),
}

M = TypeVar("M", bound=models.Model)


def allowed_transitions(model: type[models.Model], status: str) -> list[str]:
    """Names of the transitions the table allows from `status` (for showing the next actions)."""
    _, table = TABLES[model]
    return [name for name, t in table.items() if status in t.sources]


def lock(obj: M) -> M:
    """The row again, locked until the end of the transaction."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def ensure_allowed(obj: models.Model, name: str) -> None:
    _, table = TABLES[type(obj)]
    transition = table[name]
    current = obj.status  # type: ignore[attr-defined]
    if current not in transition.sources:
        label = dict(type(obj).Status.choices).get(current, current)  # type: ignore[attr-defined]
        raise InvalidTransition(
            f"Tidak dapat '{name}' pada tahap '{current}' / Cannot '{name}' at stage '{label}'",
            extra={"current": current, "requested": name, "allowed": allowed_transitions(type(obj), current)},
        )


def transition(
    obj: M,
    name: str,
    *,
    actor: Any,
    region_code: str,
    updates: dict[str, Any] | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    locked: bool = False,
) -> M:
    """Move `obj` along its table: lock, check, save status (+ `updates`), audit. Returns the locked row."""
    prefix, table = TABLES[type(obj)]
    row = obj if locked else lock(obj)
    ensure_allowed(row, name)
    previous = row.status  # type: ignore[attr-defined]
    now = timezone.now()
    row.status = table[name].target  # type: ignore[attr-defined]
    fields = ["status", "updated_at"]
    if isinstance(row, Proposal) and row.status != previous:  # a reassignment keeps the stage's age
        row.stage_entered_at = now
        fields.append("stage_entered_at")
    for key, value in (updates or {}).items():
        setattr(row, key, value)
        fields.append(key)
    row.save(update_fields=fields)
    event_data = {"from": previous, "to": row.status, **({"reason": reason} if reason else {}), **(data or {})}
    if isinstance(row, Proposal):
        ProposalTransition.objects.create(
            proposal=row, name=name, from_status=previous, to_status=row.status,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            occurred_at=now, reason=reason, data=data or {},
        )
        if row.status not in OPEN_STATUSES:  # out of the flow: what it claimed is free for a new proposal
            ProposalClaim.objects.filter(proposal=row).delete()
    audit_record(actor=actor, action=f"{prefix}.{name}", target=row, region_code=region_code, data=event_data)
    return row
