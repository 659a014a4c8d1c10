"""Bulk actions where staff do the same thing many times: assign several proposals, approve several,
record every decision of a session on one form.

Each item goes through the same service as the single action (capability, scope, the transitions table,
its own audit event), inside its own savepoint: one refused item is reported and changes nothing, the
others go on. The result says, per item, what happened and why not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tepat.accounts.models import User
from tepat.core.exceptions import ApplicationError, ObjectNotFound, ValidationFailed
from tepat.updates.access import access_proposal
from tepat.updates.models import Deliberation, DeliberationItem, Proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_capability
from tepat.updates.services.deliberations import deliberation_decide
from tepat.updates.services.proposals import proposal_assign, proposal_assign_auto
from tepat.updates.services.reviews import proposal_approve


@dataclass(frozen=True, slots=True)
class BulkItem:
    reference: str
    id: str
    ok: bool
    message: str = ""  # why it was refused ("Indonesian / English"), or what it became
    status: str = ""


@dataclass(frozen=True, slots=True)
class BulkResult:
    items: list[BulkItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.ok)

    @property
    def refused(self) -> int:
        return len(self.items) - self.done


NOT_FOUND = "Usulan tidak ditemukan / proposal not found"


def _reason(exc: ApplicationError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{issue.field}: {issue.id} / {issue.en}" for issue in exc.issues)
    return exc.message


def _proposals(actor: Any, ids: Iterable[Any]) -> tuple[list[Proposal], list[BulkItem]]:
    """The proposals the actor can see, in the order given (duplicates once); the others, reported exactly
    like absent ones."""
    found, missing, seen = [], [], set()
    for pk in ids:
        if str(pk) in seen:
            continue
        seen.add(str(pk))
        try:
            found.append(access_proposal(actor=actor, proposal_id=pk))
        except (ObjectNotFound, ValueError, ValidationError):
            missing.append(BulkItem("", str(pk), False, NOT_FOUND))
    return found, missing


def _each(items: Iterable[Any], run: Callable[[Any], Any], reference: Callable[[Any], Proposal]) -> list[BulkItem]:
    out: list[BulkItem] = []
    for item in items:
        proposal = reference(item)
        try:
            with transaction.atomic():
                result = run(item)
        except ApplicationError as exc:
            out.append(BulkItem(proposal.reference, str(proposal.pk), False, _reason(exc), proposal.status))
        else:
            status = getattr(result, "status", "") or getattr(getattr(result, "proposal", None), "status", "")
            out.append(BulkItem(proposal.reference, str(proposal.pk), True, "", status))
    return out


def proposals_assign_bulk(*, actor: Any, proposal_ids: list[Any], facilitator: User | None = None) -> BulkResult:
    """Assign each proposal to the facilitator (or round-robin when none is named), item by item."""
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.ASSIGN)
    proposals, missing = _proposals(actor, proposal_ids)

    def run(proposal: Proposal) -> Any:
        if facilitator is None:
            return proposal_assign_auto(actor=actor, proposal=proposal)
        return proposal_assign(actor=actor, proposal=proposal, facilitator=facilitator)

    return BulkResult(_each(proposals, run, lambda p: p) + missing)


def proposals_approve_bulk(*, actor: Any, proposal_ids: list[Any], note: str = "") -> BulkResult:
    """District approval of each proposal (removals go on to the supervisor), item by item."""
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.REVIEW)
    proposals, missing = _proposals(actor, proposal_ids)
    return BulkResult(_each(proposals, lambda p: proposal_approve(actor=actor, proposal=p, note=note),
                            lambda p: p) + missing)


def deliberation_decide_bulk(*, actor: Any, deliberation: Deliberation,
                             decisions: dict[str, tuple[str, str]]) -> BulkResult:
    """Every decision of a session from one form: {item id: (decision, reason)}. Items of another session
    are refused (reported as not found); an item left without a decision is skipped."""
    valid = [key for key in decisions if _is_uuid(key)]
    items = {str(item.pk): item for item in
             DeliberationItem.objects.filter(deliberation=deliberation, pk__in=valid)
             .select_related("proposal", "deliberation")}
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.DELIBERATE)
    missing = [key for key in decisions if key not in items]
    done = _each(
        [items[key] for key in decisions if key in items and decisions[key][0]],
        lambda item: deliberation_decide(actor=actor, item=item, decision=decisions[str(item.pk)][0],
                                         reason=decisions[str(item.pk)][1]),
        lambda item: item.proposal,
    )
    refused = [BulkItem("", key, False, "Butir agenda tidak ditemukan di musyawarah ini / "
                                        "agenda item not found in this session") for key in missing]
    return BulkResult(done + refused)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
