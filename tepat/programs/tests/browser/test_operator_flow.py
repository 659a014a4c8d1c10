"""In real headless Chromium: the Dinsos operator makes a new version of PKH, changes a rule (desil ≤ 2),
previews who enters and leaves, releases it, determines a tahap list and opens one family's explanation."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from tepat.core.tests.browser import CHROMIUM, LAUNCH_ARGS
from tepat.core.tests.browser import require_chromium as _require_chromium

pytestmark = pytest.mark.browser


def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_operator_previews_releases_determines_and_explains(live_server, transactional_db, regions, world,
                                                             monkeypatch):
    from playwright.sync_api import sync_playwright

    from tepat.programs.models import BeneficiaryList, ListEntry, ProgrammeRelease
    from tepat.programs.services.lists import list_approve, list_determine

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    first = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    list_approve(actor=world.spv, blist=first)
    rules = [{"field": r.field, "op": r.op, "value": 2 if r.field == "desil" else r.value, "reason": r.reason}
             for r in world.pkh.rules.all()]
    cookie = _session_cookie(world.op)
    release_id, period_id, old_family = world.pkh.pk, world.period.pk, world.f_old2.pk

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        context.set_default_timeout(20000)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/program/")
            page.locator('[data-release="PKH-2026-1"] a').click()
            page.locator("[data-action=new-version]").click()
            page.wait_for_url("**/program/rilis/**")
            page.locator("textarea[name=rules]").fill(json.dumps(rules))
            page.locator("[data-action=save]").click()
            page.wait_for_load_state("networkidle")
            page.locator("[data-action=preview]").click()
            page.wait_for_url("**/pratinjau/")
            summary = page.locator("[data-preview-summary]").inner_text()
            leaving = page.locator("[data-leaving]").inner_text()
            villages = page.locator("[data-preview-villages]").inner_text()
            page.go_back()
            page.locator("[data-action=release]").click()
            page.wait_for_load_state("networkidle")
            status = page.locator("[data-release-status]").inner_text()
            page.locator("form[data-determine] select[name=period]").select_option(str(period_id))
            page.locator("form[data-determine] select[name=tahap]").select_option("2")
            page.locator("[data-action=determine]").click()
            page.wait_for_url("**/program/daftar/**")
            page.wait_for_selector('#list-progress[data-status="determined"]')
            recipients = page.locator("[data-recipients]").inner_text()
            page.goto(page.url + "?change=leaving")
            page.locator(f'tr[data-family="{old_family}"] a').click()
            page.wait_for_selector("[data-explanation]")
            reasons = page.locator("[data-reasons]").inner_text()
            trace = page.locator("[data-trace]").inner_text()
            url = page.url
        finally:
            context.close()
            browser.close()
    assert "Kramatwatu" in villages and leaving == "2", (summary, villages)
    assert status.strip() in ("Dirilis", "Released")
    newest = ProgrammeRelease.objects.filter(programme__code="PKH").order_by("-version").first()
    assert newest.version == 2 and newest.status == "released" and newest.rules.get(field="desil").value == 2
    assert ProgrammeRelease.objects.get(pk=release_id).status == "retired"
    second = BeneficiaryList.objects.get(release=newest, tahap=2)
    assert second.status == "determined" and recipients == str(second.counts["recipients"])
    entry = ListEntry.objects.get(list=second, family_id=old_family)
    assert entry.change == "leaving" and url.endswith(f"/program/daftar/{second.pk}/keluarga/{old_family}/")
    assert "desil" in reasons and "≤ 2" in trace
