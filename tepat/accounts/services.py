from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation

from tepat.accounts import throttle
from tepat.accounts.access import actor_in_scope, ensure_capability
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.roles import Capability, Role
from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record, changed_fields
from tepat.core.actors import is_system
from tepat.core.exceptions import BusinessRuleViolation, ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region


@dataclass(slots=True)
class LoginOutcome:
    user: User | None
    locked_until: Any = None


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    region_codes: list[str],
    full_name: str = "",
    email: str = "",
) -> User:
    """Create a user with a role and assigned regions. `actor=SYSTEM` is the command line (setup)."""
    if not is_system(actor):
        ensure_capability(actor=actor, capability=Capability.USER_MANAGE)
    _ensure_role_and_regions(actor, role, region_codes)
    region_codes = list(dict.fromkeys(region_codes))
    with transaction.atomic():
        first, _, last = full_name.strip().partition(" ")
        user = User(username=username, role=role, first_name=first[:150], last_name=last[:150], email=email)
        issues = _validation_issues("password", lambda: validate_password(password, user))
        user.set_password(password)
        issues += _validation_issues("user", user.full_clean)
        if issues:
            raise ValidationFailed(issues)
        user.save()
        RegionAssignment.objects.bulk_create([RegionAssignment(user=user, region_id=c) for c in region_codes])
        audit_record(
            actor=actor, action="user.create", target=user,
            region_code=region_codes[0] if region_codes else "",
            data={"username": username, "role": role, "regions": region_codes},
        )
    return user


def role_and_region_issues(actor: Any, role: str, region_codes: list[str]) -> list[Issue]:
    """The one check of what an actor may hand out: a known role, at least one known region, and (unless the
    system acts) only regions inside the actor's own, else a district could make a province user."""
    issues: list[Issue] = []
    if role not in Role.values:
        issues.append(Issue("unknown_role", "role", f"Peran tidak dikenal: {role}", f"Unknown role: {role}"))
    if not region_codes and is_system(actor):
        return issues  # setup may make a user without regions (who then sees nothing)
    if not region_codes:
        issues.append(Issue("required", "regions", "Isi minimal satu kode wilayah", "Give at least one region code"))
        return issues
    found = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True))
    missing = [code for code in region_codes if code not in found]
    if missing:
        issues.append(Issue("unknown_region", "regions", f"Wilayah tidak dikenal: {', '.join(missing)}",
                            f"Unknown region: {', '.join(missing)}"))
    outside = [code for code in region_codes
               if code in found and not is_system(actor) and not actor_in_scope(actor, code)]
    if outside:
        issues.append(Issue("region_out_of_scope", "regions", f"Wilayah di luar wilayah Anda: {', '.join(outside)}",
                            f"Region outside your regions: {', '.join(outside)}"))
    return issues


def _ensure_role_and_regions(actor: Any, role: str, region_codes: list[str]) -> None:
    issues = role_and_region_issues(actor, role, region_codes)
    if issues:
        raise ValidationFailed(issues)


def _validation_issues(field_name: str, check: Callable[[], None]) -> list[Issue]:
    """Run a Django check in Indonesian and in English (some validators translate when they raise);
    its errors as bilingual Issues, on the field Django names or else on `field_name`."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for language in ("id", "en"):
        with translation.override(language):
            try:
                check()
            except DjangoValidationError as exc:
                by_field = exc.error_dict.items() if hasattr(exc, "error_dict") else [(field_name, exc.error_list)]
                found[language] = [(name, error.code or "invalid", " ".join(error.messages))
                                   for name, errors in by_field for error in errors]
            else:
                return []
    return [Issue(code, name, text_id, text_en)
            for (name, code, text_id), (_, _, text_en) in zip(found["id"], found["en"], strict=True)]


def login_attempt(*, request: Any, username: str, password: str) -> LoginOutcome:
    """Authenticate through django-axes' throttle (see `tepat.accounts.throttle`). Every outcome is audited.

    The attempts of one client address run one at a time (`login_gate`), so N parallel wrong passwords
    are N counted failures and only the first TEPAT_LOGIN_MAX_FAILURES reach the password check. A locked
    username (or address) is refused even with the right password. Unknown usernames are counted and
    answered exactly like real ones: `locked_until` is set by the same rule for both.
    """
    throttle.prepare(request)
    username = username[:150]
    with transaction.atomic():
        throttle.login_gate(request.axes_ip_address)
        account = User.objects.filter(username=username).first()
        if not throttle.is_allowed(request, username):
            until = throttle.locked_until(request, username)
            audit_record(actor=AnonymousUser(), action=AuditAction.AUTH_LOGIN_REFUSED_LOCKED, target=account,
                         data={"username": username, "locked_until": until, "ip": request.axes_ip_address})
            return LoginOutcome(None, until)
        user = authenticate(request, username=username, password=password)  # a failure is counted by axes
        if user is None:
            locked = throttle.is_locked(request, username)
            until = throttle.locked_until(request, username) if locked else None
            audit_record(
                actor=AnonymousUser(), action=AuditAction.AUTH_LOCKED if locked else AuditAction.AUTH_LOGIN_FAILED,
                target=account, data={"username": username, "locked_until": until, "ip": request.axes_ip_address},
            )
            return LoginOutcome(None, until)
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        audit_record(actor=user, action=AuditAction.AUTH_LOGIN, target=user, data={"ip": request.axes_ip_address})
        return LoginOutcome(user)


def user_unlock(*, actor: Any, user: User) -> User:
    """Lift every throttle lock of this username (from every address). Only an administrator whose scope
    covers every region of that user may; the counted failures are removed with the audit event."""
    ensure_capability(actor=actor, capability=Capability.USER_MANAGE)
    user_regions = _ensure_user_in_scope(actor, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        was_locked = locked.username in throttle.locked_usernames([locked.username])
        cleared = throttle.reset_username(locked.username)
        audit_record(actor=actor, action=AuditAction.USER_UNLOCK, target=locked, region_code=user_regions[0],
                     data={"was_locked": was_locked, "failures_cleared": cleared})
    return locked


def _ensure_user_in_scope(actor: Any, user: User) -> list[str]:
    """A user with no region, or with any region outside the actor's scope, is not found for this actor."""
    from tepat.accounts.selectors import managed_users  # the one scope rule for users, as the pages use it

    if not managed_users(actor).filter(pk=user.pk).exists():
        raise ObjectNotFound()
    return list(user.region_assignments.order_by("region_id").values_list("region_id", flat=True))


# --- user management (issue 9 item 10) -------------------------------------------------------------------


def _managed_user(actor: Any, user: User) -> tuple[User, list[str]]:
    """Capability (403), then scope (404), then the row locked for the change (call inside atomic)."""
    ensure_capability(actor=actor, capability=Capability.USER_MANAGE)
    regions = _ensure_user_in_scope(actor, user)
    return User.objects.select_for_update().get(pk=user.pk), regions


def _user_snapshot(user: User) -> dict[str, Any]:
    return {"full_name": user.get_full_name(), "email": user.email, "role": user.role,
            "regions": sorted(user.region_assignments.values_list("region_id", flat=True))}


def user_update(
    *, actor: Any, user: User, full_name: str, email: str, role: str, region_codes: list[str]
) -> User:
    """Change a user's name, email, role and regions. The new regions must lie inside the actor's too."""
    region_codes = sorted(dict.fromkeys(code.strip() for code in region_codes if code.strip()))
    with transaction.atomic():
        locked, _regions = _managed_user(actor, user)
        if locked.pk == getattr(actor, "pk", None) and role != locked.role:
            raise ValidationFailed([Issue("own_role", "role", "Anda tidak dapat mengubah peran Anda sendiri",
                                          "You cannot change your own role")])
        _ensure_role_and_regions(actor, role, region_codes)
        before = _user_snapshot(locked)
        first, _, last = full_name.strip().partition(" ")
        locked.first_name, locked.last_name, locked.email, locked.role = first[:150], last[:150], email.strip(), role
        issues = _validation_issues("user", lambda: locked.full_clean(exclude=["password"]))
        if issues:
            raise ValidationFailed(issues)
        locked.save(update_fields=["first_name", "last_name", "email", "role"])
        if before["regions"] != region_codes:
            RegionAssignment.objects.filter(user=locked).exclude(region_id__in=region_codes).delete()
            RegionAssignment.objects.bulk_create(
                [RegionAssignment(user=locked, region_id=c) for c in region_codes if c not in before["regions"]])
        after = _user_snapshot(locked)
        changes = changed_fields(before, after)
        if changes:
            audit_record(actor=actor, action=AuditAction.USER_UPDATE, target=locked, region_code=region_codes[0],
                         data={"username": locked.username, "changes": changes})
    return locked


def _set_active(actor: Any, user: User, active: bool) -> User:
    with transaction.atomic():
        locked, regions = _managed_user(actor, user)
        if not active and locked.pk == getattr(actor, "pk", None):
            raise ValidationFailed([Issue("own_account", "user", "Anda tidak dapat menonaktifkan akun Anda sendiri",
                                          "You cannot deactivate your own account")])
        if locked.is_active == active:
            raise BusinessRuleViolation(
                "Pengguna sudah aktif / The user is already active" if active
                else "Pengguna sudah nonaktif / The user is already inactive")
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        if not active:
            _end_sessions(locked)
        audit_record(actor=actor, action=AuditAction.USER_REACTIVATE if active else AuditAction.USER_DEACTIVATE,
                     target=locked, region_code=regions[0], data={"username": locked.username})
    return locked


def user_deactivate(*, actor: Any, user: User) -> User:
    """Deactivate: the user can no longer sign in, and their open sessions end now."""
    return _set_active(actor, user, False)


def user_reactivate(*, actor: Any, user: User) -> User:
    return _set_active(actor, user, True)


def _end_sessions(user: User) -> None:
    from django.contrib.sessions.models import Session

    ids = [s.pk for s in Session.objects.filter(expire_date__gt=timezone.now())
           if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    Session.objects.filter(pk__in=ids).delete()


PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed from paper


def generate_password() -> str:
    """An initial password: 3 groups of 4 from an unambiguous alphabet (~59 bits), e.g. `k7dm-qr2x-9fha`."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def user_password_reset(*, actor: Any, user: User, password: str = "") -> tuple[User, str]:
    """Set a new password: the administrator's (validated) or, when empty, a generated one that is returned
    to be shown once. Ends the user's sessions and lifts their lockout. The password is never recorded."""
    generated = not password
    password = password or generate_password()
    with transaction.atomic():
        locked, regions = _managed_user(actor, user)
        issues = _validation_issues("password", lambda: validate_password(password, locked))
        if issues:
            raise ValidationFailed(issues)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        _end_sessions(locked)
        cleared = throttle.reset_username(locked.username)
        audit_record(actor=actor, action=AuditAction.USER_PASSWORD_RESET, target=locked, region_code=regions[0],
                     data={"username": locked.username, "generated": generated, "failures_cleared": cleared})
    return locked, password
