"""Rate limits of the public pages and API: per client address, per subject (a NIK, or a village + name)
and for the whole site, counted from the audit trail by the one mechanism of
`tepat.registry.search_throttle.limit_passed` (ADR 0021). Addresses and subjects are keyed hashes."""

from __future__ import annotations

from typing import Any

from tepat.accounts.throttle import client_ip
from tepat.audit.actions import AuditAction
from tepat.public import conf
from tepat.registry.masking import search_digest
from tepat.registry.search_throttle import Limit, limit_passed

LOOKUP = "public_lookup"
TRACKING = "public_tracking"
REPORT = "public_report"


def ip_hash(request: Any) -> str:
    return search_digest("public-ip", client_ip(request))


def lookup_passed(*, actor: Any, ip: str, subject: str) -> str:
    return limit_passed(action=AuditAction.PUBLIC_LOOKUP, kind=LOOKUP, actor=actor,
                        window_seconds=conf.window_seconds(), throttled_action=AuditAction.PUBLIC_THROTTLED,
                        limits=[Limit("ip", conf.limit_ip(), "ip_hash", ip),
                                Limit("subject", conf.limit_subject(), "subject_hash", subject),
                                Limit("global", conf.limit_global())])


def tracking_passed(*, actor: Any, ip: str) -> str:
    return limit_passed(action=AuditAction.PUBLIC_LOOKUP, kind=TRACKING, actor=actor,
                        window_seconds=conf.window_seconds(), throttled_action=AuditAction.PUBLIC_THROTTLED,
                        limits=[Limit("ip", conf.limit_ip(), "ip_hash", ip), Limit("global", conf.limit_global())])


def report_passed(*, actor: Any, ip: str, region_code: str) -> str:
    return limit_passed(action=AuditAction.PUBLIC_LOOKUP, kind=REPORT, actor=actor, region_code=region_code,
                        window_seconds=conf.window_seconds(), throttled_action=AuditAction.PUBLIC_THROTTLED,
                        limits=[Limit("ip", conf.report_limit_ip(), "ip_hash", ip),
                                Limit("global", conf.report_limit_global())])
