"""Canonical form and hash of an audit event. `audit-verify` and the writer share these functions."""

from __future__ import annotations

import hashlib
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
) -> str:
    payload = {
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
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
