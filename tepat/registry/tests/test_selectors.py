from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import (
    DISTRICT,
    OTHER_DISTRICT,
    OTHER_DISTRICT_VILLAGE,
    OTHER_VILLAGE,
    VILLAGE,
    make_kk,
    member_data,
)
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.regions.models import Region
from tepat.registry import choices as c
from tepat.registry.access import access_family, access_individual, identity_for, may_see_sensitive
from tepat.registry.masking import search_digest
from tepat.registry.models import Family, Individual
from tepat.registry.selectors import (
    dashboard_counts,
    dashboard_counts_recent,
    family_detail,
    family_heads,
    family_search,
)
from tepat.registry.services import family_create, family_remove, individual_set_presence


def _ids(result) -> list:
    return [f.pk for f in result.families]


def _events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]


def _head(family: Family) -> Individual:
    return family.members.get(relation=c.Relation.HEAD)


@pytest.fixture
def city_family(make_user):
    """A family in Kota Serang, outside every Kabupaten Serang actor's scope."""
    city_operator = make_user("dinsos_operator", [OTHER_DISTRICT], "op_kota")
    return family_create(correction_reason="koreksi uji", actor=city_operator, region_code=OTHER_DISTRICT_VILLAGE, data={"kk_number": make_kk()},
                         members=[member_data(name="Budi Santoso", born=date(1980, 1, 5))])


# --- search by identity number ---------------------------------------------------------------------------------


def test_search_by_full_nik(family, other_village_family, dinsos_operator):
    nik = family.members.get(name="Rizki Pratama").nik

    result = family_search(actor=dinsos_operator, query=nik)

    assert (result.kind, _ids(result)) == ("identity", [family.pk])
    assert result.families[0].member_count == 3


def test_search_by_nik_typed_with_spaces_and_dots(family, dinsos_operator):
    nik = _head(family).nik

    assert _ids(family_search(actor=dinsos_operator, query=f"{nik[:4]} {nik[4:8]}.{nik[8:12]}-{nik[12:]}")) == [
        family.pk]


def test_search_by_kk(family, other_village_family, dinsos_operator):
    result = family_search(actor=dinsos_operator, query=other_village_family.kk_number)

    assert (result.kind, _ids(result)) == ("identity", [other_village_family.pk])


def test_search_by_nik_prefix(family, other_village_family, dinsos_operator):
    budi_prefix = _head(family).nik[:12]  # 360405 + born 05-01-80
    dedi_prefix = _head(other_village_family).nik[:12]

    assert _ids(family_search(actor=dinsos_operator, query=budi_prefix)) == [family.pk]
    assert _ids(family_search(actor=dinsos_operator, query=dedi_prefix)) == [other_village_family.pk]
    assert set(_ids(family_search(actor=dinsos_operator, query="3604"))) == {family.pk, other_village_family.pk}


def test_an_unknown_number_finds_nothing(family, dinsos_operator):
    assert _ids(family_search(actor=dinsos_operator, query="3604059999999999")) == []


def test_identity_search_is_logged_without_the_number(family, dinsos_operator):
    nik = _head(family).nik
    seq = _last_seq()

    family_search(actor=dinsos_operator, query=nik, region_code=VILLAGE)

    [event] = _events_after(seq)
    assert (event.action, event.actor_id, event.region_code, event.data) == (
        "personal_data.search", dinsos_operator.pk, VILLAGE,
        {"kind": "identity", "exact": True, "query_hash": search_digest("identity", nik)})
    stored = " ".join(str(v) for v in AuditEvent.objects.filter(seq=event.seq).values().get().values())
    assert nik not in stored and nik[:8] not in stored


# --- search by name ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Budi Santoso", "Budi Santosa", "budi  santoso", "BUDI SANTOSO", "Bdi Santoso",
                                   "H. Budi Santoso, S.E."])
def test_search_by_name_tolerates_typos_case_and_spaces(family, other_village_family, dinsos_operator, query):
    result = family_search(actor=dinsos_operator, query=query)

    assert (result.kind, _ids(result)) == ("name", [family.pk])


def test_search_by_a_member_name_finds_the_family(family, other_village_family, dinsos_operator):
    assert _ids(family_search(actor=dinsos_operator, query="Siti Aminah")) == [family.pk]
    assert _ids(family_search(actor=dinsos_operator, query="Dedi Kurniawan")) == [other_village_family.pk]


def test_name_results_come_best_match_first(family, dinsos_operator):
    similar = family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=OTHER_VILLAGE, data={"kk_number": make_kk()},
                            members=[member_data(name="Budi Santosa", born=date(1970, 2, 2))])

    assert _ids(family_search(actor=dinsos_operator, query="Budi Santosa")) == [similar.pk, family.pk]
    assert _ids(family_search(actor=dinsos_operator, query="Budi Santoso")) == [family.pk, similar.pk]


def test_a_name_that_matches_nobody_finds_nothing(family, dinsos_operator):
    assert _ids(family_search(actor=dinsos_operator, query="Wayan Sudarsana")) == []


def test_name_search_is_logged_without_the_name(family, dinsos_operator):
    seq = _last_seq()

    family_search(actor=dinsos_operator, query="Budi Santosa")

    [event] = _events_after(seq)
    # Without a region filter the event carries the actor's region, so district auditors see it.
    assert (event.action, event.data, event.region_code) == (
        "personal_data.search", {"kind": "name", "query_hash": search_digest("name", "budi santosa")}, "36.04")
    stored = " ".join(str(v) for v in AuditEvent.objects.filter(seq=event.seq).values().get().values()).lower()
    assert "budi" not in stored and "santos" not in stored


def test_listing_without_a_query_is_not_a_lookup(family, dinsos_operator):
    seq = _last_seq()

    result = family_search(actor=dinsos_operator)

    assert result.kind == "all"
    assert family.pk in _ids(result)
    assert _events_after(seq) == []


# --- scope and region filter ---------------------------------------------------------------------------------


def test_each_actor_sees_only_their_regions(family, other_village_family, city_family, village_operator,
                                            other_village_operator, dinsos_operator, province_viewer):
    assert _ids(family_search(actor=village_operator)) == [family.pk]
    assert _ids(family_search(actor=other_village_operator)) == [other_village_family.pk]
    assert set(_ids(family_search(actor=dinsos_operator))) == {family.pk, other_village_family.pk}
    assert set(_ids(family_search(actor=province_viewer))) == {family.pk, other_village_family.pk, city_family.pk}


def test_search_never_reaches_outside_the_scope(family, city_family, village_operator, other_dinsos_operator):
    city_nik = _head(city_family).nik

    assert _ids(family_search(actor=village_operator, query=city_nik)) == []
    assert _ids(family_search(actor=village_operator, query=city_family.kk_number)) == []
    assert _ids(family_search(actor=village_operator, query="Budi Santoso")) == [family.pk]
    assert _ids(family_search(actor=other_dinsos_operator, query="Budi Santoso")) == [city_family.pk]


def test_region_filter_intersects_with_scope(family, other_village_family, city_family, dinsos_operator,
                                             village_operator):
    assert _ids(family_search(actor=dinsos_operator, region_code=OTHER_VILLAGE)) == [other_village_family.pk]
    assert _ids(family_search(actor=dinsos_operator, region_code="36.04.05")) == [family.pk, other_village_family.pk]
    # A region outside the scope returns nothing, with or without a query.
    assert _ids(family_search(actor=dinsos_operator, region_code=OTHER_DISTRICT)) == []
    assert _ids(family_search(actor=dinsos_operator, region_code=OTHER_DISTRICT, query="Budi Santoso")) == []
    assert _ids(family_search(actor=dinsos_operator, region_code=OTHER_DISTRICT,
                              query=_head(city_family).nik)) == []
    # A region wider than the scope gives only the part in scope.
    assert _ids(family_search(actor=village_operator, region_code=DISTRICT)) == [family.pk]
    assert _ids(family_search(actor=village_operator, region_code="36")) == [family.pk]


def test_region_filter_applies_to_name_search(family, other_village_family, dinsos_operator):
    assert _ids(family_search(actor=dinsos_operator, region_code=OTHER_VILLAGE, query="Budi Santoso")) == []
    assert _ids(family_search(actor=dinsos_operator, region_code=VILLAGE, query="Budi Santoso")) == [family.pk]


def test_scope_stops_at_the_dot(dinsos_operator, family):
    # A constructed code that starts with the text "36.04" without lying under 36.04.
    Region.objects.create(code="36.041", name="Tiruan", level=2, kind="kabupaten", parent_id="36", name_key="tiruan")
    lookalike = Family.objects.create(kk_number=make_kk(), region_id="36.041")

    assert lookalike.pk not in _ids(family_search(actor=dinsos_operator))
    assert lookalike.pk not in _ids(family_search(actor=dinsos_operator, query=lookalike.kk_number))
    with pytest.raises(ObjectNotFound):
        access_family(actor=dinsos_operator, family_id=lookalike.pk)


def test_an_unassigned_user_sees_nothing(family, unassigned_operator):
    assert _ids(family_search(actor=unassigned_operator)) == []
    assert _ids(family_search(actor=unassigned_operator, query=_head(family).nik)) == []
    assert _ids(family_search(actor=unassigned_operator, query="Budi Santoso")) == []


def test_anonymous_cannot_search(family):
    with pytest.raises(PermissionDeniedError):
        family_search(actor=AnonymousUser(), query="Budi")
    with pytest.raises(PermissionDeniedError):
        family_search(actor=None)


def test_status_filter(family, other_village_family, dinsos_operator):
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=other_village_family, reason="moved", note="pindah")

    assert _ids(family_search(actor=dinsos_operator)) == [family.pk]
    assert _ids(family_search(actor=dinsos_operator, status="removed")) == [other_village_family.pk]
    assert set(_ids(family_search(actor=dinsos_operator, status=""))) == {family.pk, other_village_family.pk}
    assert _ids(family_search(actor=dinsos_operator, query="Dedi Kurniawan")) == []
    assert _ids(family_search(actor=dinsos_operator, query="Dedi Kurniawan", status="removed")) == [
        other_village_family.pk]


def test_member_count_counts_active_members(family, dinsos_operator):
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=family.members.get(name="Rizki Pratama"),
                            presence=c.Presence.DIED)

    [found] = family_search(actor=dinsos_operator, query=family.kk_number).families

    assert found.member_count == 2


def test_family_heads(family, other_village_family):
    heads = family_heads([family, other_village_family])

    assert {k: v.name for k, v in heads.items()} == {family.pk: "Budi Santoso", other_village_family.pk: "Dedi Kurniawan"}


# --- family_detail ---------------------------------------------------------------------------------------


def test_family_detail_gathers_the_page_and_logs_the_view(family, village_operator):
    seq = _last_seq()

    detail = family_detail(actor=village_operator, family=family)

    assert [m.name for m in detail.members] == ["Budi Santoso", "Siti Aminah", "Rizki Pratama"]
    assert [h.kk_number for h in detail.kk_history] == [family.kk_number]
    assert detail.show_sensitive is True
    assert {e.action for e in detail.events} == {"family.create", "individual.add"}
    assert len(detail.events) == 4
    [event] = _events_after(seq)
    assert (event.action, event.actor_id, event.target_type, event.target_id, event.region_code) == (
        "personal_data.view", village_operator.pk, "registry.family", str(family.pk), VILLAGE)
    assert event.data == {"members": 3, "sensitive": True}


def test_family_detail_for_a_role_without_sensitive_data(family, village_head):
    detail = family_detail(actor=village_head, family=family)

    assert detail.show_sensitive is False
    assert AuditEvent.objects.order_by("-seq").first().data == {"members": 3, "sensitive": False}


@pytest.mark.parametrize("actor_fixture", ["other_village_operator", "other_dinsos_operator", "unassigned_operator"])
def test_family_detail_out_of_scope_is_not_found_and_not_logged(request, family, actor_fixture):
    actor = request.getfixturevalue(actor_fixture)
    seq = _last_seq()

    with pytest.raises(ObjectNotFound):
        family_detail(actor=actor, family=family)

    assert _events_after(seq) == []


# --- scoped fetches ---------------------------------------------------------------------------------------


def test_access_family_and_individual(family, village_operator, other_village_operator):
    budi = _head(family)

    assert access_family(actor=village_operator, family_id=family.pk) == family
    assert access_family(actor=village_operator, family_id=str(family.pk)) == family
    assert access_individual(actor=village_operator, individual_id=budi.pk) == budi
    for family_id in (family.pk, "bukan-uuid", None, 12):
        with pytest.raises(ObjectNotFound):
            access_family(actor=other_village_operator, family_id=family_id)
    with pytest.raises(ObjectNotFound):
        access_individual(actor=other_village_operator, individual_id=budi.pk)


def test_identity_numbers_are_masked_for_roles_without_full_access(village_operator, village_head, auditor):
    nik = "3604050501800001"

    assert identity_for(village_operator, nik) == nik
    assert identity_for(village_head, nik) == "360405**********"
    assert identity_for(auditor, nik) == "360405**********"
    assert identity_for(None, nik) == "360405**********"
    assert may_see_sensitive(village_operator) and not may_see_sensitive(village_head)


# --- dashboard_counts ---------------------------------------------------------------------------------------


@pytest.fixture
def small_registry(family, other_village_family, dinsos_operator, city_family):
    """VILLAGE: `family` (3 members: one died, one moved) and a removed family; OTHER_VILLAGE: one family
    (1 member) with a NIK warning; Kota Serang: one family."""
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=family.members.get(name="Rizki Pratama"),
                            presence=c.Presence.DIED)
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=family.members.get(name="Siti Aminah"),
                            presence=c.Presence.MOVED_ABROAD, note="TKW")
    removed = family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk()},
                            members=[member_data(name="Ujang", born=date(1960, 1, 1))])
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=removed, reason="duplicate")
    Individual.objects.filter(family=other_village_family).update(
        validation_warnings=[{"code": "sex_differs"}])
    Family.objects.filter(pk=other_village_family.pk).update(validation_warnings=[{"code": "region_unknown"}])


def test_dashboard_counts_for_the_district(small_registry, dinsos_operator):
    assert dashboard_counts(actor=dinsos_operator) == {
        "families": {"active": 2, "removed": 1, "with_warnings": 1},
        "individuals": {"active": 2, "died": 1, "moved": 1, "not_found": 0, "with_warnings": 1},
    }


def test_dashboard_counts_respect_scope(small_registry, village_operator, other_village_operator,
                                        unassigned_operator, province_viewer):
    assert dashboard_counts(actor=village_operator) == {
        "families": {"active": 1, "removed": 1, "with_warnings": 0},
        "individuals": {"active": 1, "died": 1, "moved": 1, "not_found": 0, "with_warnings": 0},
    }
    assert dashboard_counts(actor=other_village_operator) == {
        "families": {"active": 1, "removed": 0, "with_warnings": 1},
        "individuals": {"active": 1, "died": 0, "moved": 0, "not_found": 0, "with_warnings": 1},
    }
    assert dashboard_counts(actor=unassigned_operator) == {
        "families": {"active": 0, "removed": 0, "with_warnings": 0},
        "individuals": {"active": 0, "died": 0, "moved": 0, "not_found": 0, "with_warnings": 0},
    }
    assert dashboard_counts(actor=province_viewer)["families"]["active"] == 3


# --- dashboard_counts_recent: the start page's counts, recounted at most every N seconds (ADR 0033) ----


@pytest.fixture
def counts_cache(settings):
    from django.core.cache import cache

    settings.TEPAT_DASHBOARD_COUNTS_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_recent_counts_are_counted_once_then_served_with_their_time(counts_cache, small_registry,
                                                                    dinsos_operator, django_assert_num_queries):
    first, counted_at = dashboard_counts_recent(actor=dinsos_operator)
    assert first == dashboard_counts(actor=dinsos_operator)
    family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE,
                  data={"kk_number": make_kk()}, members=[member_data(name="Baru", born=date(1990, 1, 1))])

    with django_assert_num_queries(0):  # the actor's regions are cached on the user; the counts in the cache
        again, again_at = dashboard_counts_recent(actor=dinsos_operator)

    assert (again, again_at) == (first, counted_at)  # not recounted within the window
    assert dashboard_counts(actor=dinsos_operator)["families"]["active"] == first["families"]["active"] + 1


def test_recent_counts_are_kept_per_set_of_regions(counts_cache, small_registry, village_operator,
                                                   other_village_operator, dinsos_operator):
    district, _ = dashboard_counts_recent(actor=dinsos_operator)
    village, _ = dashboard_counts_recent(actor=village_operator)
    other, _ = dashboard_counts_recent(actor=other_village_operator)

    assert village == dashboard_counts(actor=village_operator) != district
    assert other == dashboard_counts(actor=other_village_operator) != village


def test_recent_counts_check_the_capability_before_the_cache(counts_cache, small_registry, dinsos_operator,
                                                             make_user):
    dashboard_counts_recent(actor=dinsos_operator)  # the district's counts are in the cache
    inactive = make_user("dinsos_operator", [DISTRICT], "op_nonaktif")
    inactive.is_active = False

    with pytest.raises(PermissionDeniedError):
        dashboard_counts_recent(actor=inactive)
    with pytest.raises(PermissionDeniedError):
        dashboard_counts_recent(actor=AnonymousUser())


def test_recent_counts_with_no_window_count_every_time(settings, small_registry, dinsos_operator):
    settings.TEPAT_DASHBOARD_COUNTS_SECONDS = 0
    before, _ = dashboard_counts_recent(actor=dinsos_operator)
    family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE,
                  data={"kk_number": make_kk()}, members=[member_data(name="Baru", born=date(1990, 1, 1))])

    after, _ = dashboard_counts_recent(actor=dinsos_operator)

    assert after["families"]["active"] == before["families"]["active"] + 1
