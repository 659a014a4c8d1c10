"""Pages: the HTMX intake form, the issue form's refusal naming the balance, the stock page and its ledger."""

from __future__ import annotations

import pytest

from conftest import client_for, make_nik
from tepat.relief.models import IntakeHousehold, StockBalance, StockMovement
from tepat.relief.tests.factories import day, flood, household, receive, warehouse

pytestmark = pytest.mark.django_db


def test_htmx_intake_records_a_household_and_answers_with_the_list(dinsos_operator, village_operator):
    event = flood(dinsos_operator)
    nik = make_nik()
    response = client_for(village_operator).post(
        f"/bencana/kejadian/{event.pk}/rumah-tangga/",
        {"head_name": "Sarinah", "damage": "heavy", "displaced": "1", "shelter": "Balai desa", "p0_name": "Sarinah",
         "p0_nik": nik, "p0_sex": "2", "p0_relation": "1", "p1_name": "Ujang", "p1_age_years": "9", "p1_relation": "3",
         "p2_relation": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-households" in body and "<html" not in body and "Sarinah" in body and nik in body
    household = IntakeHousehold.objects.get(event=event)
    assert household.persons.count() == 2 and household.displaced and household.damage == "heavy"


def test_htmx_intake_refusal_shows_the_reasons_and_keeps_the_input(dinsos_operator, village_operator):
    event = flood(dinsos_operator)
    response = client_for(village_operator).post(
        f"/bencana/kejadian/{event.pk}/rumah-tangga/",
        {"head_name": "Sarinah", "kk_number": "123", "p0_name": "Sarinah", "p0_nik": "12345"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    body = response.content.decode()
    assert "data-intake-error" in body and "No. KK" in body and 'value="Sarinah"' in body
    assert not IntakeHousehold.objects.exists()


def test_issue_form_refusal_names_the_balance_and_changes_nothing(dinsos_operator):
    event = flood(dinsos_operator)
    hh = household(dinsos_operator, event)
    wh = warehouse(dinsos_operator)
    receive(dinsos_operator, wh, 3, code="family-kit")
    moves = StockMovement.objects.count()
    response = client_for(dinsos_operator).post(f"/bencana/gudang/{wh.pk}/keluarkan/", {
        "event": str(event.pk), "household": str(hh.pk), "item": "family-kit", "quantity": "5"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "data-issue-error" in body and "saldo Family Kit di Gudang Dinsos 3 paket" in body
    assert StockMovement.objects.count() == moves and StockBalance.objects.get(warehouse=wh).quantity == 3


def test_issue_form_households_partial(dinsos_operator):
    event = flood(dinsos_operator)
    hh = household(dinsos_operator, event, head_name="Pak Darto")
    wh = warehouse(dinsos_operator)
    response = client_for(dinsos_operator).get(f"/bencana/gudang/{wh.pk}/keluarkan/?event={event.pk}",
                                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Pak Darto" in response.content.decode() and hh.reference in \
        response.content.decode()


def test_stock_page_shows_lots_ledger_and_stock_take(dinsos_operator):
    wh = warehouse(dinsos_operator)
    line = receive(dinsos_operator, wh, 7, code="matras", expires_on=day(-1), lot_code="LAMA")
    client = client_for(dinsos_operator)
    body = client.get(f"/bencana/gudang/{wh.pk}/").content.decode()
    assert "LAMA" in body and 'data-move="receipt_donation"' in body and f"count_{line.lot_id}" in body
    response = client.post(f"/bencana/gudang/{wh.pk}/stock-take/", {f"count_{line.lot_id}": "5", "reason": "BA"})
    assert response.status_code == 302 and StockBalance.objects.get(warehouse=wh).quantity == 5
