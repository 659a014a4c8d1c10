"""Scoped fetches of relief objects: capability × region scope. Out of scope answers exactly like not found."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from tepat.accounts.access import actor_can, actor_in_scope, ensure_capability, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.relief.models import DisasterEvent, IntakeHousehold, Warehouse

C = Capability


def events_visible(actor: Any) -> QuerySet[DisasterEvent]:
    if not actor_can(actor, C.RELIEF_VIEW):
        return DisasterEvent.objects.none()
    return DisasterEvent.objects.filter(scope_q(actor, "region__code"))


def warehouses_visible(actor: Any) -> QuerySet[Warehouse]:
    if not actor_can(actor, C.RELIEF_VIEW):
        return Warehouse.objects.none()
    return Warehouse.objects.filter(scope_q(actor, "region__code"))


def _get(queryset: QuerySet, pk: Any) -> Any:
    """The row or None; a malformed id (from a form field) is answered like an unknown one."""
    try:
        return queryset.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None


def access_event(*, actor: Any, event_id: Any) -> DisasterEvent:
    """403 without `relief.view`; 404 when absent or outside the actor's regions."""
    ensure_capability(actor=actor, capability=C.RELIEF_VIEW)
    event = _get(DisasterEvent.objects.select_related("region"), event_id)
    if event is None or not actor_in_scope(actor, event.region_id):
        raise ObjectNotFound()
    return event


def access_household(*, actor: Any, household_id: Any, event: DisasterEvent | None = None) -> IntakeHousehold:
    ensure_capability(actor=actor, capability=C.RELIEF_VIEW)
    queryset = IntakeHousehold.objects.select_related("event", "region")
    if event is not None:
        queryset = queryset.filter(event=event)
    household = _get(queryset, household_id)
    if household is None or not actor_in_scope(actor, household.region_id):
        raise ObjectNotFound()
    return household


def access_warehouse(*, actor: Any, warehouse_id: Any) -> Warehouse:
    ensure_capability(actor=actor, capability=C.RELIEF_VIEW)
    warehouse = _get(Warehouse.objects.select_related("region"), warehouse_id)
    if warehouse is None or not actor_in_scope(actor, warehouse.region_id):
        raise ObjectNotFound()
    return warehouse
