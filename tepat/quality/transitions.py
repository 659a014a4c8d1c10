"""The data-quality workflows' transitions tables (ADR 0014): a review flag and a match run.

Registered with the one mechanism, `tepat.audit.transitions.transition()`, which locks the row, refuses a
move the table does not allow and records the audit event. Nothing else assigns `status` on these models.
"""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.quality.models import Flag, MatchRun

F = Flag.Status
R = MatchRun.Status

FLAG_TRANSITIONS: dict[str, Transition] = {
    "confirm": t({F.OPEN}, F.CONFIRMED, action=A.QUALITY_FLAG_CONFIRM),
    "dismiss": t({F.OPEN}, F.DISMISSED, action=A.QUALITY_FLAG_DISMISS),
}

RUN_TRANSITIONS: dict[str, Transition] = {
    "start": t({R.PENDING}, R.RUNNING, action=A.QUALITY_RUN_START),
    "finish": t({R.RUNNING}, R.DONE, action=A.QUALITY_RUN_FINISH),
    "fail": t({R.PENDING, R.RUNNING}, R.FAILED, action=A.QUALITY_RUN_FAIL),
}

register(Flag, Workflow("quality.flag", FLAG_TRANSITIONS))
register(MatchRun, Workflow("quality.run", RUN_TRANSITIONS))
