"""The offline field app end to end in real headless Chromium (issue 14, "done when"): the facilitator signs
in at /lapangan/, downloads the assignments, goes offline (context.set_offline), records three visits with
photos (compressed on the device) and GPS, reloads the app while offline (the service worker serves the
shell, the IndexedDB queue survives), comes back online with its token revoked meanwhile (it asks to sign in again, the queue kept), and after
signing in the visits arrive exactly once, and the one whose
proposal was visited on the server meanwhile is shown as a conflict with both versions, not overwritten.

Set TEPAT_SCREENSHOT_DIR to keep screenshots (360 px wide).
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from conftest import DISTRICT, VILLAGE, make_kk, member_data
from tepat.updates.tests.browser.test_new_family_flow import CHROMIUM, LAUNCH_ARGS, _require_chromium

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _noise_png(width: int, height: int) -> bytes:
    """A photo-like image too big for the 300 KB limit (noise compresses badly): the app must shrink it."""
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def _shot(page, name: str) -> None:
    folder = os.environ.get("TEPAT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"field_{name}.png"), full_page=True)


def test_offline_visits_survive_a_reload_and_arrive_once_with_the_conflict_shown(
    live_server, transactional_db, regions, make_user, monkeypatch, settings
):
    from django.utils import timezone

    from conftest import PASSWORD
    from tepat.accounts.models import ApiToken
    from tepat.accounts.tokens import token_revoke
    from tepat.registry.services import family_create
    from tepat.updates.models import Document, FieldVerification, Proposal
    from tepat.updates.services.proposals import proposal_assign, proposal_create
    from tepat.updates.services.verification import verification_record

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.TEPAT_SYNC_LAG_SECONDS = 0
    dinsos = make_user("dinsos_operator", [DISTRICT], "op_dinsos")
    operator = make_user("village_operator", [VILLAGE], "op_desa")
    psm = make_user("facilitator", [VILLAGE], "psm")
    proposals = []
    for i in range(4):
        family = family_create(
            actor=dinsos,
            region_code=VILLAGE,
            correction_reason="test fixture",
            data={"kk_number": make_kk(), "rw": "1", "rt": "02", "address": f"Kp. Lapang {i}"},
            members=[member_data(name=f"Kepala Lapang {i}")],
        )
        proposal = proposal_create(
            actor=operator,
            kind="change_data",
            source="village_operator",
            payload={"target": "family", "changes": {"floor": 2}},
            family=family,
            submit=True,
        )
        proposals.append(proposal_assign(actor=operator, proposal=proposal, facilitator=psm))
    first, second, third, untouched = proposals
    photos = [_noise_png(1200, 900) for _ in range(3)]

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(
            viewport=PHONE,
            locale="id-ID",
            geolocation={"latitude": -6.05, "longitude": 106.11, "accuracy": 18},
            permissions=["geolocation"],
            service_workers="allow",
        )
        context.set_default_timeout(20000)
        try:
            page = context.new_page()
            page.goto(f"{live_server.url}/lapangan/")
            page.fill("#username", "psm")
            page.fill("#password", PASSWORD)
            page.click("#signin button[type=submit]")
            expect(page.locator("#assignments li.assignment")).to_have_count(4)
            expect(page.locator("#stored-count")).to_have_text("4")
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            _shot(page, "list")

            context.set_offline(True)
            expect(page.locator("#net")).to_have_class("net net--off")
            # meanwhile, on the server, the third proposal is visited by another device (or the page)
            verification_record(
                actor=psm,
                proposal=Proposal.objects.get(pk=third.pk),
                visited_on=timezone.localdate(),
                household_found=True,
                outcome="confirmed",
                results={"changes.floor": {"result": "confirmed"}},
                notes="dari server",
            )

            for index, proposal in enumerate((first, second, third)):
                page.click(f"li.assignment[data-id='{proposal.pk}'] .visit-button")
                if index == 0:  # a correction with the coded field's own choice list
                    page.check("#f0-result-corrected")
                    page.select_option("#f0-value", "3")
                page.click("#use-location")
                expect(page.locator("#location-status")).to_contain_text("±18 m")
                page.set_input_files(
                    "#photo-input",
                    files=[{"name": f"rumah-{index}.png", "mimeType": "image/png", "buffer": photos[index]}],
                )
                expect(page.locator(".photo-size")).to_have_count(1)
                page.fill("#notes", f"kunjungan {index + 1}")
                if index == 0:
                    _shot(page, "visit")
                page.click("#save-visit")
                expect(page.locator("#pending-count")).to_have_text(str(index + 1))

            sizes = page.evaluate("""() => tepatField.store.all("queue").then(items =>
                items.map(i => i.photos.map(p => p.blob.size)).flat())""")
            assert len(sizes) == 3 and all(0 < size <= 300 * 1024 for size in sizes), sizes

            page.reload()  # offline: the shell from the service worker's cache, the queue from IndexedDB
            expect(page.locator("#pending-count")).to_have_text("3")
            expect(page.locator("#assignments .badge--pending")).to_have_count(3)
            assert FieldVerification.objects.filter(verifier=psm).count() == 1  # only the server's one so far

            # the device token is revoked (or expired) meanwhile: online, the app asks to sign in again and
            # keeps the queue; after signing in it sends it
            for token in ApiToken.objects.filter(user=psm, revoked_at__isnull=True):
                token_revoke(actor=psm, token=token)
            context.set_offline(False)
            expect(page.locator("#signin")).to_be_visible(timeout=30000)
            assert (
                FieldVerification.objects.filter(verifier=psm).count() == 1
            )  # nothing sent with a dead token
            page.fill("#password", PASSWORD)
            page.click("#signin button[type=submit]")
            expect(page.locator("#pending-count")).to_have_text("0", timeout=30000)
            conflict = page.locator("#conflicts .conflict")
            expect(conflict).to_have_count(1)
            expect(conflict.locator(".version--mine")).to_contain_text("kunjungan 3")
            expect(conflict.locator(".version--server")).to_contain_text("psm")
            expect(conflict.locator(".resend")).to_have_count(0)  # it moved on: only discarding makes sense
            expired = page.evaluate(
                "() => JSON.parse(document.getElementById('field-i18n').textContent).session_expired"
            )
            expect(page.locator("#toast")).not_to_contain_text(expired)  # no false "sign in again"
            _shot(page, "conflict")
            page.evaluate("() => tepatField.sync()")  # a second send finds nothing more to send
            page.wait_for_timeout(500)
        finally:
            context.close()
            browser.close()

    for proposal in (first, second):
        visits = FieldVerification.objects.filter(proposal=proposal)
        assert visits.count() == 1, proposal.reference  # exactly once
        visit = visits.get()
        assert visit.verifier == psm and visit.accuracy_m == 18 and visit.latitude is not None
        assert Document.objects.filter(verification=visit).count() == 1
    assert FieldVerification.objects.get(proposal=first).outcome == "corrected"
    assert Proposal.objects.get(pk=first.pk).verified_payload["changes"]["floor"] == 3
    server_side = FieldVerification.objects.get(proposal=third)  # not overwritten by the device's visit
    assert server_side.notes == "dari server"
    assert not FieldVerification.objects.filter(proposal=untouched).exists()
