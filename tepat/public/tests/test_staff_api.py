"""The staff JSON API of the village queue of citizens' reports (/api/v1/citizen-reports/…): list, detail,
forward, mark abuse, the objector's contact. Authorization matrix of every route (anonymous, wrong role,
wrong region, right); writes audited; refusals change nothing; the objector never in list or detail."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import DISTRICT, assert_audited, audit_seq, client_for
from tepat.public.models import CitizenReport
from tepat.public.tests.test_public import _code, _sanggah
from tepat.updates.models import Objection

pytestmark = pytest.mark.django_db
API = "/api/v1/citizen-reports"

MATRIX_ROUTES = {
    f"GET {API}", f"GET {API}/{{report_id}}", f"POST {API}/{{report_id}}/forward",
    f"POST {API}/{{report_id}}/mark-abuse", f"POST {API}/{{report_id}}/contact",
}


@pytest.fixture
def report(approved):
    return CitizenReport.objects.get(tracking_code=_code(_sanggah()))


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _state(report) -> tuple:
    report.refresh_from_db()
    return report.status, report.proposal_id, report.handling_note


def test_list_and_detail_never_show_the_objector(report, village_operator):
    client = client_for(village_operator)
    rows = client.get(API).json()
    assert [r["tracking_code"] for r in rows] == [report.tracking_code]
    assert rows[0]["status"] == "received" and rows[0]["identified"] is True
    assert set(rows[0]["actions"]) == {"forward", "mark_abuse"}
    detail = client.get(f"{API}/{report.pk}")
    assert detail.status_code == 200 and detail.json()["statement"] == "Punya mobil dan toko besar."
    for text in (str(rows), detail.content.decode()):
        assert "Pelapor" not in text and "0812" not in text
    assert client.get(API, {"status": "abuse"}).json() == []
    assert len(client.get(API, {"status": ""}).json()) == 1
    bad = client.get(API, {"status": "nonsense"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_forward_makes_a_citizen_objection_audited(report, village_operator):
    seq = audit_seq()
    response = _post(client_for(village_operator), f"{API}/{report.pk}/forward")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "forwarded" and body["proposal_reference"] and body["actions"] == []
    report.refresh_from_db()
    objection = Objection.objects.get(proposal=report.proposal)
    assert objection.source == "citizen" and "Pelapor" not in objection.objector_name
    assert_audited("citizen_report.forward", actor=village_operator, target=report, after=seq)
    again = _post(client_for(village_operator), f"{API}/{report.pk}/forward")
    assert again.status_code in (403, 409)


def test_forward_with_an_unknown_reference_is_refused_with_the_field(report, village_operator):
    seq, before = audit_seq(), _state(report)
    response = _post(client_for(village_operator), f"{API}/{report.pk}/forward", {"proposal_reference": "USL-0000"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "proposal_reference"
    assert _state(report) == before and audit_seq() == seq


def test_mark_abuse_needs_a_reason_and_is_audited(report, village_operator):
    client = client_for(village_operator)
    seq, before = audit_seq(), _state(report)
    empty = _post(client, f"{API}/{report.pk}/mark-abuse", {"reason": "  "})
    assert empty.status_code == 422 and _state(report) == before and audit_seq() == seq
    response = _post(client, f"{API}/{report.pk}/mark-abuse", {"reason": "spam berulang"})
    assert response.status_code == 200 and response.json()["status"] == "abuse"
    assert response.json()["handling_note"] == "spam berulang"
    assert_audited("citizen_report.mark_abuse", actor=village_operator, target=report, after=seq)


def test_contact_for_dinsos_only_and_audited(report, village_operator, dinsos_operator):
    seq = audit_seq()
    refused = _post(client_for(village_operator), f"{API}/{report.pk}/contact")
    assert refused.status_code == 403 and "0812" not in refused.content.decode() and audit_seq() == seq
    response = _post(client_for(dinsos_operator), f"{API}/{report.pk}/contact")
    assert response.json() == {"name": "Pelapor Rahasia", "contact": "0812-1111-2222"}
    assert_audited("citizen_report.contact_view", actor=dinsos_operator, target=report, after=seq)


ROUTES = [  # (method, suffix, body, right actor fixture, expected on the right actor)
    ("get", "", None, "village_operator", 200),
    ("get", "/{id}", None, "village_operator", 200),
    ("post", "/{id}/forward", {}, "village_operator", 200),
    ("post", "/{id}/mark-abuse", {"reason": "spam"}, "village_operator", 200),
    ("post", "/{id}/contact", None, "dinsos_operator", 200),
]


@pytest.mark.parametrize(("method", "suffix", "body", "right", "expected"), ROUTES,
                         ids=[f"{m} {s}" for m, s, *_ in ROUTES])
def test_staff_api_matrix(method, suffix, body, right, expected, report, request, make_user,
                          other_village_operator):
    url = API + suffix.replace("{id}", str(report.pk))

    def call(client):
        if method == "get":
            return client.get(url)
        return _post(client, url, body)

    admin = client_for(make_user("administrator", [DISTRICT], "adm_api"))
    wrong_region = client_for(other_village_operator)
    right_client = client_for(request.getfixturevalue(right))
    seq, before = audit_seq(), _state(report)
    # anonymous: 401, nothing changed
    assert call(Client()).status_code == 401
    # wrong role (administrator: no updates.view): 403
    assert call(admin).status_code == 403
    # wrong region (the operator of another village): 404 for one report, not listed in the queue
    wrong = call(wrong_region)
    if suffix:
        assert wrong.status_code == 404
    else:
        assert wrong.status_code == 200 and wrong.json() == []
    assert _state(report) == before and audit_seq() == seq
    # right
    actor = request.getfixturevalue(right)
    response = call(right_client)
    assert response.status_code == expected, response.content
    if "forward" in suffix:
        assert_audited("citizen_report.forward", actor=actor, target=report, after=seq)
    elif "mark-abuse" in suffix:
        assert_audited("citizen_report.mark_abuse", actor=actor, target=report, after=seq)
    elif "contact" in suffix:
        assert_audited("citizen_report.contact_view", actor=actor, target=report, after=seq)
    else:
        assert report.tracking_code in response.content.decode()
