"""Demo users: one per role, on real regions of Kabupaten Serang (36.04), with one known password.

`demo_users_ensure()` is idempotent: missing users are created through `user_create` (audited); existing
ones keep their role and regions and only get the demo password back (and their lockout cleared), which
is audited as `user.password_reset`. A user already holding the demo password is left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import translation

from tepat.accounts import throttle
from tepat.accounts.models import User
from tepat.accounts.roles import Role
from tepat.accounts.services import user_create
from tepat.audit.services import audit_record
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region

DEMO_PASSWORD = "demo-tepat-2026"
DEMO_VILLAGE = "36.04.05.2001"  # Desa Kramatwatu
DEMO_DISTRICT = "36.04.05"  # Kecamatan Kramatwatu
DEMO_REGENCY = "36.04"  # Kabupaten Serang
DEMO_PROVINCE = "36"  # Banten


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: str
    region_code: str
    full_name: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("operator.desa", Role.VILLAGE_OPERATOR, DEMO_VILLAGE, "Operator Desa Kramatwatu"),
    DemoUser("psm", Role.FACILITATOR, DEMO_VILLAGE, "Pendamping PSM Kramatwatu"),
    DemoUser("kades", Role.VILLAGE_HEAD, DEMO_VILLAGE, "Kepala Desa Kramatwatu"),
    DemoUser("tksk", Role.DISTRICT_OFFICER, DEMO_DISTRICT, "TKSK Kecamatan Kramatwatu"),
    DemoUser("dinsos.operator", Role.DINSOS_OPERATOR, DEMO_REGENCY, "Operator Dinsos Kabupaten Serang"),
    DemoUser("dinsos.supervisor", Role.DINSOS_SUPERVISOR, DEMO_REGENCY, "Supervisor Dinsos Kabupaten Serang"),
    DemoUser("dinsos.provinsi", Role.PROVINCE_VIEWER, DEMO_PROVINCE, "Dinsos Provinsi Banten"),
    DemoUser("auditor", Role.AUDITOR, DEMO_REGENCY, "Auditor Inspektorat Kabupaten Serang"),
    DemoUser("admin", Role.ADMINISTRATOR, DEMO_REGENCY, "Administrator Sistem Kabupaten Serang"),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    role_label: str
    regions: tuple[tuple[str, str], ...]  # (code, name)
    outcome: str  # "created" | "password_reset" | "unchanged"


def demo_users_ensure(*, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Make sure every demo user exists and signs in with `password`. Returns their logins."""
    _check_password(password)
    logins: list[DemoLogin] = []
    for spec in DEMO_USERS:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=spec.username).first()
            if user is None:
                user = user_create(actor=SYSTEM, username=spec.username, password=password, role=spec.role,
                                   region_codes=[spec.region_code], full_name=spec.full_name)
                outcome = "created"
            elif user.check_password(password) and not throttle.locked_usernames([user.username]):
                outcome = "unchanged"
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
                cleared = throttle.reset_username(user.username)
                audit_record(actor=SYSTEM, action="user.password_reset", target=user,
                             data={"username": user.username, "reason": "demo-users", "failures_cleared": cleared})
                outcome = "password_reset"
        codes = list(user.region_assignments.order_by("region_id").values_list("region_id", flat=True))
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        logins.append(DemoLogin(
            username=user.username, password=password, role=user.role,
            role_label=str(Role(user.role).label) if user.role in Role.values else user.role,
            regions=tuple((code, names.get(code, "")) for code in codes), outcome=outcome,
        ))
    return logins


def _check_password(password: str) -> None:
    """The demo password must pass the site's validators for every demo user (length, similarity…)."""
    for spec in DEMO_USERS:
        first, _, last = spec.full_name.partition(" ")
        user = User(username=spec.username, first_name=first, last_name=last)
        texts = {}
        for language in ("id", "en"):
            with translation.override(language):
                try:
                    validate_password(password, user)
                except DjangoValidationError as error:
                    texts[language] = " ".join(error.messages)
        if texts:
            raise ValidationFailed([Issue("password", "password", f"Kata sandi demo ditolak: {texts['id']}",
                                          f"Demo password rejected: {texts['en']}")])
