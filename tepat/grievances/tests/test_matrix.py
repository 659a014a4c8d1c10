"""Authorization matrices of every grievances page and API route: anonymous, wrong role (no grievances
capability), wrong region (an officer of another village), and the right actor. Refusals change nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE, audit_seq, client_for
from tepat.grievances.models import Complaint, Escalation, Holiday
from tepat.grievances.services.complaints import complaint_wait
from tepat.grievances.services.referrals import referral_create
from tepat.grievances.tests.factories import about_family, assessed, service
from tepat.updates.tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db
API = "/api/v1/grievances"

MATRIX_ROUTES = {
    f"GET {API}/categories", f"GET {API}/services", f"POST {API}/categories", f"POST {API}/services", f"GET {API}/subjects", f"GET {API}/complaints",
    f"POST {API}/complaints", f"GET {API}/complaints/{{complaint_id}}",
    f"POST {API}/complaints/{{complaint_id}}/attachments", f"POST {API}/complaints/{{complaint_id}}/assign",
    f"POST {API}/complaints/{{complaint_id}}/assess", f"POST {API}/complaints/{{complaint_id}}/decide",
    f"POST {API}/complaints/{{complaint_id}}/follow-up", f"POST {API}/complaints/{{complaint_id}}/referrals",
    f"POST {API}/complaints/{{complaint_id}}/wait", f"POST {API}/complaints/{{complaint_id}}/resume",
    f"POST {API}/complaints/{{complaint_id}}/close", f"POST {API}/complaints/{{complaint_id}}/reject",
    f"POST {API}/complaints/{{complaint_id}}/duplicate", f"GET {API}/referrals/{{referral_id}}",
    f"GET {API}/referrals/{{referral_id}}/letter", f"POST {API}/referrals/{{referral_id}}/acknowledge",
    f"POST {API}/referrals/{{referral_id}}/outcome", f"POST {API}/referrals/{{referral_id}}/cancel",
    f"GET {API}/dashboard", f"POST {API}/escalations/{{escalation_id}}/acknowledge", f"GET {API}/statistics",
    f"GET {API}/holidays", f"POST {API}/holidays", f"DELETE {API}/holidays/{{day}}", f"GET {API}/sla-targets",
    f"POST {API}/sla-targets",
    "page grievances:complaint_list", "page grievances:complaint_new", "page grievances:subject_lookup",
    "page grievances:complaint_detail", "page grievances:complaint_action", "page grievances:referral_letter",
    "page grievances:referral_action", "page grievances:dashboard", "page grievances:escalation_ack",
    "page grievances:holidays", "page grievances:verify",
}


@dataclass
class Ctx:
    op: Any
    family: Any
    case: Complaint | None = None
    other: Complaint | None = None
    referral: Any = None
    escalation: Any = None


def _setup(state: str, op: Any, family: Any) -> Ctx:
    ctx = Ctx(op, family)
    if state == "none":
        return ctx
    if state in ("referral", "decided"):
        ctx.case = assessed(op, about_family(op, family, "service-referral"), decide=True)
        if state == "referral":
            ctx.referral = referral_create(actor=op, complaint=ctx.case, service=service())
        return ctx
    ctx.case = about_family(op, family)
    ctx.other = about_family(op, family)
    if state in ("assessed", "waiting"):
        ctx.case = assessed(op, ctx.case)
    if state == "waiting":
        ctx.case = complaint_wait(actor=op, complaint=ctx.case, reason="menunggu")
    if state == "escalated":
        ctx.escalation = Escalation.objects.create(complaint=ctx.case, stage="registered", state="breached",
                                                   region_code=VILLAGE)
    return ctx


# (name, method, url, body, setup state, right status, wrong-region status or None when not regional)
A = API
CASES: list[tuple[str, str, Any, Any, str, int, int | None]] = [
    ("categories", "GET", lambda c: f"{A}/categories", None, "none", 200, None),
    ("services", "GET", lambda c: f"{A}/services", None, "none", 200, None),
    ("subjects", "GET", lambda c: f"{A}/subjects?q=Budi+Santoso", None, "none", 200, 200),
    ("list", "GET", lambda c: f"{A}/complaints", None, "registered", 200, 200),
    ("create", "POST", lambda c: f"{A}/complaints", lambda c: {
        "channel": "counter", "category": "data-wrong", "description": "salah", "subject_kind": "family",
        "family_id": str(c.family.pk), "complainant_anonymous": True}, "none", 201, 404),
    ("get", "GET", lambda c: f"{A}/complaints/{c.case.pk}", None, "registered", 200, 404),
    ("attach", "POST", lambda c: f"{A}/complaints/{c.case.pk}/attachments", "FILE", "registered", 201, 404),
    ("assign", "POST", lambda c: f"{A}/complaints/{c.case.pk}/assign", lambda c: {"handler_id": c.op.pk},
     "registered", 200, 404),
    ("assess", "POST", lambda c: f"{A}/complaints/{c.case.pk}/assess",
     {"assessment": "a", "recommendation": "b"}, "registered", 200, 404),
    ("decide", "POST", lambda c: f"{A}/complaints/{c.case.pk}/decide", {"decision": "d"}, "assessed", 200, 404),
    ("follow-up", "POST", lambda c: f"{A}/complaints/{c.case.pk}/follow-up",
     {"payload": {"target": "family", "changes": {"address": "Kp. Baru"}}}, "assessed", 201, 404),
    ("refer", "POST", lambda c: f"{A}/complaints/{c.case.pk}/referrals", lambda c: {"service_id": str(service().pk)},
     "decided", 201, 404),
    ("wait", "POST", lambda c: f"{A}/complaints/{c.case.pk}/wait", {"reason": "r"}, "registered", 200, 404),
    ("resume", "POST", lambda c: f"{A}/complaints/{c.case.pk}/resume", None, "waiting", 200, 404),
    ("close", "POST", lambda c: f"{A}/complaints/{c.case.pk}/close", {"note": "n"}, "assessed", 200, 404),
    ("reject", "POST", lambda c: f"{A}/complaints/{c.case.pk}/reject", {"reason": "r"}, "registered", 200, 404),
    ("duplicate", "POST", lambda c: f"{A}/complaints/{c.case.pk}/duplicate", lambda c: {"original": c.other.reference},
     "registered", 200, 404),
    ("referral", "GET", lambda c: f"{A}/referrals/{c.referral.pk}", None, "referral", 200, 404),
    ("letter", "GET", lambda c: f"{A}/referrals/{c.referral.pk}/letter", None, "referral", 200, 404),
    ("acknowledge", "POST", lambda c: f"{A}/referrals/{c.referral.pk}/acknowledge", {"received_by": "Ani"},
     "referral", 200, 404),
    ("outcome", "POST", lambda c: f"{A}/referrals/{c.referral.pk}/outcome", {"outcome": "ok"}, "referral", 200, 404),
    ("cancel", "POST", lambda c: f"{A}/referrals/{c.referral.pk}/cancel", {"reason": "salah"}, "referral", 200, 404),
    ("dashboard", "GET", lambda c: f"{A}/dashboard", None, "registered", 200, 200),
    ("escalation", "POST", lambda c: f"{A}/escalations/{c.escalation.pk}/acknowledge", None, "escalated", 200, 404),
    ("statistics", "GET", lambda c: f"{A}/statistics?region={VILLAGE}", None, "registered", 200, 404),
    ("holidays", "GET", lambda c: f"{A}/holidays?year=2026", None, "none", 200, None),
    ("targets", "GET", lambda c: f"{A}/sla-targets", None, "none", 200, None),
]


def _call(client: Any, method: str, url: str, body: Any):
    if body == "FILE":
        return client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")})
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, json.dumps(body) if body is not None else "", content_type="application/json")


@pytest.mark.parametrize("name,method,url,body,state,right,wrong_region", CASES, ids=[c[0] for c in CASES])
def test_api_matrix(name, method, url, body, state, right, wrong_region, village_operator, other_village_operator,
                    village_head, family):
    ctx = _setup(state, village_operator, family)
    target, payload = url(ctx), body(ctx) if callable(body) else body
    before = (Complaint.objects.count(), audit_seq())
    assert _call(client_for(None), method, target, payload).status_code == 401
    assert _call(client_for(village_head), method, target, payload).status_code == 403
    if wrong_region is not None:
        response = _call(client_for(other_village_operator), method, target, payload)
        assert response.status_code == wrong_region, response.content
        if wrong_region == 200 and method == "GET" and name in ("list", "subjects"):
            assert response.json() == []
    if method != "GET":
        assert (Complaint.objects.count(), audit_seq()) == before  # refusals changed nothing
    response = _call(client_for(village_operator), method, target, payload)
    assert response.status_code == right, response.content


@pytest.mark.parametrize("method,suffix,body", [
    ("POST", "/holidays", {"date": "2026-12-24", "name": "Cuti bersama Natal"}),
    ("DELETE", "/holidays/2026-12-25", None),
    ("POST", "/sla-targets", {"category": "data-wrong", "stage": "registered", "working_days": 3}),
    ("POST", "/categories", {"code": "data-kk-split", "parent": "data", "name_id": "Pecah KK", "name_en": "KK split",
                             "follow_up": "data_change", "desk": "village"}),
    ("POST", "/services", {"institution_code": "baznas", "institution_name": "BAZNAS", "code": "zakat",
                           "name_id": "Bantuan zakat"}),
])
def test_settings_api_matrix(method, suffix, body, village_operator, dinsos_supervisor, village_head):
    """The calendar and the targets are the district's: only `grievances.configure` (the supervisor)."""
    url = API + suffix
    seq = audit_seq()
    assert _call(client_for(None), method, url, body).status_code == 401
    assert _call(client_for(village_head), method, url, body).status_code == 403
    assert _call(client_for(village_operator), method, url, body).status_code == 403
    assert audit_seq() == seq and Holiday.objects.filter(date=date(2026, 12, 25)).exists()
    assert _call(client_for(dinsos_supervisor), method, url, body).status_code in (200, 201, 204)
    assert audit_seq() > seq


PAGES = [
    ("GET", lambda c: "/pengaduan/", "none", 200, 200),
    ("GET", lambda c: "/pengaduan/baru/", "none", 200, 200),
    ("GET", lambda c: "/pengaduan/baru/cari/?q=Budi+Santoso", "none", 200, 200),
    ("GET", lambda c: f"/pengaduan/kasus/{c.case.pk}/", "registered", 200, 404),
    ("POST", lambda c: f"/pengaduan/kasus/{c.case.pk}/assess/", "registered", 302, 404),
    ("GET", lambda c: f"/pengaduan/rujukan/{c.referral.pk}/surat.pdf", "referral", 200, 404),
    ("POST", lambda c: f"/pengaduan/rujukan/{c.referral.pk}/acknowledge/", "referral", 302, 404),
    ("GET", lambda c: "/pengaduan/dasbor/", "registered", 200, 200),
    ("POST", lambda c: f"/pengaduan/eskalasi/{c.escalation.pk}/baca/", "escalated", 302, 404),
    ("GET", lambda c: "/pengaduan/kalender/", "none", 200, 200),
]


@pytest.mark.parametrize("method,url,state,right,wrong_region", PAGES,
                         ids=["list", "new", "lookup", "detail", "action", "letter", "referral_action", "dashboard",
                              "escalation_ack", "holidays"])
def test_page_matrix(method, url, state, right, wrong_region, village_operator, other_village_operator, village_head,
                     family):
    ctx = _setup(state, village_operator, family)
    target = url(ctx)
    data = {"assessment": "a", "recommendation": "b", "received_by": "Ani"}
    call = (lambda client: client.get(target)) if method == "GET" else (lambda client: client.post(target, data))
    seq = audit_seq()
    assert call(client_for(None)).status_code == 302  # to the sign-in page
    assert call(client_for(village_head)).status_code == 403
    assert call(client_for(other_village_operator)).status_code == wrong_region
    if method == "POST":
        assert audit_seq() == seq
    assert call(client_for(village_operator)).status_code == right


def test_verify_page_answers_without_login_and_without_personal_data(village_operator, family):
    from tepat.grievances.letters import letter_token

    ctx = _setup("referral", village_operator, family)
    token = letter_token(ctx.referral)
    response = client_for(None).get(f"/pengaduan/verifikasi/{token}/")
    body = response.content.decode()
    assert response.status_code == 200 and ctx.referral.letter_number in body and "Dinas Kesehatan" in body
    assert "Budi" not in body and ctx.case.reference not in body and family.kk_number not in body
    bad = client_for(None).get(f"/pengaduan/verifikasi/{token[:-2]}xy/")
    assert bad.status_code == 404 and ctx.referral.letter_number not in bad.content.decode()
