"""Field-device sync (issue 14 item 3): changes since a cursor (keyset paging), batch upload of visits
reported per item, each idempotent; conflicts shown with both versions, never overwritten."""

from __future__ import annotations

import base64
import io
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, assert_audited, audit_seq, client_for
from tepat.registry.models import Family
from tepat.updates import kinds
from tepat.updates.models import FieldVerification, Proposal
from tepat.updates.services.proposals import proposal_assign
from tepat.updates.tests.factories import create

MATRIX_ROUTES = {"GET /api/v1/sync/changes", "POST /api/v1/sync/visits"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lag(settings):
    settings.TEPAT_SYNC_LAG_SECONDS = 0


def _token(username: str) -> Client:
    response = Client().post("/api/v1/auth/login", json.dumps({"username": username, "password": PASSWORD}),
                             content_type="application/json")
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def _families(actors, n: int) -> list[Family]:
    from conftest import VILLAGE, make_kk, member_data
    from tepat.registry.services import family_create

    return [family_create(actor=actors.dinsos_operator, region_code=VILLAGE, correction_reason="test fixture",
                          data={"kk_number": make_kk(), "rw": "1", "rt": "02", "address": f"Kp. {i}"},
                          members=[member_data(name=f"Kepala {i}")]) for i in range(n)]


def _assigned(actors, family, n: int = 1) -> list[Proposal]:
    out = []
    for i, target in enumerate([family, *_families(actors, n - 1)]):
        proposal = create(actors, "change_data", {"target": "family", "changes": {"floor": 2 + (i % 5)}},
                          family=target)
        out.append(proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator))
    return out


def _all_pages(client: Client, limit: int, cursor: str = "") -> tuple[list[dict], str]:
    pages = []
    while True:
        response = client.get("/api/v1/sync/changes", {"cursor": cursor, "limit": limit})
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            return pages, cursor


def test_changes_page_through_every_assignment_once_then_only_what_changed(actors, family):
    proposals = _assigned(actors, family, 5)
    client = _token("psm")

    pages, cursor = _all_pages(client, limit=2)

    seen = [a["id"] for page in pages for a in page["assignments"]]
    assert sorted(seen) == sorted(str(p.pk) for p in proposals) and len(seen) == len(set(seen))
    assert len(pages) == 4  # 7 members (3 + 4 × 1) at 2 a page
    first = next(a for page in pages for a in page["assignments"] if a["family_id"] == str(family.pk))
    assert first["status"] == "in_verification" and first["facts"] and first["etag"].startswith('"')
    assert first["family"]["id"] == str(family.pk) and len(first["members"]) == 3
    assert first["members"][0]["nik"].isdigit()  # a facilitator sees full numbers (registry masking rules)
    assert pages[0]["reference"]["regions"] and "Floor" in pages[0]["reference"]["codes"]
    assert all(page["reference"] is None for page in pages[1:])

    # families and members streams started with every family of the open assignments, then stopped
    assert len({f["id"] for page in pages for f in page["families"]}) == 5

    # nothing changed: an empty page, same cursor content
    again = client.get("/api/v1/sync/changes", {"cursor": cursor}).json()
    assert again["assignments"] == again["families"] == again["members"] == [] and not again["has_more"]
    assert again["reference"] is None

    # the family changes on the server: only it comes next
    Family.objects.filter(pk=family.pk).update(address="Kp. Pindah", updated_at=timezone.now())
    later = client.get("/api/v1/sync/changes", {"cursor": cursor}).json()
    assert [f["id"] for f in later["families"]] == [str(family.pk)] and later["families"][0]["address"] == "Kp. Pindah"
    assert later["assignments"] == []


def test_changes_show_only_my_assignments_in_my_regions(actors, family, make_user):
    _assigned(actors, family, 2)
    other = make_user("facilitator", [family.region_id], "psm_dua")
    assert other
    page = _token("psm_dua").get("/api/v1/sync/changes").json()
    assert page["assignments"] == [] and page["families"] == [] and page["members"] == []


def test_changes_matrix(actors, family, other_village_operator, auditor, make_user):
    _assigned(actors, family)
    assert Client().get("/api/v1/sync/changes").status_code == 401  # anonymous
    assert client_for(auditor).get("/api/v1/sync/changes").status_code == 403  # wrong role: no updates.verify
    outsider = make_user("facilitator", [other_village_operator.region_assignments.get().region_id], "psm_lain")
    assert client_for(outsider).get("/api/v1/sync/changes").json()["assignments"] == []  # wrong region
    assert len(_token("psm").get("/api/v1/sync/changes").json()["assignments"]) == 1  # right one


def test_a_page_with_personal_data_is_recorded_and_attributed(actors, family):
    _assigned(actors, family)
    after = audit_seq()
    _token("psm").get("/api/v1/sync/changes")
    event = assert_audited("personal_data.view", actor=actors.facilitator, after=after, kind="sync_changes")
    assert event.data["via"]["kind"] == "token"


def test_a_bad_cursor_is_a_422(actors):
    response = _token("psm").get("/api/v1/sync/changes", {"cursor": "not-a-cursor"})
    assert response.status_code == 422 and response.json()["field"] == "cursor"


# --- upload ----------------------------------------------------------------------------------------------


def _visit(proposal: Proposal) -> dict:
    return {"visited_on": str(timezone.localdate()), "household_found": True, "outcome": "confirmed",
            "results": {fact.path: {"result": "confirmed"} for fact in kinds.facts(proposal.kind, proposal.payload)},
            "latitude": -6.05, "longitude": 106.11, "notes": "dikunjungi"}


def _item(proposal: Proposal, **extra) -> dict:
    return {"client_id": str(uuid.uuid4()), "proposal_id": str(proposal.pk), "visit": _visit(proposal), **extra}


def _upload(client: Client, items: list[dict]):
    return client.post("/api/v1/sync/visits", json.dumps({"items": items}), content_type="application/json")


def _png() -> bytes:
    from tepat.updates.tests.factories import png_upload

    return png_upload().read()


def test_batch_upload_reports_per_item_and_a_repeat_creates_nothing_more(actors, family):
    first, second = _assigned(actors, family, 2)
    client = _token("psm")
    good = _item(first, photos=[{"name": "rumah.png", "content_type": "image/png",
                                 "data": base64.b64encode(_png()).decode()}])
    bad = _item(second)
    bad["visit"]["outcome"] = "maybe"
    missing = {"client_id": "x-1", "proposal_id": str(uuid.uuid4()), "visit": _visit(second)}

    after = audit_seq()
    response = _upload(client, [good, bad, missing])

    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["ok", "error", "error"]
    assert body["ok"] == 1 and body["errors"] == 2
    assert body["results"][1]["field"] == "outcome" and set(body["results"][1]["message"]) == {"id", "en"}
    assert body["results"][2]["code"] == "not_found"
    assert FieldVerification.objects.filter(proposal=first).count() == 1
    assert not FieldVerification.objects.filter(proposal=second).exists()
    from tepat.updates.models import Document

    assert Document.objects.filter(verification__proposal=first).count() == 1  # the photo
    event = assert_audited("proposal.verify", actor=actors.facilitator, target=first, after=after)
    assert event.data["via"]["kind"] == "token"

    # the device retries the whole batch (it never saw the answer): the visit is not recorded twice
    again = _upload(client, [good]).json()
    assert again["results"][0]["status"] == "ok" and again["results"][0]["replayed"]
    assert FieldVerification.objects.filter(proposal=first).count() == 1
    # the same client_id with another visit: refused, not applied
    changed = {**good, "visit": {**good["visit"], "notes": "lain"}}
    assert _upload(client, [changed]).json()["results"][0]["code"] == "idempotency_key_reused"


def test_multipart_upload_with_photo_files(actors, family):
    (proposal,) = _assigned(actors, family)
    item = _item(proposal)
    photo = io.BytesIO(_png())
    photo.name = "rumah.png"
    response = _token("psm").post("/api/v1/sync/visits", {"items": json.dumps([item]),
                                                            f"photo:{item['client_id']}": photo})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"][0]["status"] == "ok"
    from tepat.updates.models import Document

    assert Document.objects.filter(verification__proposal=proposal).count() == 1


def test_a_visit_to_a_proposal_that_changed_is_a_conflict_with_both_versions(actors, family):
    proposal, moved_on = _assigned(actors, family, 2)
    client = _token("psm")
    etag = client.get(f"/api/v1/updates/proposals/{proposal.pk}")["ETag"]
    Proposal.objects.filter(pk=proposal.pk).update(note="diubah", updated_at=timezone.now())
    from tepat.updates.services.verification import verification_record

    visit = _visit(moved_on)  # another device (or the page) recorded the visit meanwhile
    verification_record(actor=actors.facilitator, proposal=moved_on, visited_on=timezone.localdate(),
                        household_found=True, outcome="confirmed", results=visit["results"])

    body = _upload(client, [_item(proposal, if_match=etag), _item(moved_on)]).json()

    stale, closed = body["results"]
    assert stale["status"] == "conflict" and stale["code"] == "stale_version"
    assert stale["current"]["id"] == str(proposal.pk) and stale["sent"]["visit"]["notes"] == "dikunjungi"
    assert closed["status"] == "conflict" and closed["code"] == "not_open"
    assert closed["current"]["status"] == "verified"
    assert body["conflicts"] == 2
    assert not FieldVerification.objects.filter(proposal=proposal).exists()
    assert FieldVerification.objects.filter(proposal=moved_on).count() == 1


def test_upload_matrix(actors, family, village_operator, other_village_operator):
    (proposal,) = _assigned(actors, family)
    item = _item(proposal)
    assert _upload(Client(), [item]).status_code == 401  # anonymous
    assert _upload(client_for(village_operator), [item]).status_code == 403  # wrong role: no updates.verify
    other_psm = Client()
    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM

    outsider = user_create(actor=SYSTEM, username="psm_lain", password=PASSWORD, role="facilitator",
                           region_codes=[other_village_operator.region_assignments.get().region_id])
    other_psm.force_login(outsider)
    assert _upload(other_psm, [item]).json()["results"][0]["code"] == "not_found"  # wrong region
    assert _upload(_token("psm"), [item]).json()["results"][0]["status"] == "ok"  # right one


def test_items_must_be_a_list_and_bounded(actors):
    client = _token("psm")
    response = client.post("/api/v1/sync/visits", json.dumps({"items": "x"}), content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "items"
    response = _upload(client, [{"client_id": str(i)} for i in range(51)])
    assert response.status_code == 422
