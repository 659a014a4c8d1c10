from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import KECAMATAN, OTHER_VILLAGE, VILLAGE, make_kk, make_nik, member_data
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.exceptions import (
    BusinessRuleViolation,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, KKNumberHistory
from tepat.registry.services import (
    family_create,
    family_remove,
    family_update,
    individual_add,
    individual_set_presence,
    individual_update,
)


def _state() -> tuple:
    """Every registry row and every audit event: a refused action must leave all of it as it was."""
    return (
        list(Family.objects.order_by("pk").values()),
        list(Individual.objects.order_by("pk").values()),
        list(KKNumberHistory.objects.order_by("pk").values()),
        list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)),
    )


def _last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


def _codes(raised) -> list[tuple[str, str]]:
    return [(issue.field, issue.code) for issue in raised.value.issues]


def _head(family: Family) -> Individual:
    return family.members.get(relation=c.Relation.HEAD)


def _member(family: Family, name: str) -> Individual:
    return family.members.get(name=name)


# --- family_create ---------------------------------------------------------------------------------------


def test_family_create_writes_family_history_members_and_events(dinsos_operator):
    first_seq = _last_event().seq
    kk = make_kk()

    family = family_create(correction_reason="koreksi uji",
        actor=dinsos_operator, region_code=VILLAGE,
        data={"kk_number": f"'{kk[:4]} {kk[4:]}", "rw": "2", "rt": "5", "address": " Kp.  Kramat ", "floor": 8},
        members=[member_data(name="Budi  Santoso"), member_data(relation=2, sex=2, name="Siti Aminah")],
    )

    family.refresh_from_db()
    assert (family.kk_number, family.region_id, family.rw, family.rt, family.address, family.floor) == (
        kk, VILLAGE, "002", "005", "Kp. Kramat", 8)
    assert (family.status, family.validation_warnings) == ("active", [])
    history = list(family.kk_history.values_list("kk_number", "valid_from", "valid_to", "reason"))
    assert history == [(kk, timezone.localdate(), None, "created")]
    assert list(family.members.values_list("name", "name_key")) == [
        ("Budi Santoso", "budi santoso"), ("Siti Aminah", "siti aminah")]
    events = list(AuditEvent.objects.filter(seq__gt=first_seq).order_by("seq"))
    assert [e.action for e in events] == ["family.create", "individual.add", "individual.add"]
    created = events[0]
    assert (created.actor_id, created.target_type, created.target_id, created.region_code) == (
        dinsos_operator.pk, "registry.family", str(family.pk), VILLAGE)
    assert created.data["after"]["kk_number"] == kk[:6] + "*" * 10  # masked at the write side
    assert created.data["after"]["rw"] == "002"
    assert events[1].data["family"] == str(family.pk)
    assert events[1].data["after"]["name"] == "Budi Santoso"
    assert events[1].data["after"]["birth_date"] == "1985-03-14"
    assert audit_verify().ok


def test_a_village_operator_may_not_create_a_family_directly(village_operator):
    before = _state()

    with pytest.raises(PermissionDeniedError):
        family_create(correction_reason="koreksi uji", actor=village_operator, region_code=VILLAGE,
                      data={"kk_number": make_kk()})

    assert _state() == before


def test_family_create_stores_an_old_kk_prefix_as_a_warning(dinsos_operator):
    family = family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE,
                           data={"kk_number": make_kk(region6="910101")})

    family.refresh_from_db()
    assert [w["code"] for w in family.validation_warnings] == ["region_unknown"]
    assert family.validation_warnings[0]["severity"] == "warning"


@pytest.mark.parametrize(("actor_fixture", "error"), [
    ("facilitator", PermissionDeniedError),  # right village, no edit capability
    ("village_head", PermissionDeniedError),
    ("auditor", PermissionDeniedError),
    ("village_operator", PermissionDeniedError),  # village roles propose, never write directly
    ("other_village_operator", PermissionDeniedError),
    ("other_dinsos_operator", ObjectNotFound),  # edit capability, another district
    ("unassigned_operator", ObjectNotFound),
])
def test_family_create_refused_for_wrong_role_or_region(request, family, actor_fixture, error):
    actor = request.getfixturevalue(actor_fixture)
    before = _state()

    with pytest.raises(error):
        family_create(correction_reason="koreksi uji", actor=actor, region_code=VILLAGE, data={"kk_number": make_kk()},
                      members=[member_data()])

    assert _state() == before


def test_family_create_refused_for_anonymous(family):
    before = _state()

    with pytest.raises(PermissionDeniedError):
        family_create(correction_reason="koreksi uji", actor=None, region_code=VILLAGE, data={"kk_number": make_kk()})

    assert _state() == before


@pytest.mark.parametrize(("region", "data", "members", "expected"), [
    (KECAMATAN, {}, [], ("region", "region")),  # a family lives in a village, not a kecamatan
    ("36.04.05.2999", {}, [], ("region", "region")),
    (VILLAGE, {"kk_number": "3604053002150001"}, [], ("kk_number", "date")),
    (VILLAGE, {"kk_number": ""}, [], ("kk_number", "required")),
    (VILLAGE, {"rw": "abc"}, [], ("rw", "rt_rw")),
    (VILLAGE, {"colour": "blue"}, [], ("colour", "unknown_field")),
    (VILLAGE, {"address": "x" * 201}, [], ("address", "max_length")),
    # A bad member rolls back the whole family.
    (VILLAGE, {}, [member_data(), member_data(nik="3604051413850001")], ("nik", "month")),
    (VILLAGE, {}, [member_data(), member_data(name="Kepala Kedua")], ("relation", "second_head")),
    (VILLAGE, {}, [member_data(name="y" * 151)], ("name", "max_length")),
])
def test_family_create_validation_errors_change_nothing(family, dinsos_operator, region, data, members, expected):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=region, data={"kk_number": make_kk(), **data},
                      members=members)

    assert expected in _codes(raised)
    assert _state() == before


def test_family_create_refuses_a_kk_in_use(family, dinsos_operator):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=OTHER_VILLAGE, data={"kk_number": family.kk_number})

    assert _codes(raised) == [("kk_number", "kk_in_use")]
    assert _state() == before


def test_family_create_refuses_a_nik_already_in_another_family(family, dinsos_operator):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk()},
                      members=[member_data(nik=_head(family).nik)])

    assert _codes(raised) == [("nik", "nik_in_other_family")]
    assert _state() == before


def test_the_kk_and_niks_of_a_removed_family_can_be_registered_again(family, dinsos_operator):
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="duplicate")
    head = _head(family)

    again = family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": family.kk_number},
                          members=[member_data(nik=head.nik, name=head.name, born=head.birth_date)])

    assert again.pk != family.pk
    assert Individual.objects.filter(nik=head.nik).count() == 2


# --- family_update ---------------------------------------------------------------------------------------


def test_family_update_records_before_and_after_of_changed_fields(family, dinsos_operator):
    kk_history = list(KKNumberHistory.objects.values())

    family_update(actor=dinsos_operator, family=family, correction_reason="verifikasi lapangan",
                  data={"rw": "3", "rt": "05", "address": "Kp. Kramat Baru", "roof": 2})

    family.refresh_from_db()
    assert (family.rw, family.rt, family.address, family.roof) == ("003", "005", "Kp. Kramat Baru", 2)
    event = _last_event()
    assert (event.action, event.target_id, event.region_code, event.actor_id) == (
        "family.update", str(family.pk), VILLAGE, dinsos_operator.pk)
    assert event.data == {
        "changes": {
            "rw": {"before": "002", "after": "003"},
            "address": {"before": "Kp. Kramat", "after": "Kp. Kramat Baru"},
            "roof": {"before": None, "after": 2},
        },
        "basis": "correction",
        "reason": "verifikasi lapangan",
    }
    assert list(KKNumberHistory.objects.values()) == kk_history


def test_a_new_kk_number_is_recorded_in_the_history(family, dinsos_operator):
    old_kk, new_kk = family.kk_number, make_kk(issued=date(2024, 1, 15))

    family_update(actor=dinsos_operator, family=family, data={"kk_number": new_kk}, correction_reason="pecah KK")

    family.refresh_from_db()
    assert family.kk_number == new_kk
    today = timezone.localdate()
    assert list(family.kk_history.order_by("created_at").values_list("kk_number", "valid_from", "valid_to",
                                                                      "reason")) == [
        (old_kk, today, today, "created"),
        (new_kk, today, None, "pecah KK"),
    ]
    assert _last_event().data["changes"] == {"kk_number": {"before": old_kk[:6] + "*" * 10, "after": new_kk[:6] + "*" * 10}}


def test_a_new_kk_with_an_old_prefix_stores_the_warning(family, dinsos_operator):
    family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data={"kk_number": make_kk(region6="910101")})

    family.refresh_from_db()
    assert [w["code"] for w in family.validation_warnings] == ["region_unknown"]


def test_family_update_without_a_change_records_nothing(family, dinsos_operator):
    before = _state()

    family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data={"rw": "02", "kk_number": f" {family.kk_number} "})

    assert _state() == before


@pytest.mark.parametrize(("actor_fixture", "error"), [
    ("facilitator", PermissionDeniedError),
    ("village_head", PermissionDeniedError),
    ("province_viewer", PermissionDeniedError),
    ("village_operator", PermissionDeniedError),  # village roles propose, never write directly
    ("other_village_operator", PermissionDeniedError),
    ("other_dinsos_operator", ObjectNotFound),
    ("unassigned_operator", ObjectNotFound),
])
def test_family_update_refused_for_wrong_role_or_region(request, family, actor_fixture, error):
    actor = request.getfixturevalue(actor_fixture)
    before = _state()

    with pytest.raises(error):
        family_update(correction_reason="koreksi uji", actor=actor, family=family, data={"rw": "9"})

    assert _state() == before


@pytest.mark.parametrize(("data", "expected"), [
    ({"rw": "9", "floor": 42}, ("floor", "choice")),
    ({"kk_number": "3604050213150001"}, ("kk_number", "month")),
    ({"region": "36.73.05.1001"}, ("region", "unknown_field")),
    ({"status": "removed"}, ("status", "unknown_field")),
    ({"address": "z" * 201}, ("address", "max_length")),
])
def test_family_update_validation_errors_change_nothing(family, dinsos_operator, data, expected):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data=data)

    assert expected in _codes(raised)
    assert _state() == before


def test_family_update_refuses_a_kk_in_use(family, other_village_family, dinsos_operator):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data={"kk_number": other_village_family.kk_number})

    assert _codes(raised) == [("kk_number", "kk_in_use")]
    assert _state() == before


def test_a_removed_family_cannot_be_edited(family, dinsos_operator):
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="moved", note="pindah ke Cilegon")
    before = _state()

    with pytest.raises(BusinessRuleViolation):
        family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data={"rw": "9"})
    with pytest.raises(BusinessRuleViolation):
        family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="duplicate")
    with pytest.raises(BusinessRuleViolation):
        individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data=member_data(relation=3, name="Anak Baru"))
    with pytest.raises(BusinessRuleViolation):
        individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=_head(family), data={"name": "Budi S."})
    with pytest.raises(BusinessRuleViolation):
        individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=_head(family), presence=c.Presence.DIED)

    assert _state() == before


def test_a_stale_family_object_cannot_bypass_removal(family, dinsos_operator):
    stale = Family.objects.get(pk=family.pk)
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="not_found", note="tidak ditemukan")
    before = _state()

    with pytest.raises(BusinessRuleViolation):
        family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=stale, data={"rw": "9"})

    assert _state() == before


# --- family_remove ---------------------------------------------------------------------------------------


def test_family_remove_is_a_status_never_a_delete(family, dinsos_operator):
    members = Individual.objects.filter(family=family).count()

    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="all_died", note="  seluruh anggota wafat ",
                  on_date=date(2025, 5, 1))

    family.refresh_from_db()
    assert (family.status, family.status_reason, family.status_note, family.status_date) == (
        "removed", "all_died", "seluruh anggota wafat", date(2025, 5, 1))
    assert Individual.objects.filter(family=family).count() == members == 3
    assert KKNumberHistory.objects.filter(family=family).exists()
    event = _last_event()
    assert (event.action, event.target_id) == ("family.remove", str(family.pk))
    assert event.data["changes"] == {
        "status": {"before": "active", "after": "removed"},
        "status_reason": {"before": "", "after": "all_died"},
        "status_note": {"before": "", "after": "seluruh anggota wafat"},
        "status_date": {"before": None, "after": "2025-05-01"},
    }


def test_family_remove_defaults_to_today(family, dinsos_operator):
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="not_eligible")

    family.refresh_from_db()
    assert family.status_date == timezone.localdate()


@pytest.mark.parametrize("reason", ["", "bosan", None])
def test_family_remove_needs_a_known_reason(family, dinsos_operator, reason):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason=reason)

    assert _codes(raised) == [("reason", "reason")]
    assert _state() == before


@pytest.mark.parametrize(("actor_fixture", "error"), [
    ("facilitator", PermissionDeniedError),
    ("village_operator", PermissionDeniedError),  # village roles propose, never write directly
    ("other_village_operator", PermissionDeniedError),
    ("other_dinsos_operator", ObjectNotFound),
])
def test_family_remove_refused_for_wrong_role_or_region(request, family, actor_fixture, error):
    actor = request.getfixturevalue(actor_fixture)
    before = _state()

    with pytest.raises(error):
        family_remove(correction_reason="koreksi uji", actor=actor, family=family, reason="moved")

    assert _state() == before


# --- individual_add ---------------------------------------------------------------------------------------


def test_individual_add_records_the_member(family, dinsos_operator):
    born = date(2012, 4, 9)

    child = individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                           data=member_data(relation=3, sex=2, born=born, name=" Dewi  Lestari ", education=3))

    child.refresh_from_db()
    assert (child.name, child.name_key, child.sex, child.birth_date, child.presence, child.education) == (
        "Dewi Lestari", "dewi lestari", 2, born, c.Presence.LIVING, 3)
    assert child.validation_warnings == []
    event = _last_event()
    assert (event.action, event.target_type, event.target_id, event.region_code) == (
        "individual.add", "registry.individual", str(child.pk), VILLAGE)
    assert event.data["family"] == str(family.pk)
    assert event.data["after"]["nik"] == child.nik[:6] + "*" * 10
    assert event.data["after"]["birth_date"] == "2012-04-09"


def test_nik_birth_date_and_sex_disagreements_are_stored_as_warnings(family, dinsos_operator):
    nik = make_nik(born=date(1950, 6, 1), sex=1)  # the NIK says a man born 01-06-50

    grandmother = individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data=member_data(
        nik=nik, relation=6, sex=2, born=date(1951, 6, 1), name="Mbah Sarinah"))

    grandmother.refresh_from_db()
    assert grandmother.nik == nik  # accepted as it is: the NIK is never "corrected"
    assert [(w["code"], w["severity"]) for w in grandmother.validation_warnings] == [
        ("birth_date_differs", "warning"), ("sex_differs", "warning")]
    assert grandmother.validation_warnings[0]["message_en"].startswith("NIK: birth date in the NIK (01-06-50)")


def test_an_old_nik_prefix_is_stored_as_a_warning(family, dinsos_operator):
    member = individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                            data=member_data(nik=make_nik(region6="910101"), relation=8, name="Yohanes"))

    assert [w["code"] for w in member.validation_warnings] == ["region_unknown"]


@pytest.mark.parametrize(("data", "expected"), [
    (member_data(relation=1, name="Kepala Kedua"), ("relation", "second_head")),
    (member_data(relation=3, name="Tanpa Tanggal", birth_date=None), ("birth_date", "required")),
    (member_data(relation=3, nik="3604051403850000"), ("nik", "serial")),
    (member_data(relation=3, nik="3.60405E+15"), ("nik", "spreadsheet_scientific")),
    (member_data(relation=3, presence=2), ("presence", "unknown_field")),
    (member_data(relation=3, sex=1, pregnant=True), ("pregnant", "pregnant_male")),
])
def test_individual_add_validation_errors_change_nothing(family, dinsos_operator, data, expected):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data=data)

    assert expected in _codes(raised)
    assert _state() == before


def test_individual_add_refuses_a_nik_already_in_this_family(family, dinsos_operator):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                       data=member_data(relation=3, nik=_member(family, "Rizki Pratama").nik))

    assert _codes(raised) == [("nik", "nik_duplicate")]
    assert _state() == before


def test_individual_add_refuses_a_nik_in_another_family(family, other_village_family, dinsos_operator):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                       data=member_data(relation=6, nik=_head(other_village_family).nik))

    assert _codes(raised) == [("nik", "nik_in_other_family")]
    assert _state() == before


def test_a_member_who_moved_out_can_join_another_family(family, other_village_family, dinsos_operator):
    dedi = _head(other_village_family)
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=dedi, presence=c.Presence.MOVED_DOMESTIC,
                            note="ikut anak")

    joined = individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                            data=member_data(relation=6, nik=dedi.nik, name=dedi.name, born=dedi.birth_date))

    assert joined.nik == dedi.nik
    assert Individual.objects.filter(nik=dedi.nik).count() == 2


def test_a_new_head_after_the_head_died(family, dinsos_operator):
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=_head(family), presence=c.Presence.DIED)

    new_head = individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                              data=member_data(relation=1, name="Agus Santoso", born=date(1990, 2, 2)))

    assert new_head.relation == c.Relation.HEAD


@pytest.mark.parametrize(("actor_fixture", "error"), [
    ("facilitator", PermissionDeniedError), ("village_head", PermissionDeniedError),
    ("village_operator", PermissionDeniedError),  # village roles propose, never write directly
    ("other_village_operator", PermissionDeniedError),
    ("unassigned_operator", ObjectNotFound),
])
def test_individual_add_refused_for_wrong_role_or_region(request, family, actor_fixture, error):
    actor = request.getfixturevalue(actor_fixture)
    before = _state()

    with pytest.raises(error):
        individual_add(correction_reason="koreksi uji", actor=actor, family=family,
                       data=member_data(relation=3, name="Anak Baru"))

    assert _state() == before


# --- individual_update ---------------------------------------------------------------------------------------


def test_individual_update_records_before_and_after(family, dinsos_operator):
    siti = _member(family, "Siti Aminah")

    individual_update(actor=dinsos_operator, individual=siti, correction_reason="KTP baru",
                      data={"name": "Hj. Siti  Aminah", "education": 9, "occupation": "Pedagang"})

    siti.refresh_from_db()
    assert (siti.name, siti.name_key, siti.education, siti.occupation) == (
        "Hj. Siti Aminah", "siti aminah", 9, "Pedagang")
    event = _last_event()
    assert (event.action, event.target_id, event.region_code) == ("individual.update", str(siti.pk), VILLAGE)
    assert event.data == {
        "family": str(family.pk),
        "changes": {
            "name": {"before": "Siti Aminah", "after": "Hj. Siti Aminah"},
            "education": {"before": None, "after": 9},
            "occupation": {"before": "", "after": "Pedagang"},
        },
        "basis": "correction",
        "reason": "KTP baru",
    }


def test_individual_update_stores_new_warnings_and_clears_old_ones(family, dinsos_operator):
    budi = _head(family)

    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, data={"birth_date": date(1980, 1, 6)})
    budi.refresh_from_db()
    assert [w["code"] for w in budi.validation_warnings] == ["birth_date_differs"]

    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, data={"birth_date": "1980-01-05"})
    budi.refresh_from_db()
    assert budi.validation_warnings == []


def test_individual_update_without_a_change_records_nothing(family, dinsos_operator):
    before = _state()

    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=_head(family), data={"name": " Budi   Santoso "})

    assert _state() == before


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("relation", 1, ("relation", "second_head")),
    ("nik", "3604051413850001", ("nik", "month")),
    ("name", "", ("name", "required")),
    ("pregnant", True, ("pregnant", "pregnant_male")),
    ("family", "x", ("family", "unknown_field")),
    ("presence", 2, ("presence", "unknown_field")),
])
def test_individual_update_validation_errors_change_nothing(family, dinsos_operator, field, value, expected):
    rizki = _member(family, "Rizki Pratama")
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=rizki, data={field: value})

    assert expected in _codes(raised)
    assert _state() == before


def test_individual_update_refuses_a_nik_of_another_family(family, other_village_family, dinsos_operator):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=_head(family),
                          data={"nik": _head(other_village_family).nik})

    assert _codes(raised) == [("nik", "nik_in_other_family")]
    assert _state() == before


@pytest.mark.parametrize(("actor_fixture", "error"), [
    ("facilitator", PermissionDeniedError), ("province_viewer", PermissionDeniedError),
    ("village_operator", PermissionDeniedError),  # village roles propose, never write directly
    ("other_village_operator", PermissionDeniedError),
])
def test_individual_update_refused_for_wrong_role_or_region(request, family, actor_fixture, error):
    actor = request.getfixturevalue(actor_fixture)
    before = _state()

    with pytest.raises(error):
        individual_update(correction_reason="koreksi uji", actor=actor, individual=_head(family),
                          data={"occupation": "Nelayan"})

    assert _state() == before


# --- individual_set_presence ---------------------------------------------------------------------------------


def test_a_death_is_a_presence_status_never_a_delete(family, dinsos_operator):
    budi = _head(family)

    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, presence=c.Presence.DIED,
                            on_date=date(2025, 8, 17))

    budi.refresh_from_db()
    assert (budi.presence, budi.presence_date, budi.presence_note, budi.is_active) == (
        c.Presence.DIED, date(2025, 8, 17), "", False)
    assert Individual.objects.filter(family=family).count() == 3
    event = _last_event()
    assert (event.action, event.target_id) == ("individual.presence", str(budi.pk))
    assert event.data == {"family": str(family.pk), "changes": {
        "presence": {"before": c.Presence.LIVING, "after": c.Presence.DIED},
        "presence_date": {"before": None, "after": "2025-08-17"},
    }, "basis": "correction", "reason": "koreksi uji"}


def test_moving_away_needs_a_note(family, dinsos_operator):
    rizki = _member(family, "Rizki Pratama")
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=rizki, presence=c.Presence.MOVED_ABROAD,
                                note="  ")

    assert _codes(raised) == [("presence_note", "note")]
    assert _state() == before

    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=rizki, presence=c.Presence.MOVED_ABROAD,
                            note="bekerja di Malaysia")
    rizki.refresh_from_db()
    assert (rizki.presence, rizki.presence_note) == (c.Presence.MOVED_ABROAD, "bekerja di Malaysia")


@pytest.mark.parametrize("presence", [0, 7, "2"])
def test_an_unknown_presence_is_refused(family, dinsos_operator, presence):
    before = _state()

    with pytest.raises(ValidationFailed):
        individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=_head(family), presence=presence, note="x")

    assert _state() == before


def test_coming_back_may_not_make_a_second_head(family, dinsos_operator):
    budi = _head(family)
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, presence=c.Presence.NOT_FOUND,
                            note="tidak ditemukan saat verifikasi")
    individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                   data=member_data(relation=1, name="Agus Santoso", born=date(1990, 2, 2)))
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, presence=c.Presence.LIVING)

    assert _codes(raised) == [("relation", "second_head")]
    assert _state() == before


def test_coming_back_with_a_nik_now_in_another_family_is_refused(family, other_village_family, dinsos_operator):
    dedi = _head(other_village_family)
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=dedi, presence=c.Presence.MOVED_DOMESTIC,
                            note="ikut anak")
    individual_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family,
                   data=member_data(relation=6, nik=dedi.nik, name=dedi.name, born=dedi.birth_date))
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=dedi, presence=c.Presence.LIVING)

    assert _codes(raised) == [("nik", "nik_in_other_family")]
    assert _state() == before


def test_setting_the_same_presence_again_records_nothing(family, dinsos_operator):
    rizki = _member(family, "Rizki Pratama")
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=rizki, presence=c.Presence.DIED,
                            on_date=date(2025, 1, 1))
    before = _state()

    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=rizki, presence=c.Presence.DIED,
                            on_date=date(2025, 1, 1))

    assert _state() == before


@pytest.mark.parametrize(("actor_fixture", "error"), [
    ("facilitator", PermissionDeniedError), ("village_head", PermissionDeniedError),
    ("village_operator", PermissionDeniedError),  # village roles propose, never write directly
    ("other_village_operator", PermissionDeniedError),
])
def test_individual_set_presence_refused_for_wrong_role_or_region(request, family, actor_fixture, error):
    actor = request.getfixturevalue(actor_fixture)
    before = _state()

    with pytest.raises(error):
        individual_set_presence(correction_reason="koreksi uji", actor=actor, individual=_head(family),
                                presence=c.Presence.DIED)

    assert _state() == before


def test_every_registry_write_keeps_the_audit_chain_intact(family, dinsos_operator):
    budi = _head(family)
    family_update(correction_reason="koreksi uji", actor=dinsos_operator, family=family, data={"kk_number": make_kk()})
    individual_update(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, data={"occupation": "Petani"})
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=budi, presence=c.Presence.DIED,
                            on_date=timezone.localdate() - timedelta(days=1))
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=family, reason="all_died")

    assert audit_verify().ok
    assert AuditEvent.objects.filter(target_id=str(family.pk)).count() == 3  # create, update, remove


def test_program_participation_add_is_audited(family, dinsos_operator):
    from tepat.registry.models import ProgramParticipation
    from tepat.registry.services import program_participation_add

    participation = program_participation_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family, program="pkh")

    assert ProgramParticipation.objects.filter(family=family, program="pkh").count() == 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.target_id, event.data["program"]) == (
        "program_participation.add", str(participation.pk), "pkh")


def test_program_participation_refused_changes_nothing(family, dinsos_operator, village_head,
                                                        other_dinsos_operator):
    from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError, ValidationFailed
    from tepat.registry.models import ProgramParticipation
    from tepat.registry.services import program_participation_add

    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        program_participation_add(correction_reason="koreksi uji", actor=village_head, family=family, program="pkh")
    with pytest.raises(ObjectNotFound):
        program_participation_add(correction_reason="koreksi uji", actor=other_dinsos_operator, family=family,
                                  program="pkh")
    with pytest.raises(ValidationFailed):
        program_participation_add(correction_reason="koreksi uji", actor=dinsos_operator, family=family, program="nope")
    assert not ProgramParticipation.objects.filter(family=family).exists()
    assert AuditEvent.objects.count() == events


# --- the basis of every write: a direct correction with a reason, or a determined proposal ---------------

WRITES = {
    "family_create": lambda family, **kw: family_create(region_code=VILLAGE, data={"kk_number": make_kk()}, **kw),
    "family_update": lambda family, **kw: family_update(family=family, data={"rw": "9"}, **kw),
    "family_remove": lambda family, **kw: family_remove(family=family, reason="moved", **kw),
    "individual_add": lambda family, **kw: individual_add(
        family=family, data=member_data(relation=3, born=date(2016, 1, 2), name="Ayu"), **kw),
    "individual_update": lambda family, **kw: individual_update(
        individual=_member(family, "Siti Aminah"), data={"occupation": "Guru"}, **kw),
    "individual_set_presence": lambda family, **kw: individual_set_presence(
        individual=_member(family, "Siti Aminah"), presence=c.Presence.DIED, **kw),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_direct_correction_needs_a_reason_and_changes_nothing_without_one(family, dinsos_operator, write, reason):
    before = _state()

    with pytest.raises(ValidationFailed) as raised:
        WRITES[write](family, actor=dinsos_operator, correction_reason=reason)

    assert ("correction_reason", "required") in _codes(raised)
    issue = next(i for i in raised.value.issues if i.field == "correction_reason")
    assert "alasan koreksi langsung wajib diisi" in issue.id and "direct correction is required" in issue.en
    assert _state() == before


@pytest.mark.parametrize("write", list(WRITES))
def test_a_direct_correction_records_its_basis_and_reason(family, dinsos_supervisor, write):
    from conftest import assert_audited, audit_seq

    after = audit_seq()
    WRITES[write](family, actor=dinsos_supervisor, correction_reason="Putusan pengadilan")

    event = AuditEvent.objects.filter(seq__gt=after, actor_id=dinsos_supervisor.pk).order_by("seq").first()
    assert_audited(event.action, actor=dinsos_supervisor, target_type=event.target_type, target_id=event.target_id,
                   after=after, basis="correction", reason="Putusan pengadilan")


@pytest.mark.parametrize("write", list(WRITES))
def test_applying_a_proposal_needs_the_determination_capability(family, dinsos_operator, write):
    before = _state()

    with pytest.raises(PermissionDeniedError):  # the operator may correct, but not apply a proposal
        WRITES[write](family, actor=dinsos_operator, proposal="USL-2601-ABCDEF")

    assert _state() == before


@pytest.mark.parametrize("write", list(WRITES))
def test_applying_a_proposal_records_the_proposal_as_its_basis(family, dinsos_supervisor, write):
    from conftest import assert_audited, audit_seq

    after = audit_seq()
    WRITES[write](family, actor=dinsos_supervisor, proposal="USL-2601-ABCDEF")

    event = AuditEvent.objects.filter(seq__gt=after, actor_id=dinsos_supervisor.pk).order_by("seq").first()
    assert_audited(event.action, actor=dinsos_supervisor, target_type=event.target_type, target_id=event.target_id,
                   after=after, basis="proposal", proposal="USL-2601-ABCDEF")
