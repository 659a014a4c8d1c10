"""The citizen report's transitions table (ADR 0014): received → forwarded (entered the update workflow)
or → abuse (marked by staff). Nothing else assigns its status."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.public.models import CitizenReport

S = CitizenReport.Status

REPORT_TRANSITIONS: dict[str, Transition] = {
    "forward": t({S.RECEIVED}, S.FORWARDED, action=A.CITIZEN_REPORT_FORWARD),
    "mark_abuse": t({S.RECEIVED}, S.ABUSE, action=A.CITIZEN_REPORT_MARK_ABUSE),
}

register(CitizenReport, Workflow("citizen_report", REPORT_TRANSITIONS))
