"""End to end in real headless Chromium: an administrator creates a user on the page (password shown
once, then signs in as that user), and bulk-uploads a small CSV (report and result file download)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from django.conf import settings

from conftest import DISTRICT, VILLAGE
from tepat.core.tests.browser import CHROMIUM, LAUNCH_ARGS
from tepat.core.tests.browser import require_chromium as _require_chromium

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = os.environ.get("TEPAT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"accounts_{name}.png"), full_page=True)


def test_admin_creates_a_user_and_bulk_uploads(live_server, transactional_db, regions, make_user, monkeypatch,
                                               tmp_path):
    from django.test import Client
    from playwright.sync_api import expect, sync_playwright

    from tepat.accounts.models import User

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    admin = make_user("administrator", [DISTRICT], "admin_kab")
    client = Client()
    client.force_login(admin)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    upload = tmp_path / "pengguna.csv"
    upload.write_text(f"username,full_name,role,regions\nop_massal,Dewi Lestari,village_operator,{VILLAGE}\n"
                      f"op_salah,Ayu,raja,{VILLAGE}\n", encoding="utf-8")
    base = live_server.url

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID", accept_downloads=True)
        context.set_default_timeout(15000)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        page = context.new_page()
        try:
            page.goto(f"{base}/")
            page.click('nav.mainnav a[href="/akun/pengguna/"]')
            expect(page.locator("#user-table")).to_contain_text("admin_kab")
            page.click('[data-action="create"]')
            page.fill("#id_username", "op_halaman")
            page.fill("#id_full_name", "Siti Nur Aminah")
            page.select_option("#id_role", "village_operator")
            page.fill("#id_regions", VILLAGE)
            page.click("#user-form button[type=submit]")
            password = page.locator("#new-password").inner_text().strip()
            _shot(page, "created")
            assert len(password) == 14

            page.goto(f"{base}/akun/pengguna/unggah/")
            page.set_input_files("#id_file", str(upload))
            page.click("#bulk-form button[type=submit]")
            expect(page.locator("#bulk-created")).to_have_text("1")
            expect(page.locator("#bulk-rejected")).to_have_text("1")
            _shot(page, "bulk")
            with page.expect_download() as download_info:
                page.click("#bulk-download")
            result = Path(download_info.value.path()).read_text(encoding="utf-8-sig")

            # The new user signs in with the password shown once.
            context.clear_cookies()
            page.goto(f"{base}/akun/masuk/")
            page.fill("#id_username", "op_halaman")
            page.fill("#id_password", password)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/")
        finally:
            context.close()
            browser.close()

    assert User.objects.get(username="op_halaman").check_password(password)
    rows = {row[1]: row for row in csv.reader(io.StringIO(result))}
    assert User.objects.get(username="op_massal").check_password(rows["op_massal"][3])
    assert rows["op_salah"][2].startswith("DITOLAK") and "raja" in rows["op_salah"][8]
