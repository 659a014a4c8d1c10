"""Import and export pages: the authorization matrix of every page and POST, a messy upload through the
page to a finished job with its rejected row, the report download, the export download."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import DISTRICT, OTHER_DISTRICT, client_for
from tepat.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from tepat.audit.models import AuditEvent
from tepat.registry.models import ExportJob, Family, Individual
from tepat.registry.models_transfer import ImportJob
from tepat.registry.transfer.importer import registry_import_run, registry_import_start

LOGIN = reverse("accounts:login")

HEADER = ["PROVINSI", "KABUPATEN/KOTA", "KECAMATAN", "DESA/KELURAHAN", "KODE_WILAYAH", "ALAMAT", "RT", "RW",
          "NO_KK", "NIK", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR", "HUBUNGAN_KELUARGA"]
KK = "3604051506150001"
HEAD_NIK = "3604051401800001"
WIFE_NIK = "3604056107830002"
SCIENTIFIC_NIK = "3,60405E+15"
REJECTED_ROW = 4  # header is row 1


def messy_csv() -> bytes:
    """Semicolons, BOM, CRLF, region names as people type them, a NIK with spaces, and one NIK that
    Excel turned into scientific notation (rejected)."""
    rows = [
        HEADER,
        ["BANTEN", "KAB. SERANG", "KEC. KRAMATWATU", "DESA KRAMATWATU", "", "Kp. Kramat", "1", "002", KK,
         "'" + HEAD_NIK, "Budi  Santoso ", "L", "14-01-1980", "KEPALA KELUARGA"],
        ["banten", "Kabupaten Serang", "Kramatwatu", "Kramatwatu", "", "Kp. Kramat", "01", "2", KK,
         "3604 0561 0783 0002", "Siti Aminah", "P", "1983-07-21", "ISTRI"],
        ["BANTEN", "KAB. SERANG", "KEC. KRAMATWATU", "DESA KRAMATWATU", "", "Kp. Kramat", "1", "2", KK,
         SCIENTIFIC_NIK, "Anak Dua", "L", "01/01/2012", "ANAK"],
    ]
    return ("\ufeff" + "\r\n".join(";".join(row) for row in rows) + "\r\n").encode("utf-8")


def upload(name: str = "dtks.csv", content: bytes | None = None, **fields) -> dict:
    file = SimpleUploadedFile(name, messy_csv() if content is None else content, content_type="text/csv")
    return {"file": file, "preset": "siks", **fields}


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def registry_state() -> tuple:
    return (sorted(Family.objects.values_list("kk_number", "region_id")),
            sorted(Individual.objects.values_list("nik", "name")))


@pytest.fixture
def job(dinsos_operator):
    """A finished import of the messy file, started by the district operator."""
    started = registry_import_start(actor=dinsos_operator, source=messy_csv(), file_name="dtks.csv")
    return registry_import_run(actor=dinsos_operator, job_id=started.pk)


def job_urls(job: ImportJob) -> dict[str, str]:
    return {
        "job": reverse("registry:import_job", args=[job.pk]),
        "progress": reverse("registry:import_progress", args=[job.pk]),
        "report_xlsx": reverse("registry:import_report", kwargs={"pk": job.pk, "fmt": "xlsx"}),
        "report_csv": reverse("registry:import_report", kwargs={"pk": job.pk, "fmt": "csv"}),
    }


IMPORT = reverse("registry:import_start")
EXPORT = reverse("registry:export")
JOB_PAGES = ["job", "progress", "report_xlsx", "report_csv"]

# Tests that make their actors through `request.getfixturevalue` also ask for `db` by name, so that
# pytest-django runs them before transactional tests (whose flush removes the session's region master).


# Anonymous → login ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", JOB_PAGES)
def test_anonymous_job_pages_send_to_login(client, job, page):
    response = client.get(job_urls(job)[page])
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next=")


@pytest.mark.parametrize("url", [IMPORT, EXPORT])
def test_anonymous_pages_send_to_login(client, url, db):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next=")


def test_anonymous_posts_change_nothing(client, db):
    before = registry_state()
    assert client.post(IMPORT, upload()).status_code == 302
    assert client.post(EXPORT, {"region": DISTRICT, "format": "csv", "preset": "siks"}).status_code == 302
    assert not ImportJob.objects.exists() and registry_state() == before
    assert not AuditEvent.objects.filter(action="registry.export").exists()


# Wrong role → 403 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["village_operator", "village_head", "facilitator", "auditor", "province_viewer"])
def test_roles_without_registry_import_may_not_import(request, role, job):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get(IMPORT).status_code == 403
    for page in JOB_PAGES:
        assert client.get(job_urls(job)[page]).status_code == 403
    jobs, before = ImportJob.objects.count(), registry_state()
    assert client.post(IMPORT, upload(name="other.csv")).status_code == 403
    assert ImportJob.objects.count() == jobs and registry_state() == before


@pytest.mark.parametrize("role", ["village_head", "village_operator", "facilitator", "auditor"])
def test_roles_without_registry_export_may_not_export(request, db, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"region": DISTRICT, "format": "csv", "preset": "siks"}).status_code == 403
    assert not AuditEvent.objects.filter(action="registry.export").exists()


# Wrong region / someone else's job → 404 ------------------------------------------------------------------

@pytest.mark.parametrize("actor", ["other_dinsos_operator", "dinsos_supervisor", "unassigned_operator"])
def test_someone_elses_job_is_not_found(request, actor, job):
    """A job is seen by the person who started it only (as the importer's own check)."""
    client = client_for(request.getfixturevalue(actor))
    for page in JOB_PAGES:
        assert client.get(job_urls(job)[page]).status_code == 404, page


def test_unknown_job_is_not_found(dinsos_operator):
    url = reverse("registry:import_job", args=["00000000-0000-0000-0000-000000000000"])
    assert client_for(dinsos_operator).get(url).status_code == 404


def test_import_limited_to_a_region_outside_scope_is_not_found(dinsos_operator):
    before = registry_state()
    response = client_for(dinsos_operator).post(IMPORT, upload(region=OTHER_DISTRICT))
    assert response.status_code == 404
    assert not ImportJob.objects.exists() and registry_state() == before


@pytest.mark.parametrize(("actor", "region"), [("dinsos_operator", OTHER_DISTRICT),
                                               ("other_dinsos_operator", DISTRICT),
                                               ("unassigned_operator", DISTRICT)])
def test_export_outside_scope_is_not_found(request, db, actor, region):
    response = client_for(request.getfixturevalue(actor)).post(
        EXPORT, {"region": region, "format": "csv", "preset": "siks"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="registry.export").exists()


# Right role and region ------------------------------------------------------------------------------------

@pytest.mark.parametrize("actor", ["dinsos_operator", "dinsos_supervisor"])
def test_import_page_for_editors(request, db, actor):
    response = in_english(client_for(request.getfixturevalue(actor))).get(IMPORT)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'accept=".csv,.xlsx"' in content and 'name="dry_run"' in content and 'value="tepat"' in content


def test_import_region_choices_are_the_actors(other_dinsos_operator, dinsos_operator):
    content = client_for(dinsos_operator).get(IMPORT).content.decode()
    assert f'value="{DISTRICT}"' in content and 'value="36.04.05"' in content
    assert f'value="{OTHER_DISTRICT}"' not in content
    content = client_for(other_dinsos_operator).get(IMPORT).content.decode()
    assert f'value="{DISTRICT}"' not in content


def test_job_pages_for_the_jobs_actor(dinsos_operator, job):
    client = client_for(dinsos_operator)
    for page in JOB_PAGES:
        assert client.get(job_urls(job)[page]).status_code == 200, page


def test_export_page_for_exporters(dinsos_operator):
    response = client_for(dinsos_operator).get(EXPORT)
    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="{DISTRICT}" selected' in content and f'value="{OTHER_DISTRICT}"' not in content


def test_list_buttons_follow_capabilities(dinsos_operator, village_operator, village_head):
    list_url = reverse("registry:family_list")
    content = client_for(dinsos_operator).get(list_url).content.decode()
    assert IMPORT in content and EXPORT in content
    content = client_for(village_operator).get(list_url).content.decode()
    assert IMPORT not in content and EXPORT not in content  # village roles propose; no bulk writes
    content = client_for(village_head).get(list_url).content.decode()
    assert IMPORT not in content and EXPORT not in content


# Upload: form errors, a finished job, the report ---------------------------------------------------------

def test_missing_file_is_a_field_error(dinsos_operator):
    response = in_english(client_for(dinsos_operator)).post(IMPORT, {"preset": "siks"})
    assert response.status_code == 422
    assert "field--invalid" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_unsupported_file_type_is_a_field_error(dinsos_operator):
    response = in_english(client_for(dinsos_operator)).post(IMPORT, upload(name="dtks.pdf", content=b"%PDF-1.4"))
    assert response.status_code == 422
    assert "unsupported file type" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_runs_the_import_and_shows_the_result(dinsos_operator, django_capture_on_commit_callbacks):
    client = in_english(client_for(dinsos_operator))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(IMPORT, upload())
    assert len(callbacks) == 1  # the task is enqueued once the job row is committed
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.actor == dinsos_operator and job.file_name == "dtks.csv"
    assert Individual.objects.filter(nik__in=[HEAD_NIK, WIFE_NIK]).count() == 2

    content = client.get(response["Location"]).content.decode()
    assert 'data-count="rows_read">3<' in content
    assert 'data-count="rows_rejected">1<' in content
    assert 'data-count="families_created">1<' in content
    assert 'data-count="individuals_created">2<' in content
    assert f'data-row="{REJECTED_ROW}" data-code="spreadsheet_scientific"' in content
    assert SCIENTIFIC_NIK in content and "scientific notation" in content
    assert 'hx-trigger="every' not in content  # finished: no more polling

    progress = client.get(reverse("registry:import_progress", args=[job.pk]))
    assert progress.status_code == 200 and b'data-status="done"' in progress.content
    assert b"<html" not in progress.content


def test_dry_run_upload_changes_nothing(dinsos_operator, django_capture_on_commit_callbacks):
    before = registry_state()
    with django_capture_on_commit_callbacks(execute=True):
        response = in_english(client_for(dinsos_operator)).post(IMPORT, upload(dry_run="on"))
    job = ImportJob.objects.get()
    assert job.dry_run and job.status == ImportJob.Status.DONE
    assert registry_state() == before
    assert "Dry run" in in_english(client_for(dinsos_operator)).get(response["Location"]).content.decode()


def test_unfinished_job_keeps_polling(dinsos_operator):
    job = registry_import_start(actor=dinsos_operator, source=messy_csv(), file_name="dtks.csv")
    response = client_for(dinsos_operator).get(reverse("registry:import_progress", args=[job.pk]))
    content = response.content.decode()
    assert response.status_code == 200 and 'data-status="pending"' in content
    assert 'hx-trigger="every 1s"' in content
    assert reverse("registry:import_progress", args=[job.pk]) in content
    assert 'id="report-xlsx"' not in content


def test_recent_jobs_are_the_actors_own(dinsos_operator, dinsos_supervisor, job):
    job_url = reverse("registry:import_job", args=[job.pk])
    assert job_url in client_for(dinsos_operator).get(IMPORT).content.decode()
    assert job_url not in client_for(dinsos_supervisor).get(IMPORT).content.decode()


def test_report_xlsx_lists_the_rejected_row(dinsos_operator, job):
    response = client_for(dinsos_operator).get(job_urls(job)["report_xlsx"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;") and ".xlsx" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_name("Masalah").to_python()
    assert rows[0][0] == "Baris / Row"
    rejected = [row for row in rows[1:] if row[4] == "spreadsheet_scientific"]
    assert len(rejected) == 1
    assert int(rejected[0][0]) == REJECTED_ROW and rejected[0][1] == "NIK" and rejected[0][2] == SCIENTIFIC_NIK


def test_report_download_is_logged_as_a_personal_data_export(dinsos_operator, dinsos_supervisor, job):
    from tepat.audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="personal_data.export").count()
    assert client_for(dinsos_supervisor).get(job_urls(job)["report_xlsx"]).status_code == 404
    assert AuditEvent.objects.filter(action="personal_data.export").count() == before

    client_for(dinsos_operator).get(job_urls(job)["report_csv"])

    event = AuditEvent.objects.filter(action="personal_data.export").order_by("-seq").first()
    assert (event.actor_id, event.target_id, event.data["format"]) == (dinsos_operator.pk, str(job.pk), "csv")


def test_report_csv_lists_the_rejected_row(dinsos_operator, job):
    response = client_for(dinsos_operator).get(job_urls(job)["report_csv"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert f"{REJECTED_ROW};NIK;{SCIENTIFIC_NIK};" in text


# Export ------------------------------------------------------------------------------------------------------

def _export(user, **fields) -> tuple[int, str]:
    """Start the export (the worker runs it at commit), then download the finished file from the job."""
    from django.test import TestCase

    client = client_for(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(EXPORT, {"region": DISTRICT, "format": "csv", "preset": "siks", **fields})
    assert started.status_code == 302, started.content[:300]
    job = ExportJob.objects.get(actor=user)
    assert started["Location"] == reverse("registry:export_job", args=[job.pk])
    response = client.get(reverse("registry:export_download", args=[job.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_export_streams_the_registry_with_full_nik(dinsos_operator, job):
    assert Capability.PERSONAL_DATA_FULL in ROLE_CAPABILITIES[Role.DINSOS_OPERATOR]
    response, body = _export(dinsos_operator)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ID_DTKS;") and HEAD_NIK in text and WIFE_NIK in text
    event = AuditEvent.objects.get(action="registry.export")
    assert event.actor_id == dinsos_operator.pk and event.data["masked"] is False and event.data["rows"] == 2


def test_export_masks_nik_without_personal_data_full(dinsos_operator, job, monkeypatch):
    """Every role with REGISTRY_EXPORT today also sees NIKs whole; without PERSONAL_DATA_FULL the page's
    export is masked by the service."""
    reduced = ROLE_CAPABILITIES[Role.DINSOS_OPERATOR] - {Capability.PERSONAL_DATA_FULL}
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.DINSOS_OPERATOR, reduced)
    response, body = _export(dinsos_operator)
    text = body.decode("utf-8-sig")
    assert response.status_code == 200 and HEAD_NIK not in text and "360405**********" in text
    assert AuditEvent.objects.get(action="registry.export").data["masked"] is True


def test_export_xlsx(dinsos_operator, job):
    response, body = _export(dinsos_operator, format="xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_name("DTKS").to_python()
    assert len(rows) == 3 and HEAD_NIK in {str(cell) for row in rows for cell in row}


def test_export_form_errors_are_422(dinsos_operator):
    response = client_for(dinsos_operator).post(EXPORT, {"region": "", "format": "pdf", "preset": "siks"})
    assert response.status_code == 422
    assert not AuditEvent.objects.filter(action="registry.export").exists()
