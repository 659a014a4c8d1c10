"""End to end in real headless Chromium: a Dinsos operator records an affected household through the event's
HTMX intake form (no page reload), then issues a family kit to it from the warehouse; a second issue beyond
the balance is refused on the form, naming the balance."""

from __future__ import annotations

import importlib

import pytest

from tepat.updates.tests.browser.test_new_family_flow import (
    _require_chromium,
    _session_cookie,
    chromium_context,
)

pytestmark = pytest.mark.browser


def test_intake_then_issue_in_the_browser(live_server, transactional_db, regions, make_user, monkeypatch):
    from django.apps import apps

    from tepat.relief.models import IntakeHousehold, StockBalance
    from tepat.relief.tests.factories import flood, receive, warehouse

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    importlib.import_module("tepat.relief.migrations.0003_relief_items").forwards(apps, None)  # flushed catalogue
    operator = make_user("dinsos_operator", ["36.04"], "op_dinsos")
    event = flood(operator)
    wh = warehouse(operator)
    receive(operator, wh, 1, code="family-kit")
    cookie = _session_cookie(operator)
    with chromium_context() as context:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/bencana/kejadian/{event.pk}/")
        page.click("[data-intake] summary")
        page.fill("#hh-head", "Sarinah")
        page.select_option("#hh-damage", "heavy")
        page.fill("input[name=p0_name]", "Sarinah")
        page.select_option("select[name=p0_sex]", "2")
        page.fill("input[name=p0_age_years]", "41")
        page.fill("input[name=p1_name]", "Ujang")
        page.fill("input[name=p1_age_years]", "9")
        page.select_option("select[name=p1_relation]", "3")
        page.click("[data-intake] button[type=submit]")
        page.wait_for_selector("tr[data-household]")
        assert "Sarinah" in page.inner_text("[data-households]")
        household = IntakeHousehold.objects.get(event=event)
        assert household.persons.count() == 2
        page.goto(f"{live_server.url}/bencana/gudang/{wh.pk}/keluarkan/")
        page.select_option("#i-event", str(event.pk))
        page.wait_for_selector(f"#i-household option[value='{household.pk}']", state="attached")
        page.select_option("#i-item", "family-kit")
        page.fill("#i-qty", "1")
        page.click("[data-issue-form] button[type=submit]")
        page.wait_for_selector("[data-ledger] tr[data-move=issue]")
        assert StockBalance.objects.get(warehouse=wh).quantity == 0
        page.goto(f"{live_server.url}/bencana/gudang/{wh.pk}/keluarkan/")
        page.select_option("#i-event", str(event.pk))
        page.wait_for_selector(f"#i-household option[value='{household.pk}']", state="attached")
        page.select_option("#i-item", "family-kit")
        page.fill("#i-qty", "2")
        page.click("[data-issue-form] button[type=submit]")
        page.wait_for_selector("[data-issue-error]")
        assert "saldo Family Kit" in page.inner_text("[data-issue-error]")
