"""API tokens and machine clients (issue 14): JSON sign-in, bearer use, expiry, revocation, client scope,
audit attribution (`via`), and the throttle counting JSON failures like the page's."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from conftest import DISTRICT, OTHER_DISTRICT, PASSWORD, VILLAGE, assert_audited, audit_seq, client_for
from tepat.accounts.models import ApiClient, ApiToken
from tepat.accounts.tokens import api_client_create, token_hash
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM

MATRIX_ROUTES = {"GET /api/v1/auth/tokens", "POST /api/v1/auth/login", "POST /api/v1/auth/logout",
                 "POST /api/v1/auth/token", "POST /api/v1/auth/tokens/{token_id}/revoke"}


def _login(username: str, password: str = PASSWORD, **extra) -> tuple[int, dict]:
    response = Client().post("/api/v1/auth/login", json.dumps({"username": username, "password": password, **extra}),
                             content_type="application/json")
    return response.status_code, response.json()


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_login_issues_a_token_whose_hash_only_is_stored_and_which_authenticates(village_operator):
    after = audit_seq()
    status, body = _login("op_desa", device_name="HP Android")

    assert status == 201, body
    raw = body["token"]
    assert raw.startswith("tpt_") and body["prefix"] in raw and body["token_type"] == "Bearer"
    token = ApiToken.objects.get(prefix=body["prefix"])
    assert token.key_hash == token_hash(raw) and raw not in token.key_hash and token.user == village_operator
    assert token.name == "HP Android" and token.expires_at > timezone.now() + timedelta(days=29)
    assert_audited("auth.login", actor=village_operator, after=after)
    assert_audited("api_token.issue", actor=village_operator, target=token, after=after, prefix=token.prefix)

    me = bearer(raw).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "op_desa"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_wrong_password_is_a_json_401_and_counted_by_the_throttle(village_operator, settings):
    settings.TEPAT_LOGIN_MAX_FAILURES = 3
    after = audit_seq()
    for _ in range(3):
        status, body = _login("op_desa", "salah")
        assert status in (401, 429), body
    assert body["code"] in ("invalid_credentials", "login_locked")
    assert set(body["message"]) == {"id", "en"}
    status, body = _login("op_desa")  # the right password while locked: refused like the page
    assert status == 429 and body["code"] == "login_locked"
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(seq__gt=after, action="auth.login_failed").count() >= 2
    assert AuditEvent.objects.filter(seq__gt=after, action="auth.login_refused_locked").exists()


@pytest.mark.django_db
def test_unknown_user_is_answered_like_a_wrong_password(db, regions):
    status, body = _login("tidak_ada", "x")
    assert status == 401 and body["code"] == "invalid_credentials"


@pytest.mark.django_db
def test_unknown_expired_and_revoked_tokens_are_401(village_operator):
    _, body = _login("op_desa")
    raw = body["token"]
    assert bearer("tpt_00000000_nope").get("/api/v1/me").status_code == 401
    assert bearer("not-a-token").get("/api/v1/me").status_code == 401

    ApiToken.objects.filter(prefix=body["prefix"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(raw).get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"

    ApiToken.objects.filter(prefix=body["prefix"]).update(expires_at=timezone.now() + timedelta(days=1),
                                                          revoked_at=timezone.now())
    assert bearer(raw).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_a_token_of_a_deactivated_user_stops_working(village_operator):
    _, body = _login("op_desa")
    type(village_operator).objects.filter(pk=village_operator.pk).update(is_active=False)
    assert bearer(body["token"]).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_list_and_revoke_own_tokens_and_logout(village_operator):
    _, first = _login("op_desa", device_name="satu")
    _, second = _login("op_desa", device_name="dua")
    client = bearer(second["token"])

    listed = client.get("/api/v1/auth/tokens").json()
    assert [t["prefix"] for t in listed] == [second["prefix"], first["prefix"]]
    assert all("token" not in t and "key_hash" not in t for t in listed)

    after = audit_seq()
    first_id = next(t["id"] for t in listed if t["prefix"] == first["prefix"])
    response = client.post(f"/api/v1/auth/tokens/{first_id}/revoke")
    assert response.status_code == 200 and response.json()["revoked_at"]
    assert bearer(first["token"]).get("/api/v1/me").status_code == 401
    event = assert_audited("api_token.revoke", actor=village_operator, after=after, prefix=first["prefix"])
    assert event.data["via"] == {"kind": "token", "token": second["prefix"]}

    assert client.post("/api/v1/auth/logout").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_revoke_matrix(village_operator, other_village_operator, administrator, make_user):
    _, mine = _login("op_desa")
    token_id = ApiToken.objects.get(prefix=mine["prefix"]).pk
    outsider_admin = make_user("administrator", [OTHER_DISTRICT], "admin_kota")

    assert Client().post(f"/api/v1/auth/tokens/{token_id}/revoke").status_code == 401  # anonymous
    # another user (wrong role for it) and an administrator of another region: not found, nothing changes
    assert client_for(other_village_operator).post(f"/api/v1/auth/tokens/{token_id}/revoke").status_code == 404
    assert client_for(outsider_admin).post(f"/api/v1/auth/tokens/{token_id}/revoke").status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    # the administrator whose scope covers the user: may
    after = audit_seq()
    assert client_for(administrator).post(f"/api/v1/auth/tokens/{token_id}/revoke").status_code == 200
    token = ApiToken.objects.get(pk=token_id)
    assert token.revoked_at is not None and token.revoked_by == administrator
    assert_audited("api_token.revoke", actor=administrator, target=token, after=after)


@pytest.mark.django_db
def test_token_list_needs_authentication_and_shows_only_own(village_operator, other_village_operator):
    _login("op_desa")
    assert Client().get("/api/v1/auth/tokens").status_code == 401
    assert client_for(other_village_operator).get("/api/v1/auth/tokens").json() == []
    assert len(client_for(village_operator).get("/api/v1/auth/tokens").json()) == 1


@pytest.mark.django_db
def test_session_post_still_needs_csrf_but_a_bearer_post_does_not(village_operator, family):
    session = Client(enforce_csrf_checks=True)
    session.force_login(village_operator)
    response = session.post("/api/v1/auth/logout", content_type="application/json")
    assert response.status_code == 403
    _, body = _login("op_desa")
    csrf_free = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {body['token']}"})
    assert csrf_free.post("/api/v1/auth/logout").status_code == 200


# --- machine clients -------------------------------------------------------------------------------------


@pytest.fixture
def province_client(regions):
    client, secret = api_client_create(actor=SYSTEM, name="Sinkronisasi provinsi", role="province_viewer",
                                       region_codes=[DISTRICT], capabilities=["registry.view"])
    return client, secret


def _client_token(client_id: str, secret: str) -> tuple[int, dict]:
    response = Client().post("/api/v1/auth/token", json.dumps(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}),
        content_type="application/json")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_client_credentials_issue_a_token_scoped_to_the_clients_regions_and_capabilities(
        province_client, family, other_village_family):
    client, secret = province_client
    status, body = _client_token(client.client_id, secret)
    assert status == 201, body
    api = bearer(body["token"])

    # in its regions: the family is visible
    assert api.get(f"/api/v1/registry/families/{family.pk}").status_code == 200
    listed = api.get("/api/v1/registry/families").json()
    assert str(family.pk) in {item["id"] for item in listed["items"]}
    # a capability the role has but the client was not given: 403 (province viewers may view the audit trail)
    assert api.get("/api/v1/audit/events").status_code == 403
    # the service account has no password: no page session can be had with it
    assert not client.service_user.has_usable_password()


@pytest.mark.django_db
def test_client_scope_is_its_regions(regions, family):
    other, secret = api_client_create(actor=SYSTEM, name="Kota", role="province_viewer",
                                      region_codes=[OTHER_DISTRICT], capabilities=["registry.view"])
    _, body = _client_token(other.client_id, secret)
    assert bearer(body["token"]).get(f"/api/v1/registry/families/{family.pk}").status_code == 404


@pytest.mark.django_db
def test_client_use_is_attributed_in_the_audit_trail(province_client, family):
    client, secret = province_client
    _, body = _client_token(client.client_id, secret)
    after = audit_seq()
    assert bearer(body["token"]).get(f"/api/v1/registry/families/{family.pk}").status_code == 200
    events = list(AuditEvent.objects.filter(seq__gt=after))
    assert events, "a personal-data view is recorded"
    assert all(e.data.get("via") == {"kind": "client", "client": client.client_id, "token": body["prefix"]}
               for e in events)
    assert all(e.actor_id == client.service_user_id for e in events)


@pytest.mark.django_db
def test_wrong_client_secret_or_inactive_client_is_refused_and_audited(province_client):
    client, secret = province_client
    after = audit_seq()
    status, body = _client_token(client.client_id, "salah")
    assert status == 403 and body["code"] == "permission_denied"
    assert _client_token("cl_nope", secret)[0] == 403
    assert AuditEvent.objects.filter(seq__gt=after, action="api_client.auth_failed").count() == 2
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    assert _client_token(client.client_id, secret)[0] == 403
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_deactivating_a_client_revokes_its_tokens(province_client):
    from tepat.accounts.tokens import api_client_deactivate

    client, secret = province_client
    _, body = _client_token(client.client_id, secret)
    api_client_deactivate(actor=SYSTEM, client=client)
    assert bearer(body["token"]).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_client_capabilities_must_lie_within_the_role(regions):
    from tepat.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        api_client_create(actor=SYSTEM, name="x", role="province_viewer", region_codes=[DISTRICT],
                          capabilities=["registry.correct"])
    assert {issue.field for issue in refused.value.issues} == {"capabilities"}
    assert not ApiClient.objects.exists()


@pytest.mark.django_db
def test_creating_a_client_needs_user_management(village_operator, administrator):
    from tepat.core.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        api_client_create(actor=village_operator, name="x", role="province_viewer", region_codes=[VILLAGE],
                          capabilities=[])
    after = audit_seq()
    client, _ = api_client_create(actor=administrator, name="Desa", role="village_operator",
                                  region_codes=[VILLAGE], capabilities=["registry.view"])
    assert_audited("api_client.create", actor=administrator, target=client, after=after)


@pytest.mark.django_db
@override_settings(TEPAT_API_CLIENT_TOKEN_HOURS=1)
def test_client_tokens_expire_after_the_configured_time(province_client):
    client, secret = province_client
    _, body = _client_token(client.client_id, secret)
    token = ApiToken.objects.get(prefix=body["prefix"])
    assert timedelta(minutes=59) < token.expires_at - timezone.now() <= timedelta(hours=1)
