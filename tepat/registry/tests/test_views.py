"""Registry pages: the authorization matrix of every page and every write, search, masking, form errors.

The write pages are direct corrections (Dinsos, `registry.correct`, with a required reason); village roles
change the registry only through proposals and are refused here."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.forms.models import model_to_dict
from django.urls import reverse

from conftest import OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq, client_for, make_kk, make_nik
from tepat.audit.models import AuditEvent
from tepat.registry import choices as c
from tepat.registry.forms import FamilyUpdateForm, IndividualForm
from tepat.registry.models import Family, Individual
from tepat.registry.services import family_create, family_remove, individual_update

LOGIN = reverse("accounts:login")


@pytest.fixture
def roleless(make_user):
    """An account whose role grants nothing (e.g. a role withdrawn from use): every page is 403."""
    user = make_user("village_operator", [VILLAGE], "tanpa_peran")
    type(user).objects.filter(pk=user.pk).update(role="")
    user.refresh_from_db()
    return user


def in_english(client):
    """Interface strings are asserted in English, whatever the Indonesian catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _head(family: Family) -> Individual:
    return family.members.get(relation=c.Relation.HEAD)


def _wife(family: Family) -> Individual:
    return family.members.get(relation=c.Relation.SPOUSE)


def page_url(page: str, family: Family) -> str:
    wife = _wife(family)
    return {
        "family_list": reverse("registry:family_list"),
        "family_detail": reverse("registry:family_detail", args=[family.pk]),
        "family_create": reverse("registry:family_create"),
        "family_update": reverse("registry:family_update", args=[family.pk]),
        "family_remove": reverse("registry:family_remove", args=[family.pk]),
        "individual_add": reverse("registry:individual_add", args=[family.pk]),
        "individual_update": reverse("registry:individual_update", args=[wife.pk]),
        "individual_presence": reverse("registry:individual_presence", args=[wife.pk]),
    }[page]


VIEW_PAGES = ["family_list", "family_detail"]
EDIT_PAGES = ["family_create", "family_update", "family_remove", "individual_add", "individual_update",
              "individual_presence"]
ALL_PAGES = VIEW_PAGES + EDIT_PAGES
OBJECT_PAGES = [page for page in ALL_PAGES if page not in ("family_list", "family_create")]


def as_post(initial: dict[str, Any]) -> dict[str, Any]:
    """Form initial values as a browser would submit them."""
    data = {}
    for key, value in initial.items():
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list):
            data[key] = value
        elif isinstance(value, date):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)
    return data


# GET: anonymous → login, wrong role → 403, wrong region → 404, right role and region → 200 ---------------

@pytest.mark.parametrize("page", ALL_PAGES)
def test_anonymous_is_sent_to_login(client, family, page):
    url = page_url(page, family)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_role_without_registry_view_is_refused(roleless, family, page):
    assert client_for(roleless).get(page_url(page, family)).status_code == 403


@pytest.mark.parametrize("page", EDIT_PAGES)
@pytest.mark.parametrize("role", ["village_operator", "village_head", "facilitator", "auditor", "province_viewer"])
def test_role_without_registry_correct_is_refused(request, family, page, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get(page_url(page, family)).status_code == 403


@pytest.mark.parametrize("page", OBJECT_PAGES)
@pytest.mark.parametrize("actor", ["other_dinsos_operator", "unassigned_operator"])
def test_other_region_is_not_found(request, family, page, actor):
    assert client_for(request.getfixturevalue(actor)).get(page_url(page, family)).status_code == 404


def test_other_village_sees_the_family_as_not_found(other_village_operator, family):
    assert client_for(other_village_operator).get(page_url("family_detail", family)).status_code == 404


def test_unknown_family_is_not_found(village_operator):
    url = reverse("registry:family_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client_for(village_operator).get(url).status_code == 404


@pytest.mark.parametrize(("page", "actor"), [
    *((page, "village_operator") for page in VIEW_PAGES),
    *((page, actor) for page in ALL_PAGES for actor in ("dinsos_operator", "dinsos_supervisor")),
])
def test_right_role_and_region_see_the_page(request, family, page, actor):
    response = client_for(request.getfixturevalue(actor)).get(page_url(page, family))
    assert response.status_code == 200


@pytest.mark.parametrize("actor", ["village_head", "facilitator", "auditor", "province_viewer"])
def test_read_only_roles_see_the_family(request, family, actor):
    client = client_for(request.getfixturevalue(actor))
    assert client.get(page_url("family_detail", family)).status_code == 200
    assert "Budi Santoso" in client.get(page_url("family_list", family)).content.decode()


def test_list_of_another_region_does_not_show_the_family(other_village_operator, family, other_village_family):
    client = client_for(other_village_operator)
    content = client.get(reverse("registry:family_list")).content.decode()
    assert "Dedi Kurniawan" in content
    assert "Budi Santoso" not in content
    # Asking for a region outside the scope yields nothing rather than the region's families.
    content = client.get(reverse("registry:family_list"), {"region": VILLAGE}).content.decode()
    assert "Budi Santoso" not in content


def test_create_form_offers_only_villages_in_scope(other_dinsos_operator, dinsos_operator):
    content = client_for(other_dinsos_operator).get(reverse("registry:family_create")).content.decode()
    assert f'value="{VILLAGE}"' not in content
    assert f'value="{OTHER_VILLAGE}"' not in content
    content = client_for(dinsos_operator).get(reverse("registry:family_create")).content.decode()
    assert f'value="{VILLAGE}"' in content and f'value="{OTHER_VILLAGE}"' in content
    assert 'value="36.73.05.1001"' not in content


def test_correction_buttons_only_for_dinsos_and_proposals_for_the_village(
        village_operator, village_head, dinsos_operator, family):
    edit_url = reverse("registry:family_update", args=[family.pk])
    presence_url = reverse("registry:individual_presence", args=[_wife(family).pk])
    propose_change = reverse("updates:family_proposal", args=[family.pk, "change_data"])
    propose_removal = reverse("updates:family_proposal", args=[family.pk, "remove_member"])
    dinsos = client_for(dinsos_operator).get(page_url("family_detail", family)).content.decode()
    assert edit_url in dinsos and presence_url in dinsos
    village = client_for(village_operator).get(page_url("family_detail", family)).content.decode()
    assert edit_url not in village and presence_url not in village
    assert propose_change in village and f"{propose_removal}?member={_wife(family).pk}" in village
    head = client_for(village_head).get(page_url("family_detail", family)).content.decode()
    assert edit_url not in head and propose_change not in head


def test_list_and_dashboard_offer_the_matching_new_family_action(village_operator, village_head, dinsos_operator):
    propose = reverse("updates:proposal_new", args=["new_family"])
    direct = reverse("registry:family_create")
    for url in (reverse("registry:family_list"), reverse("web:dashboard")):
        village = client_for(village_operator).get(url).content.decode()
        assert propose in village and f'href="{direct}"' not in village
        dinsos = client_for(dinsos_operator).get(url).content.decode()
        assert f'href="{direct}"' in dinsos
        head = client_for(village_head).get(url).content.decode()
        assert propose not in head and f'href="{direct}"' not in head


# POST: every write refused for anonymous / wrong role / wrong region changes nothing ----------------------

REASON = "Data Dukcapil terbaru"


def _create_payload() -> dict[str, Any]:
    born = date(1979, 2, 10)
    return {
        "region": VILLAGE, "kk_number": make_kk(), "rw": "3", "rt": "7", "address": "Kp. Baru",
        "floor": "8", "wall": "4", "assets": ["motorcycle"], "livestock_goat": "2",
        "head_nik": make_nik(born=born), "head_name": "Joko Susilo", "head_sex": "1",
        "head_birth_place": "Serang", "head_birth_date": born.isoformat(), "head_marital_status": "2",
        "correction_reason": REASON,
    }


def _update_payload(family: Family) -> dict[str, Any]:
    return {**as_post(FamilyUpdateForm.initial_from(family)), "address": "Kp. Kramat Baru", "roof": "3",
            "correction_reason": REASON}


def _remove_payload(family: Family) -> dict[str, Any]:
    return {"reason": "moved", "note": "Pindah ke Jakarta", "on_date": "2025-01-10", "correction_reason": REASON}


def _add_payload(family: Family) -> dict[str, Any]:
    born = date(2015, 5, 5)
    return {"nik": make_nik(born=born, sex=2), "name": "Putri Ayu", "sex": "2", "birth_date": born.isoformat(),
            "relation": "3", "correction_reason": REASON}


def _member_update_payload(family: Family) -> dict[str, Any]:
    return {**as_post(IndividualForm.initial_from(_wife(family))), "occupation": "Pedagang",
            "correction_reason": REASON}


def _presence_payload(family: Family) -> dict[str, Any]:
    return {"presence": str(c.Presence.MOVED_DOMESTIC), "presence_note": "Pindah ke Bandung",
            "presence_date": "2025-02-01", "correction_reason": REASON}


WRITES = {
    "family_create": ("family.create", _create_payload),
    "family_update": ("family.update", _update_payload),
    "family_remove": ("family.remove", _remove_payload),
    "individual_add": ("individual.add", _add_payload),
    "individual_update": ("individual.update", _member_update_payload),
    "individual_presence": ("individual.presence", _presence_payload),
}


def registry_state() -> tuple:
    families = sorted((model_to_dict(f) | {"id": str(f.pk), "updated": f.updated_at} for f in Family.objects.all()),
                      key=lambda row: row["id"])
    members = sorted((model_to_dict(m) | {"id": str(m.pk), "updated": m.updated_at} for m in Individual.objects.all()),
                     key=lambda row: row["id"])
    return families, members


def _payload(page: str, family: Family) -> dict[str, Any]:
    payload = WRITES[page][1]
    return payload() if page == "family_create" else payload(family)


@pytest.mark.parametrize("page", list(WRITES))
@pytest.mark.parametrize(("actor", "status"), [
    (None, 302),
    ("village_operator", 403),  # village roles propose; they never write the registry directly
    ("village_head", 403),
    ("facilitator", 403),
    ("auditor", 403),
    ("other_village_operator", 403),
    ("other_dinsos_operator", 404),
])
def test_refused_write_changes_nothing(request, family, page, actor, status):
    user = request.getfixturevalue(actor) if actor else None
    action = WRITES[page][0]
    payload = _payload(page, family)
    before, events_before = registry_state(), AuditEvent.objects.filter(action=action).count()
    response = client_for(user).post(page_url(page, family), payload)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(LOGIN)
    assert registry_state() == before
    assert AuditEvent.objects.filter(action=action).count() == events_before


@pytest.mark.parametrize("page", list(WRITES))
def test_allowed_write_changes_and_is_audited(dinsos_operator, family, page):
    action = WRITES[page][0]
    after = audit_seq()
    response = client_for(dinsos_operator).post(page_url(page, family), _payload(page, family))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditEvent.objects.filter(action=action, seq__gt=after).count() == 1
    assert_audited(action, actor=dinsos_operator, region_code=VILLAGE, after=after, basis="correction",
                   reason=REASON)


@pytest.mark.parametrize("page", list(WRITES))
def test_a_correction_without_a_reason_is_refused_and_changes_nothing(dinsos_operator, family, page):
    action = WRITES[page][0]
    payload = {**_payload(page, family), "correction_reason": "  "}
    before, events_before = registry_state(), AuditEvent.objects.filter(action=action).count()
    response = client_for(dinsos_operator).post(page_url(page, family), payload)
    assert response.status_code == 422
    assert "alasan koreksi langsung wajib diisi" in field_errors(response.content.decode(), "correction_reason")
    assert registry_state() == before
    assert AuditEvent.objects.filter(action=action).count() == events_before


def test_create_family_saves_family_and_head(dinsos_operator):
    payload = _create_payload()
    response = client_for(dinsos_operator).post(reverse("registry:family_create"), payload)
    family = Family.objects.get(kk_number=payload["kk_number"])
    assert response["Location"] == reverse("registry:family_detail", args=[family.pk])
    assert (family.rw, family.rt, family.floor, family.assets, family.livestock) == (
        "003", "007", 8, {"motorcycle": True}, {"goat": 2})
    head = family.members.get()
    assert (head.name, head.relation, head.nik) == ("Joko Susilo", c.Relation.HEAD, payload["head_nik"])


def test_create_in_a_village_outside_scope_is_not_found(other_dinsos_operator):
    payload = {**_create_payload(), "region": VILLAGE}
    response = client_for(other_dinsos_operator).post(reverse("registry:family_create"), payload)
    assert response.status_code == 404
    assert not Family.objects.filter(kk_number=payload["kk_number"]).exists()


def test_update_changes_only_what_was_edited(dinsos_operator, family):
    client_for(dinsos_operator).post(page_url("family_update", family), _update_payload(family))
    family.refresh_from_db()
    assert (family.address, family.roof, family.floor, family.wall) == ("Kp. Kramat Baru", c.Roof.ZINC, 8, 4)
    event = AuditEvent.objects.filter(action="family.update").first()
    assert set(event.data["changes"]) == {"address", "roof"}


def test_member_edit_changes_the_member(dinsos_operator, family):
    client_for(dinsos_operator).post(page_url("individual_update", family), _member_update_payload(family))
    wife = _wife(family)
    assert wife.occupation == "Pedagang"
    assert wife.name == "Siti Aminah"


def test_presence_is_recorded(dinsos_operator, family):
    client_for(dinsos_operator).post(page_url("individual_presence", family), _presence_payload(family))
    wife = _wife(family)
    assert (wife.presence, wife.presence_note, wife.presence_date) == (
        c.Presence.MOVED_DOMESTIC, "Pindah ke Bandung", date(2025, 2, 1))


# Form errors: the service's field messages, status 422, nothing saved -------------------------------------

def field_errors(content: str, field: str) -> str:
    match = re.search(rf'<div class="field__error" id="id_{field}_error">(.*?)</div>', content, re.S)
    return match.group(1) if match else ""


def test_create_with_a_bad_kk_shows_the_field_error(dinsos_operator):
    payload = {**_create_payload(), "kk_number": "12345"}
    response = client_for(dinsos_operator).post(reverse("registry:family_create"), payload)
    assert response.status_code == 422
    content = response.content.decode()
    assert "harus 16 digit, ditemukan 5" in field_errors(content, "kk_number")
    assert 'aria-invalid="true"' in content
    assert not Family.objects.filter(address="Kp. Baru").exists()


def test_create_member_errors_land_on_the_head_fields(dinsos_operator):
    payload = {**_create_payload(), "head_name": "", "head_nik": "3604051002790"}
    response = client_for(dinsos_operator).post(reverse("registry:family_create"), payload)
    assert response.status_code == 422
    content = response.content.decode()
    assert "nama wajib diisi" in field_errors(content, "head_name")
    assert "harus 16 digit" in field_errors(content, "head_nik")
    assert not Family.objects.filter(kk_number=payload["kk_number"]).exists()


def test_empty_member_form_reports_required_fields(dinsos_operator, family):
    count = family.members.count()
    response = client_for(dinsos_operator).post(page_url("individual_add", family), {})
    assert response.status_code == 422
    content = response.content.decode()
    for field in ("nik", "name", "sex", "birth_date", "relation"):
        assert field_errors(content, field), field
    assert family.members.count() == count


def test_member_edit_with_empty_name_is_refused(dinsos_operator, family):
    payload = {**_member_update_payload(family), "name": "  "}
    response = client_for(dinsos_operator).post(page_url("individual_update", family), payload)
    assert response.status_code == 422
    assert "nama wajib diisi" in field_errors(response.content.decode(), "name")
    assert _wife(family).name == "Siti Aminah"
    assert not AuditEvent.objects.filter(action="individual.update").exists()


def test_second_head_is_a_field_error_in_english_when_english_is_active(dinsos_operator, family):
    client = client_for(dinsos_operator)
    client.post(reverse("set_language"), {"language": "en"})
    payload = {**_add_payload(family), "relation": "1"}
    response = client.post(page_url("individual_add", family), payload)
    assert response.status_code == 422
    assert "this family already has a head of family" in field_errors(response.content.decode(), "relation")


def test_type_errors_are_shown_without_calling_the_service(dinsos_operator, family):
    payload = {**_add_payload(family), "birth_date": "31-31-2020"}
    response = client_for(dinsos_operator).post(page_url("individual_add", family), payload)
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "birth_date")
    assert not AuditEvent.objects.filter(action="individual.add", data__after__name="Putri Ayu").exists()


def test_service_errors_without_a_form_field_are_non_field_errors(dinsos_operator, family):
    payload = {**_update_payload(family), "livestock_goat": "-3"}
    response = client_for(dinsos_operator).post(page_url("family_update", family), payload)
    assert response.status_code == 422
    content = response.content.decode()
    assert "ternak &#x27;goat&#x27;" in content
    family.refresh_from_db()
    assert family.address == "Kp. Kramat"


def test_presence_without_a_required_note_is_refused(dinsos_operator, family):
    payload = {**_presence_payload(family), "presence_note": ""}
    response = client_for(dinsos_operator).post(page_url("individual_presence", family), payload)
    assert response.status_code == 422
    assert "keterangan wajib diisi" in field_errors(response.content.decode(), "presence_note")
    assert _wife(family).presence == c.Presence.LIVING


def test_remove_without_a_reason_is_refused(dinsos_operator, family):
    response = client_for(dinsos_operator).post(page_url("family_remove", family), {"reason": ""})
    assert response.status_code == 422
    assert "alasan penghapusan wajib dipilih" in field_errors(response.content.decode(), "reason")
    family.refresh_from_db()
    assert family.status == c.FamilyStatus.ACTIVE


def test_editing_a_removed_family_is_a_conflict(dinsos_operator, family):
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="moved")
    response = client_for(dinsos_operator).post(page_url("family_update", family), _update_payload(family))
    assert response.status_code == 409
    family.refresh_from_db()
    assert family.address == "Kp. Kramat"
    content = client_for(dinsos_operator).get(page_url("family_detail", family)).content.decode()
    assert reverse("registry:family_update", args=[family.pk]) not in content


# Search ----------------------------------------------------------------------------------------------------

def _list(client, **params) -> str:
    return client.get(reverse("registry:family_list"), params).content.decode()


def test_search_by_nik(village_operator, dinsos_operator, family, other_village_family):
    client = client_for(village_operator)
    other = make_family_in_village(dinsos_operator, "Hendra Gunawan")
    content = _list(client, q=_wife(family).nik)
    assert "Budi Santoso" in content
    assert "Hendra Gunawan" not in content
    assert "Hendra Gunawan" in _list(client)
    assert other.kk_number in _list(client, q=other.members.get().nik)


def test_search_by_kk(village_operator, dinsos_operator, family):
    make_family_in_village(dinsos_operator, "Hendra Gunawan")
    content = _list(client_for(village_operator), q=family.kk_number)
    assert "Budi Santoso" in content and "Hendra Gunawan" not in content


@pytest.mark.parametrize("typo", ["Siti Aminha", "budi santso", "Rizky Pratama"])
def test_search_by_name_with_a_typo(village_operator, dinsos_operator, family, typo):
    make_family_in_village(dinsos_operator, "Hendra Gunawan")
    content = _list(client_for(village_operator), q=typo)
    assert "Budi Santoso" in content
    assert "Hendra Gunawan" not in content


def test_search_does_not_reach_outside_the_scope(village_operator, other_village_family):
    nik = other_village_family.members.get().nik
    assert "Dedi Kurniawan" not in _list(client_for(village_operator), q=nik)
    assert 'id="family-table"' not in _list(client_for(village_operator), q="Dedi Kurniawan")


def test_region_and_status_filters(dinsos_operator, family, other_village_family):
    client = client_for(dinsos_operator)
    content = _list(client)
    assert "Budi Santoso" in content and "Dedi Kurniawan" in content
    assert f'value="{OTHER_VILLAGE[:8]}"' in content  # the kecamatan under the assigned regency
    content = _list(client, region=OTHER_VILLAGE[:8])
    assert "Budi Santoso" in content and "Dedi Kurniawan" in content
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=other_village_family, reason="moved")
    assert "Dedi Kurniawan" not in _list(client)
    assert "Dedi Kurniawan" in _list(client, status="removed")
    assert "Budi Santoso" not in _list(client, status="removed")
    assert "Dedi Kurniawan" in _list(client, status="")


def test_htmx_search_returns_only_the_results(village_operator, family):
    client = client_for(village_operator)
    response = client.get(reverse("registry:family_list"), {"q": "Budi"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and 'id="family-table"' in content and "Budi Santoso" in content
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("registry:family_list"), {"q": "Budi"}).content.decode()
    assert "<html" in full and 'hx-target="#results"' in full


def test_htmx_history_restore_gets_the_whole_page(village_operator, family):
    response = client_for(village_operator).get(
        reverse("registry:family_list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_list_is_paginated_by_25(village_operator, dinsos_operator, family):
    for _ in range(26):
        family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk()})
    client = in_english(client_for(village_operator))
    first = _list(client)
    assert first.count('<tr>') - 1 == 25  # header row + 25 families
    assert "27 families" in first
    second = _list(client, page=2)
    assert second.count('<tr>') - 1 == 2
    assert _list(client, page=99).count('<tr>') - 1 == 2  # past the end: the last page


def test_list_columns(village_operator, family):
    content = _list(client_for(village_operator))
    assert family.kk_number in content
    assert "Kramatwatu" in content
    assert "002/005" in content
    assert ">3<" in content.replace(" ", "")  # active members


def make_family_in_village(actor, name: str) -> Family:
    from conftest import member_data

    return family_create(correction_reason="koreksi uji", actor=actor, region_code=VILLAGE, data={"kk_number": make_kk()},
                         members=[member_data(relation=1, name=name, born=date(1990, 6, 1))])


# Masking and sensitive data --------------------------------------------------------------------------------

def masked(value: str) -> str:
    return f"{value[:6]}**********"


def test_village_head_sees_masked_numbers(village_head, family):
    nik = _wife(family).nik
    client = client_for(village_head)
    detail = client.get(page_url("family_detail", family)).content.decode()
    assert masked(nik) in detail
    assert masked(family.kk_number) in detail
    assert nik not in detail  # nowhere on the page, not in the audit trail either
    assert family.kk_number not in detail
    listing = _list(client)
    assert masked(family.kk_number) in listing and family.kk_number not in listing


def test_village_operator_sees_full_numbers(village_operator, family):
    detail = client_for(village_operator).get(page_url("family_detail", family)).content.decode()
    assert _wife(family).nik in detail
    assert family.kk_number in detail


def test_sensitive_fields_only_for_roles_that_may_see_them(village_operator, village_head, dinsos_operator, family):
    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=_wife(family),
                      data={"chronic_illness": c.ChronicIllness.HYPERTENSION, "difficulty_seeing": 2})
    shown = in_english(client_for(village_operator)).get(page_url("family_detail", family)).content.decode()
    assert "Hypertension" in shown and "A lot of difficulty" in shown
    hidden = in_english(client_for(village_head)).get(page_url("family_detail", family)).content.decode()
    assert "Hypertension" not in hidden and "A lot of difficulty" not in hidden
    assert "Health and disability" not in hidden


def test_detail_shows_housing_warnings_history_and_trail(village_operator, dinsos_operator, family):
    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=_wife(family), data={"name": "Siti Aminah Rahayu"})
    client = in_english(client_for(village_operator))
    client.get(page_url("family_detail", family))
    content = client.get(page_url("family_detail", family)).content.decode()
    assert "Earth" in content and "Woven bamboo" in content  # floor 8, wall 4 as labels
    assert "individual.update" in content
    assert "<del>Siti Aminah</del>" in content and "<ins>Siti Aminah Rahayu</ins>" in content
    assert "personal_data.view" in content  # the earlier view is logged and listed
    assert 'id="trail"' in content


def test_detail_shows_validation_warnings_in_the_active_language(village_operator, dinsos_operator, family):
    # A NIK whose birth date differs from the recorded one is accepted with a warning.
    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=_wife(family), data={"birth_date": date(1983, 7, 22)})
    client = client_for(village_operator)
    assert "berbeda dengan tanggal lahir tercatat" in client.get(page_url("family_detail", family)).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    assert "differs from the recorded birth date" in client.get(page_url("family_detail", family)).content.decode()
