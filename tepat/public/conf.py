"""Settings of the public pages, with their defaults (docs/SECURITY.md "Public surface")."""

from __future__ import annotations

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or 0)


def window_seconds() -> int:
    return _int("TEPAT_PUBLIC_WINDOW_SECONDS", 3600)


def limit_ip() -> int:
    """Lookups (and tracking-code checks) per client address per window."""
    return _int("TEPAT_PUBLIC_LIMIT_IP", 30)


def limit_subject() -> int:
    """Lookups of one NIK (or one village + name) per window, from anywhere."""
    return _int("TEPAT_PUBLIC_LIMIT_SUBJECT", 5)


def limit_global() -> int:
    """All lookups of the whole site per window."""
    return _int("TEPAT_PUBLIC_LIMIT_GLOBAL", 5000)


def report_limit_ip() -> int:
    """Objections and proposals per client address per window."""
    return _int("TEPAT_PUBLIC_REPORT_LIMIT_IP", 5)


def report_limit_global() -> int:
    return _int("TEPAT_PUBLIC_REPORT_LIMIT_GLOBAL", 500)


def pow_max_number() -> int:
    """The proof-of-work's difficulty: the solver tries up to this many hashes (half on average)."""
    return _int("TEPAT_PUBLIC_POW_MAX_NUMBER", 100_000)


def pow_seconds() -> int:
    return _int("TEPAT_PUBLIC_POW_SECONDS", 600)


def pow_key() -> str:
    return getattr(settings, "TEPAT_PUBLIC_POW_KEY", "") or settings.SECRET_KEY


def evidence_max_bytes() -> int:
    return _int("TEPAT_PUBLIC_EVIDENCE_MAX_BYTES", 2 * 1024 * 1024)


def name_list_programmes() -> frozenset[str]:
    """Programme codes whose recipient lists the office publishes by (masked) name and RT; empty: none."""
    return frozenset(getattr(settings, "TEPAT_PUBLIC_NAME_LISTS", ()) or ())


def suppress_below() -> int:
    return _int("TEPAT_PUBLIC_SUPPRESS_BELOW", 5)
