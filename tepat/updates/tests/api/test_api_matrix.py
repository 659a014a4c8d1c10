"""One authorization matrix per endpoint of the workflow API: anonymous 401, wrong role 403, wrong
region 404 (lists: 200 and empty), right actor 2xx. Refused requests record nothing and change nothing."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import OTHER_DISTRICT, OTHER_VILLAGE, client_for
from tepat.audit.models import AuditEvent
from tepat.updates import kinds
from tepat.updates.models import Proposal
from tepat.updates.tests.factories import (
    PDF_BYTES,
    create,
    json_member,
    new_family_payload,
    png_upload,
    to_approved,
)
from tepat.updates.tests.world import World

API = "/api/v1/updates"


@dataclass
class Case:
    method: str
    url: Callable[[World], str]
    right: str
    wrong_role: str
    wrong_region: str
    body: Callable[[World], Any] | None = None
    files: Callable[[World], dict] | None = None
    ok: int = 200
    is_list: bool = False  # out of scope: 200 with nothing in it, not 404


def _visit_body(w: World) -> dict:
    return {"visited_on": str(timezone.localdate()), "household_found": True, "outcome": "confirmed",
            "results": {f.path: {"result": "confirmed"} for f in kinds.facts("new_family", w.in_verification.payload)},
            "latitude": -6.05, "longitude": 106.11}


OTHER_VILLAGE_HEAD = "other_village_head"
OTHER_FACILITATOR = "other_facilitator"
OTHER_SUPERVISOR = "other_supervisor"

CASES = {
    "list_proposals": Case("get", lambda w: (w.submitted, f"{API}/proposals")[1], "village_operator", "administrator",
                           "other_village_operator", is_list=True),
    "create_proposal": Case("post", lambda w: f"{API}/proposals", "village_operator", "village_head",
                            "other_village_operator", ok=201,
                            body=lambda w: {"kind": "new_family", "region_code": "36.04.05.2001",
                                            "payload": new_family_payload()}),
    "create_member_proposal": Case("post", lambda w: f"{API}/proposals", "village_operator", "village_head",
                                   "other_village_operator", ok=201,
                                   body=lambda w: {"kind": "add_member", "family_id": str(w.family.pk),
                                                   "payload": {"member": json_member(relation=3, name="Anak")}}),
    "get_proposal": Case("get", lambda w: f"{API}/proposals/{w.submitted.pk}", "village_head", "administrator",
                         "other_village_operator"),
    "submit": Case("post", lambda w: f"{API}/proposals/{w.draft.pk}/submit", "village_operator", "village_head",
                   "other_village_operator", body=lambda w: {}),
    "withdraw": Case("post", lambda w: f"{API}/proposals/{w.draft.pk}/withdraw", "village_operator", "village_head",
                     "other_village_operator", body=lambda w: {"reason": "salah input"}),
    "assign": Case("post", lambda w: f"{API}/proposals/{w.submitted.pk}/assign", "village_operator", "village_head",
                   "other_village_operator", body=lambda w: {"auto": True}),
    "verification": Case("post", lambda w: f"{API}/proposals/{w.in_verification.pk}/verification", "facilitator",
                         "village_operator", OTHER_FACILITATOR, body=_visit_body),
    "approve": Case("post", lambda w: f"{API}/proposals/{w.accepted.pk}/approve", "dinsos_operator",
                    "village_operator", "other_dinsos_operator", body=lambda w: {"note": "lengkap"}),
    "reject": Case("post", lambda w: f"{API}/proposals/{w.accepted.pk}/reject", "dinsos_operator",
                   "village_head", "other_dinsos_operator", body=lambda w: {"reason": "data tidak lengkap"}),
    "documents": Case("post", lambda w: f"{API}/proposals/{w.submitted.pk}/documents", "village_operator",
                      "village_head", "other_village_operator", ok=201,
                      files=lambda w: {"kind": "kk", "file": SimpleUploadedFile("kk.pdf", PDF_BYTES)}),
    "queue": Case("get", lambda w: (w.submitted, f"{API}/queue")[1], "village_operator", "administrator",
                  "other_village_operator", is_list=True),
    "counts": Case("get", lambda w: (w.submitted, f"{API}/counts")[1], "dinsos_operator", "administrator",
                   "other_dinsos_operator", is_list=True),
    "objection": Case("post", lambda w: f"{API}/objections", "village_operator", "village_head",
                      "other_village_operator", ok=201,
                      body=lambda w: {"family_id": str(w.family.pk), "reason": "not_eligible",
                                      "statement": "sudah mampu"}),
    "list_deliberations": Case("get", lambda w: (w.planned, f"{API}/deliberations")[1], "village_head",
                               "administrator", "other_village_operator", is_list=True),
    "create_deliberation": Case("post", lambda w: f"{API}/deliberations", "village_operator", "dinsos_operator",
                                "other_village_operator", ok=201,
                                body=lambda w: {"region_code": "36.04.05.2001", "held_on": str(timezone.localdate()),
                                                "place": "Balai Desa", "chair_name": "H. Sukarna"}),
    "get_deliberation": Case("get", lambda w: f"{API}/deliberations/{w.planned.pk}", "village_head",
                             "administrator", "other_village_operator"),
    "attendees": Case("post", lambda w: f"{API}/deliberations/{w.planned.pk}/attendees", "village_operator",
                      "facilitator", "other_village_operator", ok=201,
                      body=lambda w: {"name": "Pak RW", "position": "Ketua RW 02"}),
    "agenda": Case("post", lambda w: f"{API}/deliberations/{w.planned.pk}/agenda", "village_operator",
                   "facilitator", "other_village_operator", body=lambda w: {"proposal_ids": [str(w.verified.pk)]}),
    "decision": Case("post", lambda w: f"{API}/deliberation-items/{w.item.pk}/decision", "village_head",
                     "facilitator", OTHER_VILLAGE_HEAD, body=lambda w: {"decision": "accepted"}),
    "finalise": Case("post", lambda w: (w.decided, f"{API}/deliberations/{w.planned.pk}/finalise")[1], "village_head",
                     "facilitator", OTHER_VILLAGE_HEAD, body=lambda w: {"number": "141/05/2025"}),
    "minutes": Case("get", lambda w: f"{API}/deliberations/{w.finalised.pk}/minutes.pdf", "village_head",
                    "administrator", OTHER_VILLAGE_HEAD),
    "sign": Case("post", lambda w: f"{API}/deliberations/{w.finalised.pk}/sign", "village_head", "facilitator",
                 OTHER_VILLAGE_HEAD, files=lambda w: {"file": SimpleUploadedFile("ba.pdf", PDF_BYTES)}),
    "facilitators": Case("get", lambda w: f"{API}/proposals/{w.submitted.pk}/facilitators", "village_operator",
                         "village_head", "other_village_operator"),
    "visit_with_photos": Case("post", lambda w: f"{API}/proposals/{w.in_verification.pk}/visit", "facilitator",
                              "village_operator", OTHER_FACILITATOR,
                              files=lambda w: {"data": json.dumps(_visit_body(w)), "photos": png_upload()}),
    "document_download": Case("get", lambda w: f"{API}/documents/{_document(w).pk}", "village_operator", "administrator",
                              "other_village_operator"),
    "decisions": Case("post", lambda w: f"{API}/deliberations/{w.planned.pk}/decisions", "village_head",
                      "facilitator", OTHER_VILLAGE_HEAD,
                      body=lambda w: {"decisions": {str(w.item.pk): {"decision": "accepted"}}}),
    "cancel_deliberation": Case("post", lambda w: f"{API}/deliberations/{w.planned.pk}/cancel", "village_operator",
                                "facilitator", "other_village_operator", body=lambda w: {"reason": "jadwal bentrok"}),
    "list_batches": Case("get", lambda w: (w.batch, f"{API}/batches")[1], "dinsos_operator", "administrator",
                         "other_dinsos_operator", is_list=True),
    "create_batch": Case("post", lambda w: (to_approved(w.actors, create(w.actors, "new_family", new_family_payload())),
                                            f"{API}/batches")[1], "dinsos_operator", "village_operator",
                         "other_dinsos_operator", ok=201,
                         body=lambda w: {"region_code": "36.04", "destination": "central"}),
    "batch_detail": Case("get", lambda w: f"{API}/batches/{w.batch.pk}", "dinsos_operator", "administrator",
                         "other_dinsos_operator"),
    "batch_file": Case("get", lambda w: f"{API}/batches/{w.batch.pk}/file", "dinsos_operator", "auditor",
                       "other_dinsos_operator"),
    "batch_response": Case("post", lambda w: f"{API}/batches/{w.batch.pk}/response", "dinsos_operator",
                           "auditor", "other_dinsos_operator",
                           files=lambda w: {"file": SimpleUploadedFile("jawaban.csv", (
                               "NO_BATCH;ID_USULAN;STATUS;KETERANGAN\n"
                               f"{w.batch.number};{w.batch.records.get().proposal.reference};DITERIMA;\n").encode())}),
    "list_periods": Case("get", lambda w: (w.period, f"{API}/periods")[1], "dinsos_operator", "administrator",
                         "other_dinsos_operator", is_list=True),
    "create_period": Case("post", lambda w: f"{API}/periods", "dinsos_operator", "village_operator",
                          "other_dinsos_operator", ok=201,
                          body=lambda w: {"region_code": "36.04", "starts_on": "2025-09-01"}),
    "determine": Case("post", lambda w: f"{API}/periods/{w.period.pk}/determine", "dinsos_supervisor",
                      "dinsos_operator", OTHER_SUPERVISOR,
                      body=lambda w: {"decree_number": "SK-7", "decree_date": "2025-07-31"}, ok=202),
    "resume": Case("post", lambda w: f"{API}/periods/{w.stopped_period.pk}/resume", "dinsos_supervisor",
                   "dinsos_operator", OTHER_SUPERVISOR, body=lambda w: {}, ok=202),
    "period_detail": Case("get", lambda w: f"{API}/periods/{w.two_periods[1].pk}", "dinsos_operator", "administrator",
                          "other_dinsos_operator"),
    "pull_back": Case("post", lambda w: f"{API}/proposals/{w.approved.pk}/pull-back", "dinsos_supervisor",
                      "dinsos_operator", OTHER_SUPERVISOR, body=lambda w: {"reason": "KK ganda"}),
    "diff": Case("get", lambda w: f"{API}/periods/diff?older={w.two_periods[0].pk}&newer={w.two_periods[1].pk}",
                 "dinsos_operator", "administrator", "other_dinsos_operator"),
    "list_freezes": Case("get", lambda w: (w.freeze, f"{API}/freezes")[1], "dinsos_operator", "administrator",
                         "other_dinsos_operator", is_list=True),
    "create_freeze": Case("post", lambda w: f"{API}/freezes", "dinsos_supervisor", "dinsos_operator",
                          OTHER_SUPERVISOR, ok=201,
                          body=lambda w: {"region_code": "36.04", "starts_on": "2025-09-01", "ends_on": "2025-09-30",
                                          "reason": "Pilkada"}),
    "lift_freeze": Case("post", lambda w: f"{API}/freezes/{w.freeze.pk}/lift", "dinsos_supervisor",
                        "dinsos_operator", OTHER_SUPERVISOR, body=lambda w: {"reason": "selesai"}),
}


@pytest.fixture
def other_village_head(make_user):
    return make_user("village_head", [OTHER_VILLAGE], "kades_lain")


@pytest.fixture
def other_facilitator(make_user):
    return make_user("facilitator", [OTHER_VILLAGE], "psm_lain")


@pytest.fixture
def other_supervisor(make_user):
    return make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_kota")


def _document(w: World):
    from tepat.updates.services.documents import document_add

    if not hasattr(w, "_document"):
        w._document = document_add(actor=w.actors.village_operator, proposal=w.submitted, kind="kk",
                                   upload=SimpleUploadedFile("kk.pdf", PDF_BYTES))
    return w._document


def _send(client, case: Case, w: World, url: str, body: Any):
    if case.method == "get":
        return client.get(url)
    if case.files is not None:
        return client.post(url, data=case.files(w))
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _empty(response) -> bool:
    body = response.json()
    if "items" in body:
        return body["items"] == []
    if "sections" in body:
        return all(section["proposals"] == [] for section in body["sections"])
    return all(row["count"] == 0 for row in body.values())


@pytest.mark.parametrize("name", list(CASES))
def test_endpoint_authorization_matrix(request, actors, name):
    case = CASES[name]
    world = World(request)
    url = case.url(world)
    body = case.body(world) if case.body else {}
    actors = [(None, 401), (case.wrong_role, 403), (case.wrong_region, 200 if case.is_list else 404)]
    users = {name: world.user(name) for name in (case.wrong_role, case.wrong_region, case.right)}
    for actor_name, expected in actors:
        user = users[actor_name] if actor_name else None
        events = AuditEvent.objects.count()
        proposals = list(Proposal.objects.order_by("pk").values_list("pk", "status"))

        response = _send(client_for(user), case, world, url, body)

        assert response.status_code == expected, (actor_name, response.content[:300])
        if case.is_list and expected == 200:
            assert _empty(response), actor_name
        if case.method == "post":
            assert AuditEvent.objects.count() == events, actor_name
            assert list(Proposal.objects.order_by("pk").values_list("pk", "status")) == proposals, actor_name

    response = _send(client_for(users[case.right]), case, world, url, body)

    assert response.status_code == case.ok, response.content[:500]
    if case.is_list:
        assert not _empty(response)
