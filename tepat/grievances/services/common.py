"""Small helpers shared by the grievances services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tepat.audit.transitions import transition
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.grievances.models import Complaint
from tepat.registry import masking

OPEN_STAGES = frozenset({Complaint.Status.REGISTERED, Complaint.Status.ASSESSED, Complaint.Status.REFERRED,
                         Complaint.Status.FOLLOWED_UP})


def raise_if(issues: list[Issue]) -> None:
    if issues:
        raise ValidationFailed(issues)


def required(value: str, field: str, id_name: str, en_name: str, issues: list[Issue]) -> str:
    value = (value or "").strip()
    if not value:
        issues.append(Issue("required", field, f"{id_name} wajib diisi", f"{en_name} is required"))
    return value


def move(complaint: Complaint, name: str, *, actor: Any, updates: dict[str, Any] | None = None, reason: str = "",
         data: dict[str, Any] | None = None) -> Complaint:
    """A complaint along its transitions table. A move into another open stage restarts the stage clock
    (a pause and its resumption keep it: the paused days are taken out instead); the SLA state follows."""
    from tepat.grievances.services.sla import refresh_clock

    updates = dict(updates or {})
    target = _target(name)
    if target in OPEN_STAGES and target != complaint.status and complaint.status != Complaint.Status.WAITING:
        updates["stage_entered_at"] = timezone.now()
    row = transition(complaint, name, actor=actor, region_code=complaint.region_id, updates=updates,
                     reason=reason, data=masking.audit_payload({"reference": complaint.reference, **(data or {})}))
    refresh_clock(row)
    return row


def _target(name: str) -> str:
    from tepat.grievances.transitions import COMPLAINT_TRANSITIONS

    return COMPLAINT_TRANSITIONS[name].target
