from __future__ import annotations

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
from tepat.audit.services import audit_record
from tepat.core.actors import is_system
from tepat.core.exceptions import ObjectNotFound, ValidationFailed
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
    if role not in Role.values:
        raise ValidationFailed([Issue("unknown_role", "role", f"Peran tidak dikenal: {role}", f"Unknown role: {role}")])
    found = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True))
    missing = [code for code in region_codes if code not in found]
    if missing:
        raise ValidationFailed(
            [Issue("unknown_region", "regions", f"Wilayah tidak dikenal: {', '.join(missing)}",
                   f"Unknown region: {', '.join(missing)}")]
        )
    # An administrator assigns only regions inside their own: else a district could create a province user.
    outside = [code for code in region_codes if not is_system(actor) and not actor_in_scope(actor, code)]
    if outside:
        raise ValidationFailed(
            [Issue("region_out_of_scope", "regions", f"Wilayah di luar wilayah Anda: {', '.join(outside)}",
                   f"Region outside your regions: {', '.join(outside)}")]
        )
    with transaction.atomic():
        first, _, last = full_name.partition(" ")
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
    user_regions = list(user.region_assignments.values_list("region_id", flat=True))
    if not user_regions or not all(actor_in_scope(actor, code) for code in user_regions):
        raise ObjectNotFound()
    return user_regions
