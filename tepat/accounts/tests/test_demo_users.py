"""`tepat demo-users`: one user per role on Kabupaten Serang regions, idempotent, printed logins."""

from __future__ import annotations

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tepat.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_users_ensure
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.roles import Role
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify

EXPECTED_REGIONS = {
    "operator.desa": ["36.04.05.2001"],
    "psm": ["36.04.05.2001"],
    "kades": ["36.04.05.2001"],
    "tksk": ["36.04.05"],
    "dinsos.operator": ["36.04"],
    "dinsos.supervisor": ["36.04"],
    "dinsos.provinsi": ["36"],
    "auditor": ["36.04"],
    "admin": ["36.04"],
}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo-users", *args, stdout=out)
    return out.getvalue()


def _regions(user: User) -> list[str]:
    return list(user.region_assignments.order_by("region_id").values_list("region_id", flat=True))


def test_one_user_per_role_on_sensible_regions(db):
    output = _run()
    users = {user.username: user for user in User.objects.all()}
    assert set(users) == set(EXPECTED_REGIONS)
    assert {user.role for user in users.values()} == set(Role.values)
    for username, regions in EXPECTED_REGIONS.items():
        assert _regions(users[username]) == regions, username
        assert users[username].check_password(DEMO_PASSWORD)
        assert username in output
    assert users["operator.desa"].role == Role.VILLAGE_OPERATOR
    assert users["tksk"].role == Role.DISTRICT_OFFICER
    assert users["dinsos.provinsi"].role == Role.PROVINCE_VIEWER
    assert users["admin"].role == Role.ADMINISTRATOR
    assert DEMO_PASSWORD in output and "Kramatwatu" in output and "Kabupaten Serang" in output
    assert AuditEvent.objects.filter(action="user.create").count() == len(DEMO_USERS)
    assert audit_verify().ok


def test_rerun_creates_nothing_and_records_nothing(db):
    _run()
    counts = (User.objects.count(), RegionAssignment.objects.count(), AuditEvent.objects.count())
    output = _run()
    assert (User.objects.count(), RegionAssignment.objects.count(), AuditEvent.objects.count()) == counts
    assert output.count("unchanged") == len(DEMO_USERS)


def test_rerun_resets_password_and_lockout_but_keeps_role_and_regions(db):
    _run()
    psm = User.objects.get(username="psm")
    psm.set_password("sesuatu-yang-lain-99")
    psm.save()
    AccessAttempt.objects.create(username="admin", ip_address="10.0.0.1", user_agent="", get_data="", post_data="",
                                 http_accept="", path_info="", failures_since_start=5, attempt_time=timezone.now())
    User.objects.filter(username="kades").update(role=Role.FACILITATOR)
    logins = {login.username: login for login in demo_users_ensure()}
    assert logins["psm"].outcome == "password_reset" and logins["admin"].outcome == "password_reset"
    assert logins["kades"].outcome == "unchanged" and logins["kades"].role == Role.FACILITATOR
    assert User.objects.get(username="psm").check_password(DEMO_PASSWORD)
    assert not AccessAttempt.objects.filter(username="admin").exists()
    assert User.objects.get(username="kades").role == Role.FACILITATOR  # existing users are left as they are
    resets = AuditEvent.objects.filter(action="user.password_reset")
    assert sorted(resets.values_list("data__username", flat=True)) == ["admin", "psm"]
    assert User.objects.count() == len(DEMO_USERS)
    assert audit_verify().ok


def test_custom_password_is_used_and_a_weak_one_is_refused(db):
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="10"):
        _run("--password", "pendek")
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == events
    output = _run("--password", "kata-sandi-demo-77")
    assert "kata-sandi-demo-77" in output
    assert all(user.check_password("kata-sandi-demo-77") for user in User.objects.all())


def test_missing_regions_are_reported(db):
    from tepat.regions.models import Region

    Region.objects.filter(code__startswith="36.04.05.2001").delete()
    with pytest.raises(CommandError, match="load-regions"):
        _run()


def test_the_output_says_what_each_role_may_do(db):
    from tepat.accounts.roles import ROLE_SUMMARIES

    output = _run()
    assert set(ROLE_SUMMARIES) == set(Role.values)
    assert "operator.desa: mengusulkan" in output and "never changes the registry directly" in output
    assert "direct correction with a reason" in output
