"""The registry export as a background job with progress (issue 9 item 12): the service's audit events,
progress counted per batch, the download audited as personal_data.export, a failure recorded; and the
authorization matrix of the job pages (anonymous, wrong role, wrong region / someone else's job, right)."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from conftest import DISTRICT, assert_audited, client_for
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.registry.models import ExportJob
from tepat.registry.tests.test_transfer_views import HEAD_NIK, LOGIN, job  # noqa: F401 - fixture
from tepat.registry.transfer import export_jobs
from tepat.registry.transfer.export_jobs import (
    export_job_download,
    registry_export_run,
    registry_export_start,
)

MATRIX_ROUTES = {"page registry:export_job", "page registry:export_progress", "page registry:export_download",
                 "POST /api/v1/registry/exports", "GET /api/v1/registry/exports/{job_id}",
                 "GET /api/v1/registry/exports/{job_id}/file"}
API = "/api/v1/registry/exports"


def _pages(export: ExportJob) -> dict[str, str]:
    return {name: reverse(f"registry:{name}", args=[export.pk])
            for name in ("export_job", "export_progress", "export_download")}


@pytest.fixture
def export(dinsos_operator, job):  # noqa: F811 - the import fixture fills the registry
    started = registry_export_start(actor=dinsos_operator, region_code=DISTRICT, fmt="csv", preset="siks")
    return registry_export_run(actor=SYSTEM, job_id=started.pk)


def test_start_records_the_request_and_the_run_writes_the_file(dinsos_operator, job, monkeypatch):  # noqa: F811
    seen: list[int] = []
    real = export_jobs._progress

    def spy(job_id):
        report = real(job_id)

        def wrapped(families: int) -> None:
            report(families)
            seen.append(ExportJob.objects.get(pk=job_id).families_done)
        return wrapped

    monkeypatch.setattr(export_jobs, "_progress", spy)
    started = registry_export_start(actor=dinsos_operator, region_code=DISTRICT, fmt="xlsx", preset="siks")
    assert started.status == ExportJob.Status.PENDING and started.families_total == 1
    assert_audited("registry.export_start", actor=dinsos_operator, target=started, region="36.04", format="xlsx")

    done = registry_export_run(actor=SYSTEM, job_id=started.pk)

    assert done.status == ExportJob.Status.DONE and done.rows == 2 and done.percent == 100
    assert seen == [1]  # the counter was committed while the file was being written
    assert_audited("registry.export_run", actor=SYSTEM, target=done, to="running")
    assert_audited("registry.export", actor=dinsos_operator, rows=2, masked=False, format="xlsx")
    assert_audited("registry.export_finish", actor=SYSTEM, target=done, to="done", rows=2)
    assert registry_export_run(actor=SYSTEM, job_id=started.pk).status == ExportJob.Status.DONE  # a rerun: no-op
    assert AuditEvent.objects.filter(action="registry.export").count() == 1


def test_download_is_audited_as_a_personal_data_export(dinsos_operator, export):
    got, handle = export_job_download(actor=dinsos_operator, job_id=export.pk)
    with handle:
        assert HEAD_NIK in handle.read().decode("utf-8-sig")
    assert_audited("personal_data.export", actor=dinsos_operator, target=got, kind="registry_export", rows=2)


def test_a_failed_run_is_recorded_and_offers_nothing(dinsos_operator, job, monkeypatch):  # noqa: F811
    def boom(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_jobs, "registry_export", boom)
    started = registry_export_start(actor=dinsos_operator, region_code=DISTRICT)
    failed = registry_export_run(actor=SYSTEM, job_id=started.pk)
    assert failed.status == ExportJob.Status.FAILED and failed.error == "OSError" and not failed.file_name
    assert_audited("registry.export_fail", actor=SYSTEM, target=failed, error="OSError")
    events = AuditEvent.objects.count()
    with pytest.raises(ObjectNotFound):
        export_job_download(actor=dinsos_operator, job_id=failed.pk)
    assert AuditEvent.objects.count() == events


def test_refused_starts_change_nothing(village_head, other_dinsos_operator, dinsos_operator, db):
    for actor, error in ((village_head, PermissionDeniedError), (other_dinsos_operator, ObjectNotFound)):
        with pytest.raises(error):
            registry_export_start(actor=actor, region_code=DISTRICT)
    assert not ExportJob.objects.exists() and not AuditEvent.objects.filter(action__startswith="registry.").exists()


# Pages -------------------------------------------------------------------------------------------------------

def test_export_page_starts_the_job_and_its_page_polls_until_done(dinsos_operator, job):  # noqa: F811
    client = client_for(dinsos_operator)
    captured: list = []
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = client.post(reverse("registry:export"), {"region": DISTRICT, "format": "xlsx", "preset": "siks"})
    captured += callbacks
    started = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:export_job", args=[started.pk])
    pages = _pages(started)
    waiting = client.get(pages["export_job"]).content.decode()
    assert f'hx-get="{pages["export_progress"]}"' in waiting and 'id="export-download"' not in waiting
    assert client.get(pages["export_download"]).status_code == 404  # not ready yet
    for callback in captured:  # the worker (ImmediateBackend under the test settings)
        callback()
    done = client.get(pages["export_progress"]).content.decode()
    assert "hx-get" not in done and 'id="export-download"' in done and 'data-done="1"' in done
    download = client.get(pages["export_download"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="personal_data.export", target_id=str(started.pk)).count() == 1
    assert str(started.pk) in client.get(reverse("registry:export")).content.decode()  # listed as recent


@pytest.mark.parametrize("page", ["export_job", "export_progress", "export_download"])
def test_export_job_pages_authorization_matrix(request, export, page):
    url = _pages(export)[page]
    handed_out = AuditEvent.objects.filter(action__in=("personal_data.export", "registry.export"))
    events = handed_out.count()
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(f"{LOGIN}?next=")
    assert client_for(request.getfixturevalue("village_head")).get(url).status_code == 403  # wrong role
    for other in ("other_dinsos_operator", "dinsos_supervisor"):  # wrong region; someone else's job
        assert client_for(request.getfixturevalue(other)).get(url).status_code == 404, other
    assert handed_out.count() == events  # refused: nothing handed out
    assert client_for(request.getfixturevalue("dinsos_operator")).get(url).status_code == 200


# JSON API ----------------------------------------------------------------------------------------------------

def test_api_start_matrix_and_job_through_to_the_file(request, dinsos_operator, job):  # noqa: F811
    import json

    body = json.dumps({"region_code": DISTRICT, "format": "csv"})
    for user, code in ((None, 401), (request.getfixturevalue("village_head"), 403),
                       (request.getfixturevalue("other_dinsos_operator"), 404)):
        assert client_for(user).post(API, data=body, content_type="application/json").status_code == code
    assert not ExportJob.objects.exists()
    client = client_for(dinsos_operator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(API, data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["status"] == "pending" and started["format"] == "csv" and started["families_total"] == 1
    polled = client.get(f"{API}/{started['id']}").json()
    assert polled["status"] == "done" and polled["percent"] == 100 and polled["rows"] == 2
    file = client.get(f"{API}/{started['id']}/file")
    assert file.status_code == 200 and HEAD_NIK in b"".join(file.streaming_content).decode("utf-8-sig")
    assert_audited("personal_data.export", actor=dinsos_operator, target=ExportJob.objects.get(), rows=2)


@pytest.mark.parametrize("suffix", ["", "/file"])
def test_api_job_matrix(request, export, suffix):
    url = f"{API}/{export.pk}{suffix}"
    handed_out = AuditEvent.objects.filter(action="personal_data.export")
    assert client_for(None).get(url).status_code == 401
    assert client_for(request.getfixturevalue("village_head")).get(url).status_code == 403
    for other in ("other_dinsos_operator", "dinsos_supervisor"):
        assert client_for(request.getfixturevalue(other)).get(url).status_code == 404, other
    assert not handed_out.exists()
    assert client_for(request.getfixturevalue("dinsos_operator")).get(url).status_code == 200
