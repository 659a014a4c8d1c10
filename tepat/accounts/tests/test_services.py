from datetime import timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.utils import timezone

from conftest import DISTRICT, OTHER_DISTRICT, PASSWORD, VILLAGE
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.services import login_attempt, user_create, user_unlock
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import PermissionDeniedError, ValidationFailed


def _events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "action"))


def _users() -> list[tuple]:
    return list(User.objects.order_by("pk").values_list(
        "pk", "username", "password", "failed_login_count", "locked_until", "last_login", "is_active"))


def _login(username: str, password: str = PASSWORD):
    return login_attempt(request=RequestFactory().post("/akun/masuk/"), username=username, password=password)


def _last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


def test_argon2_is_the_default_password_hasher():
    from config.django import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("rahasia-uji-123", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


# --- user_create ---------------------------------------------------------------------------------------


def test_user_create_by_an_administrator(administrator):
    user = user_create(actor=administrator, username="op_baru", password=PASSWORD, role="village_operator",
                       region_codes=[VILLAGE], full_name="Siti Nur Aminah", email="siti@example.org")

    user.refresh_from_db()
    assert (user.role, user.first_name, user.last_name, user.email) == (
        "village_operator", "Siti", "Nur Aminah", "siti@example.org")
    assert user.password != PASSWORD and user.check_password(PASSWORD)
    assert list(RegionAssignment.objects.filter(user=user).values_list("region_id", flat=True)) == [VILLAGE]
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id, event.region_code) == (
        "user.create", administrator.pk, str(user.pk), VILLAGE)
    assert event.data == {"username": "op_baru", "role": "village_operator", "regions": [VILLAGE]}
    assert PASSWORD not in str(event.data)
    assert audit_verify().ok


def test_user_create_from_the_command_line_may_assign_any_region(db):
    user = user_create(actor=SYSTEM, username="prov", password=PASSWORD, role="province_viewer",
                       region_codes=["36", "31"])

    assert set(user.region_assignments.values_list("region_id", flat=True)) == {"36", "31"}
    assert (_last_event().actor_label, _last_event().region_code) == ("system", "36")


@pytest.mark.parametrize("role", ["dinsos_operator", "dinsos_supervisor", "auditor", "village_head"])
def test_user_create_needs_user_management(make_user, role):
    actor = make_user(role, [DISTRICT])
    users, events = _users(), _events()

    with pytest.raises(PermissionDeniedError):
        user_create(actor=actor, username="x_baru", password=PASSWORD, role="village_operator",
                    region_codes=[VILLAGE])

    assert (_users(), _events()) == (users, events)


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    ({"role": "raja"}, "role", "unknown_role"),
    ({"region_codes": ["36.04.99.9999"]}, "regions", "unknown_region"),
    # The administrator of Kabupaten Serang may not hand out Kota Serang or all of Banten.
    ({"region_codes": [VILLAGE, OTHER_DISTRICT]}, "regions", "region_out_of_scope"),
    ({"region_codes": ["36"]}, "regions", "region_out_of_scope"),
    ({"password": "pendek"}, "password", "password_too_short"),
    ({"password": "12345678901234"}, "password", "password_entirely_numeric"),
    ({"username": "admin"}, "username", "unique"),
    ({"username": "bad name!"}, "username", "invalid"),
])
def test_user_create_refusals_change_nothing(administrator, kwargs, field, code):
    args = {"username": "op_baru", "password": PASSWORD, "role": "village_operator", "region_codes": [VILLAGE],
            **kwargs}
    users, events, assignments = _users(), _events(), RegionAssignment.objects.count()

    with pytest.raises(ValidationFailed) as raised:
        user_create(actor=administrator, **args)

    assert (field, code) in [(issue.field, issue.code) for issue in raised.value.issues]
    issue = next(i for i in raised.value.issues if i.field == field)
    assert issue.id and issue.en
    assert (_users(), _events(), RegionAssignment.objects.count()) == (users, events, assignments)


def test_user_create_password_messages_are_bilingual(db):
    with pytest.raises(ValidationFailed) as raised:
        user_create(actor=SYSTEM, username="x", password="pendek", role="auditor", region_codes=[DISTRICT])

    issue = next(i for i in raised.value.issues if i.code == "password_too_short")
    assert "10" in issue.en and "too short" in issue.en
    assert issue.id != issue.en


# --- login and lockout ----------------------------------------------------------------------------------


def test_login_with_the_right_password(village_operator):
    outcome = _login("op_desa")

    assert outcome.user == village_operator
    village_operator.refresh_from_db()
    assert village_operator.last_login is not None
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("auth.login", village_operator.pk,
                                                               str(village_operator.pk))


def test_login_of_an_unknown_name_is_recorded_without_a_target(db):
    users = _users()

    outcome = _login("siapa", "salah")

    assert (outcome.user, outcome.locked_until) == (None, None)
    event = _last_event()
    assert (event.action, event.target_id, event.actor_id) == ("auth.login_failed", "", None)
    assert event.data == {"username": "siapa"}
    assert _users() == users


def test_a_wrong_password_counts_a_failure_and_never_records_the_password(village_operator):
    outcome = _login("op_desa", "tebakan-salah-1")

    assert (outcome.user, outcome.locked_until) == (None, None)
    village_operator.refresh_from_db()
    assert (village_operator.failed_login_count, village_operator.locked_until) == (1, None)
    event = _last_event()
    assert (event.action, event.target_id) == ("auth.login_failed", str(village_operator.pk))
    assert "tebakan-salah-1" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


@override_settings(TEPAT_LOGIN_MAX_FAILURES=3, TEPAT_LOGIN_LOCKOUT=timedelta(minutes=20))
def test_lockout_after_the_maximum_failures(village_operator):
    before = timezone.now()
    outcomes = [_login("op_desa", f"salah-{i}") for i in range(3)]

    assert [o.locked_until for o in outcomes[:2]] == [None, None]
    locked_until = outcomes[2].locked_until
    assert before + timedelta(minutes=20) <= locked_until <= timezone.now() + timedelta(minutes=20)
    village_operator.refresh_from_db()
    assert (village_operator.locked_until, village_operator.failed_login_count) == (locked_until, 0)
    actions = [a for _, a in _events()][-3:]
    assert actions == ["auth.login_failed", "auth.login_failed", "auth.locked"]


@override_settings(TEPAT_LOGIN_MAX_FAILURES=2)
def test_a_locked_account_is_refused_even_with_the_right_password(village_operator):
    _login("op_desa", "salah-1")
    locked_until = _login("op_desa", "salah-2").locked_until
    users = _users()

    outcome = _login("op_desa", PASSWORD)

    assert (outcome.user, outcome.locked_until) == (None, locked_until)
    assert _users() == users  # no last_login, no counter change
    event = _last_event()
    assert (event.action, event.target_id) == ("auth.login_refused_locked", str(village_operator.pk))


@override_settings(TEPAT_LOGIN_MAX_FAILURES=2)
def test_the_lock_ends_after_the_lockout_window(village_operator):
    _login("op_desa", "salah-1")
    _login("op_desa", "salah-2")
    User.objects.filter(pk=village_operator.pk).update(locked_until=timezone.now() - timedelta(seconds=1))

    outcome = _login("op_desa", PASSWORD)

    assert outcome.user == village_operator
    village_operator.refresh_from_db()
    assert (village_operator.locked_until, village_operator.failed_login_count) == (None, 0)
    assert _last_event().action == "auth.login"


@override_settings(TEPAT_LOGIN_MAX_FAILURES=3)
def test_a_success_resets_the_failure_counter(village_operator):
    _login("op_desa", "salah-1")
    _login("op_desa", "salah-2")

    assert _login("op_desa").user == village_operator

    village_operator.refresh_from_db()
    assert village_operator.failed_login_count == 0
    # Two more failures do not lock: the count started again.
    assert _login("op_desa", "salah-3").locked_until is None
    assert _login("op_desa", "salah-4").locked_until is None
    assert _login("op_desa", "salah-5").locked_until is not None


def test_an_inactive_account_cannot_sign_in(village_operator):
    User.objects.filter(pk=village_operator.pk).update(is_active=False)

    outcome = _login("op_desa")

    assert outcome.user is None
    assert _last_event().action == "auth.login_failed"


def test_the_default_lockout_settings():
    assert settings.TEPAT_LOGIN_MAX_FAILURES == 5
    assert settings.TEPAT_LOGIN_LOCKOUT.total_seconds() == 15 * 60


# --- unlock ---------------------------------------------------------------------------------------


def _lock(user: User) -> None:
    until = timezone.now() + timedelta(minutes=10)
    User.objects.filter(pk=user.pk).update(locked_until=until, failed_login_count=3)


def test_an_administrator_unlocks_an_account(administrator, village_operator):
    _lock(village_operator)
    locked_until = User.objects.get(pk=village_operator.pk).locked_until

    user_unlock(actor=administrator, user=village_operator)

    village_operator.refresh_from_db()
    assert (village_operator.locked_until, village_operator.failed_login_count) == (None, 0)
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("user.unlock", administrator.pk,
                                                               str(village_operator.pk))
    assert event.data == {"locked_until": str(locked_until)}
    assert _login("op_desa").user == village_operator


def test_only_user_managers_unlock(dinsos_supervisor, village_operator):
    _lock(village_operator)
    users, events = _users(), _events()

    with pytest.raises(PermissionDeniedError):
        user_unlock(actor=dinsos_supervisor, user=village_operator)

    assert (_users(), _events()) == (users, events)


def test_an_administrator_cannot_unlock_outside_their_regions(make_user):
    from conftest import OTHER_DISTRICT_VILLAGE
    from tepat.core.exceptions import ObjectNotFound

    admin = make_user("administrator", ["36.04"], "admin_kab")
    city_operator = make_user("village_operator", [OTHER_DISTRICT_VILLAGE], "op_kota")
    _lock(city_operator)
    users, events = _users(), _events()

    with pytest.raises(ObjectNotFound):
        user_unlock(actor=admin, user=city_operator)

    assert (_users(), _events()) == (users, events)
