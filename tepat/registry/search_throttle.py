"""Throttling of whole-number searches by masked roles (issue 8; ADR 0021).

A masked role may search by a whole 16-digit NIK/KK; without a limit that is a guessing oracle (about 366
dates × a few serials per person). Every such search is already a `personal_data.search` event, so the
audit trail is the counter: durable, shared by every web process and worker, and serialised by the audit
chain's head lock (the count runs after this search's own event is written, inside the same transaction,
so parallel requests cannot all slip under the limit). No cache server is needed (the embedded
deployment has none; django-ratelimit refuses local-memory and database caches as not shared/atomic).

Limits (settings, 0 turns one off): `TEPAT_IDENTITY_SEARCH_LIMIT_USER` searches per user and
`TEPAT_IDENTITY_SEARCH_LIMIT_IP` per client address (keyed hash, never the address) within
`TEPAT_IDENTITY_SEARCH_WINDOW_SECONDS`. Past a limit the search answers exactly as a number with no
match (same status, same body), and a `personal_data.search_throttled` event names which limit was hit.
Roles that see numbers whole are not throttled: they have nothing to guess.

`limit_passed` is the counting rule itself, shared with the public pages (`tepat.public.throttle`: per
client address, per NIK and a global limit on the anonymous status lookup and citizens' reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from tepat.audit.actions import AuditAction
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_record

THROTTLED_KIND = "identity"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or 0)


def ip_digest(client_ip: str) -> str:
    from tepat.registry.masking import search_digest

    return search_digest("ip", client_ip) if client_ip else ""


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit of a throttled kind: at most `max` events within the window whose `field` equals `value`
    ("actor" compares the event's actor; "" counts every event of the kind: a global limit)."""

    name: str
    max: int
    field: str = ""
    value: Any = None


def limit_passed(*, action: str, kind: str, window_seconds: int, limits: list[Limit], actor: Any,
                 region_code: str = "", throttled_action: str = AuditAction.PERSONAL_DATA_SEARCH_THROTTLED) -> str:
    """The one counting rule (issue 8 search, issue 12 public pages). Called inside the transaction that
    recorded this request's own `action` event (data `kind`), so the count includes it and the audit head
    lock serialises parallel requests. Returns the first limit passed ("" when none), after recording a
    `throttled_action` event naming it. A limit with `max` 0, or keyed on an empty value, is off."""
    since = timezone.now() - timedelta(seconds=window_seconds)
    events = AuditEvent.objects.filter(action=action, occurred_at__gte=since, data__kind=kind)
    for limit in limits:
        if not limit.max or (limit.field and not limit.value):
            continue
        if limit.field == "actor":
            counted = events.filter(actor_id=limit.value)
        elif limit.field:
            counted = events.filter(**{f"data__{limit.field}": limit.value})
        else:
            counted = events
        # Bounded: counts at most max + 1 rows (a busy site-wide window is not scanned whole per request).
        if counted.order_by()[: limit.max + 1].count() > limit.max:
            audit_record(actor=actor, action=throttled_action, region_code=region_code,
                         data={"kind": kind, "limit": limit.name, "window_seconds": window_seconds,
                               "max": limit.max})
            return limit.name
    return ""


def exceeded(*, actor: Any, ip_hash: str, region_code: str) -> str:
    """Called inside the transaction that recorded this search's event. Returns "" when the search may
    run, else the limit that was passed ("user" or "ip"), recording a `personal_data.search_throttled`
    event. Counts this search too."""
    return limit_passed(
        action=AuditAction.PERSONAL_DATA_SEARCH, kind=THROTTLED_KIND, actor=actor, region_code=region_code,
        window_seconds=_setting("TEPAT_IDENTITY_SEARCH_WINDOW_SECONDS", 3600),
        limits=[Limit("user", _setting("TEPAT_IDENTITY_SEARCH_LIMIT_USER", 20), "actor", actor.pk),
                Limit("ip", _setting("TEPAT_IDENTITY_SEARCH_LIMIT_IP", 60), "ip_hash", ip_hash)])
