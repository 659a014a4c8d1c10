"""User management services (issue 9 item 10): update, deactivate/reactivate, password reset, the scope
rule (a user with any region outside the administrator's is not found), every write audited."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from conftest import DISTRICT, OTHER_DISTRICT, OTHER_DISTRICT_VILLAGE, OTHER_VILLAGE, PASSWORD, VILLAGE
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.selectors import access_user, managed_users, user_search
from tepat.accounts.services import (
    PASSWORD_ALPHABET,
    generate_password,
    user_deactivate,
    user_password_reset,
    user_reactivate,
    user_update,
)
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import (
    BusinessRuleViolation,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)


def _state() -> tuple:
    return (list(User.objects.order_by("pk").values_list(
        "pk", "username", "password", "first_name", "last_name", "email", "role", "is_active")),
        list(RegionAssignment.objects.order_by("pk").values_list("user_id", "region_id")),
        AuditEvent.objects.count())


def _last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


@pytest.fixture
def city_user(make_user):
    return make_user("village_operator", [OTHER_DISTRICT_VILLAGE], "op_kota")


@pytest.fixture
def straddling_user(make_user):
    """One region inside the district administrator's scope, one outside: not theirs to manage."""
    return make_user("district_officer", [VILLAGE, OTHER_DISTRICT_VILLAGE], "tksk_dua")


def test_an_administrator_manages_only_users_wholly_inside_their_regions(
        administrator, village_operator, city_user, straddling_user):
    visible = set(managed_users(administrator).values_list("username", flat=True))
    assert "op_desa" in visible and "admin" in visible
    assert "op_kota" not in visible and "tksk_dua" not in visible
    for hidden in (city_user, straddling_user):
        with pytest.raises(ObjectNotFound):
            access_user(actor=administrator, user_id=hidden.pk)
    with pytest.raises(ObjectNotFound):
        access_user(actor=administrator, user_id="not-a-number")


def test_only_user_managers_see_users(dinsos_supervisor):
    with pytest.raises(PermissionDeniedError):
        managed_users(dinsos_supervisor)


def test_user_search_filters(administrator, village_operator, other_village_operator, facilitator):
    User.objects.filter(pk=facilitator.pk).update(is_active=False)
    assert set(user_search(actor=administrator, role="village_operator").values_list("username", flat=True)) == {
        "op_desa", "op_desa_lain"}
    assert set(user_search(actor=administrator, region=OTHER_VILLAGE).values_list("username", flat=True)) == {
        "op_desa_lain"}
    assert set(user_search(actor=administrator, active="0").values_list("username", flat=True)) == {"psm"}
    assert set(user_search(actor=administrator, q="desa_l").values_list("username", flat=True)) == {"op_desa_lain"}


def test_user_update_changes_name_role_regions_and_email_with_an_event(administrator, village_operator):
    user_update(actor=administrator, user=village_operator, full_name="Siti Aminah", email="siti@example.org",
                role="facilitator", region_codes=[OTHER_VILLAGE, VILLAGE])

    village_operator.refresh_from_db()
    assert (village_operator.first_name, village_operator.last_name, village_operator.email, village_operator.role) == (
        "Siti", "Aminah", "siti@example.org", "facilitator")
    assert sorted(village_operator.region_assignments.values_list("region_id", flat=True)) == [VILLAGE, OTHER_VILLAGE]
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("user.update", administrator.pk,
                                                               str(village_operator.pk))
    assert event.data["changes"]["role"] == {"before": "village_operator", "after": "facilitator"}
    assert event.data["changes"]["regions"] == {"before": [VILLAGE], "after": [VILLAGE, OTHER_VILLAGE]}


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    ({"role": "raja"}, "role", "unknown_role"),
    ({"region_codes": [OTHER_DISTRICT]}, "regions", "region_out_of_scope"),
    ({"region_codes": ["36"]}, "regions", "region_out_of_scope"),
    ({"region_codes": ["99.99"]}, "regions", "unknown_region"),
    ({"region_codes": []}, "regions", "required"),
    ({"email": "bukan-email"}, "email", "invalid"),
])
def test_user_update_refusals_change_nothing(administrator, village_operator, kwargs, field, code):
    args = {"full_name": "Nama Baru", "email": "", "role": "village_operator", "region_codes": [VILLAGE], **kwargs}
    state = _state()

    with pytest.raises(ValidationFailed) as raised:
        user_update(actor=administrator, user=village_operator, **args)

    assert (field, code) in [(i.field, i.code) for i in raised.value.issues]
    assert all(i.id and i.en and i.id != i.en for i in raised.value.issues)
    assert _state() == state


def test_an_administrator_cannot_change_their_own_role(administrator):
    state = _state()
    with pytest.raises(ValidationFailed):
        user_update(actor=administrator, user=administrator, full_name="A", email="", role="auditor",
                    region_codes=[DISTRICT])
    assert _state() == state


def test_user_update_out_of_scope_is_not_found(administrator, city_user, straddling_user):
    for user in (city_user, straddling_user):
        state = _state()
        with pytest.raises(ObjectNotFound):
            user_update(actor=administrator, user=user, full_name="X", email="", role="village_operator",
                        region_codes=[VILLAGE])
        assert _state() == state


def test_deactivate_ends_sessions_and_sign_in_then_reactivate(administrator, village_operator):
    client = Client()
    assert client.post("/akun/masuk/", {"username": "op_desa", "password": PASSWORD}).status_code == 302
    assert Session.objects.filter(expire_date__gt=timezone.now()).count() == 1

    user_deactivate(actor=administrator, user=village_operator)

    village_operator.refresh_from_db()
    assert not village_operator.is_active
    assert Session.objects.count() == 0
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("user.deactivate", administrator.pk,
                                                               str(village_operator.pk))
    assert client.post("/akun/masuk/", {"username": "op_desa", "password": PASSWORD}).status_code == 200

    user_reactivate(actor=administrator, user=village_operator)
    village_operator.refresh_from_db()
    assert village_operator.is_active
    assert (_last_event().action, _last_event().target_id) == ("user.reactivate", str(village_operator.pk))


def test_deactivate_refusals_change_nothing(administrator, dinsos_supervisor, village_operator, city_user):
    state = _state()
    with pytest.raises(ValidationFailed):
        user_deactivate(actor=administrator, user=administrator)
    with pytest.raises(PermissionDeniedError):
        user_deactivate(actor=dinsos_supervisor, user=village_operator)
    with pytest.raises(ObjectNotFound):
        user_deactivate(actor=administrator, user=city_user)
    with pytest.raises(BusinessRuleViolation):
        user_reactivate(actor=administrator, user=village_operator)  # already active
    assert _state() == state


def test_generated_passwords_pass_the_validators_and_differ():
    from django.contrib.auth.password_validation import validate_password

    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password)
        assert set(password.replace("-", "")) <= set(PASSWORD_ALPHABET) and len(password) == 14


def test_password_reset_generated_is_returned_once_and_never_recorded(administrator, village_operator):
    AccessAttempt.objects.create(username="op_desa", ip_address="10.0.0.1", user_agent="", get_data="",
                                 post_data="", http_accept="", path_info="", failures_since_start=5,
                                 attempt_time=timezone.now())
    user, password = user_password_reset(actor=administrator, user=village_operator)

    user.refresh_from_db()
    assert user.check_password(password) and not user.check_password(PASSWORD)
    assert not AccessAttempt.objects.exists()  # the lock is lifted with the new password
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("user.password_reset", administrator.pk,
                                                               str(village_operator.pk))
    assert event.data == {"username": "op_desa", "generated": True, "failures_cleared": 1}
    assert password not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_password_reset_with_a_typed_password(administrator, village_operator):
    _user, password = user_password_reset(actor=administrator, user=village_operator, password="kuda-lari-pagi-7")
    assert password == "kuda-lari-pagi-7"
    village_operator.refresh_from_db()
    assert village_operator.check_password("kuda-lari-pagi-7")


def test_password_reset_refusals_change_nothing(administrator, village_operator, city_user):
    state = _state()
    with pytest.raises(ValidationFailed) as raised:
        user_password_reset(actor=administrator, user=village_operator, password="pendek")
    assert raised.value.issues[0].field == "password"
    with pytest.raises(ObjectNotFound):
        user_password_reset(actor=administrator, user=city_user)
    assert _state() == state
