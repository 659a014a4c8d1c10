"""The update workflow's transitions tables: proposal, deliberation, determination period, submission batch.

The mechanism (`transition()`, `ensure_allowed`, `allowed_transitions`, `lock`) is the generic one in
`tepat.audit.transitions` (ADR 0014); this module registers the four tables with it and adds what the
proposal keeps beside its status: the stage's start time and one `ProposalTransition` history row per move.
Nothing else assigns `status` on these models. Capability × scope is checked by the calling service.
"""

from __future__ import annotations

from tepat.audit.transitions import (
    Moved,
    Transition,
    Workflow,
    allowed_transitions,
    ensure_allowed,
    lock,
    register,
    transition,
)
from tepat.audit.transitions import t as _t
from tepat.registry import masking
from tepat.updates.claims import OPEN_STATUSES
from tepat.updates.models import (
    Deliberation,
    DeterminationPeriod,
    Proposal,
    ProposalClaim,
    ProposalTransition,
    SubmissionBatch,
)

__all__ = [
    "BATCH_TRANSITIONS", "DELIBERATION_TRANSITIONS", "PERIOD_TRANSITIONS", "PROPOSAL_TRANSITIONS", "TABLES",
    "Transition", "allowed_transitions", "ensure_allowed", "lock", "transition",
]

P = Proposal.Status
D = Deliberation.Status

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


def _proposal_history(moved: Moved) -> None:
    """One history row per move of a proposal, in the same transaction as its status and audit event."""
    actor = moved.actor
    ProposalTransition.objects.create(
        proposal=moved.row, name=moved.name, from_status=moved.previous, to_status=moved.row.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        occurred_at=moved.now, reason=moved.reason, data=dict(moved.data),
    )


def _release_claims(moved: Moved) -> None:
    """Out of the flow (rejected, withdrawn, applied, returned): what it claimed is free for a new proposal."""
    if moved.row.status not in OPEN_STATUSES:
        ProposalClaim.objects.filter(proposal=moved.row).delete()


TABLES: dict[type, Workflow] = {
    Proposal: register(Proposal, Workflow("proposal", PROPOSAL_TRANSITIONS, stamp_field="stage_entered_at",
                                          after=(_proposal_history, _release_claims), redact=masking.audit_payload)),
    Deliberation: register(Deliberation, Workflow("deliberation", DELIBERATION_TRANSITIONS, redact=masking.audit_payload)),
    DeterminationPeriod: register(DeterminationPeriod, Workflow("determination_period", PERIOD_TRANSITIONS)),
    SubmissionBatch: register(SubmissionBatch, Workflow("submission_batch", BATCH_TRANSITIONS)),
}
