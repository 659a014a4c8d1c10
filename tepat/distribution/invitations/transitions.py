"""The print job's transitions table (ADR 0014's one mechanism): running → done | failed."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.distribution.invitations.models import InvitationPrintJob

S = InvitationPrintJob.Status

PRINT_JOB_TRANSITIONS: dict[str, Transition] = {
    "finish": t({S.RUNNING}, S.DONE, action=A.INVITATION_PRINT_JOB_FINISH),
    "fail": t({S.RUNNING}, S.FAILED, action=A.INVITATION_PRINT_JOB_FAIL),
}

register(InvitationPrintJob, Workflow("invitation_print_job", PRINT_JOB_TRANSITIONS))
