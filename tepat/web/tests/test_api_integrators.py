"""The API for integrators (issue 14): Idempotency-Key replay, If-Match/ETag → 409, the error shape."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, VILLAGE, assert_audited, audit_seq, client_for
from tepat.accounts.models import IdempotencyRecord
from tepat.updates.models import Proposal
from tepat.updates.tests.factories import new_family_payload


def _token(username: str) -> str:
    response = Client().post("/api/v1/auth/login", json.dumps({"username": username, "password": PASSWORD}),
                             content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


def _bearer(username: str, **headers) -> Client:
    return Client(headers={"Authorization": f"Bearer {_token(username)}", **headers})


def _proposal_body() -> str:
    return json.dumps({"kind": "new_family", "region_code": VILLAGE, "payload": new_family_payload(), "submit": True})


def _post(client: Client, path: str, body: str, key: str | None = None, **headers):
    if key:
        headers["Idempotency-Key"] = key
    return client.post(path, body, content_type="application/json", headers=headers)


# --- idempotency ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_key_twice_creates_one_proposal_and_replays_the_first_answer(village_operator):
    client = _bearer("op_desa")
    body, key = _proposal_body(), str(uuid.uuid4())

    first = _post(client, "/api/v1/updates/proposals", body, key)
    second = _post(client, "/api/v1/updates/proposals", body, key)

    assert first.status_code == 201, first.content[:300]
    assert second.status_code == 201 and second.content == first.content
    assert second["Idempotency-Replayed"] == "true" and not first.has_header("Idempotency-Replayed")
    assert Proposal.objects.count() == 1
    proposal = Proposal.objects.get()
    event = assert_audited("proposal.create", actor=village_operator, target=proposal)
    assert event.data["via"]["kind"] == "token"


@pytest.mark.django_db
def test_same_key_with_another_body_is_422_and_creates_nothing_more(village_operator):
    client = _bearer("op_desa")
    key = "kunci-1"
    assert _post(client, "/api/v1/updates/proposals", _proposal_body(), key).status_code == 201
    after = audit_seq()

    response = _post(client, "/api/v1/updates/proposals", _proposal_body(), key)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field"] == "Idempotency-Key" and set(response.json()["message"]) == {"id", "en"}
    assert Proposal.objects.count() == 1 and audit_seq() == after


@pytest.mark.django_db
def test_keys_are_per_actor_and_without_a_key_every_post_acts(village_operator, make_user):
    make_user("village_operator", [VILLAGE], "op_desa_dua")
    body = _proposal_body()
    assert _post(_bearer("op_desa"), "/api/v1/updates/proposals", body, "k").status_code == 201
    # another user with the same key: a separate request, its own proposal (another family: no duplicate KK)
    other = json.loads(_proposal_body())
    other["payload"]["family"]["kk_number"] = other["payload"]["family"]["kk_number"][:-4] + "0999"
    assert _post(_bearer("op_desa_dua"), "/api/v1/updates/proposals", json.dumps(other), "k").status_code == 201
    assert Proposal.objects.count() == 2
    session = client_for(village_operator)  # the session user = the token's user: the same actor, replayed
    assert _post(session, "/api/v1/updates/proposals", body, "k")["Idempotency-Replayed"] == "true"
    assert Proposal.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_is_not_remembered(village_operator):
    client = _bearer("op_desa")
    bad = json.dumps({"kind": "new_family", "region_code": VILLAGE, "payload": {}})
    assert _post(client, "/api/v1/updates/proposals", bad, "k2").status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert _post(client, "/api/v1/updates/proposals", _proposal_body(), "k2").status_code == 201


@pytest.mark.django_db
def test_a_key_in_progress_is_409(village_operator):
    from django.test import RequestFactory

    from tepat.accounts.idempotency import _body_hash

    client = _bearer("op_desa")
    body = _proposal_body()
    running = RequestFactory().post("/api/v1/updates/proposals", body, content_type="application/json")
    IdempotencyRecord.objects.create(actor_key=f"user:{village_operator.pk}", key="busy", method="POST",
                                     path="/api/v1/updates/proposals", body_hash=_body_hash(running),
                                     expires_at=timezone.now() + timezone.timedelta(hours=1))  # status 0: running
    response = _post(client, "/api/v1/updates/proposals", body, "busy")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_in_progress"
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_an_invalid_key_is_refused(village_operator):
    response = _post(_bearer("op_desa"), "/api/v1/updates/proposals", _proposal_body(), "has space")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_invalid"
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_anonymous_requests_with_a_key_are_answered_as_without(db):
    response = _post(Client(), "/api/v1/updates/proposals", _proposal_body(), "anon")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_expired_keys_are_purged_and_no_longer_replayed(village_operator):
    client = _bearer("op_desa")
    body = _proposal_body()
    assert _post(client, "/api/v1/updates/proposals", body, "old").status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    call_command("purge-idempotency-keys")
    assert not IdempotencyRecord.objects.exists()


# --- optimistic concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_family_patch_with_a_stale_etag_is_409_with_the_current_state(dinsos_operator, family):
    client = _bearer("op_dinsos")
    read = client.get(f"/api/v1/registry/families/{family.pk}")
    etag = read["ETag"]
    change = json.dumps({"address": "Kp. Baru 1", "correction_reason": "koreksi uji"})

    ok = client.patch(f"/api/v1/registry/families/{family.pk}", change, content_type="application/json",
                      headers={"If-Match": etag})
    assert ok.status_code == 200, ok.content[:300]
    assert ok["ETag"] != etag

    after = audit_seq()
    stale = client.patch(f"/api/v1/registry/families/{family.pk}",
                         json.dumps({"address": "Kp. Lama", "correction_reason": "koreksi uji"}),
                         content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version" and set(body["message"]) == {"id", "en"}
    assert body["extra"]["etag"] == ok["ETag"]
    assert body["extra"]["current"]["family"]["address"] == "Kp. Baru 1"
    family.refresh_from_db()
    assert family.address == "Kp. Baru 1"
    assert not [e for e in _events_after(after) if e.action == "family.update"]

    without = client.patch(f"/api/v1/registry/families/{family.pk}", change, content_type="application/json")
    assert without.status_code == 200  # no If-Match: the update runs as before


def _events_after(seq):
    from tepat.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(seq__gt=seq))


@pytest.mark.django_db
def test_proposal_step_with_a_stale_etag_is_409(village_operator):
    client = _bearer("op_desa")
    created = _post(client, "/api/v1/updates/proposals",
                    json.dumps({"kind": "new_family", "region_code": VILLAGE, "payload": new_family_payload(),
                                "submit": False}))
    assert created.status_code == 201, created.content[:300]
    proposal_id = created.json()["id"]
    etag = client.get(f"/api/v1/updates/proposals/{proposal_id}")["ETag"]
    Proposal.objects.filter(pk=proposal_id).update(updated_at=timezone.now() + timezone.timedelta(seconds=5),
                                                  note="changed elsewhere")

    stale = client.post(f"/api/v1/updates/proposals/{proposal_id}/submit", headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert stale.json()["extra"]["current"]["status"] == "draft"
    assert Proposal.objects.get(pk=proposal_id).status == "draft"

    fresh = client.get(f"/api/v1/updates/proposals/{proposal_id}")["ETag"]
    moved = client.post(f"/api/v1/updates/proposals/{proposal_id}/submit", headers={"If-Match": fresh})
    assert moved.status_code == 200 and moved.json()["status"] == "submitted" and moved["ETag"] != fresh


# --- the error shape -----------------------------------------------------------------------------------


def _shaped(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and "field" in body
    assert set(body["message"]) == {"id", "en"} and all(body["message"].values())
    return body


@pytest.mark.django_db
def test_errors_are_json_with_code_field_and_bilingual_message(village_operator, other_village_family):
    _shaped(Client().get("/api/v1/me"), 401, "unauthenticated")
    token = _bearer("op_desa")
    _shaped(token.get("/api/v1/audit/events"), 403, "permission_denied")
    _shaped(token.get(f"/api/v1/registry/families/{other_village_family.pk}"), 404, "not_found")
    _shaped(token.get("/api/v1/tidak-ada"), 404, "not_found")
    _shaped(token.delete("/api/v1/me"), 405, "method_not_allowed")
    body = _shaped(_post(token, "/api/v1/updates/proposals", json.dumps({"kind": 5})), 422, "validation_failed")
    assert body["field"] and body["errors"]
    _shaped(_post(token, "/api/v1/updates/proposals", "{not json"), 400, "bad_request")
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(village_operator)
    _shaped(_post(csrf, "/api/v1/updates/proposals", _proposal_body()), 403, "csrf_failed")


@pytest.mark.django_db
def test_the_schema_documents_the_error_shape_and_idempotency(client):
    schema = client.get("/api/v1/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]
    assert {"unauthenticated", "csrf_failed", "stale_version", "idempotency_key_reused"} <= set(
        error["properties"]["code"]["enum"])
    create = schema["paths"]["/api/v1/updates/proposals"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert create["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    patch = schema["paths"]["/api/v1/registry/families/{family_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
