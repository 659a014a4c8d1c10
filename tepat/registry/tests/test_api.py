"""The registry JSON API: one authorization matrix per endpoint, refused writes change nothing,
masking of NIK/KK and sensitive fields, and the shape of validation errors."""

import json
from datetime import date
from unittest.mock import ANY

import pytest

from conftest import OTHER_VILLAGE, VILLAGE, client_for, make_kk, make_nik, member_data
from tepat.accounts.models import RegionAssignment, User
from tepat.audit.models import AuditEvent
from tepat.registry.models import Family, Individual

API = "/api/v1/registry"

# (actor fixture, expected status). "roleless" holds no capability at all: every role has REGISTRY_VIEW,
# so reads are refused (403) only to an account whose role grants nothing.
READ_MATRIX = [
    pytest.param(None, 401, id="anonymous"),
    pytest.param("roleless", 403, id="wrong-role"),
    pytest.param("other_village_operator", 404, id="wrong-region"),
    pytest.param("village_head", 200, id="right"),
]
# Direct writes are corrections by Dinsos (registry.correct, with a reason); village roles propose instead.
WRITE_MATRIX = [
    pytest.param(None, 401, id="anonymous"),
    pytest.param("village_head", 403, id="wrong-role"),
    pytest.param("village_operator", 403, id="village-role"),
    pytest.param("other_dinsos_operator", 404, id="wrong-region"),
    pytest.param("dinsos_operator", 200, id="right"),
]
REASON = "koreksi data Dukcapil"


@pytest.fixture
def roleless(db):
    user = User.objects.create(username="tanpa_peran", role="")
    RegionAssignment.objects.create(user=user, region_id=VILLAGE)
    return user


def _client(request, actor_fixture):
    return client_for(request.getfixturevalue(actor_fixture) if actor_fixture else None)


def _send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body, default=str), content_type="application/json")


def _events(action):
    return AuditEvent.objects.filter(action=action).count()


def _family_row(family):
    return Family.objects.values().get(pk=family.pk)


def _member_row(member):
    return Individual.objects.values().get(pk=member.pk)


def _head(family):
    return family.members.get(relation=1)


# ---- authorization matrices ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "status"),
    [
        pytest.param(None, 401, id="anonymous"),
        pytest.param("roleless", 403, id="wrong-role"),
        pytest.param("other_village_operator", 200, id="wrong-region"),
        pytest.param("village_head", 200, id="right"),
    ],
)
def test_family_list_matrix(request, family, actor, status):
    response = _client(request, actor).get(f"{API}/families")
    assert response.status_code == status
    if status == 200:
        ids = [item["id"] for item in response.json()["items"]]
        # Out of scope is simply absent from a list.
        assert (str(family.pk) in ids) is (actor == "village_head")


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), WRITE_MATRIX)
def test_family_create_matrix(request, family, actor, status):
    client = _client(request, actor)
    families, created = Family.objects.count(), _events("family.create")
    kk = make_kk()
    body = {"region_code": VILLAGE, "kk_number": kk, "rw": "3", "rt": "7",
            "members": [member_data(relation=1, name="Joko Widodo")], "correction_reason": REASON}
    response = _send(client, "post", f"{API}/families", body)
    expected = 201 if status == 200 else status
    assert response.status_code == expected, response.content
    if expected == 201:
        detail = response.json()
        assert detail["family"]["kk_number"] == kk
        assert detail["family"]["rw"] == "003"
        assert [m["name"] for m in detail["members"]] == ["Joko Widodo"]
        assert Family.objects.count() == families + 1
        assert _events("family.create") == created + 1
    else:
        assert Family.objects.count() == families
        assert not Family.objects.filter(kk_number=kk).exists()
        assert _events("family.create") == created


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), READ_MATRIX)
def test_family_detail_matrix(request, family, actor, status):
    views = _events("personal_data.view")
    response = _client(request, actor).get(f"{API}/families/{family.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["family"]["id"] == str(family.pk)
        assert len(body["members"]) == 3
        assert _events("personal_data.view") == views + 1  # viewing personal data is logged
    else:
        assert _events("personal_data.view") == views


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), WRITE_MATRIX)
def test_family_patch_matrix(request, family, actor, status):
    before, updates = _family_row(family), _events("family.update")
    response = _send(_client(request, actor), "patch", f"{API}/families/{family.pk}",
                     {"rt": "9", "floor": 2, "correction_reason": REASON})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["family"]["rt"] == "009"
        assert response.json()["family"]["floor"] == {"code": 2, "label": ANY}
        assert _events("family.update") == updates + 1
    else:
        assert _family_row(family) == before
        assert _events("family.update") == updates


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), WRITE_MATRIX)
def test_family_remove_matrix(request, family, actor, status):
    before, removals = _family_row(family), _events("family.remove")
    response = _send(_client(request, actor), "post", f"{API}/families/{family.pk}/remove",
                     {"reason": "moved", "note": "pindah ke Cilegon", "date": "2025-01-31", "correction_reason": REASON})
    assert response.status_code == status, response.content
    if status == 200:
        family_out = response.json()["family"]
        assert family_out["status"]["code"] == "removed"
        assert family_out["status_reason"]["code"] == "moved"
        assert family_out["status_date"] == "2025-01-31"
        assert _events("family.remove") == removals + 1
    else:
        assert _family_row(family) == before
        assert _events("family.remove") == removals


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), WRITE_MATRIX)
def test_member_add_matrix(request, family, actor, status):
    members, adds = family.members.count(), _events("individual.add")
    body = {**member_data(relation=3, sex=2, born=date(2015, 2, 3), name="Putri Lestari"), "correction_reason": REASON}
    response = _send(_client(request, actor), "post", f"{API}/families/{family.pk}/members", body)
    expected = 201 if status == 200 else status
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["name"] == "Putri Lestari"
        assert response.json()["nik"] == body["nik"]
        assert family.members.count() == members + 1
        assert _events("individual.add") == adds + 1
    else:
        assert family.members.count() == members
        assert _events("individual.add") == adds


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), WRITE_MATRIX)
def test_member_patch_matrix(request, family, actor, status):
    head = _head(family)
    before, updates = _member_row(head), _events("individual.update")
    response = _send(_client(request, actor), "patch", f"{API}/members/{head.pk}",
                     {"occupation": "Petani", "education": 3, "correction_reason": REASON})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["occupation"] == "Petani"
        assert response.json()["education"]["code"] == 3
        assert _events("individual.update") == updates + 1
    else:
        assert _member_row(head) == before
        assert _events("individual.update") == updates


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), WRITE_MATRIX)
def test_member_presence_matrix(request, family, actor, status):
    child = family.members.get(relation=3)
    before, changes = _member_row(child), _events("individual.presence")
    response = _send(_client(request, actor), "post", f"{API}/members/{child.pk}/presence",
                     {"presence": 3, "note": "kuliah di Bandung", "date": "2025-02-01", "correction_reason": REASON})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["presence"]["code"] == 3
        assert response.json()["presence_date"] == "2025-02-01"
        assert _events("individual.presence") == changes + 1
    else:
        assert _member_row(child) == before
        assert _events("individual.presence") == changes


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), READ_MATRIX)
def test_family_history_matrix(request, family, actor, status):
    response = _client(request, actor).get(f"{API}/families/{family.pk}/history")
    assert response.status_code == status
    if status == 200:
        actions = [event["action"] for event in response.json()]
        assert "family.create" in actions
        assert actions.count("individual.add") == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "status", "active"),
    [
        pytest.param(None, 401, None, id="anonymous"),
        pytest.param("roleless", 403, None, id="wrong-role"),
        pytest.param("other_village_operator", 200, 0, id="wrong-region"),
        pytest.param("village_head", 200, 1, id="right"),
    ],
)
def test_dashboard_matrix(request, family, actor, status, active):
    response = _client(request, actor).get(f"{API}/dashboard")
    assert response.status_code == status
    if status == 200:
        counts = response.json()
        assert counts["families"]["active"] == active
        assert counts["individuals"]["active"] == 3 * active


# ---- listing and search -------------------------------------------------------------------------


@pytest.mark.django_db
def test_family_list_row(village_operator, family, other_village_family):
    response = client_for(village_operator).get(f"{API}/families")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row == {
        "id": str(family.pk),
        "kk_number": family.kk_number,
        "head_name": "Budi Santoso",
        "region": {"code": VILLAGE, "name": family.region.name},
        "rw": "002",
        "rt": "005",
        "member_count": 3,
        "status": {"code": "active", "label": ANY},
        "warning_count": 0,
    }


@pytest.mark.django_db
def test_family_list_search_region_status_and_pages(dinsos_operator, family, other_village_family):
    client = client_for(dinsos_operator)
    assert client.get(f"{API}/families").json()["count"] == 2
    assert client.get(f"{API}/families", {"region": OTHER_VILLAGE}).json()["count"] == 1
    by_nik = client.get(f"{API}/families", {"q": _head(family).nik}).json()
    assert [row["id"] for row in by_nik["items"]] == [str(family.pk)]
    by_name = client.get(f"{API}/families", {"q": "Dedi Kurniawan"}).json()
    assert [row["id"] for row in by_name["items"]] == [str(other_village_family.pk)]
    page_two = client.get(f"{API}/families", {"page": 2, "page_size": 1}).json()
    assert page_two["count"] == 2 and len(page_two["items"]) == 1
    _send(client, "post", f"{API}/families/{family.pk}/remove", {"reason": "duplicate", "correction_reason": REASON})
    assert client.get(f"{API}/families").json()["count"] == 1
    assert client.get(f"{API}/families", {"status": "removed"}).json()["count"] == 1
    assert client.get(f"{API}/families", {"status": "all"}).json()["count"] == 2


@pytest.mark.django_db
def test_unassigned_user_sees_an_empty_list(unassigned_operator, family):
    response = client_for(unassigned_operator).get(f"{API}/families")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}
    assert client_for(unassigned_operator).get(f"{API}/families/{family.pk}").status_code == 404


@pytest.mark.django_db
def test_unknown_and_malformed_ids(village_operator):
    client = client_for(village_operator)
    assert client.get(f"{API}/families/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get(f"{API}/families/not-a-uuid").status_code == 422


# ---- masking ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_village_head_sees_masked_numbers_and_no_sensitive_fields(village_head, dinsos_operator, family):
    head = _head(family)
    _send(client_for(dinsos_operator), "patch", f"{API}/members/{head.pk}",
          {"chronic_illness": 2, "difficulty_walking": 3, "correction_reason": REASON})

    body = client_for(village_head).get(f"{API}/families/{family.pk}").json()
    assert body["family"]["kk_number"] == f"{family.kk_number[:6]}**********"
    assert body["kk_history"][0]["kk_number"] == body["family"]["kk_number"]
    member = next(m for m in body["members"] if m["id"] == str(head.pk))
    assert member["nik"] == "360405**********"
    assert member["chronic_illness"] is None and member["difficulty_walking"] is None
    assert member["pregnant"] is None
    assert member["sensitive_visible"] is False and body["sensitive_visible"] is False
    listed = client_for(village_head).get(f"{API}/families").json()["items"][0]
    assert listed["kk_number"] == body["family"]["kk_number"]

    history = client_for(village_head).get(f"{API}/families/{family.pk}/history").json()
    dumped = json.dumps(history)
    assert head.nik not in dumped and family.kk_number not in dumped
    assert "chronic_illness" not in dumped and "difficulty_walking" not in dumped


@pytest.mark.django_db
def test_village_operator_sees_full_numbers_and_sensitive_fields(village_operator, dinsos_operator, family):
    head = _head(family)
    client = client_for(village_operator)
    _send(client_for(dinsos_operator), "patch", f"{API}/members/{head.pk}",
          {"chronic_illness": 2, "correction_reason": REASON})
    body = client.get(f"{API}/families/{family.pk}").json()
    assert body["family"]["kk_number"] == family.kk_number
    member = next(m for m in body["members"] if m["id"] == str(head.pk))
    assert member["nik"] == head.nik
    assert member["chronic_illness"] == {"code": 2, "label": ANY}
    assert member["pregnant"] is False
    assert member["sensitive_visible"] is True
    history = client.get(f"{API}/families/{family.pk}/history").json()
    update = next(e for e in history if e["action"] == "individual.update")
    # The trail records that the answer changed, never the answer (ADR 0008).
    assert update["data"]["changes"]["chronic_illness"] == {"before": None, "after": "•••"}


@pytest.mark.django_db
def test_detail_carries_coded_labels_and_warnings(village_operator, dinsos_operator):
    from tepat.registry.services import family_create

    born = date(1990, 5, 6)
    # The NIK encodes another birth date than the one recorded: stored as a warning, not refused.
    family = family_create(correction_reason="koreksi uji",
        actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk(), "wall": 4},
        members=[member_data(relation=1, born=born, nik=make_nik(born=date(1991, 5, 6)))],
    )
    body = client_for(village_operator).get(f"{API}/families/{family.pk}").json()
    assert body["family"]["wall"]["code"] == 4 and body["family"]["wall"]["label"]
    assert body["family"]["roof"] is None
    warning = body["members"][0]["validation_warnings"][0]
    assert warning["code"] == "birth_date_differs"
    assert warning["field"] == "nik" and warning["severity"] == "warning"
    assert warning["message_id"] and warning["message_en"]
    rows = client_for(village_operator).get(f"{API}/families").json()["items"]
    assert rows[0]["warning_count"] == 0  # the warning is the member's; the family record has none


# ---- validation and business rules --------------------------------------------------------------


@pytest.mark.django_db
def test_service_validation_errors_name_each_field_in_both_languages(dinsos_operator):
    families = Family.objects.count()
    body = {"region_code": VILLAGE, "kk_number": "36040502061500", "rt": "12345",
            "members": [member_data(nik="3604051403850000", relation=1)]}
    response = _send(client_for(dinsos_operator), "post", f"{API}/families", body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "validation_failed"
    fields = {error["field"] for error in payload["errors"]}
    assert {"kk_number", "rt"} <= fields
    for error in payload["errors"]:
        assert set(error) >= {"field", "code", "message_id", "message_en"}
        assert error["message_id"] != error["message_en"]
    assert Family.objects.count() == families


@pytest.mark.django_db
def test_member_errors_after_the_family_roll_back_the_whole_create(dinsos_operator):
    families, creates = Family.objects.count(), _events("family.create")
    body = {"region_code": VILLAGE, "kk_number": make_kk(),
            "members": [member_data(relation=1), member_data(relation=1, name="Kepala Kedua")],
            "correction_reason": REASON}
    response = _send(client_for(dinsos_operator), "post", f"{API}/families", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "relation"
    assert Family.objects.count() == families
    assert _events("family.create") == creates


@pytest.mark.django_db
def test_request_shape_errors_have_the_same_bilingual_shape(dinsos_operator, family):
    client = client_for(dinsos_operator)
    nik_as_number = member_data(relation=3, born=date(2012, 1, 1))
    nik_as_number["nik"] = int(nik_as_number["nik"])
    body = {"region_code": VILLAGE, "kk_number": make_kk(), "members": [nik_as_number], "colour": "red"}
    response = _send(client, "post", f"{API}/families", body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "validation_failed"
    by_field = {error["field"]: error for error in payload["errors"]}
    assert by_field["members.0.nik"]["code"] == "string_type"
    assert "teks" in by_field["members.0.nik"]["message_id"]
    assert "string" in by_field["members.0.nik"]["message_en"]
    assert by_field["colour"]["code"] == "extra_forbidden"

    missing = _send(client, "post", f"{API}/families/{family.pk}/members", {"name": "Tanpa NIK"})
    assert missing.status_code == 422
    assert {"nik", "sex", "birth_date", "relation"} <= {e["field"] for e in missing.json()["errors"]}

    bad_date = _send(client, "post", f"{API}/families/{family.pk}/remove", {"reason": "moved", "date": "31-01-2025"})
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "date"

    not_json = client.post(f"{API}/families", data="{", content_type="application/json")
    assert not_json.status_code == 400
    assert not_json.json()["code"] == "bad_request"

    page_zero = client.get(f"{API}/families", {"page": 0})
    assert page_zero.status_code == 422
    assert page_zero.json()["errors"][0]["field"] == "page"
    assert page_zero.json()["errors"][0]["message_en"] == "page: must be at least 1"


@pytest.mark.django_db
def test_kk_number_sent_as_number_is_refused(dinsos_operator, family):
    before = _family_row(family)
    response = _send(client_for(dinsos_operator), "patch", f"{API}/families/{family.pk}",
                     {"kk_number": int(make_kk())})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kk_number"
    assert _family_row(family) == before


@pytest.mark.django_db
def test_removing_twice_is_a_conflict_and_changes_nothing(dinsos_operator, family):
    client = client_for(dinsos_operator)
    body = {"reason": "moved", "correction_reason": REASON}
    assert _send(client, "post", f"{API}/families/{family.pk}/remove", body).status_code == 200
    before, removals = _family_row(family), _events("family.remove")
    response = _send(client, "post", f"{API}/families/{family.pk}/remove", {**body, "reason": "duplicate"})
    assert response.status_code == 409
    assert response.json()["code"] == "business_rule"
    assert _family_row(family) == before
    assert _events("family.remove") == removals


@pytest.mark.django_db
def test_presence_note_required_for_moved(dinsos_operator, family):
    child = family.members.get(relation=3)
    before = _member_row(child)
    response = _send(client_for(dinsos_operator), "post", f"{API}/members/{child.pk}/presence",
                     {"presence": 6, "correction_reason": REASON})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "presence_note"
    assert _member_row(child) == before


@pytest.mark.django_db
def test_family_list_queries_do_not_grow_with_the_page(dinsos_operator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tepat.registry.services import family_create

    client = client_for(dinsos_operator)

    def add_families(count):
        for _ in range(count):
            family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk()},
                          members=[member_data(relation=1)])

    def queries_for_list():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/families").status_code == 200
        return len(captured)

    add_families(2)
    small = queries_for_list()
    add_families(6)
    assert queries_for_list() == small


# ---- actions and the basis of direct writes ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "expected", "absent"), [
    ("village_operator", {"propose_change", "propose_removal", "propose_add_member", "object", "view_full_nik"},
     {"correct"}),
    ("village_head", set(), {"correct", "propose_change", "view_full_nik"}),
    ("dinsos_operator", {"correct", "propose_change", "view_full_nik", "view_sensitive"}, set()),
])
def test_family_detail_lists_the_actions_the_caller_may_take(request, family, actor, expected, absent):
    body = client_for(request.getfixturevalue(actor)).get(f"{API}/families/{family.pk}").json()
    assert expected <= set(body["actions"])
    assert not absent & set(body["actions"])


@pytest.mark.django_db
def test_a_removed_family_offers_neither_proposals_nor_corrections(dinsos_operator, village_operator, family):
    from tepat.registry.services import family_remove

    family_remove(actor=dinsos_operator, family=family, reason="moved", correction_reason=REASON)
    for user in (dinsos_operator, village_operator):
        actions = client_for(user).get(f"{API}/families/{family.pk}").json()["actions"]
        assert "correct" not in actions and "propose_change" not in actions


@pytest.mark.django_db
def test_a_direct_patch_without_a_reason_is_refused_in_both_languages(dinsos_operator, family):
    before, updates = _family_row(family), _events("family.update")
    response = _send(client_for(dinsos_operator), "patch", f"{API}/families/{family.pk}", {"rt": "9"})
    assert response.status_code == 422
    error = next(e for e in response.json()["errors"] if e["field"] == "correction_reason")
    assert error["code"] == "required"
    assert "alasan koreksi langsung" in error["message_id"] and "direct correction" in error["message_en"]
    assert _family_row(family) == before
    assert _events("family.update") == updates


@pytest.mark.django_db
def test_a_direct_patch_is_recorded_as_a_correction_with_its_reason(dinsos_operator, family):
    from conftest import assert_audited, audit_seq

    after = audit_seq()
    response = _send(client_for(dinsos_operator), "patch", f"{API}/families/{family.pk}",
                     {"rt": "9", "correction_reason": REASON})
    assert response.status_code == 200
    assert_audited("family.update", actor=dinsos_operator, target=family, after=after, basis="correction",
                   reason=REASON)
    history = client_for(dinsos_operator).get(f"{API}/families/{family.pk}/history").json()
    update = next(e for e in history if e["action"] == "family.update")
    assert update["data"]["basis"] == "correction" and update["data"]["reason"] == REASON
