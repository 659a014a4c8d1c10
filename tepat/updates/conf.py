"""Settings of the workflow, each with a default; override in Django settings."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

DEFAULT_SLA_DAYS = {
    "draft": 7,
    "submitted": 3,
    "in_verification": 14,
    "verified": 30,
    "accepted": 7,
    "awaiting_supervisor": 3,
    "approved": 31,
}
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def sla_days() -> dict[str, int]:
    """Days a proposal may stay in each stage before it is highlighted (TEPAT_UPDATES_SLA_DAYS)."""
    return {**DEFAULT_SLA_DAYS, **getattr(settings, "TEPAT_UPDATES_SLA_DAYS", {})}


def max_upload_bytes() -> int:
    return int(getattr(settings, "TEPAT_UPDATES_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def default_cadence() -> str:
    """Length of a determination period when none is given: monthly, quarterly or semiannual."""
    return getattr(settings, "TEPAT_DETERMINATION_CADENCE", "monthly")


def determination_pause_seconds() -> float:
    """Pause of the background determination between its transactions (TEPAT_DETERMINATION_PAUSE_SECONDS).

    SQLite has one writer at a time and a waiting writer retries only every few to 100 ms, so a run that
    commits chunk after chunk would keep a page view (which records `personal_data.view`) waiting for the
    whole run; 0.1 s between transactions lets it in. PostgreSQL queues lock waiters: no pause by default."""
    value = getattr(settings, "TEPAT_DETERMINATION_PAUSE_SECONDS", None)
    if value is None:
        return 0.1 if connection.vendor == "sqlite" else 0.0
    return float(value)
