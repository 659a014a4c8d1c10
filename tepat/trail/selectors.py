"""Reading the audit trail: only for roles with AUDIT_VIEW, scoped to their regions.

Events without a region are shown to administrators only, and only those an administrator's scope
accounts for: sign-in events of an account (the event's target) whose region assignments lie in the
administrator's regions; every other region-less event (failed sign-ins with an unknown typed username,
loading the region master, checkpoints) only to an administrator of national scope, i.e. one whose
assignments cover every province of the region master. A district administrator sees nothing of another
district's sign-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from tepat.accounts.access import actor_region_codes, ensure_capability, scope_q
from tepat.accounts.models import RegionAssignment
from tepat.accounts.roles import Capability, Role
from tepat.audit.models import AuditEvent
from tepat.regions.models import Region
from tepat.regions.selectors import is_within, region_within_q

USER_TARGET = "accounts.user"


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
        visible |= _regionless_visible_q(actor)
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


def actor_has_national_scope(actor: Any) -> bool:
    """Assignments that cover every province of the region master (an empty master: nobody)."""
    codes = actor_region_codes(actor)
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True))
    return bool(codes and provinces) and all(any(is_within(p, code) for code in codes) for p in provinces)


def _regionless_visible_q(actor: Any) -> Q:
    if actor_has_national_scope(actor):
        return Q(region_code="")
    accounts_in_scope = (
        RegionAssignment.objects.filter(scope_q(actor, "region__code"))
        .annotate(user_key=Cast("user_id", output_field=CharField()))
        .values("user_key")
    )
    return Q(region_code="", target_type=USER_TARGET, target_id__in=accounts_in_scope)


def audit_actions() -> list[str]:
    """Distinct action names, for the filter dropdown."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
