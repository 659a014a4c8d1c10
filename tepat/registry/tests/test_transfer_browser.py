"""End to end in real headless Chromium: a district operator uploads a file, watches progress, downloads
the error report.

Under the test settings the task would run inside the upload request (ImmediateBackend), and the job
page would only ever show a finished job. To watch real progress, the task is handed to a worker thread
held back until the page shows the waiting job polling; then it runs, and the page must turn to the
finished summary through its htmx polling alone (no reload). The test then downloads the XLSX report
and finds the rejected row in it. Set TEPAT_SCREENSHOT_DIR to keep screenshots of the pages visited.
"""

from __future__ import annotations

import io
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import PASSWORD
from tepat.core.tests.browser import CHROMIUM, LAUNCH_ARGS
from tepat.core.tests.browser import require_chromium as _require_chromium
from tepat.registry.tests.test_transfer_views import HEAD_NIK, REJECTED_ROW, SCIENTIFIC_NIK, messy_csv

pytestmark = pytest.mark.browser


@contextmanager
def chromium_page():
    """A page in headless Chromium; the database is touched only outside this block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
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


class HeldWorker:
    """Stands in for the task backend: `enqueue` starts a thread that runs the real task once released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def enqueue(self, *, job_id: str, actor_id: int) -> None:
        from django.db import connections

        from tepat.registry.tasks import registry_import_task

        def run() -> None:
            try:
                if self.release.wait(30):
                    registry_import_task.call(job_id=job_id, actor_id=actor_id)
            except BaseException as exc:  # reported by the test
                self.errors.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name="held-import-worker", daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(60)


def test_operator_uploads_watches_progress_downloads_report(live_server, transactional_db, regions,
                                                            dinsos_operator, tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    from tepat.registry import views_transfer
    from tepat.registry.models import Individual
    from tepat.registry.models_transfer import ImportJob

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    worker = HeldWorker()
    monkeypatch.setattr(views_transfer, "registry_import_task", worker)
    upload = tmp_path / "dtks_kramatwatu.csv"
    upload.write_bytes(messy_csv())
    report = tmp_path / "report.xlsx"

    try:
        with chromium_page() as page:
            _scenario(page, live_server.url, upload, report, worker)
    finally:
        worker.join()
    assert not worker.errors, worker.errors
    assert len(worker.threads) == 1

    job = ImportJob.objects.get()
    assert job.actor_id == dinsos_operator.pk and job.status == ImportJob.Status.DONE
    assert Individual.objects.filter(nik=HEAD_NIK).exists()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(report.read_bytes())).get_sheet_by_name("Masalah").to_python()
    rejected = [row for row in rows[1:] if row[2] == SCIENTIFIC_NIK]
    assert len(rejected) == 1 and int(rejected[0][0]) == REJECTED_ROW


def _scenario(page, base_url: str, upload: Path, report: Path, worker: HeldWorker) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/akun/masuk/")
    page.fill("#id_username", "op_dinsos")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[data-count='families-active']")

    # From the family list to the import page.
    page.goto(f"{base_url}/registri/")
    page.click("a[data-action='import']")
    page.wait_for_selector("#import-form")
    _shot(page, "import_start")
    page.set_input_files("#id_file", str(upload))
    page.select_option("#id_preset", "siks")
    page.click("#import-form button[type=submit]")

    # The job page: the job waits for the worker, and its progress area polls.
    expect(page).to_have_url(re.compile(r"/registri/impor/[0-9a-f-]{36}/$"))
    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-status", "pending")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("#import-bar")).to_be_visible()
    expect(page.locator("#import-bar")).to_have_attribute("value", "0")
    expect(page.locator("#report-xlsx")).to_have_count(0)
    with page.expect_response(lambda r: "/progres/" in r.url and r.status == 200):
        pass  # at least one poll answered while the job waits
    _shot(page, "import_job_pending")
    page.evaluate("window.__samePage = true")

    # The worker runs the job; the polled partial turns into the finished summary, without a reload.
    worker.release.set()
    expect(progress).to_have_attribute("data-status", "done", timeout=30000)
    assert page.evaluate("window.__samePage === true")
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    expect(page.locator("#import-counts [data-count='rows_read']")).to_have_text("3")
    expect(page.locator("#import-counts [data-count='rows_rejected']")).to_have_text("1")
    expect(page.locator("#import-summary [data-count='individuals_created']")).to_have_text("2")
    issue = page.locator(f"#issue-table tr[data-row='{REJECTED_ROW}'][data-severity='error']")
    expect(issue).to_have_count(1)
    expect(issue).to_contain_text(SCIENTIFIC_NIK)
    expect(progress).not_to_have_attribute("hx-trigger", re.compile("every"))

    # The partial the page polls answers on its own, without the page around it.
    partial = page.request.get(page.url + "progres/", headers={"HX-Request": "true"})
    assert partial.status == 200
    assert 'id="import-progress"' in partial.text() and 'data-status="done"' in partial.text()
    assert "<html" not in partial.text()
    _shot(page, "import_job")

    with page.expect_download() as download_info:
        page.click("#report-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    download.save_as(str(report))
