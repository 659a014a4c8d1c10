"""Authorization matrix for every programme page and API operation: anonymous, wrong role, wrong region,
right one. A refused request leaves no audit event and changes nothing."""

from __future__ import annotations

import json

import pytest

from conftest import OTHER_DISTRICT, audit_seq, client_for
from tepat.audit.models import AuditEvent
from tepat.programs.models import BeneficiaryList, ProgrammeRelease, ReviewItem
from tepat.programs.services.lists import list_determine

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = {
    "page programs:index", "page programs:programme_new", "page programs:release_detail",
    "page programs:release_preview", "page programs:release_release", "page programs:release_new_version",
    "page programs:list_start", "page programs:list_detail", "page programs:list_recap", "page programs:list_decide",
    "page programs:family_explanation", "page programs:entry_substitute", "page programs:review_decide",
    "GET /api/v1/programs/releases", "POST /api/v1/programs/programmes", "POST /api/v1/programs/releases",
    "GET /api/v1/programs/releases/{release_id}", "PATCH /api/v1/programs/releases/{release_id}",
    "POST /api/v1/programs/releases/{release_id}/release", "POST /api/v1/programs/releases/{release_id}/new-version",
    "GET /api/v1/programs/releases/{release_id}/preview", "POST /api/v1/programs/releases/{release_id}/lists",
    "GET /api/v1/programs/lists/{list_id}", "GET /api/v1/programs/lists/{list_id}/entries",
    "GET /api/v1/programs/lists/{list_id}/recap", "GET /api/v1/programs/lists/{list_id}/families/{family_id}",
    "POST /api/v1/programs/lists/{list_id}/approve", "POST /api/v1/programs/lists/{list_id}/reject",
    "POST /api/v1/programs/lists/{list_id}/families/{family_id}/substitute",
    "GET /api/v1/programs/lists/{list_id}/review-items", "POST /api/v1/programs/review-items/{item_id}/confirm",
    "POST /api/v1/programs/review-items/{item_id}/dismiss", "GET /api/v1/programs/exclusivity",
}


@pytest.fixture
def ctx(world, make_user, village_head, facilitator, other_dinsos_operator):
    from tepat.programs.services.releases import release_new_version, release_release, release_update

    quota_draft = release_new_version(actor=world.op, release=world.pkh)
    release_update(actor=world.op, release=quota_draft, data={"quotas": {"36.04.05.2001": 2}})
    quota = release_release(actor=world.op, release=quota_draft)
    blist = list_determine(actor=world.op, release=quota, period=world.period, tahap=1)
    world.quota_list = blist
    recipient = blist.entries.filter(status="recipient", region_code="36.04.05.2001").order_by("rank").first()
    item = ReviewItem.objects.filter(list=blist).first()
    return {
        "w": world, "list": blist, "recipient": recipient, "item": item,
        "village_head": village_head, "facilitator": facilitator, "other_op": other_dinsos_operator,
        "other_spv": make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_kota"),
    }


def _paths(c):
    w, blist = c["w"], c["list"]
    rid, draft, lid = blist.release_id, w.blt_draft.pk, blist.pk
    fam = c["recipient"].family_id
    item = c["item"].pk
    return [
        # (method, url, body, wrong-role actor key, wrong-region actor key, right actor key, right status)
        ("get", "/program/", None, "village_head", None, "op", 200),
        ("get", "/program/baru/", None, "facilitator", None, "op", 200),
        ("get", f"/program/rilis/{rid}/", None, "village_head", "other_op", "op", 200),
        ("get", f"/program/rilis/{draft}/pratinjau/", None, "village_head", "other_op", "op", 200),
        ("post", f"/program/rilis/{draft}/rilis/", {}, "facilitator", "other_op", "op", 302),
        ("post", f"/program/rilis/{rid}/versi-baru/", {}, "facilitator", "other_op", "op", 302),
        ("post", f"/program/rilis/{rid}/daftar/", {"period": str(w.period.pk), "tahap": "2"}, "facilitator", "other_op", "op", 302),
        ("get", f"/program/daftar/{lid}/", None, "village_head", "other_op", "op", 200),
        ("get", f"/program/daftar/{lid}/rekap/", None, "village_head", "other_op", "op", 200),
        ("post", f"/program/daftar/{lid}/keputusan/", {"decision": "approve"}, "op", "other_spv", "spv", 302),
        ("get", f"/program/daftar/{lid}/keluarga/{fam}/", None, "village_head", "other_op", "op", 200),
        ("post", f"/program/daftar/{lid}/keluarga/{fam}/ganti/", {"reason": "meninggal"}, "op", "other_spv", "spv", 302),
        ("post", f"/program/tinjau/{item}/", {"decision": "dismiss", "note": "sudah dicek"}, "facilitator", "other_op", "op", 302),
        ("api_get", "/api/v1/programs/releases", None, "village_head", None, "op", 200),
        ("api_post", "/api/v1/programs/programmes", {"code": "BANSOS_KAB", "name": "Bansos Kabupaten",
                                                     "funding": "apbd_kab", "region": "36.04"},
         "facilitator", None, "op", 201),
        ("api_post", "/api/v1/programs/releases", {"programme": "PKH", "region": "36.04", "year": 2027,
                                                   "data": {"basis": "components", "schedule": [{"tahap": 1, "share_bp": 10000}]}},
         "facilitator", None, "op", 201),
        ("api_get", f"/api/v1/programs/releases/{rid}", None, "village_head", "other_op", "op", 200),
        ("api_patch", f"/api/v1/programs/releases/{draft}", {"data": {"amount": 600000}}, "facilitator", "other_op", "op", 200),
        ("api_post", f"/api/v1/programs/releases/{draft}/release", {}, "facilitator", "other_op", "op", 200),
        ("api_post", f"/api/v1/programs/releases/{rid}/new-version", {"note": "x"}, "facilitator", "other_op", "op", 201),
        ("api_get", f"/api/v1/programs/releases/{rid}/preview", None, "village_head", "other_op", "op", 200),
        ("api_post", f"/api/v1/programs/releases/{rid}/lists", {"period_id": str(w.period.pk), "tahap": 3},
         "facilitator", "other_op", "op", 202),
        ("api_get", f"/api/v1/programs/lists/{lid}", None, "village_head", "other_op", "op", 200),
        ("api_get", f"/api/v1/programs/lists/{lid}/entries", None, "village_head", "other_op", "op", 200),
        ("api_get", f"/api/v1/programs/lists/{lid}/recap", None, "village_head", "other_op", "op", 200),
        ("api_get", f"/api/v1/programs/lists/{lid}/families/{fam}", None, "village_head", "other_op", "op", 200),
        ("api_post", f"/api/v1/programs/lists/{lid}/approve", {"note": ""}, "op", "other_spv", "spv", 200),
        ("api_post", f"/api/v1/programs/lists/{lid}/reject", {"reason": "kuota salah"}, "op", "other_spv", "spv", 200),
        ("api_post", f"/api/v1/programs/lists/{lid}/families/{fam}/substitute", {"reason": "pindah"}, "op", "other_spv", "spv", 200),
        ("api_get", f"/api/v1/programs/lists/{lid}/review-items", None, "village_head", "other_op", "op", 200),
        ("api_post", f"/api/v1/programs/review-items/{item}/confirm", {"note": ""}, "facilitator", "other_op", "op", 200),
        ("api_post", f"/api/v1/programs/review-items/{item}/dismiss", {"reason": "ok"}, "facilitator", "other_op", "op", 200),
        ("api_get", "/api/v1/programs/exclusivity?region=36.04", None, "village_head", None, "op", 200),
    ]


def _call(client, method, url, body):
    if method == "get":
        return client.get(url)
    if method == "post":
        return client.post(url, body or {})
    if method == "api_get":
        return client.get(url)
    kind = method.split("_")[1]
    return getattr(client, kind)(url, data=json.dumps(body or {}), content_type="application/json")


def _snapshot():
    return (AuditEvent.objects.exclude(action="personal_data.view").count(),
            list(BeneficiaryList.objects.values_list("status", flat=True).order_by("pk")),
            list(ReviewItem.objects.values_list("status", flat=True).order_by("pk")),
            list(ProgrammeRelease.objects.values_list("status", flat=True).order_by("pk")))


@pytest.mark.parametrize("index", range(33))
def test_matrix(ctx, index):
    w = ctx["w"]
    actors = {"op": w.op, "spv": w.spv, "village_head": ctx["village_head"], "facilitator": ctx["facilitator"],
              "other_op": ctx["other_op"], "other_spv": ctx["other_spv"]}
    method, url, body, wrong_role, wrong_region, right, status = _paths(ctx)[index]
    api = method.startswith("api")
    before = _snapshot()
    seq = audit_seq()
    anonymous = _call(client_for(None), method, url, body)
    assert anonymous.status_code == (401 if api else 302), url
    refused = _call(client_for(actors[wrong_role]), method, url, body)
    assert refused.status_code == 403, (url, refused.status_code)
    if wrong_region:
        hidden = _call(client_for(actors[wrong_region]), method, url, body)
        assert hidden.status_code == 404, (url, hidden.status_code, hidden.content[:300])
    assert _snapshot() == before
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
    answer = _call(client_for(actors[right]), method, url, body)
    assert answer.status_code == status, (url, answer.status_code, answer.content[:500])
    if method in ("post", "api_post", "api_patch"):  # the right one's write happened and was audited
        assert AuditEvent.objects.filter(seq__gt=seq).exclude(action="personal_data.view").exists(), url


def test_matrix_covers_every_route():
    assert len(MATRIX_ROUTES) == 33
