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
"""

from __future__ import annotations

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


def exceeded(*, actor: Any, ip_hash: str, region_code: str) -> str:
    """Called inside the transaction that recorded this search's event. Returns "" when the search may
    run, else the limit that was passed ("user" or "ip"), recording a `personal_data.search_throttled`
    event. Counts this search too."""
    window = _setting("TEPAT_IDENTITY_SEARCH_WINDOW_SECONDS", 3600)
    since = timezone.now() - timedelta(seconds=window)
    searches = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_SEARCH, occurred_at__gte=since,
                                         data__kind=THROTTLED_KIND)
    hit = ""
    per_user = _setting("TEPAT_IDENTITY_SEARCH_LIMIT_USER", 20)
    if per_user and searches.filter(actor_id=actor.pk).count() > per_user:
        hit = "user"
    per_ip = _setting("TEPAT_IDENTITY_SEARCH_LIMIT_IP", 60)
    if not hit and per_ip and ip_hash and searches.filter(data__ip_hash=ip_hash).count() > per_ip:
        hit = "ip"
    if hit:
        audit_record(actor=actor, action=AuditAction.PERSONAL_DATA_SEARCH_THROTTLED, region_code=region_code,
                     data={"kind": THROTTLED_KIND, "limit": hit, "window_seconds": window,
                           "max": per_user if hit == "user" else per_ip})
    return hit
