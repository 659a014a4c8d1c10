"""Authorization matrices of every relief page and API route: anonymous, wrong role (the village head has no
relief capability; a village operator may not touch stock), wrong region (an officer of another district or
village), and the right actor. Refusals change nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import audit_seq, client_for
from tepat.relief.models import DisasterEvent, IntakeHousehold, MealRecord, StockMovement, Warehouse
from tepat.relief.services.stock import stock_issue
from tepat.relief.tests.factories import day, flood, household, receive, warehouse

pytestmark = pytest.mark.django_db
API = "/api/v1/relief"

MATRIX_ROUTES = {
    f"GET {API}/items", f"GET {API}/events", f"POST {API}/events", f"GET {API}/events/{{event_id}}",
    f"POST {API}/events/{{event_id}}/close", f"POST {API}/events/{{event_id}}/reopen",
    f"POST {API}/events/{{event_id}}/households", f"POST {API}/events/{{event_id}}/match",
    f"POST {API}/events/{{event_id}}/meals", f"GET {API}/warehouses", f"POST {API}/warehouses",
    f"GET {API}/warehouses/{{warehouse_id}}/stock", f"GET {API}/warehouses/{{warehouse_id}}/ledger",
    f"POST {API}/warehouses/{{warehouse_id}}/receipts", f"POST {API}/warehouses/{{warehouse_id}}/issues",
    f"POST {API}/warehouses/{{warehouse_id}}/transfers", f"POST {API}/warehouses/{{warehouse_id}}/returns",
    f"POST {API}/warehouses/{{warehouse_id}}/stock-takes", f"GET {API}/figures",
    "page relief:event_list", "page relief:event_create", "page relief:event_detail", "page relief:household_create",
    "page relief:event_action", "page relief:warehouse_list", "page relief:warehouse_detail",
    "page relief:issue_form", "page relief:warehouse_action",
}


@dataclass
class Ctx:
    op: Any
    event: DisasterEvent
    household: IntakeHousehold
    wh: Warehouse
    post: Warehouse
    lot_id: str
    issue_ref: str


@pytest.fixture
def ctx(dinsos_operator):
    op = dinsos_operator
    event = flood(op)
    hh = household(op, event)
    wh = warehouse(op)
    post = warehouse(op, code="posko", region="36.04.05", name="Posko")
    line = receive(op, wh, 20, code="family-kit", expires_on=day(30))
    issued = stock_issue(actor=op, warehouse=wh, item="family-kit", quantity=2, event=event, household=hh)
    return Ctx(op, event, hh, wh, post, str(line.lot_id), issued[0].reference)


def _state():
    return (DisasterEvent.objects.count(), IntakeHousehold.objects.count(), StockMovement.objects.count(),
            MealRecord.objects.count(), Warehouse.objects.count(), audit_seq())


def _call(client: Any, method: str, url: str, body: Any):
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, json.dumps(body) if body is not None else "", content_type="application/json")


A = API
PERSONS = [{"name": "Sarinah", "sex": 2}]
# (name, method, url, body, who is right ("stock": the Dinsos operator; "intake": the village operator),
#  right status, wrong-region status or None when the route is not regional)
CASES: list[tuple[str, str, Any, Any, str, int, int | None]] = [
    ("items", "GET", lambda c: f"{A}/items", None, "intake", 200, None),
    ("events", "GET", lambda c: f"{A}/events", None, "intake", 200, 200),
    ("event-create", "POST", lambda c: f"{A}/events", lambda c: {
        "kind": "fire", "region_code": "36.04.05.2001", "place": "RT 01", "occurred_on": day(-1).isoformat()},
     "stock", 201, 404),
    ("event", "GET", lambda c: f"{A}/events/{c.event.pk}", None, "intake", 200, 404),
    ("close", "POST", lambda c: f"{A}/events/{c.event.pk}/close", {"note": "selesai"}, "stock", 200, 404),
    ("reopen", "POST", lambda c: f"{A}/events/{c.event.pk}/reopen", {"reason": "susulan"}, "stock:closed", 200, 404),
    ("household", "POST", lambda c: f"{A}/events/{c.event.pk}/households",
     {"head_name": "Sarinah", "persons": PERSONS}, "intake", 201, 404),
    ("match", "POST", lambda c: f"{A}/events/{c.event.pk}/match", {}, "intake", 200, 404),
    ("meals", "POST", lambda c: f"{A}/events/{c.event.pk}/meals", lambda c: {
        "household_id": str(c.household.pk), "served_from": day(-1).isoformat(), "days": 2}, "stock", 201, 404),
    ("warehouses", "GET", lambda c: f"{A}/warehouses", None, "intake", 200, 200),
    ("warehouse-create", "POST", lambda c: f"{A}/warehouses", {"code": "gudang-baru", "name": "Gudang Baru",
                                                                "region_code": "36.04"}, "stock", 201, 404),
    ("stock", "GET", lambda c: f"{A}/warehouses/{c.wh.pk}/stock", None, "stock", 200, 404),
    ("ledger", "GET", lambda c: f"{A}/warehouses/{c.wh.pk}/ledger", None, "stock", 200, 404),
    ("receipt", "POST", lambda c: f"{A}/warehouses/{c.wh.pk}/receipts", lambda c: {
        "item": "kasur", "quantity": 5, "kind": "donation", "occurred_on": day(-1).isoformat(), "source": "PMI"},
     "stock", 201, 404),
    ("issue", "POST", lambda c: f"{A}/warehouses/{c.wh.pk}/issues", lambda c: {
        "item": "family-kit", "quantity": 1, "event_id": str(c.event.pk), "household_id": str(c.household.pk)},
     "stock", 201, 404),
    ("transfer", "POST", lambda c: f"{A}/warehouses/{c.wh.pk}/transfers", lambda c: {
        "destination_id": str(c.post.pk), "item": "family-kit", "quantity": 3}, "stock", 201, 404),
    ("return", "POST", lambda c: f"{A}/warehouses/{c.wh.pk}/returns", lambda c: {
        "issue_reference": c.issue_ref, "quantity": 1}, "stock", 201, 404),
    ("stock-take", "POST", lambda c: f"{A}/warehouses/{c.wh.pk}/stock-takes", lambda c: {
        "counts": {c.lot_id: 17}, "reason": "BA opname"}, "stock", 201, 404),
    ("figures", "GET", lambda c: f"{A}/figures?region=36.04&date_from={day(-30)}&date_to={day(0)}", None, "stock",
     200, 404),
]


@pytest.mark.parametrize("name,method,url,body,right,ok,wrong_region", CASES, ids=[c[0] for c in CASES])
def test_api_matrix(name, method, url, body, right, ok, wrong_region, ctx, village_operator,
                    other_village_operator, other_dinsos_operator, village_head):
    if right == "stock:closed":
        from tepat.relief.services.events import event_close

        event_close(actor=ctx.op, event=ctx.event)
    target, payload = url(ctx), body(ctx) if callable(body) else body
    stock = right.startswith("stock")
    before = _state()
    assert _call(client_for(None), method, target, payload).status_code == 401
    assert _call(client_for(village_head), method, target, payload).status_code == 403
    if stock and method != "GET":
        assert _call(client_for(village_operator), method, target, payload).status_code in (403, 404)
    if wrong_region is not None:
        other = other_dinsos_operator if stock else other_village_operator
        response = _call(client_for(other), method, target, payload)
        assert response.status_code == wrong_region, response.content
        if wrong_region == 200:
            assert response.json() == []
    if method != "GET":
        assert _state() == before  # refusals changed nothing
    actor = ctx.op if stock else village_operator
    response = _call(client_for(actor), method, target, payload)
    assert response.status_code == ok, response.content
    if method != "GET":
        assert audit_seq() > before[-1]


def test_issue_beyond_balance_api_names_the_balance(ctx):
    before = _state()
    response = _call(client_for(ctx.op), "POST", f"{A}/warehouses/{ctx.wh.pk}/issues", {
        "item": "family-kit", "quantity": 50, "event_id": str(ctx.event.pk), "household_id": str(ctx.household.pk)})
    assert response.status_code == 409
    body = response.json()
    assert body["extra"]["balance"] == 18 and "saldo Family Kit" in body["message"]["id"] and "balance of" in body["message"]["en"]
    assert _state() == before


def test_api_masks_nik_for_masked_roles(ctx, province_viewer, village_operator):
    from conftest import make_nik

    nik = make_nik()
    household(village_operator, ctx.event, persons=[{"name": "Ani", "nik": nik}])
    full = client_for(village_operator).get(f"{A}/events/{ctx.event.pk}").content.decode()
    masked = client_for(province_viewer).get(f"{A}/events/{ctx.event.pk}").content.decode()
    assert nik in full and nik not in masked and nik[:6] + "*" * 10 in masked
    from conftest import assert_audited

    assert_audited("personal_data.view", actor=province_viewer, target=ctx.event, kind="relief_intake")


EV = "/bencana/kejadian"
WH = "/bencana/gudang"
# (url, method, data, who is right, right status, wrong-region status)
PAGES: list[tuple[str, Any, str, Any, str, int, int | None]] = [
    ("list", lambda c: "/bencana/", "GET", None, "intake", 200, 200),
    ("event-create", lambda c: f"{EV}/baru/", "POST", {"kind": "fire", "region_code": "36.04.05.2001", "place": "RT 1",
                                                        "occurred_on": day(-1).isoformat()}, "stock", 302, 404),
    ("detail", lambda c: f"{EV}/{c.event.pk}/", "GET", None, "intake", 200, 404),
    ("household", lambda c: f"{EV}/{c.event.pk}/rumah-tangga/", "POST", {"head_name": "Ani", "p0_name": "Ani"},
     "intake", 302, 404),
    ("match", lambda c: f"{EV}/{c.event.pk}/match/", "POST", {}, "intake", 302, 404),
    ("close", lambda c: f"{EV}/{c.event.pk}/close/", "POST", {}, "stock", 302, 404),
    ("warehouses", lambda c: f"{WH}/", "GET", None, "intake", 200, 200),
    ("warehouse-create", lambda c: f"{WH}/", "POST", {"code": "g2", "name": "G2", "region_code": "36.04"}, "stock",
     302, 404),
    ("warehouse", lambda c: f"{WH}/{c.wh.pk}/", "GET", None, "stock", 200, 404),
    ("issue-form", lambda c: f"{WH}/{c.wh.pk}/keluarkan/", "GET", None, "stock", 200, 404),
    ("issue", lambda c: f"{WH}/{c.wh.pk}/keluarkan/", "POST", lambda c: {
        "event": str(c.event.pk), "household": str(c.household.pk), "item": "family-kit", "quantity": "1"},
     "stock", 302, 404),
    ("receive", lambda c: f"{WH}/{c.wh.pk}/receive/", "POST", lambda c: {
        "item": "kasur", "quantity": "2", "kind": "donation", "occurred_on": day(-1).isoformat(), "source": "PMI"},
     "stock", 302, 404),
]


@pytest.mark.parametrize("name,url,method,data,right,ok,wrong_region", PAGES, ids=[p[0] for p in PAGES])
def test_page_matrix(name, url, method, data, right, ok, wrong_region, ctx, village_operator, other_village_operator,
                     other_dinsos_operator, village_head):
    target, payload = url(ctx), data(ctx) if callable(data) else data
    call = (lambda client: client.get(target)) if method == "GET" else (lambda client: client.post(target, payload))
    stock = right == "stock"
    before = _state()
    assert call(client_for(None)).status_code == 302  # to the sign-in page
    assert call(client_for(village_head)).status_code == 403
    if stock and method != "GET":
        assert call(client_for(village_operator)).status_code in (403, 404)
    other = other_dinsos_operator if stock else other_village_operator
    assert call(client_for(other)).status_code == wrong_region
    if method == "POST":
        assert _state() == before
    actor = ctx.op if stock else village_operator
    assert call(client_for(actor)).status_code == ok
    if method == "POST":
        assert audit_seq() > before[-1]
