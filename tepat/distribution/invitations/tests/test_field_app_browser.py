"""The offline field app checks an invitation's QR text without a connection (issue 14 item 7), in real
headless Chromium: the public keys come with the download (GET /api/v1/invitations/keys), then, offline,
WebCrypto Ed25519 says a genuine token is genuine and a tampered one is forged.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import VILLAGE
from tepat.updates.tests.browser.field_app_support import wait_stored as _wait_stored
from tepat.updates.tests.browser.test_new_family_flow import CHROMIUM, LAUNCH_ARGS, _require_chromium

pytestmark = pytest.mark.browser



def test_an_invitation_verifies_offline_and_a_forged_one_does_not(
    live_server, transactional_db, regions, make_user, monkeypatch, settings
):
    from conftest import PASSWORD
    from tepat.distribution.invitations import signing
    from tepat.distribution.invitations.data import InvitationData

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.TEPAT_INVITATION_KEYS = {"inv-uji": signing.generate_key_text()}
    settings.TEPAT_INVITATION_KEY_ID = "inv-uji"
    make_user("facilitator", [VILLAGE], "psm")
    token = signing.sign(
        InvitationData(
            kpm_ref="KPM-000123",
            programme="BPNT",
            tahap=1,
            amount=600000,
            expires_on=date.today() + timedelta(days=30),
            recipient_name="S***",
            village_code=VILLAGE,
            village_name="Uji",
        )
    )
    payload, signature = token.split(".")
    forged_payload = signing._b64(signing._unb64(payload).replace(b"600000", b"900000"))
    forged = f"{forged_payload}.{signature}"

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
            expect(page.locator("#storage")).to_be_visible()
            _wait_stored(page, "invitation_keys")

            context.set_offline(True)
            page.click("#check-invitation")
            page.fill("#token", token[:60] + "\n" + token[60:])  # printed codes wrap over lines
            page.click("#verify-invitation")
            expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
            expect(page.locator("#invitation-result")).to_contain_text("KPM-000123")
            page.fill("#token", forged)
            page.click("#verify-invitation")
            expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "bad_signature")
            page.fill("#token", "bukan-undangan")
            page.click("#verify-invitation")
            expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "malformed")
        finally:
            context.close()
            browser.close()
