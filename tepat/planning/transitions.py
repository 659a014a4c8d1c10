"""The plan's and the quarter snapshot's transitions tables (ADR 0014), registered with the one mechanism
`tepat.audit.transitions.transition()`. A plan moves rancangan awal → rancangan akhir → DPA murni →
perubahan (a perubahan may be amended again); each move freezes the current lines as a version
(services.plan_advance). A quarter's realisation moves draft → final."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.planning.models import Plan, QuarterSnapshot

S = Plan.Stage
Q = QuarterSnapshot.Status

PLAN_TRANSITIONS: dict[str, Transition] = {
    "to_final_draft": t({S.DRAFT_INITIAL}, S.DRAFT_FINAL, action=A.PLAN_ADVANCE),
    "to_dpa": t({S.DRAFT_FINAL}, S.DPA, action=A.PLAN_ADVANCE),
    "to_amendment": t({S.DPA, S.AMENDED}, S.AMENDED, action=A.PLAN_ADVANCE),
}
NEXT_STEP = {S.DRAFT_INITIAL: "to_final_draft", S.DRAFT_FINAL: "to_dpa", S.DPA: "to_amendment",
             S.AMENDED: "to_amendment"}

SNAPSHOT_TRANSITIONS: dict[str, Transition] = {
    "finalise": t({Q.DRAFT}, Q.FINAL, action=A.REALISATION_FINALISE),
}

register(Plan, Workflow("plan", PLAN_TRANSITIONS))
register(QuarterSnapshot, Workflow("realisation", SNAPSHOT_TRANSITIONS))
