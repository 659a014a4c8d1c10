from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation

from tepat.accounts.access import actor_in_scope, ensure_capability
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.roles import Capability, Role
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
    """Authenticate with lockout: after TEPAT_LOGIN_MAX_FAILURES failures the account locks for a while.

    A locked account is refused even with the right password, and every outcome is audited.
    """
    now = timezone.now()
    with transaction.atomic():
        account = User.objects.select_for_update().filter(username=username).first()
        if account is not None and account.locked_until and account.locked_until > now:
            audit_record(actor=AnonymousUser(), action="auth.login_refused_locked", target=account,
                         data={"username": username, "locked_until": account.locked_until})
            return LoginOutcome(None, account.locked_until)
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        if user is None:
            if account is None:
                audit_record(actor=AnonymousUser(), action="auth.login_failed", data={"username": username[:150]})
                return LoginOutcome(None)
            account = User.objects.select_for_update().get(pk=account.pk)
            account.failed_login_count += 1
            locked_until = None
            if account.failed_login_count >= settings.TEPAT_LOGIN_MAX_FAILURES:
                locked_until = now + settings.TEPAT_LOGIN_LOCKOUT
                account.locked_until = locked_until
                account.failed_login_count = 0
            account.save(update_fields=["failed_login_count", "locked_until"])
            audit_record(
                actor=AnonymousUser(), action="auth.locked" if locked_until else "auth.login_failed", target=account,
                data={"username": username, "locked_until": locked_until},
            )
            return LoginOutcome(None, locked_until)
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None, last_login=now)
        audit_record(actor=user, action="auth.login", target=user, data={})
        return LoginOutcome(user)


def user_unlock(*, actor: Any, user: User) -> User:
    """Unlock an account. Only an administrator whose scope covers every region of that user may."""
    ensure_capability(actor=actor, capability=Capability.USER_MANAGE)
    user_regions = list(user.region_assignments.values_list("region_id", flat=True))
    if not user_regions or not all(actor_in_scope(actor, code) for code in user_regions):
        raise ObjectNotFound()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.locked_until
        locked.locked_until = None
        locked.failed_login_count = 0
        locked.save(update_fields=["locked_until", "failed_login_count"])
        audit_record(actor=actor, action="user.unlock", target=locked, region_code=user_regions[0],
                     data={"locked_until": before})
    return locked
