"""Builders for the relief tests: events, intake, warehouses and stock made through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from conftest import DISTRICT, VILLAGE
from tepat.relief.models import DisasterEvent, IntakeHousehold, ReliefItem, Warehouse
from tepat.relief.services.events import event_create, intake_household_create
from tepat.relief.services.stock import stock_receive, warehouse_create


def day(offset: int = 0) -> date:
    return timezone.localdate() + timedelta(days=offset)


def item(code: str = "selimut-woll") -> ReliefItem:
    return ReliefItem.objects.get(code=code)


def flood(actor: Any, region: str = VILLAGE, **kwargs: Any) -> DisasterEvent:
    base = {"kind": "flood", "region_code": region, "place": "Kp. Kramat RT 05/RW 02", "occurred_on": day(-2)}
    return event_create(actor=actor, **{**base, **kwargs})


def household(actor: Any, event: DisasterEvent, persons: list[dict] | None = None, **kwargs: Any) -> IntakeHousehold:
    persons = persons if persons is not None else [{"name": "Sarinah", "sex": 2, "age_years": 40},
                                                   {"name": "Ujang", "sex": 1, "age_years": 12}]
    return intake_household_create(actor=actor, event=event, head_name=kwargs.pop("head_name", "Sarinah"),
                                   persons=persons, **kwargs)


def warehouse(actor: Any, code: str = "gudang-kab", region: str = DISTRICT, name: str = "Gudang Dinsos") -> Warehouse:
    return warehouse_create(actor=actor, code=code, name=name, region_code=region)


def receive(actor: Any, wh: Warehouse, quantity: int = 10, code: str = "selimut-woll", expires_on: date | None = None,
            lot_code: str = "", kind: str = "donation") -> Any:
    return stock_receive(actor=actor, warehouse=wh, item=code, quantity=quantity, kind=kind, occurred_on=day(-1),
                         source="BAZNAS", lot_code=lot_code, expires_on=expires_on,
                         unit_price=15000 if kind == "purchase" else None)[0]
