"""In real headless Chromium: a village operator opens the review queue, reads a duplicate candidate's
evidence, confirms it, and sees the proposal it created (with the merge journal behind it)."""

from __future__ import annotations

import pytest
from django.conf import settings

from tepat.core.tests.browser import CHROMIUM, LAUNCH_ARGS
from tepat.core.tests.browser import require_chromium as _require_chromium
from tepat.quality.tests.conftest import duplicate_world  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def _session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_village_operator_confirms_a_duplicate(live_server, transactional_db, regions, duplicate_world,  # noqa: F811
                                               village_operator, dinsos_operator, monkeypatch):
    from playwright.sync_api import sync_playwright

    from tepat.quality.models import Flag, MatchRun, MergeJournal
    from tepat.quality.services.runs import duplicates_run, run_create
    from tepat.updates.models import Proposal

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code="36.04.05",
                     options={"threshold": 0.6, "threads": 1, "u_pairs": 1e7})
    duplicates_run(actor=dinsos_operator, run=run)
    wife, again = duplicate_world["wife"], duplicate_world["wife_again"]
    flag = Flag.objects.get(pair__kind="probable", pair__left__in=[wife, again], pair__right__in=[wife, again])
    cookie = _session_cookie(village_operator)
    flag_id, wife_id = flag.pk, wife.pk

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        context.set_default_timeout(15000)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/kualitas/")
            row = page.locator(f'tr[data-flag="{flag_id}"]')
            assert "nama 0.9" in row.inner_text()
            row.locator("a").click()
            evidence = page.locator("[data-evidence]").inner_text()
            assert "tanggal lahir sama" in evidence and "desa sama" in evidence and "NIK kosong" in evidence
            assert "DTKS-3-02" in page.locator("table").inner_text()
            page.locator(f'input[name="keep"][value="{wife_id}"]').check()
            page.locator("[data-confirm-form] button[name=confirm]").click()
            page.wait_for_url("**/pemutakhiran/usulan/**")
            page.wait_for_load_state("networkidle")
            content, url = page.content(), page.url
        finally:
            context.close()
            browser.close()
    # no ORM inside Playwright's event loop (it would open a connection of its own): checked after it
    proposal = Proposal.objects.get()
    assert url.endswith(f"/pemutakhiran/usulan/{proposal.pk}/") and proposal.reference in content
    assert proposal.individual_id == again.pk and proposal.kind == "remove_member"
    flag.refresh_from_db()
    assert flag.status == "confirmed" and flag.proposal_reference == proposal.reference
    assert MergeJournal.objects.filter(flag=flag, kept=wife, dropped=again).exists()
