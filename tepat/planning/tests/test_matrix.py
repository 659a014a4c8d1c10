"""Authorization matrices of every planning page and API route: anonymous, wrong role (no planning capability,
or a planner where the supervisor is needed), wrong region (the Dinsos of another district), and the right
actor. Refusals change nothing (no audit event)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import OTHER_DISTRICT, audit_seq, client_for
from tepat.planning.models import Realisation
from tepat.planning.tests.factories import SUB_A, small_plan

pytestmark = pytest.mark.django_db
API = "/api/v1/planning"

MATRIX_ROUTES = {
    f"GET {API}/plans", f"GET {API}/plans/{{plan_id}}/lines", f"POST {API}/plans/{{plan_id}}/realisation",
    f"POST {API}/plans/{{plan_id}}/advance", f"GET {API}/plans/{{plan_id}}/diff",
    f"GET {API}/plans/{{plan_id}}/findings",
    "page planning:plan_list", "page planning:plan_detail", "page planning:realisation_enter",
    "page planning:plan_action", "page planning:version_diff", "page planning:plan_export",
}

# name, method, url, body, needs the supervisor, right status, wrong-region status
CASES = [
    ("plans", "GET", lambda p: f"{API}/plans", None, False, 200, 200),
    ("lines", "GET", lambda p: f"{API}/plans/{p.pk}/lines", None, False, 200, 404),
    ("realisation", "POST", lambda p: f"{API}/plans/{p.pk}/realisation",
     {"quarter": 1, "code": SUB_A, "physical": "5", "financial": 1000000}, False, 200, 404),
    ("advance", "POST", lambda p: f"{API}/plans/{p.pk}/advance", {"reason": "forum"}, True, 200, 404),
    ("diff", "GET", lambda p: f"{API}/plans/{p.pk}/diff?a=1&b=1", None, False, 200, 404),
    ("findings", "GET", lambda p: f"{API}/plans/{p.pk}/findings", None, False, 200, 404),
]


def _call(client: Any, method: str, url: str, body: Any):
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, json.dumps(body) if body is not None else "", content_type="application/json")


@pytest.mark.parametrize("name,method,url,body,supervisor,right,wrong_region", CASES, ids=[c[0] for c in CASES])
def test_api_matrix(name, method, url, body, supervisor, right, wrong_region, dinsos_operator, dinsos_supervisor,
                    other_dinsos_operator, village_operator, make_user):
    plan = small_plan(dinsos_operator)
    target = url(plan)
    elsewhere = make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_lain") if supervisor else other_dinsos_operator
    seq = audit_seq()
    assert _call(client_for(None), method, target, body).status_code == 401
    assert _call(client_for(village_operator), method, target, body).status_code == 403
    if supervisor:
        assert _call(client_for(dinsos_operator), method, target, body).status_code == 403
    response = _call(client_for(elsewhere), method, target, body)
    assert response.status_code == wrong_region, response.content
    if name == "plans":
        assert response.json() == []
    assert audit_seq() == seq  # refusals changed nothing
    actor = dinsos_supervisor if supervisor else dinsos_operator
    response = _call(client_for(actor), method, target, body)
    assert response.status_code == right, response.content
    if name == "realisation":
        assert Realisation.objects.get(item__code=SUB_A).financial == 1_000_000
    if name == "lines":
        line = next(r for r in response.json() if r["code"] == SUB_A)
        assert line["pagu"] == 100_000_000 and line["achievement_text"].startswith("n/a")


def test_api_refuses_a_code_not_in_the_version(dinsos_operator):
    plan = small_plan(dinsos_operator)
    seq = audit_seq()
    response = _call(client_for(dinsos_operator), "POST", f"{API}/plans/{plan.pk}/realisation",
                     {"quarter": 1, "code": "9.99.99", "physical": "1"})
    assert response.status_code == 422
    assert "tidak ada dalam nomenklatur" in response.json()["errors"][0]["message_id"]
    assert audit_seq() == seq and not Realisation.objects.exists()


PAGES = [
    ("list", "GET", lambda p: "/renja/", False, 200, 200),
    ("detail", "GET", lambda p: f"/renja/{p.pk}/", False, 200, 404),
    ("realisation", "POST", lambda p: f"/renja/{p.pk}/baris/{p.current_version.lines.get(item__code=SUB_A).pk}"
     "/realisasi/", False, 302, 404),
    ("advance", "POST", lambda p: f"/renja/{p.pk}/aksi/advance/", True, 302, 404),
    ("diff", "GET", lambda p: f"/renja/{p.pk}/versi/", False, 200, 404),
    ("export", "GET", lambda p: f"/renja/{p.pk}/unduh.xlsx", False, 200, 404),
]


@pytest.mark.parametrize("name,method,url,supervisor,right,wrong_region", PAGES, ids=[p[0] for p in PAGES])
def test_page_matrix(name, method, url, supervisor, right, wrong_region, dinsos_operator, dinsos_supervisor,
                     other_dinsos_operator, village_operator, make_user):
    plan = small_plan(dinsos_operator)
    target = url(plan)
    data = {"quarter": "1", "physical": "4", "financial": "2.000.000", "reason": "forum"}
    call = (lambda client: client.get(target)) if method == "GET" else (lambda client: client.post(target, data))
    elsewhere = make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_lain") if supervisor else other_dinsos_operator
    seq = audit_seq()
    assert call(client_for(None)).status_code == 302  # to the sign-in page
    assert call(client_for(village_operator)).status_code == 403
    if supervisor:
        assert call(client_for(dinsos_operator)).status_code == 403
    assert call(client_for(elsewhere)).status_code == wrong_region
    if method == "POST" or name == "export":
        assert audit_seq() == seq
    response = call(client_for(dinsos_supervisor if supervisor else dinsos_operator))
    assert response.status_code == right
    if name == "list":
        assert b"Renja 2025" in response.content


def test_htmx_entry_answers_the_updated_row(dinsos_operator):
    plan = small_plan(dinsos_operator)
    line = plan.current_version.lines.get(item__code=SUB_A)
    response = client_for(dinsos_operator).post(f"/renja/{plan.pk}/baris/{line.pk}/realisasi/",
                                                {"quarter": "1", "physical": "10", "financial": "5000000"},
                                                HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="line-{line.pk}"') and ">50<" in html.replace(" ", "")  # 10 of 20 → 50 %
    bad = client_for(dinsos_operator).post(f"/renja/{plan.pk}/baris/{line.pk}/realisasi/",
                                           {"quarter": "1", "physical": "abc"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "bukan angka" in bad.content.decode()


def test_detail_shows_achievement_findings_and_the_diff(dinsos_operator, dinsos_supervisor):
    from tepat.planning.services import line_save, plan_advance

    plan = small_plan(dinsos_operator)
    plan = plan_advance(actor=dinsos_supervisor, plan=plan)
    line_save(actor=dinsos_operator, plan=plan, code=SUB_A, pagu=90_000_000, change_reason="efisiensi anggaran")
    page = client_for(dinsos_operator).get(f"/renja/{plan.pk}/").content.decode()
    assert 'data-rule="total_parts"' in page  # the kegiatan's budget no longer equals its parts
    diff = client_for(dinsos_operator).get(f"/renja/{plan.pk}/versi/").content.decode()
    assert "efisiensi anggaran" in diff and "100000000 → 90000000 (-10000000)" in diff
