"""The data-update workflow: proposals and every step that decides them, down to the determined versions.

Only `tepat.updates.services` writes these tables; status changes go through `tepat.updates.workflow`.
"""

from tepat.updates.models.deliberations import Deliberation, DeliberationAttendee, DeliberationItem
from tepat.updates.models.determination import (
    DeterminationHold,
    DeterminationPeriod,
    DeterminedFamily,
    FreezePeriod,
)
from tepat.updates.models.documents import Document
from tepat.updates.models.proposals import (
    DistrictReview,
    Objection,
    Proposal,
    ProposalClaim,
    ProposalTransition,
)
from tepat.updates.models.submissions import SubmissionBatch, SubmissionRecord
from tepat.updates.models.verification import FieldVerification

__all__ = [
    "Deliberation",
    "DeliberationAttendee",
    "DeliberationItem",
    "DeterminationHold",
    "DeterminationPeriod",
    "DeterminedFamily",
    "DistrictReview",
    "Document",
    "FieldVerification",
    "FreezePeriod",
    "Objection",
    "Proposal",
    "ProposalClaim",
    "ProposalTransition",
    "SubmissionBatch",
    "SubmissionRecord",
]
