"""End to end in real headless Chromium: sign in, find a family by a member's name, edit the member,
see the change and its audit event on the family's page.

Set TEPAT_SCREENSHOT_DIR to keep screenshots of the pages visited (desktop and phone widths).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import PASSWORD
from tepat.core.tests.browser import CHROMIUM, LAUNCH_ARGS
from tepat.core.tests.browser import require_chromium as _require_chromium

pytestmark = pytest.mark.browser


@contextmanager
def chromium_page():
    """A page in headless Chromium. The test touches the database only outside this block: Playwright's
    sync API runs an event loop here, and ORM calls made inside it would open a second connection."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("TEPAT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def second_family(dinsos_operator):
    """Another family in the village, so that the search visibly narrows the list."""
    from conftest import VILLAGE, make_kk, member_data
    from tepat.registry.services import family_create

    return family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk()},
                         members=[member_data(relation=1, name="Hendra Gunawan")])


def test_dinsos_operator_finds_and_corrects_a_member(live_server, transactional_db, regions, family, second_family,
                                                    dinsos_operator, village_operator, monkeypatch):
    """Dinsos corrects directly, with a reason shown as a direct correction; the village operator sees only
    the proposal buttons on the same family."""
    from tepat.audit.models import AuditEvent
    from tepat.registry.models import Individual

    _require_chromium()
    # The live server's threads are synchronous; this only silences Django's check in Playwright's loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page() as page:
        _scenario(page, live_server.url)
        _village_sees_proposals_only(page, live_server.url, family)

    member = Individual.objects.get(family=family, name="Siti Aminah Rahayu")
    assert member.occupation == "Pedagang"
    event = AuditEvent.objects.get(action="individual.update", target_id=str(member.pk))
    assert event.actor_id == dinsos_operator.pk
    assert (event.data["basis"], event.data["reason"]) == ("correction", "Perbaikan ejaan nama")


def _village_sees_proposals_only(page, base_url: str, family) -> None:
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(f"{base_url}/akun/masuk/")
    page.fill("#id_username", "op_desa")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-count='families-active']")
    expect(page.locator("a[data-action='propose-new-family']")).to_be_visible()
    page.goto(f"{base_url}/registri/keluarga/{family.pk}/")
    page.wait_for_selector("#member-table")
    expect(page.locator("a[data-action='edit-member']")).to_have_count(0)
    expect(page.locator("a[data-action='correct-family']")).to_have_count(0)
    expect(page.locator("a[data-action='propose-change']")).to_be_visible()
    expect(page.locator("a[data-action='propose-member-removal']").first).to_be_visible()
    page.locator("a[data-action='propose-member-removal']").first.click()
    expect(page).to_have_url(re.compile(r"/pemutakhiran/keluarga/.+/usulan/remove_member/\?member="))
    _shot(page, "village_propose_removal")


def _scenario(page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/akun/masuk/")
    _shot(page, "login")
    page.fill("#id_username", "op_dinsos")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-count='families-active']")
    _shot(page, "dashboard")

    # Search by a member's name with a typo: the results swap in through htmx, without a page load.
    page.click("nav.mainnav a[href='/registri/']")
    rows = page.locator("#family-table tbody tr")
    expect(rows).to_have_count(2)
    page.fill("#id_q", "Siti Aminha")
    expect(page).to_have_url(re.compile(r"q=Siti(\+|%20)Aminha"))
    expect(rows).to_have_count(1)
    row = rows.filter(has_text="Budi Santoso")
    expect(row).to_have_count(1)
    _shot(page, "family_list")

    row.get_by_role("link", name="Budi Santoso").click()
    page.wait_for_selector("#member-table")
    expect(page.locator("h1")).to_contain_text("Budi Santoso")
    _shot(page, "family_detail")

    # Edit the wife: name and occupation.
    page.locator("tr[data-member='Siti Aminah'] a[data-action='edit-member']").click()
    page.wait_for_selector("#member-form")
    expect(page.locator("#id_name")).to_have_value("Siti Aminah")
    page.fill("#id_name", "Siti Aminah Rahayu")
    page.fill("#id_occupation", "Pedagang")
    page.fill("#id_correction_reason", "Perbaikan ejaan nama")
    page.click("#member-form button[type=submit]")

    page.wait_for_selector("tr[data-member='Siti Aminah Rahayu']")
    member_row = page.locator("tr[data-member='Siti Aminah Rahayu']")
    expect(member_row.locator(".member-occupation")).to_have_text("Pedagang")
    trail = page.locator("#trail li[data-action='individual.update']")
    expect(trail).to_have_count(1)
    expect(trail).to_contain_text("individual.update")
    expect(trail.locator("ins").first).to_be_visible()
    expect(trail).to_contain_text("Siti Aminah Rahayu")
    expect(trail).to_contain_text("Pedagang")
    expect(trail.locator("[data-basis='correction']")).to_be_visible()
    expect(trail).to_contain_text("Perbaikan ejaan nama")
    _shot(page, "family_detail_after_edit")

    if os.environ.get("TEPAT_SCREENSHOT_DIR"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        page.wait_for_selector("#member-table")
        _shot(page, "family_detail_phone")
        page.goto(f"{base_url}/registri/?q=Budi")
        page.wait_for_selector("#family-table")
        _shot(page, "family_list_phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base_url}/registri/keluarga/baru/")
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".alert--error")
        _shot(page, "family_create_errors")
