"""In real headless Chromium: a Dinsos operator exports a danom, imports a realisation with errors, reads the
discrepancies and requests the close; a second user (the supervisor) closes the tahap."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

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


def test_operator_exports_imports_reads_discrepancies_and_a_second_user_closes(
        live_server, transactional_db, regions, world, make_user, monkeypatch, tmp_path):
    from django.apps import apps
    from playwright.sync_api import sync_playwright

    from tepat.distribution.channels import seed_channels
    from tepat.distribution.models import Channel, Distribution
    from tepat.distribution.services.lists import distribution_create, list_version_create
    from tepat.programs.services.lists import list_approve, list_determine

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Channel.objects.exists():  # an earlier transactional test's flush removed the seeded channels
        seed_channels(apps, None)
    blist = list_approve(actor=world.spv, blist=list_determine(actor=world.op, release=world.sembako,
                                                               period=world.period, tahap=1))
    dist = distribution_create(actor=world.op, blist=blist, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    dlist = list_version_create(actor=world.op, dist=dist, channel=Channel.objects.get(code="POS_KANTOR"))
    a, b = list(dlist.entries.order_by("id")[:2])
    realisation = tmp_path / "realisasi.csv"
    realisation.write_text("ID_KPM;STATUS;NOMINAL;TANGGAL\n"
                           f"{a.kpm_ref};SALUR;{a.amount};2026-02-10\n"
                           f"{a.kpm_ref};SALUR;{a.amount};2026-02-11\n"
                           f"KZZZZZZZZZZZ;SALUR;1000;2026-02-10\n"
                           f"{b.kpm_ref};GAGAL;0;2026-02-10\n")
    second = make_user("dinsos_supervisor", ["36.04"], "spv_kedua")
    op_cookie, spv_cookie = _session_cookie(world.op), _session_cookie(second)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        context.set_default_timeout(20000)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": op_cookie, "url": live_server.url}])
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/penyaluran/tahap/{dist.pk}/")
            row = page.locator('tr[data-list="POS_KANTOR-1"]')
            row.locator("select[name=format]").select_option("xlsx")
            row.locator("[data-action=export]").click()
            page.wait_for_selector("[data-export]")
            password = page.locator("[data-password]").inner_text()
            sha = page.locator("[data-sha256]").inner_text()
            with page.expect_download() as download:
                page.locator("[data-download]").click()
            downloaded = Path(download.value.path()).read_bytes()
            page.goto(f"{live_server.url}/penyaluran/tahap/{dist.pk}/")
            page.locator("input[name=file]").set_input_files(str(realisation))
            page.locator("[data-action=import]").click()
            page.wait_for_selector("[data-report]")
            codes = page.locator("[data-errors] tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)")
            page.goto(f"{live_server.url}/penyaluran/tahap/{dist.pk}/rekonsiliasi/")
            discrepancies = page.locator("[data-discrepancies]").inner_text()
            # the realisation dashboard, from the reconciliation: kecamatan → villages, sorted, with its chart
            page.locator("[data-action=dashboard]").click()
            page.locator("[data-drill]").first.click()
            page.wait_for_selector('[data-table=realisation] tr[data-row="36.04.05.2001"]')
            page.locator("[data-sort=entitled]").click()
            page.wait_for_selector('[data-table=realisation] tr[data-row]')
            sorted_url = page.url
            page.wait_for_function("document.querySelector('[data-chart=realisation]').complete")
            chart_width = page.locator("[data-chart=realisation]").evaluate("img => img.naturalWidth")
            if os.environ.get("TEPAT_SCREENSHOTS"):
                page.screenshot(path=os.path.join(os.environ["TEPAT_SCREENSHOTS"], "realisation.png"), full_page=True)
            page.goto(f"{live_server.url}/penyaluran/tahap/{dist.pk}/")
            page.locator("[data-action=request-close]").click()
            page.wait_for_load_state("networkidle")
            requested = page.locator("[data-dist-status]").inner_text()
            context.clear_cookies()
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": spv_cookie, "url": live_server.url}])
            page.goto(f"{live_server.url}/penyaluran/tahap/{dist.pk}/")
            page.locator("[data-action=close]").click()
            page.wait_for_load_state("networkidle")
            closed = page.locator("[data-dist-status]").inner_text()
        finally:
            browser.close()

    import hashlib

    assert len(password) >= 12 and hashlib.sha256(downloaded).hexdigest() == sha
    assert codes == ["paid_twice", "unknown_ref", "reason_missing"]
    assert "KZZZZZZZZZZZ" in discrepancies
    assert "sort=entitled" in sorted_url and "region=36.04.05" in sorted_url and chart_width > 0
    assert requested and closed and requested != closed
    dist = Distribution.objects.get(pk=dist.pk)
    assert dist.status == "closed" and dist.closed_by == second and dist.close_requested_by == world.op
