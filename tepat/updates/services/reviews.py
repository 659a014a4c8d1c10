"""The district check: the Dinsos operator approves or rejects accepted proposals; removals need the
supervisor's approval."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.updates import kinds
from tepat.updates.actions import ensure_proposal_action
from tepat.updates.models import DistrictReview, Proposal
from tepat.updates.permissions import UpdatesCapability, updates_can
from tepat.updates.workflow import lock, transition

S = Proposal.Status


def _review(proposal: Proposal, actor: Any, decision: str, reason: str) -> None:
    level = (DistrictReview.Level.SUPERVISOR if updates_can(actor, UpdatesCapability.APPROVE_REMOVAL)
             else DistrictReview.Level.OPERATOR)
    review = DistrictReview(proposal=proposal, reviewer=actor, level=level, decision=decision, reason=reason)
    review.full_clean()
    review.save()


@transaction.atomic
def proposal_approve(*, actor: Any, proposal: Proposal, note: str = "") -> Proposal:
    """Approve an accepted proposal. A removal approved by an operator goes on to the supervisor.

    Refused while a freeze covers the village. Two people approving at once: the row lock lets one
    through; the other finds the proposal already approved and is refused.
    """
    proposal = lock(proposal)
    ensure_proposal_action(actor, proposal, "approve")
    note = note.strip()
    if proposal.kind in kinds.REMOVAL_KINDS and not updates_can(actor, UpdatesCapability.APPROVE_REMOVAL):
        proposal = transition(proposal, "forward_to_supervisor", actor=actor, region_code=proposal.region_id,
                              locked=True, reason=note)
        _review(proposal, actor, DistrictReview.Decision.FORWARDED, note)
        return proposal
    proposal = transition(proposal, "approve", actor=actor, region_code=proposal.region_id, locked=True,
                          reason=note, updates={"approved_at": timezone.now()})
    _review(proposal, actor, DistrictReview.Decision.APPROVED, note)
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """Reject an accepted proposal, with the reason the village will read."""
    ensure_proposal_action(actor, proposal, "reject")
    if not reason.strip():
        raise ValidationFailed([Issue("required", "reason", "alasan penolakan wajib diisi", "a reason is required")])
    proposal = lock(proposal)
    ensure_proposal_action(actor, proposal, "reject")
    stage = proposal.status
    proposal = transition(proposal, "reject_by_district", actor=actor, region_code=proposal.region_id, locked=True,
                          reason=reason.strip(), updates={"closed_stage": stage, "closed_reason": reason.strip()})
    _review(proposal, actor, DistrictReview.Decision.REJECTED, reason.strip())
    return proposal


@transaction.atomic
def proposal_pull_back(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """The supervisor takes an approved proposal back before it is determined (a duplicate, a mistake found
    late): it returns to the supervisor's check, where it can be rejected or approved again. With a reason,
    audited, through the transitions table; a determined proposal cannot be pulled back."""
    ensure_proposal_action(actor, proposal, "pull_back")
    if not reason.strip():
        raise ValidationFailed([Issue("required", "reason", "alasan penarikan wajib diisi",
                                      "a reason for pulling the proposal back is required")])
    proposal = transition(proposal, "pull_back", actor=actor, region_code=proposal.region_id, reason=reason.strip(),
                          updates={"approved_at": None})
    _review(proposal, actor, DistrictReview.Decision.PULLED_BACK, reason.strip())
    return proposal
