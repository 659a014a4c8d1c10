"""The relief JSON API (/api/v1/relief/…): events and their intake, matching and meals; warehouses, stock,
ledger, receipts, issues, transfers, returns and stock-takes; the figures for the work plan. Thin: scoped
fetch, one service or selector. Identity numbers as the reader may see them (tepat.registry.masking)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.relief import selectors as sel
from tepat.relief.access import access_event, access_household, access_warehouse
from tepat.relief.models import DisasterEvent, IntakePerson, StockMovement, Warehouse
from tepat.relief.services import events as ev
from tepat.relief.services import stock as st

router = Router(tags=["relief"])
C = Capability


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _event_out(event: DisasterEvent, **extra: Any) -> dict[str, Any]:
    return {"id": event.pk, "reference": event.reference, "kind": event.kind, "region_code": event.region_id,
            "village": event.region.name, "place": event.place, "occurred_on": event.occurred_on,
            "decree_number": event.decree_number, "decree_date": event.decree_date, "status": event.status,
            "description": event.description, **extra}


def _lines(movements: list[StockMovement]) -> dict[str, Any]:
    return {"reference": movements[0].reference if movements else "",
            "lines": [{"kind": m.kind, "warehouse": m.warehouse.code, "item": m.item.code, "lot": m.lot.code,
                       "expires_on": m.lot.expires_on, "quantity": m.quantity, "balance_after": m.balance_after}
                      for m in movements]}


# ---- catalogue ----------------------------------------------------------------------------------------------

@router.get("/items", response={200: list[dict], **ERRORS}, summary="Standard relief items (source 002)")
def list_items(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=C.RELIEF_VIEW)
    return [{"code": i.code, "name": i.name, "unit": i.unit, "basis": i.basis, "per_recipient": i.per_recipient}
            for i in sel.items()]


# ---- events -------------------------------------------------------------------------------------------------

class EventIn(Schema):
    kind: str
    region_code: str
    place: str
    occurred_on: str
    description: str = ""
    decree_number: str = ""
    decree_date: str = ""


@router.get("/events", response={200: list[dict], **ERRORS}, summary="Disaster events in my regions")
def list_events(request: HttpRequest, status: str = "", kind: str = ""):
    ensure_capability(actor=request.auth, capability=C.RELIEF_VIEW)
    return [_event_out(e, households=e.household_count)
            for e in sel.event_list(actor=request.auth, status=status, kind=kind)[:500]]


@router.post("/events", response={201: dict, **ERRORS}, summary="Record a disaster event (Dinsos)")
def create_event(request: HttpRequest, payload: EventIn):
    event = ev.event_create(actor=request.auth, **payload.dict())
    return 201, _event_out(event)


def _detail(request: HttpRequest, event: DisasterEvent) -> dict[str, Any]:
    detail = sel.event_detail(actor=request.auth, event=event)
    for row in detail.households:
        row["id"] = str(row["id"])
        for person in row["persons"]:
            person["id"] = str(person["id"])
    return _event_out(event, actions=detail.actions, households=detail.households, counts=detail.counts,
                      issued=[{"item": r["item__code"], "quantity": r["total"]} for r in detail.issued],
                      meal_person_days=detail.person_days)


@router.get("/events/{event_id}", response={200: dict, **ERRORS},
            summary="An event with its households and persons, what was issued, and the actions open to me")
def get_event(request: HttpRequest, event_id: UUID):
    return _detail(request, access_event(actor=request.auth, event_id=event_id))


class NoteIn(Schema):
    note: str = ""


@router.post("/events/{event_id}/close", response={200: dict, **ERRORS}, summary="Close the event")
def close_event(request: HttpRequest, event_id: UUID, payload: NoteIn):
    event = ev.event_close(actor=request.auth, event=access_event(actor=request.auth, event_id=event_id),
                           note=payload.note)
    return _event_out(event)


class ReasonIn(Schema):
    reason: str


@router.post("/events/{event_id}/reopen", response={200: dict, **ERRORS}, summary="Reopen a closed event")
def reopen_event(request: HttpRequest, event_id: UUID, payload: ReasonIn):
    event = ev.event_reopen(actor=request.auth, event=access_event(actor=request.auth, event_id=event_id),
                            reason=payload.reason)
    return _event_out(event)


class PersonIn(Schema):
    name: str
    nik: str = ""
    sex: int | None = None
    birth_date: str = ""
    age_years: int | None = None
    relation: int | None = None


class HouseholdIn(Schema):
    head_name: str
    persons: list[PersonIn]
    region_code: str = ""
    rt: str = ""
    rw: str = ""
    address: str = ""
    kk_number: str = ""
    phone: str = ""
    damage: str = "none"
    displaced: bool = False
    shelter: str = ""
    note: str = ""


@router.post("/events/{event_id}/households", response={201: dict, **ERRORS},
             summary="Record an affected household and its persons (NIK optional)")
def create_household(request: HttpRequest, event_id: UUID, payload: HouseholdIn):
    event = access_event(actor=request.auth, event_id=event_id)
    data = payload.dict()
    household = ev.intake_household_create(actor=request.auth, event=event, **data)
    row = sel.household_row(request.auth, household)
    row["id"] = str(row["id"])
    for person in row["persons"]:
        person["id"] = str(person["id"])
    return 201, row


class MatchIn(Schema):
    propose: bool = True


@router.post("/events/{event_id}/match", response={200: dict, **ERRORS},
             summary="Match the intake to the registry by NIK; propose those not in it")
def match_event(request: HttpRequest, event_id: UUID, payload: MatchIn):
    event = access_event(actor=request.auth, event_id=event_id)
    return ev.intake_match(actor=request.auth, event=event, propose=payload.propose)


class MealsIn(Schema):
    household_id: UUID
    served_from: str
    days: int
    persons: int | None = None
    note: str = ""


@router.post("/events/{event_id}/meals", response={201: dict, **ERRORS},
             summary="Record meals served to a household (person-days)")
def record_meals(request: HttpRequest, event_id: UUID, payload: MealsIn):
    event = access_event(actor=request.auth, event_id=event_id)
    household = access_household(actor=request.auth, household_id=payload.household_id, event=event)
    record = ev.meals_record(actor=request.auth, event=event, household=household, served_from=payload.served_from,
                             days=payload.days, persons=payload.persons, note=payload.note)
    return 201, {"id": str(record.pk), "household": household.reference, "person_days": record.person_days}


# ---- warehouses and stock -----------------------------------------------------------------------------------

def _warehouse_out(w: Warehouse) -> dict[str, Any]:
    return {"id": str(w.pk), "code": w.code, "name": w.name, "region_code": w.region_id, "address": w.address}


class WarehouseIn(Schema):
    code: str
    name: str
    region_code: str
    address: str = ""


@router.get("/warehouses", response={200: list[dict], **ERRORS}, summary="Relief warehouses in my regions")
def list_warehouses(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=C.RELIEF_VIEW)
    return [{**_warehouse_out(w), "units": w.units or 0} for w in sel.warehouse_list(actor=request.auth)]


@router.post("/warehouses", response={201: dict, **ERRORS}, summary="Create a warehouse (Dinsos)")
def create_warehouse(request: HttpRequest, payload: WarehouseIn):
    return 201, _warehouse_out(st.warehouse_create(actor=request.auth, **payload.dict()))


@router.get("/warehouses/{warehouse_id}/stock", response={200: dict, **ERRORS},
            summary="Balance per item and lot, earliest expiry first")
def warehouse_stock(request: HttpRequest, warehouse_id: UUID):
    warehouse = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    return {**_warehouse_out(warehouse), "stock": [
        {"item": r["item"].code, "unit": r["item"].unit, "lot_id": str(r["lot_id"]), "lot": r["lot"].code,
         "expires_on": r["lot"].expires_on, "quantity": r["quantity"], "expired": r["expired"]}
        for r in sel.warehouse_stock(warehouse=warehouse)]}


@router.get("/warehouses/{warehouse_id}/ledger", response={200: list[dict], **ERRORS},
            summary="The warehouse's ledger, newest first (at most 500 lines; `before` pages by seq)")
def warehouse_ledger(request: HttpRequest, warehouse_id: UUID, item: str = "", before: int | None = None):
    warehouse = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    rows = sel.warehouse_ledger(warehouse=warehouse, item_code=item)
    if before:
        rows = rows.filter(seq__lt=before)
    return [{"seq": m.seq, "reference": m.reference, "kind": m.kind, "item": m.item.code, "lot": m.lot.code,
             "quantity": m.quantity, "balance_after": m.balance_after, "occurred_on": m.occurred_on,
             "event": m.event.reference if m.event_id else "", "household": m.household.reference if m.household_id
             else "", "counterpart": m.counterpart.code if m.counterpart_id else "", "source": m.source,
             "document": m.document, "unit_price": m.unit_price, "note": m.note} for m in rows[:500]]


class ReceiptIn(Schema):
    item: str
    quantity: int
    kind: str
    occurred_on: str
    source: str
    lot_code: str = ""
    expires_on: str = ""
    document: str = ""
    unit_price: int | None = None
    note: str = ""


@router.post("/warehouses/{warehouse_id}/receipts", response={201: dict, **ERRORS},
             summary="Receive stock: a donation or a purchase")
def receive_stock(request: HttpRequest, warehouse_id: UUID, payload: ReceiptIn):
    warehouse = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    return 201, _lines(st.stock_receive(actor=request.auth, warehouse=warehouse, **payload.dict()))


class IssueIn(Schema):
    item: str
    quantity: int
    event_id: UUID
    household_id: UUID
    person_id: UUID | None = None
    occurred_on: str = ""
    document: str = ""
    note: str = ""


@router.post("/warehouses/{warehouse_id}/issues", response={201: dict, **ERRORS},
             summary="Issue stock to a household of an event (FIFO by expiry; refused beyond the balance)")
def issue_stock(request: HttpRequest, warehouse_id: UUID, payload: IssueIn):
    warehouse = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    event = access_event(actor=request.auth, event_id=payload.event_id)
    household = access_household(actor=request.auth, household_id=payload.household_id, event=event)
    person = None
    if payload.person_id:
        person = IntakePerson.objects.filter(pk=payload.person_id, household=household).first()
        if person is None:
            raise ObjectNotFound()
    return 201, _lines(st.stock_issue(actor=request.auth, warehouse=warehouse, item=payload.item,
                                      quantity=payload.quantity, event=event, household=household, person=person,
                                      occurred_on=payload.occurred_on or None, document=payload.document,
                                      note=payload.note))


class TransferIn(Schema):
    destination_id: UUID
    item: str
    quantity: int
    occurred_on: str = ""
    document: str = ""
    note: str = ""


@router.post("/warehouses/{warehouse_id}/transfers", response={201: dict, **ERRORS},
             summary="Transfer stock to another warehouse (lots and expiry travel with it)")
def transfer_stock(request: HttpRequest, warehouse_id: UUID, payload: TransferIn):
    source = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    destination = access_warehouse(actor=request.auth, warehouse_id=payload.destination_id)
    return 201, _lines(st.stock_transfer(actor=request.auth, source=source, destination=destination,
                                         item=payload.item, quantity=payload.quantity,
                                         occurred_on=payload.occurred_on or None, document=payload.document,
                                         note=payload.note))


class ReturnIn(Schema):
    issue_reference: str
    quantity: int
    occurred_on: str = ""
    note: str = ""


@router.post("/warehouses/{warehouse_id}/returns", response={201: dict, **ERRORS},
             summary="Goods given back against an earlier issue")
def return_stock(request: HttpRequest, warehouse_id: UUID, payload: ReturnIn):
    warehouse = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    return 201, _lines(st.stock_return(actor=request.auth, warehouse=warehouse,
                                       issue_reference=payload.issue_reference, quantity=payload.quantity,
                                       occurred_on=payload.occurred_on or None, note=payload.note))


class StockTakeIn(Schema):
    counts: dict[str, int]
    reason: str
    occurred_on: str = ""


@router.post("/warehouses/{warehouse_id}/stock-takes", response={201: dict, **ERRORS},
             summary="Stock-take: counted quantity per lot id; differences become adjustments")
def stock_take(request: HttpRequest, warehouse_id: UUID, payload: StockTakeIn):
    warehouse = access_warehouse(actor=request.auth, warehouse_id=warehouse_id)
    return 201, _lines(st.stock_take(actor=request.auth, warehouse=warehouse, counts=payload.counts,
                                     reason=payload.reason, occurred_on=payload.occurred_on or None))


# ---- figures ------------------------------------------------------------------------------------------------

class FiguresQuery(Schema):
    region: str
    date_from: date
    date_to: date


@router.get("/figures", response={200: dict, **ERRORS},
            summary="Relief figures of a region and period (events, households, persons, meal person-days, items)")
def figures(request: HttpRequest, query: Query[FiguresQuery]):
    f = sel.relief_figures(query.region, query.date_from, query.date_to, actor=request.auth)
    return {"region_code": f.region_code, "date_from": f.date_from, "date_to": f.date_to, "events": f.events,
            "households": f.households, "persons": f.persons, "meal_person_days": f.meal_person_days,
            "items_issued": f.items_issued}
