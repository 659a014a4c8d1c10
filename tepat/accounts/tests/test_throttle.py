"""Login throttling (issue 8 item 8): django-axes with per username+address and per address limits,
the same answer for unknown and real usernames, every outcome audited, unlock by a scoped administrator,
and no race between parallel attempts (PostgreSQL, threads)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, connections
from django.test import RequestFactory, override_settings
from django.utils import timezone

from conftest import OTHER_DISTRICT_VILLAGE, PASSWORD
from tepat.accounts import throttle
from tepat.accounts.models import User
from tepat.accounts.services import login_attempt, user_unlock
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError


def _login(username: str, password: str = PASSWORD, ip: str = "10.1.1.1"):
    request = RequestFactory().post("/akun/masuk/", REMOTE_ADDR=ip)
    return login_attempt(request=request, username=username, password=password)


def _last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


def _events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "action"))


def _state() -> tuple:
    return (list(User.objects.order_by("pk").values_list("pk", "password", "last_login", "is_active")),
            list(AccessAttempt.objects.order_by("pk").values_list("username", "ip_address", "failures_since_start")))


def test_axes_is_the_first_authentication_backend():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes" in settings.INSTALLED_APPS
    assert settings.TEPAT_LOGIN_MAX_FAILURES == 5 and settings.TEPAT_LOGIN_IP_MAX_FAILURES == 20
    assert settings.TEPAT_LOGIN_LOCKOUT.total_seconds() == 15 * 60


def test_login_with_the_right_password(village_operator):
    outcome = _login("op_desa")

    assert outcome.user == village_operator
    village_operator.refresh_from_db()
    assert village_operator.last_login is not None
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("auth.login", village_operator.pk,
                                                               str(village_operator.pk))


def test_a_wrong_password_is_counted_by_axes_and_never_recorded(village_operator):
    outcome = _login("op_desa", "tebakan-salah-1")

    assert (outcome.user, outcome.locked_until) == (None, None)
    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        ("op_desa", "10.1.1.1", 1)]
    event = _last_event()
    assert (event.action, event.actor_id, event.actor_label, event.target_id) == (
        "auth.login_failed", None, "anonymous", str(village_operator.pk))
    stored = str(list(AuditEvent.objects.values_list("data", flat=True)))
    stored += str(list(AccessAttempt.objects.values_list("post_data", flat=True)))
    assert "tebakan-salah-1" not in stored


def test_an_unknown_username_is_counted_and_answered_like_a_real_one(village_operator):
    real = [_login("op_desa", f"salah-{i}", ip="10.2.2.2") for i in range(settings.TEPAT_LOGIN_MAX_FAILURES)]
    unknown = [_login("tidak_ada", f"salah-{i}", ip="10.3.3.3") for i in range(settings.TEPAT_LOGIN_MAX_FAILURES)]

    assert [o.locked_until is None for o in real] == [o.locked_until is None for o in unknown]
    assert real[-1].locked_until is not None and unknown[-1].locked_until is not None
    assert abs(real[-1].locked_until - unknown[-1].locked_until) < timedelta(seconds=30)
    # Refused afterwards in the same way, with the same kind of event.
    assert _login("op_desa", PASSWORD, ip="10.2.2.2").locked_until is not None
    assert _last_event().action == "auth.login_refused_locked"
    assert _login("tidak_ada", PASSWORD, ip="10.3.3.3").locked_until is not None
    event = _last_event()
    assert (event.action, event.target_id, event.actor_label) == ("auth.login_refused_locked", "", "anonymous")
    assert event.data["username"] == "tidak_ada"


@override_settings(TEPAT_LOGIN_MAX_FAILURES=3, TEPAT_LOGIN_LOCKOUT=timedelta(minutes=20))
def test_lockout_after_the_maximum_failures_with_every_outcome_audited(village_operator):
    before = timezone.now()
    outcomes = [_login("op_desa", f"salah-{i}") for i in range(3)]

    assert [o.locked_until for o in outcomes[:2]] == [None, None]
    locked_until = outcomes[2].locked_until
    assert before + timedelta(minutes=20) <= locked_until <= timezone.now() + timedelta(minutes=20)
    assert [a for _, a in _events()][-3:] == ["auth.login_failed", "auth.login_failed", "auth.locked"]
    assert audit_verify().ok


@override_settings(TEPAT_LOGIN_MAX_FAILURES=2)
def test_a_locked_username_is_refused_even_with_the_right_password(village_operator):
    _login("op_desa", "salah-1")
    locked_until = _login("op_desa", "salah-2").locked_until
    state = _state()

    outcome = _login("op_desa", PASSWORD)

    assert (outcome.user, outcome.locked_until) == (None, locked_until)
    assert _state() == state  # no last_login, no new failure counted, the cool-off is not extended
    event = _last_event()
    assert (event.action, event.target_id) == ("auth.login_refused_locked", str(village_operator.pk))


@override_settings(TEPAT_LOGIN_MAX_FAILURES=2)
def test_an_attacker_elsewhere_cannot_lock_the_user_out(village_operator):
    _login("op_desa", "salah-1", ip="203.0.113.9")
    assert _login("op_desa", "salah-2", ip="203.0.113.9").locked_until is not None

    assert _login("op_desa", PASSWORD, ip="10.9.9.9").user == village_operator


@override_settings(TEPAT_LOGIN_IP_MAX_FAILURES=4)
def test_one_address_trying_many_usernames_is_locked(village_operator):
    outcomes = [_login(f"tebak{i}", "salah", ip="198.51.100.7") for i in range(4)]

    assert [o.locked_until is None for o in outcomes] == [True, True, True, False]
    # The address is locked for every username, the real one with its right password included.
    outcome = _login("op_desa", PASSWORD, ip="198.51.100.7")
    assert (outcome.user, _last_event().action) == (None, "auth.login_refused_locked")
    assert _login("op_desa", PASSWORD, ip="10.9.9.9").user == village_operator


@override_settings(TEPAT_LOGIN_MAX_FAILURES=2)
def test_the_lock_ends_after_the_cool_off(village_operator):
    _login("op_desa", "salah-1")
    _login("op_desa", "salah-2")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.TEPAT_LOGIN_LOCKOUT - timedelta(seconds=1))

    assert _login("op_desa", PASSWORD).user == village_operator
    assert _last_event().action == "auth.login"


@override_settings(TEPAT_LOGIN_MAX_FAILURES=3)
def test_a_success_resets_the_failures_through_axes(client, village_operator):
    from django.urls import reverse

    url = reverse("accounts:login")
    client.post(url, {"username": "op_desa", "password": "salah-1"})
    client.post(url, {"username": "op_desa", "password": "salah-2"})
    assert AccessAttempt.objects.get().failures_since_start == 2

    assert client.post(url, {"username": "op_desa", "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_an_inactive_account_cannot_sign_in(village_operator):
    User.objects.filter(pk=village_operator.pk).update(is_active=False)

    assert _login("op_desa").user is None
    assert _last_event().action == "auth.login_failed"


def test_the_client_address_behind_a_trusted_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.5")
    assert throttle.client_ip(request) == "127.0.0.1"
    with override_settings(TEPAT_TRUSTED_PROXIES=1):
        assert throttle.client_ip(request) == "10.0.0.5"
    with override_settings(TEPAT_TRUSTED_PROXIES=2):
        assert throttle.client_ip(request) == "1.2.3.4"


# --- unlock ---------------------------------------------------------------------------------------------


def _lock(username: str) -> None:
    for i in range(settings.TEPAT_LOGIN_MAX_FAILURES):
        _login(username, f"salah-{i}", ip=f"10.0.0.{i % 2}")
    for i in range(settings.TEPAT_LOGIN_MAX_FAILURES):
        _login(username, f"salah-{i}")


def test_an_administrator_unlocks_a_user_from_every_address(administrator, village_operator):
    _lock("op_desa")
    assert throttle.locked_usernames(["op_desa"]) == {"op_desa"}

    user_unlock(actor=administrator, user=village_operator)

    assert throttle.locked_usernames(["op_desa"]) == set()
    assert not AccessAttempt.objects.filter(username="op_desa").exists()
    event = _last_event()
    assert (event.action, event.actor_id, event.target_id) == ("user.unlock", administrator.pk,
                                                               str(village_operator.pk))
    assert event.data == {"was_locked": True, "failures_cleared": 3}
    assert _login("op_desa").user == village_operator


def test_only_user_managers_unlock(dinsos_supervisor, village_operator):
    _lock("op_desa")
    state, events = _state(), _events()

    with pytest.raises(PermissionDeniedError):
        user_unlock(actor=dinsos_supervisor, user=village_operator)

    assert (_state(), _events()) == (state, events)


def test_an_administrator_cannot_unlock_outside_their_regions(make_user):
    admin = make_user("administrator", ["36.04"], "admin_kab")
    city_operator = make_user("village_operator", [OTHER_DISTRICT_VILLAGE], "op_kota")
    _lock("op_kota")
    state, events = _state(), _events()

    with pytest.raises(ObjectNotFound):
        user_unlock(actor=admin, user=city_operator)

    assert (_state(), _events()) == (state, events)


# --- the race ----------------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_are_checked_at_most_the_limit(regions, make_user):
    """10 threads send a wrong password at once: only TEPAT_LOGIN_MAX_FAILURES reach the password check,
    the rest are refused as locked, and the counted failures are exactly the limit."""
    make_user("village_operator", ["36.04.05.2001"], "op_paralel")
    checked = []
    from django.contrib.auth.backends import ModelBackend

    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    barrier = threading.Barrier(10)
    outcomes, errors = [], []

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(_login("op_paralel", f"salah-{i}", ip="192.0.2.50"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    ModelBackend.authenticate = counting
    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        ModelBackend.authenticate = original

    assert errors == []
    limit = settings.TEPAT_LOGIN_MAX_FAILURES
    assert len(checked) == limit
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == limit
    actions = sorted(AuditEvent.objects.filter(action__startswith="auth.").values_list("action", flat=True))
    assert actions == sorted(["auth.login_failed"] * (limit - 1) + ["auth.locked"]
                             + ["auth.login_refused_locked"] * (10 - limit))
    assert sum(o.locked_until is not None for o in outcomes) == 10 - limit + 1
