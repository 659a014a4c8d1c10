
import pytest

from conftest import DISTRICT, OTHER_DISTRICT, PASSWORD, VILLAGE
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.services import user_create
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import PermissionDeniedError, ValidationFailed


def _events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "action"))


def _users() -> list[tuple]:
    return list(User.objects.order_by("pk").values_list(
        "pk", "username", "password", "last_login", "is_active"))


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
