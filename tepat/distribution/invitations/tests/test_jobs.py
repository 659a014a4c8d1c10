"""The background print job of a region: progress, the ZIP, failure, and its authorization matrix
(routes POST /jobs/, GET /jobs/{job_id}, GET /jobs/{job_id}/file; pages job_new, job, job_file)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from conftest import KECAMATAN, OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq, client_for
from tepat.distribution.invitations.models import InvitationPrintJob

pytestmark = pytest.mark.django_db
API = "/api/v1/invitations/jobs"
SOURCE = "tepat.distribution.invitations.tests.factories.source_two_villages"
MATRIX_ROUTES = {f"POST {API}", f"GET {API}/{{job_id}}", f"GET {API}/{{job_id}}/file", "page invitations:job_new",
                 "page invitations:job", "page invitations:job_file"}


def _start(client, body, capture):
    with capture(execute=True):
        return client.post(API, json.dumps(body), content_type="application/json")


def test_job_prints_the_kecamatan_with_progress_and_the_zip(settings, dinsos_operator,
                                                           django_capture_on_commit_callbacks):
    settings.TEPAT_INVITATION_SOURCE = SOURCE
    seq = audit_seq()
    client = client_for(dinsos_operator)
    response = _start(client, {"region_code": KECAMATAN, "programme": "BPNT", "tahap": 4},
                      django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    job = InvitationPrintJob.objects.get()
    assert job.status == "done" and job.done == job.total > 2 and job.invitations == 10 and job.percent == 100
    assert_audited("invitation_print_job.start", actor=dinsos_operator, target=job, after=seq)
    assert_audited("invitation_print_job.finish", actor=dinsos_operator, target=job, after=seq, printed=2)
    body = client.get(f"{API}/{job.pk}").json()
    assert body["status"] == "done" and body["file_url"].endswith("/file")
    archive = zipfile.ZipFile(io.BytesIO(client.get(body["file_url"]).content))
    assert sorted(archive.namelist()) == [f"undangan-BPNT-4-{VILLAGE}.pdf", f"undangan-BPNT-4-{OTHER_VILLAGE}.pdf"]
    page = client.get(f"/penyaluran/undangan/tugas/{job.pk}/")
    assert page.status_code == 200 and 'data-status="done"' in page.content.decode()
    assert client.get(f"/penyaluran/undangan/tugas/{job.pk}/unduh/")["Content-Type"] == "application/zip"


def test_job_without_a_source_fails_and_says_why(settings, dinsos_operator, django_capture_on_commit_callbacks):
    settings.TEPAT_INVITATION_SOURCE = ""  # switched off (the default reads the distribution lists)
    seq = audit_seq()
    _start(client_for(dinsos_operator), {"region_code": KECAMATAN, "programme": "BPNT", "tahap": 4},
           django_capture_on_commit_callbacks)  # the task fails; the immediate backend keeps its error
    job = InvitationPrintJob.objects.get()
    assert job.status == "failed" and "TEPAT_INVITATION_SOURCE" in job.error
    assert_audited("invitation_print_job.fail", actor=dinsos_operator, target=job, after=seq,
                   error="BusinessRuleViolation")
    assert client_for(dinsos_operator).get(f"{API}/{job.pk}/file").status_code == 409


def test_job_matrix(settings, dinsos_operator, village_operator, facilitator, other_dinsos_operator,
                    django_capture_on_commit_callbacks):
    settings.TEPAT_INVITATION_SOURCE = SOURCE
    body = {"region_code": KECAMATAN, "programme": "BPNT", "tahap": 4}
    seq = audit_seq()
    assert _start(client_for(None), body, django_capture_on_commit_callbacks).status_code == 401
    assert _start(client_for(facilitator), body, django_capture_on_commit_callbacks).status_code == 403
    assert _start(client_for(village_operator), body, django_capture_on_commit_callbacks).status_code == 404
    assert _start(client_for(other_dinsos_operator), body, django_capture_on_commit_callbacks).status_code == 404
    bad = {**body, "per_page": 3}
    assert _start(client_for(dinsos_operator), bad, django_capture_on_commit_callbacks).status_code == 422
    assert audit_seq() == seq and not InvitationPrintJob.objects.exists()
    assert _start(client_for(dinsos_operator), body, django_capture_on_commit_callbacks).status_code == 202
    job = InvitationPrintJob.objects.get()
    for url in (f"{API}/{job.pk}", f"{API}/{job.pk}/file"):
        assert client_for(None).get(url).status_code == 401
        assert client_for(facilitator).get(url).status_code == 403
        assert client_for(other_dinsos_operator).get(url).status_code == 404
        assert client_for(dinsos_operator).get(url).status_code == 200
    for url in (f"/penyaluran/undangan/tugas/{job.pk}/", f"/penyaluran/undangan/tugas/{job.pk}/unduh/"):
        assert client_for(None).get(url).status_code == 302
        assert client_for(facilitator).get(url).status_code == 403
        assert client_for(other_dinsos_operator).get(url).status_code == 404
        assert client_for(dinsos_operator).get(url).status_code == 200
    new = "/penyaluran/undangan/tugas/"
    assert client_for(None).get(new).status_code == 302
    assert client_for(facilitator).get(new).status_code == 403
    assert client_for(dinsos_operator).get(new).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        started = client_for(dinsos_operator).post(new, {**body, "per_page": 4})
    assert started.status_code == 302 and InvitationPrintJob.objects.count() == 2
    assert client_for(village_operator).post(new, {**body, "per_page": 4}).status_code == 404
