"""The disaster event's transitions table (ADR 0014), registered with the one mechanism
`tepat.audit.transitions.transition()`: it locks the row, refuses a move the table does not allow and records
the audit event. Nothing else assigns `status` on a DisasterEvent."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.relief.models import DisasterEvent

S = DisasterEvent.Status

EVENT_TRANSITIONS: dict[str, Transition] = {
    "close": t({S.OPEN}, S.CLOSED, action=A.RELIEF_EVENT_CLOSE),
    "reopen": t({S.CLOSED}, S.OPEN, action=A.RELIEF_EVENT_REOPEN),
}

register(DisasterEvent, Workflow("relief_event", EVENT_TRANSITIONS))
