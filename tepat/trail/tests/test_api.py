"""Audit trail API: AUDIT_VIEW only, scoped to the reader's regions, with NIK/KK masked in event data."""

import json
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from conftest import client_for
from tepat.audit.models import AuditEvent

API = "/api/v1/audit/events"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "status"),
    [
        pytest.param(None, 401, id="anonymous"),
        pytest.param("village_operator", 403, id="wrong-role"),
        pytest.param("other_auditor", 200, id="wrong-region"),
        pytest.param("auditor", 200, id="right"),
    ],
)
def test_event_list_matrix(request, family, actor, status):
    client = client_for(request.getfixturevalue(actor) if actor else None)
    response = client.get(API, {"target_id": str(family.pk)})
    assert response.status_code == status
    if status == 200:
        # Events of the family's region are absent for an auditor of another district.
        expected = 0 if actor == "other_auditor" else 1
        assert response.json()["count"] == expected
    else:
        assert "items" not in response.json()


@pytest.mark.django_db
def test_events_newest_first_with_filters(auditor, family):
    client = client_for(auditor)
    everything = client.get(API).json()
    seqs = [event["seq"] for event in everything["items"]]
    assert seqs == sorted(seqs, reverse=True)
    in_district = AuditEvent.objects.filter(Q(region_code="36.04") | Q(region_code__startswith="36.04."))
    total = in_district.count()  # the family's events and the user.create events of district users
    assert everything["count"] == total > 4

    adds = client.get(API, {"action": "individual."}).json()
    assert adds["count"] == 3
    assert {event["action"] for event in adds["items"]} == {"individual.add"}
    assert {event["actor"] for event in adds["items"]} == {"op_dinsos"}

    assert client.get(API, {"actor": "op_dinsos"}).json()["count"] == 4
    assert client.get(API, {"actor": "someone_else"}).json()["count"] == 0
    assert client.get(API, {"target_type": "registry.family"}).json()["count"] == 1
    assert client.get(API, {"region": "36.04.05.2002"}).json()["count"] == 0
    assert client.get(API, {"region": "36.73"}).json()["count"] == 0  # outside the auditor's scope

    today = timezone.localdate()
    assert client.get(API, {"date_from": today.isoformat()}).json()["count"] == total
    assert client.get(API, {"date_to": (today - timedelta(days=1)).isoformat()}).json()["count"] == 0
    paged = client.get(API, {"page": 2, "page_size": total - 1}).json()
    assert paged["count"] == total and len(paged["items"]) == 1


@pytest.mark.django_db
def test_identity_numbers_are_masked_and_sensitive_answers_left_out(auditor, dinsos_operator, family):
    head = family.members.get(relation=1)
    changed = client_for(dinsos_operator).patch(
        f"/api/v1/registry/members/{head.pk}", data=json.dumps({"chronic_illness": 6, "occupation": "Buruh", "correction_reason": "KTP baru"}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    body = client_for(auditor).get(API).json()
    dumped = json.dumps(body)
    assert head.nik not in dumped and family.kk_number not in dumped
    created = next(e for e in body["items"] if e["action"] == "family.create")
    assert created["data"]["after"]["kk_number"] == f"{family.kk_number[:6]}**********"
    update = next(e for e in body["items"] if e["action"] == "individual.update")
    assert "chronic_illness" not in update["data"]["changes"]
    assert update["data"]["changes"]["occupation"] == {"before": "", "after": "Buruh"}
    assert all(len(event["hash"]) == 64 for event in body["items"])


@pytest.mark.django_db
def test_events_without_region_only_for_administrators(make_user, auditor):
    # Loading the region master is recorded without a region; a national-scope administrator sees it
    # (the finer scope of region-less events: test_regionless_scope.py).
    national = make_user("administrator", ["31", "36"], "admin_national")
    assert AuditEvent.objects.filter(region_code="").exists()
    for_admin = client_for(national).get(API, {"region": ""}).json()
    assert any(event["region_code"] == "" for event in for_admin["items"])
    for_auditor = client_for(auditor).get(API).json()
    assert all(event["region_code"] for event in for_auditor["items"])


@pytest.mark.django_db
def test_bad_filter_is_a_bilingual_422(auditor):
    response = client_for(auditor).get(API, {"date_from": "kemarin"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "date_from"
    assert error["message_id"] and error["message_en"]
