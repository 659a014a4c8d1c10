"""The programme workflows' transitions tables (ADR 0014): a programme year (release), a beneficiary list,
an inclusion/exclusion review item. Registered with `tepat.audit.transitions`; nothing else assigns
`status` on these models."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.programs.models import BeneficiaryList, ProgrammeRelease, ReviewItem

R = ProgrammeRelease.Status
L = BeneficiaryList.Status
V = ReviewItem.Status

RELEASE_TRANSITIONS: dict[str, Transition] = {
    "release": t({R.DRAFT}, R.RELEASED, action=A.PROGRAMME_RELEASE_RELEASE),
    "retire": t({R.RELEASED}, R.RETIRED, action=A.PROGRAMME_RELEASE_RETIRE),
}

LIST_TRANSITIONS: dict[str, Transition] = {
    "determine": t({L.DETERMINING}, L.DETERMINED, action=A.BENEFICIARY_LIST_DETERMINE),
    "fail": t({L.DETERMINING}, L.FAILED, action=A.BENEFICIARY_LIST_FAIL),
    "approve": t({L.DETERMINED}, L.APPROVED, action=A.BENEFICIARY_LIST_APPROVE),
    "reject": t({L.DETERMINED}, L.REJECTED, action=A.BENEFICIARY_LIST_REJECT),
}

REVIEW_TRANSITIONS: dict[str, Transition] = {
    "confirm": t({V.OPEN}, V.CONFIRMED, action=A.PROGRAMME_REVIEW_CONFIRM),
    "dismiss": t({V.OPEN}, V.DISMISSED, action=A.PROGRAMME_REVIEW_DISMISS),
}

register(ProgrammeRelease, Workflow("programme_release", RELEASE_TRANSITIONS))
register(BeneficiaryList, Workflow("beneficiary_list", LIST_TRANSITIONS))
register(ReviewItem, Workflow("programme_review", REVIEW_TRANSITIONS))
