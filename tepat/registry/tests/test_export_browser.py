"""End to end in headless Chromium: a district operator starts an XLSX export of the district, watches its
progress on the job page (htmx polling, no reload) and downloads the file when it is ready.

As in the import's browser test, the task is handed to a worker thread held back until the page shows the
waiting job polling; then it runs, and the page must turn to the download through its polling alone."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest

from conftest import PASSWORD
from tepat.registry.tests.test_transfer_browser import _require_chromium, _shot, chromium_page
from tepat.registry.tests.test_transfer_views import HEAD_NIK, messy_csv

pytestmark = pytest.mark.browser


class HeldExportWorker:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def enqueue(self, *, job_id: str) -> None:
        from django.db import connections

        from tepat.registry.tasks import registry_export_task

        def run() -> None:
            try:
                if self.release.wait(30):
                    registry_export_task.call(job_id=job_id)
            except BaseException as exc:  # reported by the test
                self.errors.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name="held-export-worker", daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(60)


def test_operator_exports_the_district_with_progress(live_server, transactional_db, regions, dinsos_operator,
                                                     tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    from tepat.audit.models import AuditEvent
    from tepat.registry import views_transfer
    from tepat.registry.models import ExportJob
    from tepat.registry.transfer.importer import registry_import_run, registry_import_start

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = registry_import_start(actor=dinsos_operator, source=messy_csv(), file_name="dtks.csv")
    registry_import_run(actor=dinsos_operator, job_id=started.pk)
    worker = HeldExportWorker()
    monkeypatch.setattr(views_transfer, "registry_export_task", worker)
    saved = tmp_path / "dtks.xlsx"
    try:
        with chromium_page() as page:
            _scenario(page, live_server.url, saved, worker)
    finally:
        worker.join()
    assert not worker.errors, worker.errors
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.actor_id == dinsos_operator.pk
    rows = CalamineWorkbook.from_filelike(io.BytesIO(saved.read_bytes())).get_sheet_by_name("DTKS").to_python()
    assert HEAD_NIK in {str(cell) for row in rows for cell in row}
    assert AuditEvent.objects.filter(action="personal_data.export", target_id=str(job.pk)).count() == 1


def _scenario(page, base_url: str, saved: Path, worker: HeldExportWorker) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/akun/masuk/")
    page.fill("#id_username", "op_dinsos")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-count='families-active']")

    page.goto(f"{base_url}/registri/")
    page.click("a[data-action='export']")
    page.wait_for_selector("#export-form")
    page.select_option("#id_format", "xlsx")
    page.click("#export-form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/registri/ekspor/[0-9a-f-]{36}/$"))
    progress = page.locator("#export-progress")
    expect(progress).to_have_attribute("data-status", "pending")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("#export-bar")).to_have_attribute("value", "0")
    expect(page.locator("#export-download")).to_have_count(0)
    with page.expect_response(lambda r: "/progres/" in r.url and r.status == 200):
        pass  # at least one poll answered while the job waits
    _shot(page, "export_job_pending")
    page.evaluate("window.__samePage = true")

    worker.release.set()
    expect(progress).to_have_attribute("data-status", "done", timeout=30000)
    assert page.evaluate("window.__samePage === true")
    expect(page.locator("#export-bar")).to_have_attribute("value", "100")
    expect(page.locator("#export-counts")).to_have_attribute("data-done", "1")
    expect(progress).not_to_have_attribute("hx-trigger", re.compile("every"))
    _shot(page, "export_job_done")
    with page.expect_download() as download_info:
        page.click("#export-download")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    download.save_as(str(saved))
