"""Reads of the relief app, scoped to the actor's regions (through `tepat.relief.access`), and the figures the
work plan (Renja) reads: `relief_figures`. Identity numbers are shown through `tepat.registry.masking`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.regions.selectors import region_within_q
from tepat.registry import masking
from tepat.registry.selectors import personal_data_viewed
from tepat.relief.access import events_visible, warehouses_visible
from tepat.relief.actions import event_actions
from tepat.relief.models import (
    DisasterEvent,
    IntakeHousehold,
    IntakePerson,
    MealRecord,
    ReliefItem,
    StockBalance,
    StockMovement,
    Warehouse,
)

C = Capability


def event_list(*, actor: Any, status: str = "", kind: str = "") -> QuerySet[DisasterEvent]:
    queryset = events_visible(actor).select_related("region").annotate(
        household_count=Count("households", distinct=True))
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-occurred_on", "-created_at")


def person_row(actor: Any, person: IntakePerson) -> dict[str, Any]:
    return {"id": person.pk, "name": person.name, "nik": masking.identity(actor, person.nik),
            "sex": person.sex, "birth_date": masking.birth(actor, person.birth_date), "age_years": person.age_years,
            "relation": person.relation, "match_status": person.match_status,
            "match_label": person.get_match_status_display(), "in_registry": person.individual_id is not None}


def household_row(actor: Any, household: IntakeHousehold) -> dict[str, Any]:
    persons = list(household.persons.all())
    return {"id": household.pk, "reference": household.reference, "region_code": household.region_id,
            "village": household.region.name, "rt": household.rt, "rw": household.rw, "address": household.address,
            "kk_number": masking.identity(actor, household.kk_number), "head_name": household.head_name,
            "damage": household.damage, "damage_label": household.get_damage_display(),
            "displaced": household.displaced, "shelter": household.shelter, "match_status": household.match_status,
            "match_label": household.get_match_status_display(),
            "proposal": household.proposal.reference if household.proposal_id else "",
            "proposal_issues": [masking.issue(actor, issue) for issue in household.proposal_issues],
            "persons": [person_row(actor, p) for p in persons], "person_count": len(persons)}


@dataclass
class EventDetail:
    event: DisasterEvent
    households: list[dict[str, Any]]
    actions: list[str]
    issued: list[dict[str, Any]] = field(default_factory=list)
    person_days: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def event_detail(*, actor: Any, event: DisasterEvent) -> EventDetail:
    """An event with its households (in the actor's scope), what was issued to them and the meals."""
    from tepat.accounts.access import scope_q

    households = list(IntakeHousehold.objects.filter(event=event).filter(scope_q(actor, "region__code"))
                      .select_related("region", "proposal").prefetch_related(
                          Prefetch("persons", queryset=IntakePerson.objects.order_by("created_at")))
                      .order_by("created_at"))
    rows = [household_row(actor, h) for h in households]
    issued = list(StockMovement.objects.filter(event=event, kind__in=[StockMovement.Kind.ISSUE,
                                                                       StockMovement.Kind.RETURN])
                  .values("item__code", "item__name", "item__unit").annotate(total=-Sum("quantity"))
                  .order_by("item__name"))
    person_days = MealRecord.objects.filter(event=event).aggregate(total=Sum("person_days"))["total"] or 0
    counts = {"households": len(rows), "persons": sum(r["person_count"] for r in rows),
              "displaced": sum(1 for r in rows if r["displaced"])}
    if counts["persons"]:
        personal_data_viewed(actor=actor, kind="relief_intake", count=counts["persons"], region_code=event.region_id,
                             target=event, extra={"event": event.reference})
    return EventDetail(event, rows, event_actions(actor, event), issued, person_days, counts)


def warehouse_list(*, actor: Any) -> QuerySet[Warehouse]:
    return warehouses_visible(actor).select_related("region").filter(active=True).annotate(
        units=Sum("balances__quantity"))


def warehouse_stock(*, warehouse: Warehouse, on: date | None = None) -> list[dict[str, Any]]:
    """The balance per item and lot (lots with nothing left are left out), earliest expiry first."""
    on = on or timezone.localdate()
    rows = (StockBalance.objects.filter(warehouse=warehouse, quantity__gt=0).select_related("item", "lot")
            .order_by("item__order", "item__code", "lot__expires_on", "lot__created_at"))
    return [{"item": b.item, "lot": b.lot, "lot_id": b.lot_id, "quantity": b.quantity,
             "expired": b.lot.expires_on is not None and b.lot.expires_on < on} for b in rows]


def warehouse_ledger(*, warehouse: Warehouse, item_code: str = "") -> QuerySet[StockMovement]:
    queryset = StockMovement.objects.filter(warehouse=warehouse).select_related(
        "item", "lot", "event", "household", "counterpart", "actor")
    if item_code:
        queryset = queryset.filter(item__code=item_code)
    return queryset.order_by("-seq")


def open_events_for_issue(*, actor: Any) -> QuerySet[DisasterEvent]:
    return events_visible(actor).filter(status=DisasterEvent.Status.OPEN).order_by("-occurred_on")


def items() -> QuerySet[ReliefItem]:
    return ReliefItem.objects.filter(active=True).order_by("order", "code")


# ---- figures for the work plan (Renja) ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReliefFigures:
    """Relief counts of a region and a period. A stable shape: the work plan's indicators read these fields."""

    region_code: str
    date_from: date
    date_to: date
    events: int  # disaster events that occurred in the period
    households: int  # households that received at least one item or meal in the period
    persons: int  # the recorded persons of those households
    meal_person_days: int  # person-days of meals served (first day in the period)
    items_issued: dict[str, int]  # item code → quantity issued in the period, less what came back


def relief_figures(region_code: str, date_from: date, date_to: date, *, actor: Any = None) -> ReliefFigures:
    """The figures of `region_code` (any level; the households' villages within it) from `date_from` to
    `date_to` inclusive. Given an actor, refused (403/404) outside their `relief.view` scope; called without
    one by trusted code (the Renja computation, reports), since it returns counts only."""
    if actor is not None:
        ensure_permission(actor=actor, capability=C.RELIEF_VIEW, region_code=region_code)
    within = region_within_q(region_code, "region__code")
    events = DisasterEvent.objects.filter(within, occurred_on__gte=date_from, occurred_on__lte=date_to).count()
    household_within = region_within_q(region_code, "household__region__code")
    moves = StockMovement.objects.filter(household_within, kind__in=[StockMovement.Kind.ISSUE,
                                                                      StockMovement.Kind.RETURN],
                                         occurred_on__gte=date_from, occurred_on__lte=date_to)
    meals = MealRecord.objects.filter(household_within, served_from__gte=date_from, served_from__lte=date_to)
    served = set(moves.filter(kind=StockMovement.Kind.ISSUE).values_list("household_id", flat=True).distinct())
    served |= set(meals.values_list("household_id", flat=True).distinct())
    persons = IntakePerson.objects.filter(household_id__in=served).count() if served else 0
    issued = {row["item__code"]: -row["total"] for row in moves.values("item__code").annotate(total=Sum("quantity"))
              .order_by("item__code") if row["total"]}
    return ReliefFigures(region_code, date_from, date_to, events, len(served), persons,
                         meals.aggregate(total=Sum("person_days"))["total"] or 0, issued)


def review_households(*, actor: Any) -> QuerySet[IntakeHousehold]:
    """Households waiting for a registry decision (no proposal could be made from the intake)."""
    from tepat.accounts.access import scope_q

    return IntakeHousehold.objects.filter(scope_q(actor, "region__code"), match_status=IntakeHousehold.Match.REVIEW,
                                          event__in=events_visible(actor)).select_related("event", "region")


