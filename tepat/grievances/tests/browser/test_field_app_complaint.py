"""Complaint intake in the offline field app (issue 14 item 7), in real headless Chromium: the facilitator
signs in at /lapangan/, downloads (assignments and the complaint catalogue), goes offline, records a
complaint about one of the assigned families, reloads offline (the queue survives), comes back online: the
complaint is registered exactly once (its client_id is the Idempotency-Key), with the Puskesos channel.
Then item 8: stale downloaded data is erased at start, and sign-out revokes the token and erases the device.
"""

from __future__ import annotations

import pytest

from conftest import DISTRICT, VILLAGE, make_kk, member_data
from tepat.updates.tests.browser.field_app_support import wait_stored as _wait_stored
from tepat.updates.tests.browser.test_new_family_flow import CHROMIUM, LAUNCH_ARGS, _require_chromium

pytestmark = pytest.mark.browser



def test_a_complaint_taken_offline_is_registered_once(
    live_server, transactional_db, regions, make_user, monkeypatch, settings
):
    from django.apps import apps

    from conftest import PASSWORD
    from tepat.grievances.models import Complaint
    from tepat.grievances.seed import seed
    from tepat.registry.services import family_create
    from tepat.updates.services.proposals import proposal_assign, proposal_create

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.TEPAT_SYNC_LAG_SECONDS = 0
    seed(apps)  # a transactional test's flush removed the catalogue the migration seeded
    dinsos = make_user("dinsos_operator", [DISTRICT], "op_dinsos")
    operator = make_user("village_operator", [VILLAGE], "op_desa")
    psm = make_user("facilitator", [VILLAGE], "psm")
    family = family_create(
        actor=dinsos,
        region_code=VILLAGE,
        correction_reason="test fixture",
        data={"kk_number": make_kk(), "rw": "1", "rt": "02", "address": "Kp. Aduan"},
        members=[member_data(name="Kepala Aduan")],
    )
    proposal = proposal_create(
        actor=operator,
        kind="change_data",
        source="village_operator",
        payload={"target": "family", "changes": {"floor": 2}},
        family=family,
        submit=True,
    )
    proposal_assign(actor=operator, proposal=proposal, facilitator=psm)

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
        context.set_default_timeout(20000)
        try:
            page = context.new_page()
            page.goto(f"{live_server.url}/lapangan/")
            page.fill("#username", "psm")
            page.fill("#password", PASSWORD)
            page.click("#signin button[type=submit]")
            expect(page.locator("#assignments li.assignment")).to_have_count(1)
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            _wait_stored(page, "categories")

            context.set_offline(True)
            page.click("#new-complaint")
            page.select_option("#category", "data-wrong")
            page.fill("#description", "Lantai rumah sudah keramik sejak 2024")
            page.select_option("#family_id", str(family.pk))
            page.fill("#complainant_name", "Ibu Sari")
            page.fill("#complainant_contact", "081234567890")
            page.click("#save-complaint")
            expect(page.locator("#pending-count")).to_have_text("1")
            page.reload()
            expect(page.locator("#pending-count")).to_have_text("1")
            assert not Complaint.objects.exists()

            context.set_offline(False)
            expect(page.locator("#pending-count")).to_have_text("0", timeout=30000)
            page.evaluate("() => tepatField.sync()")  # nothing left to send twice
            page.wait_for_timeout(500)

            # item 8: data not refreshed for TEPAT_FIELD_APP_KEEP_HOURS is erased at start, the token kept
            expect(page.locator("#stored-count")).to_have_text("1")
            page.evaluate("() => tepatField.store.set('last_sync', Date.now() - 200 * 3600 * 1000)")
            page.reload()
            expect(page.locator("#stored-count")).to_have_text("0")
            # sign-out revokes the token and erases everything on the device
            page.click("#signout")
            expect(page.locator("#signin")).to_be_visible()
            left = page.evaluate("""() => Promise.all(["assignments", "queue"].map(s => tepatField.store.all(s)))
                .then(r => r[0].length + r[1].length)""")
            assert left == 0
            assert page.evaluate("() => tepatField.store.get('token')") is None
        finally:
            context.close()
            browser.close()

    from tepat.accounts.models import ApiToken

    assert not ApiToken.objects.filter(user=psm, revoked_at__isnull=True).exists()
    complaint = Complaint.objects.get()  # exactly one
    assert complaint.family_id == family.pk and complaint.channel == "puskesos"
    assert complaint.category.code == "data-wrong" and complaint.complainant_name == "Ibu Sari"
    assert complaint.created_by == psm
