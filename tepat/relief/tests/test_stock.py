"""Stock: receipts, FIFO issues, refusals beyond the balance (naming it, changing nothing), transfers, returns,
stock-takes, the append-only ledger and the database's own guards."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from conftest import assert_audited, audit_seq
from tepat.core.exceptions import BusinessRuleViolation, InvalidTransition, ObjectNotFound, ValidationFailed
from tepat.relief.models import StockBalance, StockMovement
from tepat.relief.selectors import relief_figures, warehouse_stock
from tepat.relief.services.events import event_close
from tepat.relief.services.stock import (
    stock_available,
    stock_issue,
    stock_receive,
    stock_return,
    stock_take,
    stock_transfer,
)
from tepat.relief.tests.factories import day, flood, household, item, receive, warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(dinsos_operator):
    event = flood(dinsos_operator)
    return {"op": dinsos_operator, "event": event, "household": household(dinsos_operator, event),
            "wh": warehouse(dinsos_operator)}


def _state():
    return (list(StockBalance.objects.order_by("pk").values_list("pk", "quantity")), StockMovement.objects.count(),
            audit_seq())


def test_receipt_creates_lot_balance_ledger_line_and_audit(setup):
    op, wh = setup["op"], setup["wh"]
    seq = audit_seq()
    line = receive(op, wh, 12, expires_on=day(30), lot_code="LOT-A")
    assert (line.kind, line.quantity, line.balance_after, line.lot.code) == ("receipt_donation", 12, 12, "LOT-A")
    assert StockBalance.objects.get(warehouse=wh, lot=line.lot).quantity == 12
    assert_audited("relief_stock.receive", actor=op, target=wh, after=seq, quantity=12, item="selimut-woll",
                   lot="LOT-A", balance_after=12)


def test_purchase_needs_a_unit_price_and_refusal_changes_nothing(setup):
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        stock_receive(actor=setup["op"], warehouse=setup["wh"], item="kasur", quantity=3, kind="purchase",
                      occurred_on=day(-1), source="CV Maju")
    assert any(i.field == "unit_price" for i in exc.value.issues)
    assert _state() == before


def test_issue_takes_earliest_expiry_first_and_skips_expired(setup):
    op, wh, event, hh = setup["op"], setup["wh"], setup["event"], setup["household"]
    late = receive(op, wh, 5, code="paket-lauk-siap-saji", expires_on=day(60), lot_code="L-LATE")
    never = receive(op, wh, 5, code="paket-lauk-siap-saji", lot_code="L-NONE")
    early = receive(op, wh, 3, code="paket-lauk-siap-saji", expires_on=day(10), lot_code="L-EARLY")
    expired = receive(op, wh, 4, code="paket-lauk-siap-saji", expires_on=day(-1), lot_code="L-OLD")
    seq = audit_seq()
    lines = stock_issue(actor=op, warehouse=wh, item="paket-lauk-siap-saji", quantity=6, event=event, household=hh)
    assert [(m.lot.code, m.quantity) for m in lines] == [("L-EARLY", -3), ("L-LATE", -3)]
    assert {m.reference for m in lines} == {lines[0].reference}
    balances = dict(StockBalance.objects.filter(warehouse=wh).values_list("lot__code", "quantity"))
    assert balances == {"L-EARLY": 0, "L-LATE": 2, "L-NONE": 5, "L-OLD": 4}
    assert early.lot and late.lot and never.lot and expired.lot
    assert_audited("relief_stock.issue", actor=op, target=wh, after=seq, quantity=6, event=event.reference,
                   household=hh.reference)
    assert all(m.event_id == event.pk and m.household_id == hh.pk for m in lines)


def test_issue_beyond_the_balance_is_refused_naming_it_and_changes_nothing(setup):
    op, wh = setup["op"], setup["wh"]
    receive(op, wh, 4, expires_on=day(20))
    receive(op, wh, 2, expires_on=day(-3), lot_code="EXPIRED")
    before = _state()
    with pytest.raises(BusinessRuleViolation) as exc:
        stock_issue(actor=op, warehouse=wh, item="selimut-woll", quantity=5, event=setup["event"],
                    household=setup["household"])
    message = exc.value.message
    assert "saldo Selimut Woll di Gudang Dinsos 4 lembar" in message and "balance of Selimut Woll" in message
    assert "is 4 lembar" in message and "2 lembar kedaluwarsa" in message
    assert exc.value.extra["balance"] == 4 and exc.value.extra["requested"] == 5
    assert _state() == before


def test_issue_refused_on_a_closed_event(setup):
    op, wh = setup["op"], setup["wh"]
    receive(op, wh, 10)
    event = event_close(actor=op, event=setup["event"])
    before = _state()
    with pytest.raises(InvalidTransition):
        stock_issue(actor=op, warehouse=wh, item="selimut-woll", quantity=1, event=event, household=setup["household"])
    assert _state() == before


def test_village_operator_cannot_issue_and_other_district_cannot_see(setup, village_operator, other_dinsos_operator):
    receive(setup["op"], setup["wh"], 10)
    before = _state()
    from tepat.core.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        stock_issue(actor=village_operator, warehouse=setup["wh"], item="selimut-woll", quantity=1,
                    event=setup["event"], household=setup["household"])
    with pytest.raises(ObjectNotFound):
        stock_issue(actor=other_dinsos_operator, warehouse=setup["wh"], item="selimut-woll", quantity=1,
                    event=setup["event"], household=setup["household"])
    assert _state() == before


def test_transfer_moves_lots_with_their_expiry(setup, dinsos_operator):
    op, wh = setup["op"], setup["wh"]
    post = warehouse(op, code="posko-kramatwatu", region="36.04.05", name="Posko Kramatwatu")
    receive(op, wh, 3, expires_on=day(5), lot_code="T-1")
    receive(op, wh, 5, expires_on=day(50), lot_code="T-2")
    seq = audit_seq()
    lines = stock_transfer(actor=op, source=wh, destination=post, item="selimut-woll", quantity=4)
    assert [(m.kind, m.lot.code, m.quantity) for m in lines] == [
        ("transfer_out", "T-1", -3), ("transfer_in", "T-1", 3), ("transfer_out", "T-2", -1), ("transfer_in", "T-2", 1)]
    assert stock_available(wh, item()) == 4 and stock_available(post, item()) == 4
    assert [(r["lot"].code, r["quantity"]) for r in warehouse_stock(warehouse=post)] == [("T-1", 3), ("T-2", 1)]
    assert_audited("relief_stock.transfer", actor=op, target=wh, after=seq, quantity=4, to="posko-kramatwatu")
    before = _state()
    with pytest.raises(BusinessRuleViolation):
        stock_transfer(actor=op, source=post, destination=wh, item="selimut-woll", quantity=5)
    with pytest.raises(ValidationFailed):
        stock_transfer(actor=op, source=wh, destination=wh, item="selimut-woll", quantity=1)
    assert _state() == before


def test_return_goes_back_to_the_issued_lots_and_never_beyond(setup):
    op, wh, event = setup["op"], setup["wh"], setup["event"]
    big = household(op, event, persons=[{"name": f"Orang {i}"} for i in range(6)], head_name="Orang 0")
    receive(op, wh, 2, expires_on=day(5), lot_code="R-1")
    receive(op, wh, 4, expires_on=day(40), lot_code="R-2")
    issued = stock_issue(actor=op, warehouse=wh, item="selimut-woll", quantity=5, event=event, household=big)
    seq = audit_seq()
    back = stock_return(actor=op, warehouse=wh, issue_reference=issued[0].reference, quantity=4)
    assert [(m.lot.code, m.quantity) for m in back] == [("R-2", 3), ("R-1", 1)]
    assert_audited("relief_stock.return", actor=op, target=wh, after=seq, quantity=4, issue=issued[0].reference)
    before = _state()
    with pytest.raises(BusinessRuleViolation) as exc:
        stock_return(actor=op, warehouse=wh, issue_reference=issued[0].reference, quantity=2)
    assert exc.value.extra["returnable"] == 1
    assert _state() == before


def test_stock_take_records_the_differences(setup):
    op, wh = setup["op"], setup["wh"]
    a = receive(op, wh, 10, lot_code="S-1")
    b = receive(op, wh, 4, code="kasur", lot_code="S-2")
    c = receive(op, wh, 7, code="matras", lot_code="S-3")
    seq = audit_seq()
    lines = stock_take(actor=op, warehouse=wh, counts={a.lot_id: 8, b.lot_id: 4, c.lot_id: 9},
                       reason="BA opname Desember")
    assert sorted((m.lot.code, m.quantity, m.balance_after) for m in lines) == [("S-1", -2, 8), ("S-3", 2, 9)]
    assert StockBalance.objects.get(lot=a.lot).quantity == 8
    assert_audited("relief_stock.take", actor=op, target=wh, after=seq, counted=3)
    before = _state()
    with pytest.raises(ValidationFailed):
        stock_take(actor=op, warehouse=wh, counts={a.lot_id: 3, b.lot_id: -1}, reason="salah")
    with pytest.raises(ValidationFailed):
        stock_take(actor=op, warehouse=wh, counts={a.lot_id: 3}, reason="")
    with pytest.raises(ValidationFailed):
        stock_take(actor=op, warehouse=wh, counts={"not-a-lot": 3}, reason="salah")
    assert _state() == before


def test_ledger_is_append_only(setup):
    line = receive(setup["op"], setup["wh"], 3)
    with pytest.raises(TypeError):
        line.save()
    with pytest.raises(TypeError):
        line.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=line.pk).update(quantity=99)
    with pytest.raises(TypeError):
        StockMovement.objects.all().delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE relief_stockmovement SET quantity = 99 WHERE seq = %s", [line.pk])


def test_database_refuses_a_negative_balance(setup):
    line = receive(setup["op"], setup["wh"], 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(lot=line.lot).update(quantity=-1)
    assert StockBalance.objects.get(lot=line.lot).quantity == 3


def test_relief_figures(setup):
    op, wh, event, hh = setup["op"], setup["wh"], setup["event"], setup["household"]
    receive(op, wh, 10, code="family-kit")
    household(op, event, head_name="Tanpa bantuan")
    stock_issue(actor=op, warehouse=wh, item="family-kit", quantity=1, event=event, household=hh)
    from tepat.relief.services.events import meals_record

    meals_record(actor=op, event=event, household=hh, served_from=day(-1), days=3)
    figures = relief_figures("36.04", day(-30), day(0))
    assert (figures.events, figures.households, figures.persons, figures.meal_person_days) == (1, 1, 2, 6)
    assert figures.items_issued == {"family-kit": 1}
    empty = relief_figures("36.73", day(-30), day(0))
    assert (empty.events, empty.households, empty.items_issued) == (0, 0, {})
