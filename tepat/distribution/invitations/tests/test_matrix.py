"""Authorization matrices of every invitation page and API route: anonymous, wrong role, wrong region and
the right actor; refusals change nothing (no scan row, no audit event)."""

from __future__ import annotations

import json

import pytest

from conftest import VILLAGE, audit_seq, client_for
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.api import router
from tepat.distribution.invitations.models import InvitationScan
from tepat.distribution.invitations.tests.factories import invitation

pytestmark = pytest.mark.django_db
API = "/api/v1/invitations"
SOURCE = "tepat.distribution.invitations.tests.factories.source"
MATRIX_ROUTES = {f"GET {API}/keys", f"POST {API}/scan", f"GET {API}/villages/{{village_code}}/pdf",
                 "page invitations:scan", "page invitations:print"}


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _state():
    return InvitationScan.objects.count(), audit_seq()


def test_every_api_route_is_in_a_matrix():
    routes = {f"{method} {path}" for path, view in router.path_operations.items()
              for op in view.operations for method in op.methods}
    assert routes == {"GET /keys", "POST /scan", "GET /villages/{village_code}/pdf", "POST /jobs", "GET /jobs/{job_id}",
                      "GET /jobs/{job_id}/file"}


def test_keys_need_a_session_of_any_role_and_hold_only_public_keys(village_head):
    assert client_for(None).get(f"{API}/keys").status_code == 401
    for client in (client_for(village_head),):
        response = client.get(f"{API}/keys")
        assert response.status_code == 200
        body = response.json()
        assert body["algorithm"] == "Ed25519"
        assert {k["key_id"]: k["current"] for k in body["keys"]} == {"inv-2025": False, "inv-2026": True}
        assert "3UKHNz23NC7r" not in response.content.decode()  # the private seed never leaves


def test_scan_api_matrix(facilitator, village_head, auditor, other_village_operator):
    token = signing.sign(invitation())
    url, body = f"{API}/scan", {"token": token, "device": "HP-01"}
    before = _state()
    assert _post(client_for(None), url, body).status_code == 401
    assert _post(client_for(village_head), url, body).status_code == 403
    assert _post(client_for(auditor), url, body).status_code == 403
    assert _post(client_for(other_village_operator), url, body).status_code == 404
    assert _state() == before  # refusals changed nothing
    response = _post(client_for(facilitator), url, body)
    assert response.status_code == 200
    assert response.json()["verdict"] == "accepted" and response.json()["payload"]["kpm_ref"] == "KPM-0000001"
    again = _post(client_for(facilitator), url, body).json()
    assert again["verdict"] == "already_used" and again["scan"]["scanned_by"] == facilitator.username
    assert InvitationScan.objects.count() == 1


def test_scan_api_answers_invalid_tokens_with_the_reason_and_refuses_a_bad_shape(facilitator):
    client = client_for(facilitator)
    expired = signing.sign(invitation(expires_on=invitation().expires_on.replace(year=2025)))
    body = _post(client, f"{API}/scan", {"token": expired}).json()
    assert (body["verdict"], body["reason"]) == ("invalid", "expired")
    assert body["message_id"].startswith("Undangan kedaluwarsa") and body["message_en"].startswith("The invitation")
    assert _post(client, f"{API}/scan", {"device": "x"}).status_code == 422
    assert not InvitationScan.objects.exists()


def test_pdf_api_matrix(settings, village_operator, facilitator, other_village_operator):
    settings.TEPAT_INVITATION_SOURCE = SOURCE
    url = f"{API}/villages/{VILLAGE}/pdf?programme=BPNT&tahap=4&per_page=4"
    before = _state()
    assert client_for(None).get(url).status_code == 401
    assert client_for(facilitator).get(url).status_code == 403  # scans, does not print
    assert client_for(other_village_operator).get(url).status_code == 404
    assert _state() == before
    response = client_for(village_operator).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and audit_seq() > before[1]
    assert client_for(village_operator).get(url.replace("per_page=4", "per_page=3")).status_code == 422


def test_pdf_without_a_wired_source_is_a_clear_409(settings, village_operator):
    settings.TEPAT_INVITATION_SOURCE = ""  # switched off (the default reads the distribution lists)
    response = client_for(village_operator).get(f"{API}/villages/{VILLAGE}/pdf?programme=BPNT&tahap=4")
    assert response.status_code == 409 and "TEPAT_INVITATION_SOURCE" in response.json()["message"]["en"]


def test_scan_page_matrix(facilitator, village_head, other_village_operator):
    token = signing.sign(invitation())
    url = "/penyaluran/undangan/pindai/"
    before = _state()
    assert client_for(None).get(url).status_code == 302  # to the sign-in page
    assert client_for(None).post(url, {"token": token}).status_code == 302
    assert client_for(village_head).get(url).status_code == 403
    assert client_for(village_head).post(url, {"token": token}).status_code == 403
    assert client_for(other_village_operator).post(url, {"token": token}).status_code == 404
    assert _state() == before
    page = client_for(facilitator).get(url)
    assert page.status_code == 200 and 'name="token"' in page.content.decode()
    done = client_for(facilitator).post(url, {"token": token, "device": "HP-01"})
    assert done.status_code == 200 and 'data-verdict="accepted"' in done.content.decode()
    partial = client_for(facilitator).post(url, {"token": token}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert 'data-verdict="already_used"' in text and "<html" not in text and "sudah dipakai" in text


def test_print_page_matrix(settings, village_operator, facilitator, other_village_operator):
    settings.TEPAT_INVITATION_SOURCE = SOURCE
    url = f"/penyaluran/undangan/cetak/{VILLAGE}/"
    query = {"programme": "BPNT", "tahap": 4, "per_page": 1}
    before = _state()
    assert client_for(None).get(url, query).status_code == 302
    assert client_for(facilitator).get(url, query).status_code == 403
    assert client_for(other_village_operator).get(url, query).status_code == 404
    assert _state() == before
    assert client_for(village_operator).get(url).status_code == 200  # the form
    response = client_for(village_operator).get(url, query)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_an_offline_scan_synced_later_keeps_its_time_and_day(facilitator, village_operator):
    from datetime import datetime, timedelta

    from django.utils import timezone

    token = signing.sign(invitation(expires_on=timezone.localdate() - timedelta(days=1)))  # expired since yesterday
    when = timezone.localtime() - timedelta(days=2)  # scanned offline two days ago, still valid then
    body = _post(client_for(facilitator), f"{API}/scan",
                 {"token": token, "device": "HP-07", "scanned_at": when.isoformat()}).json()
    assert body["verdict"] == "accepted"
    assert datetime.fromisoformat(body["scan"]["scanned_at"]) == when
    later = _post(client_for(village_operator), f"{API}/scan",
                  {"token": token, "scanned_at": (when + timedelta(hours=1)).isoformat()}).json()
    assert later["verdict"] == "already_used"
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert _post(client_for(facilitator), f"{API}/scan", {"token": token, "scanned_at": future}).status_code == 422
    assert InvitationScan.objects.count() == 1
