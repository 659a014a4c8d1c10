"""Canonical form and hash of an audit event. `audit-verify` and the writer share these functions.

The hash is keyed: HMAC-SHA256 with a secret that lives in the environment (settings.TEPAT_AUDIT_KEYS),
never in the database, so a person who can rewrite the tables cannot recompute valid hashes. Each event
stores the id of the key that signed it, so keys can rotate (old keys stay listed for verification).
Events written before keys existed carry key id "" and the unkeyed SHA-256 (`legacy_event_hash`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def normalise_data(value: Any) -> Any:
    """What JSON storage will give back: dates, UUIDs and decimals become strings.

    Floats are put in the form PostgreSQL's jsonb returns (it stores numbers as numeric): 1e16 comes
    back as 10000000000000000 and -0.0 as 0.0, and NaN/Infinity are not JSON, so they become strings.
    """
    return _jsonb_stable(json.loads(canonical_json(value)))


def _jsonb_stable(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return 0.0
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: _jsonb_stable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonb_stable(item) for item in value]
    return value


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditKeyError(Exception):
    """No usable audit key: the current key id is not configured, or an event names an unknown key."""


def audit_keys() -> dict[str, bytes]:
    from django.conf import settings

    return {key_id: secret.encode("utf-8") for key_id, secret in (settings.TEPAT_AUDIT_KEYS or {}).items()}


def current_key_id() -> str:
    """The id of the key new events are signed with; refuses when it is not configured."""
    from django.conf import settings

    key_id = settings.TEPAT_AUDIT_KEY_ID
    if not key_id or key_id not in audit_keys():
        raise AuditKeyError(
            "Kunci audit belum diatur (TEPAT_AUDIT_KEY_ID / TEPAT_AUDIT_KEYS) "
            "/ The audit key is not configured (TEPAT_AUDIT_KEY_ID / TEPAT_AUDIT_KEYS)"
        )
    return key_id


def key_for(key_id: str) -> bytes:
    try:
        return audit_keys()[key_id]
    except KeyError:
        raise AuditKeyError(f"unknown audit key id {key_id!r}") from None


def keyed_digest(key_id: str, value: Any) -> str:
    """HMAC-SHA256 of a value's canonical JSON with the named key (events and checkpoints)."""
    return hmac.new(key_for(key_id), canonical_json(value).encode("utf-8"), hashlib.sha256).hexdigest()


def _payload(
    *, seq, occurred_at, actor_id, actor_label, action, target_type, target_id, region_code, data, request_id,
    prev_hash,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "occurred_at": timestamp(occurred_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "region_code": region_code,
        "data": data,
        "request_id": request_id,
        "prev_hash": prev_hash,
    }


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    region_code: str,
    data: Any,
    request_id: str,
    prev_hash: str,
    key_id: str,
) -> str:
    """The keyed hash of an event (the key id is covered too, so it cannot be swapped)."""
    payload = _payload(
        seq=seq, occurred_at=occurred_at, actor_id=actor_id, actor_label=actor_label, action=action,
        target_type=target_type, target_id=target_id, region_code=region_code, data=data,
        request_id=request_id, prev_hash=prev_hash,
    )
    payload["key_id"] = key_id
    return keyed_digest(key_id, payload)


def legacy_event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    region_code: str,
    data: Any,
    request_id: str,
    prev_hash: str,
) -> str:
    """The unkeyed SHA-256 of events written before audit keys existed (anyone can compute it: accepted
    only up to settings.TEPAT_AUDIT_LEGACY_UNTIL_SEQ)."""
    payload = _payload(
        seq=seq, occurred_at=occurred_at, actor_id=actor_id, actor_label=actor_label, action=action,
        target_type=target_type, target_id=target_id, region_code=region_code, data=data,
        request_id=request_id, prev_hash=prev_hash,
    )
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
