import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from conftest import DISTRICT, KECAMATAN, OTHER_DISTRICT, OTHER_DISTRICT_VILLAGE, OTHER_VILLAGE, VILLAGE
from tepat.accounts.access import (
    actor_can,
    actor_in_scope,
    actor_region_codes,
    ensure_capability,
    ensure_permission,
    scope_q,
)
from tepat.accounts.models import User
from tepat.accounts.roles import ROLE_CAPABILITIES, Capability, Role, capabilities_of
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_record
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.regions.models import Region

C = Capability


def _visible_regions(actor, *codes: str) -> set[str]:
    return set(Region.objects.filter(scope_q(actor, "code"), code__in=codes).values_list("code", flat=True))


@pytest.fixture
def look_alike_region(db):
    """A code that shares the text prefix "36.04" but is not under it (constructed; no such code exists)."""
    return Region.objects.create(code="36.041", name="Kabupaten Tiruan", level=2, kind="kabupaten",
                                 parent_id="36", name_key="tiruan")


# --- roles ---------------------------------------------------------------------------------------


def test_every_role_has_capabilities():
    assert set(ROLE_CAPABILITIES) == set(Role.values)
    assert capabilities_of("raja") == frozenset()


@pytest.mark.parametrize(("role", "allowed", "denied"), [
    ("village_operator", {C.UPDATES_PROPOSE, C.PERSONAL_DATA_FULL},
     {C.REGISTRY_CORRECT, C.REGISTRY_IMPORT, C.REGISTRY_EXPORT, C.AUDIT_VIEW, C.USER_MANAGE}),
    ("facilitator", {C.REGISTRY_VIEW, C.PERSONAL_DATA_FULL}, {C.REGISTRY_CORRECT, C.REGISTRY_IMPORT}),
    ("village_head", {C.REGISTRY_VIEW}, {C.REGISTRY_CORRECT, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW}),
    ("district_officer", {C.REGISTRY_VIEW}, {C.REGISTRY_CORRECT, C.PERSONAL_DATA_FULL}),
    ("dinsos_operator", {C.REGISTRY_CORRECT, C.REGISTRY_IMPORT, C.REGISTRY_EXPORT}, {C.AUDIT_VIEW, C.USER_MANAGE}),
    ("province_viewer", {C.REGISTRY_VIEW}, {C.REGISTRY_CORRECT, C.REGISTRY_EXPORT, C.PERSONAL_DATA_FULL}),
    ("auditor", {C.AUDIT_VIEW, C.REGISTRY_VIEW}, {C.REGISTRY_CORRECT, C.PERSONAL_DATA_FULL, C.USER_MANAGE}),
    ("administrator", {C.USER_MANAGE, C.AUDIT_VIEW}, {C.REGISTRY_CORRECT, C.PERSONAL_DATA_FULL}),
])
def test_actor_can_follows_the_role(make_user, role, allowed, denied):
    actor = make_user(role, [DISTRICT])

    assert all(actor_can(actor, cap) for cap in allowed)
    assert not any(actor_can(actor, cap) for cap in denied)


def test_nobody_without_an_active_account_can_do_anything(dinsos_operator):
    assert not actor_can(None, C.REGISTRY_VIEW)
    assert not actor_can(AnonymousUser(), C.REGISTRY_VIEW)
    User.objects.filter(pk=dinsos_operator.pk).update(is_active=False)
    inactive = User.objects.get(pk=dinsos_operator.pk)

    assert not actor_can(inactive, C.REGISTRY_VIEW)
    assert actor_region_codes(inactive) == ()
    with pytest.raises(PermissionDeniedError):
        ensure_capability(actor=inactive, capability=C.REGISTRY_VIEW)


# --- scope ---------------------------------------------------------------------------------------


def test_scope_is_the_region_and_everything_under_it(dinsos_operator, look_alike_region):
    assert actor_region_codes(dinsos_operator) == (DISTRICT,)
    for code in (DISTRICT, KECAMATAN, VILLAGE, OTHER_VILLAGE):
        assert actor_in_scope(dinsos_operator, code), code
    for code in ("36", OTHER_DISTRICT, OTHER_DISTRICT_VILLAGE, "36.041", "31.71"):
        assert not actor_in_scope(dinsos_operator, code), code
    assert _visible_regions(dinsos_operator, DISTRICT, VILLAGE, "36", OTHER_DISTRICT, "36.041") == {DISTRICT, VILLAGE}


def test_a_village_user_sees_only_the_village(village_operator):
    assert actor_in_scope(village_operator, VILLAGE)
    for code in (OTHER_VILLAGE, KECAMATAN, DISTRICT, "36"):
        assert not actor_in_scope(village_operator, code), code


def test_a_province_user_sees_the_whole_province(province_viewer):
    assert _visible_regions(province_viewer, VILLAGE, OTHER_DISTRICT_VILLAGE, "36", "31", "31.71") == {
        VILLAGE, OTHER_DISTRICT_VILLAGE, "36"}


def test_several_assignments_add_up(make_user):
    actor = make_user("village_operator", [VILLAGE, OTHER_DISTRICT_VILLAGE])

    assert _visible_regions(actor, VILLAGE, OTHER_VILLAGE, OTHER_DISTRICT_VILLAGE) == {VILLAGE, OTHER_DISTRICT_VILLAGE}


def test_no_assignment_means_nothing_is_visible(unassigned_operator):
    assert actor_region_codes(unassigned_operator) == ()
    assert not actor_in_scope(unassigned_operator, VILLAGE)
    assert not Region.objects.filter(scope_q(unassigned_operator, "code")).exists()
    with pytest.raises(ObjectNotFound):
        ensure_permission(actor=unassigned_operator, capability=C.REGISTRY_VIEW, region_code=VILLAGE)


def test_scope_q_works_on_any_region_code_column(dinsos_operator, other_dinsos_operator):
    with transaction.atomic():
        mine = audit_record(actor=SYSTEM, action="personal_data.search", region_code=VILLAGE)
        theirs = audit_record(actor=SYSTEM, action="personal_data.search", region_code=OTHER_DISTRICT_VILLAGE)
        lookalike = audit_record(actor=SYSTEM, action="personal_data.search", region_code="36.041")
    events = AuditEvent.objects.filter(action="personal_data.search")

    assert list(events.filter(scope_q(dinsos_operator, "region_code")).values_list("seq", flat=True)) == [mine.seq]
    assert list(events.filter(scope_q(other_dinsos_operator, "region_code")).values_list("seq", flat=True)) == [
        theirs.seq]
    assert lookalike.seq not in events.filter(scope_q(dinsos_operator, "region_code")).values_list("seq", flat=True)


# --- capability and scope together -------------------------------------------------------------------------


def test_ensure_permission_passes_with_capability_and_scope(dinsos_operator):
    assert ensure_permission(actor=dinsos_operator, capability=C.REGISTRY_CORRECT, region_code=VILLAGE) is None


def test_out_of_scope_looks_like_not_found(dinsos_operator, look_alike_region):
    for code in (OTHER_DISTRICT_VILLAGE, "36.041", "36"):
        with pytest.raises(ObjectNotFound):
            ensure_permission(actor=dinsos_operator, capability=C.REGISTRY_CORRECT, region_code=code)


def test_capability_is_checked_before_scope(facilitator):
    # Missing capability answers 403 whether or not the region is in scope, so it reveals nothing.
    for code in (VILLAGE, OTHER_DISTRICT_VILLAGE):
        with pytest.raises(PermissionDeniedError):
            ensure_permission(actor=facilitator, capability=C.REGISTRY_CORRECT, region_code=code)


def test_anonymous_is_refused_before_scope(db):
    with pytest.raises(PermissionDeniedError):
        ensure_permission(actor=AnonymousUser(), capability=C.REGISTRY_VIEW, region_code=VILLAGE)
    with pytest.raises(PermissionDeniedError):
        ensure_permission(actor=None, capability=C.REGISTRY_VIEW, region_code=VILLAGE)


def test_region_codes_are_cached_per_user_object(dinsos_operator, django_assert_num_queries):
    fresh = User.objects.get(pk=dinsos_operator.pk)
    with django_assert_num_queries(1):
        actor_region_codes(fresh)
        actor_region_codes(fresh)
        actor_in_scope(fresh, VILLAGE)
