"""In real headless Chromium: a Dinsos operator uploads a desil file on the import page, watches the release
turn from importing to published through htmx polling alone, sees the rejected row in the report and opens
the families without desil. The worker is held back until the page shows the waiting release."""

from __future__ import annotations

import re
import threading

import pytest

from conftest import DISTRICT, PASSWORD
from tepat.registry.tests.test_transfer_browser import _require_chromium, _shot, chromium_page
from tepat.targeting.tests.conftest import desil_csv

pytestmark = pytest.mark.browser


class HeldWorker:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def enqueue(self, *, release_id: str, actor_id: int) -> None:
        from django.db import connections

        from tepat.targeting.tasks import desil_import_task

        def run() -> None:
            try:
                if self.release.wait(30):
                    desil_import_task.call(release_id=release_id, actor_id=actor_id)
            except BaseException as exc:  # reported by the test
                self.errors.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name="held-desil-worker", daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(60)


def test_operator_imports_desil_from_the_page(live_server, transactional_db, regions, dinsos_operator, families,
                                              tmp_path, monkeypatch):
    from playwright.sync_api import expect

    from tepat.targeting import views
    from tepat.targeting.models import DesilRelease, FamilyDesil

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    worker = HeldWorker()
    monkeypatch.setattr(views, "desil_import_task", worker)
    upload = tmp_path / "desil_serang.csv"
    upload.write_bytes(desil_csv((families[0].kk_number, "", "2"), (families[1].kk_number, "", "sebelas"),
                                 (families[2].kk_number, "", "9")))
    try:
        with chromium_page() as page:
            base = live_server.url
            page.goto(f"{base}/akun/masuk/")
            page.fill("#id_username", "op_dinsos")
            page.fill("#id_password", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("[data-count='families-active']")
            page.click("nav.mainnav a[href='/penargetan/desil/']")
            page.wait_for_selector("#desil-form")
            _shot(page, "desil_start")
            page.set_input_files("#id_file", str(upload))
            page.select_option("#id_region", DISTRICT)
            page.fill("#id_period", "2026-T4")
            page.fill("#id_decree_number", "SK 79/2026")
            page.fill("#id_decree_date", "2026-11-02")
            page.click("#desil-form button[type=submit]")

            expect(page).to_have_url(re.compile(r"/penargetan/desil/[0-9a-f-]{36}/$"))
            progress = page.locator("#release-progress")
            expect(progress).to_have_attribute("data-status", "importing")
            expect(progress).to_have_attribute("hx-trigger", "every 1s")
            with page.expect_response(lambda r: "/progres/" in r.url and r.status == 200):
                pass
            page.evaluate("window.__samePage = true")
            worker.release.set()
            expect(progress).to_have_attribute("data-status", "published", timeout=30000)
            assert page.evaluate("window.__samePage === true")
            expect(page.locator("#release-counts [data-count='families']")).to_have_text("2")
            expect(page.locator("#release-counts [data-count='rows_rejected']")).to_have_text("1")
            issue = page.locator("#issue-table tr[data-row='3'][data-code='desil_not_number']")
            expect(issue).to_have_count(1)
            _shot(page, "desil_release")
            with page.expect_download() as download_info:
                page.click("#report-csv")
            assert "desil_not_number" in download_info.value.path().read_text(encoding="utf-8-sig")

            page.goto(page.url)  # the finished page has the link to the families without desil
            page.click("#missing-link")
            page.wait_for_selector("#missing")
            expect(page.locator("#missing tbody tr")).to_have_count(len(families) - 2)
            _shot(page, "desil_missing")
    finally:
        worker.join()
    assert not worker.errors, worker.errors
    release = DesilRelease.objects.get()
    assert release.status == DesilRelease.Status.PUBLISHED and release.decree_number == "SK 79/2026"
    assert FamilyDesil.objects.filter(release=release).count() == 2
