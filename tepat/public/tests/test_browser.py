"""In real headless Chromium at a phone's width (390 px): a citizen looks up their status (the browser
solves the proof-of-work with pow.js), files a sanggah, follows it by its tracking code; every public page
fits the screen (no horizontal scroll)."""

from __future__ import annotations

import pytest

from conftest import VILLAGE
from tepat.registry.tests.test_transfer_browser import CHROMIUM, LAUNCH_ARGS, _require_chromium, _shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _pick_village(page) -> None:
    """Pick the test village level by level. htmx swaps the whole picker on every change and wires the new
    one up only when it settles (about 20 ms later); a change made before that is lost, so each level waits
    for the swapped picker to be live, not only for its options to exist."""
    steps = (("#id_province", "36"), ("#id_regency", "36.04"), ("#id_kecamatan", "36.04.05"),
             ("#id_village", VILLAGE))
    for (select, value), (next_select, next_value) in zip(steps, [*steps[1:], (None, None)], strict=True):
        page.select_option(select, value)
        if next_select:
            page.wait_for_selector(f"{next_select} option[value='{next_value}']", state="attached")
            page.wait_for_selector("#region-picker:not(.htmx-added):not(.htmx-settling)", state="attached")


def _fits(page, url: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width}px wide at {PHONE['width']}px"


def test_citizen_looks_up_objects_and_tracks(live_server, transactional_db, regions, approved, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from tepat.public.models import CitizenReport

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(20000)
        try:
            # 1. the status lookup: pow.js solves the challenge, then the button is enabled
            page.goto(f"{base}/cek-bansos/")
            _pick_village(page)
            page.fill("#id_name", "budi")
            page.wait_for_selector("form[data-pow-solved='1']")
            page.click("form[data-pow] button[type=submit]")
            expect(page.locator(".lookup-answer")).to_contain_text("Bu•••")
            expect(page.locator(".lookup-answer")).to_contain_text("Program Keluarga Harapan")
            _shot(page, "public-lookup-390")
            _fits(page, "/cek-bansos/ (answer)")

            # 2. a sanggah against a listed recipient, by name and RT
            page.goto(f"{base}/sanggah/")
            _pick_village(page)
            page.fill("#id_subject_name", "Kaya")
            page.fill("#id_rt", "1")
            page.select_option("#id_reason", "not_eligible")
            page.fill("#id_statement", "Memiliki toko besar.")
            page.fill("#id_objector_contact", "0812-3333-4444")
            page.wait_for_selector("form[data-pow-solved='1']")
            page.click("button[name=send]")
            code = page.locator("[data-tracking-code]").inner_text().strip()
            assert len(code) == 14
            _fits(page, "/sanggah/ (done)")

            # 3. follow it by the tracking code
            page.goto(f"{base}/lacak/")
            page.fill("#id_code", code)
            page.click("main button[type=submit]")
            expect(page.locator("[data-status]")).to_be_visible()
            assert "0812" not in page.content() and "Kaya" not in page.content()

            # 4. every public page fits a 390 px screen
            for path in ("/publik/", "/cek-bansos/", "/sanggah/", "/usul/", "/lacak/", "/transparansi/",
                         "/transparansi/daftar-penerima/"):
                page.goto(f"{base}{path}")
                _fits(page, path)
                _shot(page, "public" + path.replace("/", "-") + "390")
        finally:
            context.close()
            browser.close()
    report = CitizenReport.objects.get(tracking_code=code)
    assert report.family_id == approved.f_rich.pk and report.objector_contact == "0812-3333-4444"
