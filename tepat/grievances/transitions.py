"""The complaint and referral workflows' transitions tables (ADR 0014), registered with the one mechanism
`tepat.audit.transitions.transition()`: it locks the row, refuses a move the table does not allow and records
the audit event. Nothing else assigns `status` on these models.

A case waiting for the citizen returns to the stage it paused in: one `resume_<stage>` entry per stage, all
recorded as `complaint.resume`. Deciding the service (penetapan layanan) keeps the case in `assessed`.
"""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.grievances.models import Complaint, Referral

S = Complaint.Status
R = Referral.Status
OPEN = frozenset({S.REGISTERED, S.ASSESSED, S.REFERRED, S.FOLLOWED_UP})
PAUSABLE = OPEN

COMPLAINT_TRANSITIONS: dict[str, Transition] = {
    "assess": t({S.REGISTERED}, S.ASSESSED, action=A.COMPLAINT_ASSESS),
    "decide": t({S.ASSESSED}, S.ASSESSED, action=A.COMPLAINT_DECIDE),
    "refer": t({S.ASSESSED, S.REFERRED}, S.REFERRED, action=A.COMPLAINT_REFER),
    "follow_up": t({S.ASSESSED, S.REFERRED}, S.FOLLOWED_UP, action=A.COMPLAINT_FOLLOW_UP),
    "close": t({S.ASSESSED, S.FOLLOWED_UP}, S.CLOSED, action=A.COMPLAINT_CLOSE),
    "wait": t(PAUSABLE, S.WAITING, action=A.COMPLAINT_WAIT),
    **{f"resume_{stage}": t({S.WAITING}, stage, action=A.COMPLAINT_RESUME) for stage in sorted(OPEN)},
    "reject": t({S.REGISTERED, S.ASSESSED, S.WAITING}, S.REJECTED, action=A.COMPLAINT_REJECT),
    "mark_duplicate": t({S.REGISTERED, S.ASSESSED}, S.DUPLICATE, action=A.COMPLAINT_MARK_DUPLICATE),
}

REFERRAL_TRANSITIONS: dict[str, Transition] = {
    "acknowledge": t({R.ISSUED}, R.ACKNOWLEDGED, action=A.REFERRAL_ACKNOWLEDGE),
    "complete": t({R.ISSUED, R.ACKNOWLEDGED}, R.COMPLETED, action=A.REFERRAL_COMPLETE),
    "cancel": t({R.ISSUED}, R.CANCELLED, action=A.REFERRAL_CANCEL),
}

register(Complaint, Workflow("complaint", COMPLAINT_TRANSITIONS))
register(Referral, Workflow("referral", REFERRAL_TRANSITIONS))
