"""API tokens and machine clients (issue 14): issue, check, revoke. Only a token's SHA-256 is stored.

A token reads `tpt_<prefix>_<secret>`: the prefix (8 characters) is stored in clear and shown in token lists
and audit events; the whole string is hashed. A personal token acts as its user (role and regions unchanged);
a machine client's token acts as the client's service account, whose capabilities are further narrowed by
the client's allow-list (`access.actor_can` reads `_tepat_capability_limit`).

Every request authenticated by a token sets `via` (tepat.core.request_context) so that every audit event
written during it names the token (and the client).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from ninja.security import HttpBearer

from tepat.accounts import throttle
from tepat.accounts.access import actor_can
from tepat.accounts.models import ApiClient, ApiToken, RegionAssignment, User
from tepat.accounts.roles import Capability, Role, capabilities_of
from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.core.actors import is_system
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.core.messages import Issue
from tepat.core.request_context import set_via
from tepat.regions.models import Region

TOKEN_PREFIX = "tpt_"
_LAST_USED_EVERY = timedelta(seconds=60)  # at most one write per token per minute for `last_used_at`


def personal_token_lifetime() -> timedelta:
    return timedelta(hours=int(getattr(settings, "TEPAT_API_TOKEN_HOURS", 24 * 30)))


def client_token_lifetime() -> timedelta:
    return timedelta(hours=int(getattr(settings, "TEPAT_API_CLIENT_TOKEN_HOURS", 12)))


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def _token_region(user: User) -> str:
    return user.region_assignments.order_by("region_id").values_list("region_id", flat=True).first() or ""


def _issue(*, user: User, client: ApiClient | None, name: str, lifetime: timedelta, actor: Any) -> tuple[ApiToken, str]:
    prefix, raw = _new_token()
    token = ApiToken.objects.create(prefix=prefix, key_hash=token_hash(raw), user=user, client=client,
                                    name=name[:100], expires_at=timezone.now() + lifetime)
    audit_record(actor=actor, action=AuditAction.API_TOKEN_ISSUE, target=token, region_code=_token_region(user),
                 data={"prefix": prefix, "client": client.client_id if client else "", "name": token.name,
                       "expires_at": token.expires_at})
    return token, raw


def token_login(*, request: Any, username: str, password: str, name: str = "") -> tuple[ApiToken | None, Any]:
    """JSON sign-in: the same `login_attempt` as the page (django-axes counts every failure, same lockout,
    same audit events), then a personal token. Returns (token, raw) or (None, locked_until)."""
    from tepat.accounts.services import login_attempt

    outcome = login_attempt(request=request, username=username, password=password)
    if outcome.user is None:
        return None, outcome.locked_until
    with transaction.atomic():
        return _issue(user=outcome.user, client=None, name=name, lifetime=personal_token_lifetime(),
                      actor=outcome.user)


def client_token_issue(*, request: Any, client_id: str, client_secret: str) -> tuple[ApiToken, str]:
    """Client-credentials grant. A wrong or inactive client is refused with one answer for all cases and an
    audit event; the check runs under the address's login gate (one at a time per address)."""
    throttle.prepare(request)
    with transaction.atomic():
        throttle.login_gate(request.axes_ip_address)
        client = ApiClient.objects.select_related("service_user").filter(client_id=client_id[:40]).first()
        secret_ok = check_password(client_secret, client.secret_hash if client else make_password(None))
        if client is None or not secret_ok or not client.is_active or not client.service_user.is_active:
            audit_record(actor=AnonymousUser(), action=AuditAction.API_CLIENT_AUTH_FAILED, target=client,
                         data={"client_id": client_id[:40], "ip": request.axes_ip_address})
            ok = False
        else:
            ok = True
    if not ok:
        raise PermissionDeniedError("Kredensial klien salah / Wrong client credentials")
    with transaction.atomic():
        return _issue(user=client.service_user, client=client, name=client.name,
                      lifetime=client_token_lifetime(), actor=client.service_user)


def active_tokens():
    return ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def authenticate_token(request: Any, raw: str) -> User | None:
    """The user a bearer token acts as, or None (unknown, expired, revoked, inactive user or client).
    Marks the request (`api_token`, via) and narrows a client's capabilities on the user object."""
    cached = getattr(request, "_tepat_token_user", None)
    if cached is not None and getattr(request, "_tepat_token_raw", None) == raw:
        return cached
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (ApiToken.objects.select_related("user", "client").filter(key_hash=token_hash(raw)).first())
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.client is not None and not token.client.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_EVERY:
        ip = throttle.client_ip(request)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    user = token.user
    via = {"kind": "token", "token": token.prefix}
    if token.client is not None:
        via = {"kind": "client", "client": token.client.client_id, "token": token.prefix}
        user._tepat_capability_limit = frozenset(token.client.capabilities)
    set_via(via)  # reset by RequestIdMiddleware when the request ends
    request.api_token = token
    request._tepat_token_user, request._tepat_token_raw = user, raw
    return user


class BearerAuth(HttpBearer):
    """`Authorization: Bearer tpt_…` for every ninja router, beside the page session (config/api.py)."""

    openapi_scheme = "bearer"
    openapi_bearerFormat = "tpt_<prefix>_<secret>"

    def authenticate(self, request: Any, token: str) -> User | None:
        return authenticate_token(request, token)


def visible_tokens(actor: Any):
    """The actor's own tokens (an administrator: also those of the users they manage)."""
    if actor_can(actor, Capability.USER_MANAGE):
        from tepat.accounts.selectors import managed_users

        return ApiToken.objects.filter(user__in=managed_users(actor)) | ApiToken.objects.filter(user=actor)
    return ApiToken.objects.filter(user=actor)


def access_token(*, actor: Any, token_id: int) -> ApiToken:
    try:
        return visible_tokens(actor).select_related("user", "client").get(pk=int(token_id))
    except (ApiToken.DoesNotExist, TypeError, ValueError):
        raise ObjectNotFound() from None


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Own tokens: anyone. Others': an administrator whose scope covers the token's user (else 404)."""
    if token.user_id != getattr(actor, "pk", None):
        access_token(actor=actor, token_id=token.pk)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = actor if getattr(actor, "pk", None) else None
            locked.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKE, target=locked,
                         region_code=_token_region(locked.user),
                         data={"prefix": locked.prefix, "user": locked.user.username,
                               "client": locked.client.client_id if locked.client else ""})
    return locked


def api_client_create(*, actor: Any, name: str, role: str, region_codes: list[str],
                      capabilities: list[str]) -> tuple[ApiClient, str]:
    """A machine client and its service account. Capabilities must be within the role's; regions must
    exist (and, for a person, lie in their scope). Returns (client, secret): the secret is shown once."""
    if not is_system(actor):
        from tepat.accounts.access import actor_in_scope

        if not actor_can(actor, Capability.USER_MANAGE):
            raise PermissionDeniedError()
        outside = [code for code in region_codes if not actor_in_scope(actor, code)]
    else:
        outside = []
    issues = []
    if role not in Role.values:
        issues.append(Issue("invalid_role", "role", "Peran tidak dikenal", "Unknown role"))
    allowed = {str(c) for c in capabilities_of(role)} if role in Role.values else set()
    extra = sorted(set(capabilities) - allowed)
    if extra:
        issues.append(Issue("capability_outside_role", "capabilities",
                            f"Kemampuan di luar peran: {', '.join(extra)}",
                            f"Capabilities outside the role: {', '.join(extra)}"))
    found = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True))
    missing = sorted(set(region_codes) - found) + sorted(outside)
    if not region_codes or missing:
        issues.append(Issue("invalid_region", "regions", "Wilayah tidak sah: " + ", ".join(missing),
                            "Invalid regions: " + ", ".join(missing)))
    if not name.strip():
        issues.append(Issue("missing", "name", "Nama wajib diisi", "Name is required"))
    if issues:
        raise ValidationFailed(issues)
    client_id = f"cl_{secrets.token_hex(6)}"
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User(username=f"client.{client_id}", role=role, first_name=name[:150])
        user.set_unusable_password()
        user.save()
        RegionAssignment.objects.bulk_create([RegionAssignment(user=user, region_id=code) for code in region_codes])
        client = ApiClient.objects.create(client_id=client_id, name=name.strip()[:150], secret_hash=make_password(secret),
                                          service_user=user, capabilities=sorted(set(capabilities)),
                                          created_by=actor if getattr(actor, "pk", None) else None)
        audit_record(actor=actor, action=AuditAction.API_CLIENT_CREATE, target=client, region_code=sorted(region_codes)[0],
                     data={"client_id": client_id, "name": client.name, "role": role, "regions": sorted(region_codes),
                           "capabilities": client.capabilities})
    return client, secret


def api_client_deactivate(*, actor: Any, client: ApiClient) -> ApiClient:
    if not is_system(actor) and not actor_can(actor, Capability.USER_MANAGE):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        now = timezone.now()
        ApiToken.objects.filter(client=locked, revoked_at__isnull=True).update(revoked_at=now)
        audit_record(actor=actor, action=AuditAction.API_CLIENT_DEACTIVATE, target=locked,
                     region_code=_token_region(locked.service_user), data={"client_id": locked.client_id})
    return locked
