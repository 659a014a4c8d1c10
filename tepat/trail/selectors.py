"""Reading the audit trail: only for roles with AUDIT_VIEW, scoped to their regions.

Events without a region (logins of unknown names, loading the region master) are shown to
administrators only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tepat.accounts.access import ensure_capability, scope_q
from tepat.accounts.roles import Capability, Role
from tepat.audit.models import AuditEvent
from tepat.regions.selectors import region_within_q


@dataclass(slots=True)
class AuditFilters:
    action: str = ""  # prefix: "family." matches family.create, family.update, ...
    actor: str = ""  # username, exact
    target_type: str = ""
    target_id: str = ""
    region_code: str = ""  # this region and everything under it
    date_from: date | None = None
    date_to: date | None = None


def audit_event_list(*, actor: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    ensure_capability(actor=actor, capability=Capability.AUDIT_VIEW)
    filters = filters or AuditFilters()
    visible = scope_q(actor, "region_code")
    if actor.role == Role.ADMINISTRATOR:
        visible |= Q(region_code="")
    events = AuditEvent.objects.filter(visible).select_related("actor")
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.actor:
        events = events.filter(actor_label=filters.actor)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    if filters.region_code:
        code = filters.region_code
        events = events.filter(region_within_q(code, "region_code"))
    tz = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(occurred_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        events = events.filter(occurred_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return events.order_by("-seq")


def audit_actions() -> list[str]:
    """Distinct action names, for the filter dropdown."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
