"""The offline field app's shell, service worker and manifest (issue 14 item 5), and what the sync API adds
for it: the correction input of each fact and the GPS accuracy of a visit.

Authorization matrix of the three /lapangan/ routes: they are public by design (an installed app must load
its shell offline and before sign-in), so every actor (anonymous, wrong role, wrong region, right one) gets
the same shell, and it holds no personal data and no session-bound token; all data goes through the API,
whose matrix is in tepat/updates/tests/api/test_sync.py.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, assert_audited, audit_seq, client_for
from tepat.updates.models import FieldVerification
from tepat.updates.services.proposals import proposal_assign
from tepat.updates.tests.factories import create

MATRIX_ROUTES = {"page field:app", "page field:worker", "page field:manifest"}

pytestmark = pytest.mark.django_db

ROUTES = ("/lapangan/", "/lapangan/sw.js", "/lapangan/manifest.webmanifest")


@pytest.fixture(autouse=True)
def _no_lag(settings):
    settings.TEPAT_SYNC_LAG_SECONDS = 0


def _token(username: str) -> Client:
    response = Client().post(
        "/api/v1/auth/login",
        json.dumps({"username": username, "password": PASSWORD}),
        content_type="application/json",
    )
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def test_every_actor_gets_the_same_public_shell_without_personal_data(actors, family, make_user):
    from conftest import OTHER_VILLAGE

    proposal = create(actors, "change_data", {"target": "family", "changes": {"floor": 3}}, family=family)
    proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)
    outsider = make_user("facilitator", [OTHER_VILLAGE], "psm_luar")
    clients = {
        "anonymous": Client(),
        "wrong role": client_for(make_user("auditor", ["36.04"], "auditor_x")),
        "wrong region": client_for(outsider),
        "right one": client_for(actors.facilitator),
    }
    for who, client in clients.items():
        for url in ROUTES:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            text = response.content.decode()
            assert family.kk_number not in text and proposal.reference not in text, (who, url)
            assert "csrfmiddlewaretoken" not in text and "Bearer " not in text.replace(
                '"Bearer " + token', ""
            )
        assert client.post("/lapangan/").status_code == 405


def test_the_shell_is_indonesian_first_with_its_catalogue_and_no_inline_script():
    response = Client().get("/lapangan/")
    text = response.content.decode()
    assert '<html lang="id">' in text
    catalogue = json.loads(text.split('id="field-i18n" type="application/json">')[1].split("</script>")[0])
    assert catalogue["sign_in"] == "Masuk" and catalogue["save_visit"] == "Simpan hasil kunjungan"
    config = json.loads(text.split('id="field-config" type="application/json">')[1].split("</script>")[0])
    assert (
        config["scope"] == "/lapangan/" and config["worker"] == "/lapangan/sw.js" and config["keep_hours"] > 0
    )
    # every executable script comes from the site's own static files; the JSON blocks are data
    scripts = [part.split(">")[0] for part in text.split("<script")[1:]]
    assert all('src="/static/' in s or 'type="application/json"' in s for s in scripts), scripts
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    english = Client(headers={"Accept-Language": "en"}).get("/lapangan/", HTTP_COOKIE="django_language=en")
    assert "Field app" in english.content.decode()


def test_the_worker_is_scoped_to_the_app_and_precaches_the_shell():
    response = Client().get("/lapangan/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/lapangan/" and response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/lapangan/"' in body and "/static/updates/field/app.js" in body and "/api/" in body
    manifest = Client().get("/lapangan/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == data["scope"] == "/lapangan/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_the_keep_time_is_a_setting(settings):
    settings.TEPAT_FIELD_APP_KEEP_HOURS = 12
    text = Client().get("/lapangan/").content.decode()
    assert '"keep_hours": 12' in text


def test_sync_gives_each_fact_the_visit_pages_correction_input(actors, family):
    proposal = create(
        actors,
        "change_data",
        {"target": "family", "changes": {"floor": 3, "address": "Kp. Baru"}},
        family=family,
    )
    proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)

    page = _token("psm").get("/api/v1/sync/changes").json()

    assert page["assignments"][0]["kind_label"] == str(proposal.get_kind_display())
    facts = {f["path"]: f for f in page["assignments"][0]["facts"]}
    floor = facts["changes.floor"]
    assert floor["raw"] == 3 and floor["input"]["type"] == "choice" and floor["input"]["integer"] is True
    assert "3" in {c["code"] for c in floor["input"]["choices"]}
    assert facts["changes.address"]["input"] == {"type": "text"}


def test_a_visit_from_the_app_keeps_its_gps_accuracy_and_a_wrong_one_changes_nothing(actors, family):
    proposal = create(actors, "change_data", {"target": "family", "changes": {"floor": 3}}, family=family)
    proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)
    client = _token("psm")
    visit = {
        "visited_on": str(timezone.localdate()),
        "household_found": True,
        "outcome": "confirmed",
        "results": {"changes.floor": {"result": "corrected", "value": 4}},
        "latitude": -6.05,
        "longitude": 106.11,
        "accuracy_m": 12.4,
    }

    def upload(v):
        item = {"client_id": str(uuid.uuid4()), "proposal_id": str(proposal.pk), "visit": v}
        return client.post(
            "/api/v1/sync/visits", json.dumps({"items": [item]}), content_type="application/json"
        ).json()["results"][0]

    refused = upload({**visit, "accuracy_m": -5})
    assert refused["status"] == "error" and refused["field"] == "accuracy_m"
    assert not FieldVerification.objects.filter(proposal=proposal).exists()

    after = audit_seq()
    assert upload(visit)["status"] == "ok"
    verification = FieldVerification.objects.get(proposal=proposal)
    assert verification.accuracy_m == 12 and verification.outcome == "corrected"
    assert_audited("proposal.verify", actor=actors.facilitator, target=proposal, after=after)


def test_a_revoked_token_on_a_post_is_asked_to_sign_in_again_not_a_csrf_failure(actors):
    from tepat.accounts.models import ApiToken
    from tepat.accounts.tokens import token_revoke

    client = _token("psm")
    token_revoke(actor=actors.facilitator, token=ApiToken.objects.get(user=actors.facilitator))

    response = client.post("/api/v1/sync/visits", json.dumps({"items": []}), content_type="application/json")

    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert set(response.json()["message"]) == {"id", "en"}
    session = Client(enforce_csrf_checks=True)  # a session without its CSRF token is still a CSRF failure
    session.force_login(actors.facilitator)
    refused = session.post("/api/v1/sync/visits", json.dumps({"items": []}), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"


def test_only_a_facilitator_sees_the_field_app_in_the_menu(actors):
    assert 'href="/lapangan/"' in client_for(actors.facilitator).get("/").content.decode()
    assert 'href="/lapangan/"' not in client_for(actors.village_operator).get("/").content.decode()
