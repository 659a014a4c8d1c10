"""Login throttling on django-axes: per username+address and per address, race-free, same for every name.

django-axes stores the failures (`AccessAttempt`, one row per username × address × user agent) and refuses
`authenticate()` while locked (its backend is first in AUTHENTICATION_BACKENDS). Axes itself checks before
the password and records after it, so parallel attempts all pass the check; `login_gate` closes that gap
by serialising the attempts of one address (a row lock held from the check to the recorded outcome).

Limits (settings): `TEPAT_LOGIN_MAX_FAILURES` for one username from one address (axes' own parameter), and
`TEPAT_LOGIN_IP_MAX_FAILURES` for one address over all usernames (`TepatAxesHandler.is_locked`). An attacker
elsewhere cannot lock a user out of their own address; unknown usernames are counted like real ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum

from tepat.accounts.models import LoginGate


def client_ip(request: Any) -> str:
    """REMOTE_ADDR, or with TEPAT_TRUSTED_PROXIES = n > 0 the n-th address from the right of
    X-Forwarded-For (the one our own proxy saw; what the client wrote to the left is not trusted)."""
    proxies = int(getattr(settings, "TEPAT_TRUSTED_PROXIES", 0) or 0)
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    if proxies > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies][:45]
    return remote[:45]


def failure_limit(request: Any = None, credentials: Any = None) -> int:
    return settings.TEPAT_LOGIN_MAX_FAILURES


def cool_off(request: Any = None) -> timedelta:
    return settings.TEPAT_LOGIN_LOCKOUT


class TepatAxesHandler(AxesDatabaseHandler):
    """Axes' database handler plus a second limit: all failures from one address, whatever the usernames."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return ip_failures(request.axes_ip_address, _threshold(request)) >= settings.TEPAT_LOGIN_IP_MAX_FAILURES


def _threshold(request: Any) -> datetime:
    return request.axes_attempt_time - get_cool_off(request)


def ip_failures(ip_address: str, since: datetime) -> int:
    return AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"] or 0


def prepare(request: Any) -> None:
    """Axes reads the address, user agent and time from request attributes its middleware or backend set."""
    AxesProxyHandler.update_request(request)


def is_allowed(request: Any, username: str) -> bool:
    return AxesProxyHandler.is_allowed(request, get_credentials(username))


def is_locked(request: Any, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, get_credentials(username))


def locked_until(request: Any, username: str) -> datetime:
    """When the lock that refuses this username from this address ends: the cool-off after the last failure
    that counts (the username's from this address, or the address's). Same rule for unknown usernames."""
    since = _threshold(request)
    recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address, attempt_time__gte=since)
    own = recent.filter(username=username).aggregate(n=Sum("failures_since_start"), t=Max("attempt_time"))
    if (own["n"] or 0) >= settings.TEPAT_LOGIN_MAX_FAILURES:
        last = own["t"]
    else:
        last = recent.aggregate(t=Max("attempt_time"))["t"]
    return (last or request.axes_attempt_time) + get_cool_off(request)


def login_gate(ip_address: str) -> LoginGate:
    """Lock this address's gate row until the surrounding transaction ends (call inside atomic)."""
    LoginGate.objects.get_or_create(key=ip_address)
    return LoginGate.objects.select_for_update().get(key=ip_address)


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these usernames are locked from at least one address right now (for the user pages)."""
    since = _now() - get_cool_off()
    rows = (AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
            .values("username", "ip_address").annotate(n=Sum("failures_since_start")))
    return {row["username"] for row in rows if row["n"] >= settings.TEPAT_LOGIN_MAX_FAILURES}


def reset_username(username: str) -> int:
    """Forget every counted failure of this username, from every address. Returns the rows removed."""
    return AxesProxyHandler.reset_attempts(username=username)


def lockout_response(request: Any, original_response: Any = None, credentials: Any = None) -> Any:
    """Axes' middleware calls this for a request it flagged as locked out: keep the login page we rendered
    (it already says, in the same words for every username, until when)."""
    return original_response


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()
