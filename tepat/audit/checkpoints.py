"""Signed checkpoints of the chain head, written OUTSIDE the database.

A person who can rewrite the database can delete the last events and move the head back, and nothing
inside the database can tell. A checkpoint is a line in a file the operator chooses
(settings.TEPAT_AUDIT_CHECKPOINT_DIR, ideally on another machine or an append-only mount):

    {"seq": 1234, "hash": "…", "written_at": "…Z", "key_id": "k2026", "mac": "<HMAC of the other fields>"}

`audit_verify` reads every line: a trail that ends before a checkpoint's position was truncated; an event
whose hash differs from a checkpoint's was rewritten; a line whose MAC does not match was forged.
The file is only ever appended to (O_APPEND, fsync); it holds positions and hashes, no personal data.
"""

from __future__ import annotations

import hmac
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from tepat.audit.hashing import AuditKeyError, current_key_id, keyed_digest, timestamp

CHECKPOINT_FILE = "audit-checkpoints.jsonl"
_SIGNED_FIELDS = ("seq", "hash", "written_at", "host", "key_id")


class CheckpointError(Exception):
    """The checkpoint file cannot be trusted (a line unreadable, unsigned, out of order) or written."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    line: int
    seq: int
    hash: str
    written_at: str
    key_id: str


def checkpoint_path(directory: str | os.PathLike | None = None) -> Path | None:
    directory = directory if directory is not None else settings.TEPAT_AUDIT_CHECKPOINT_DIR
    if not directory:
        return None
    return Path(directory) / CHECKPOINT_FILE


def _mac(entry: dict, key_id: str) -> str:
    return keyed_digest(key_id, {name: entry.get(name) for name in _SIGNED_FIELDS})


def checkpoint_append(*, seq: int, hash: str, directory: str | os.PathLike | None = None) -> Checkpoint:
    """Append one signed line; the directory is created if needed. Refuses when no directory is set."""
    path = checkpoint_path(directory)
    if path is None:
        raise CheckpointError(
            "Direktori checkpoint audit belum diatur (TEPAT_AUDIT_CHECKPOINT_DIR) "
            "/ The audit checkpoint directory is not configured (TEPAT_AUDIT_CHECKPOINT_DIR)"
        )
    key_id = current_key_id()
    entry = {
        "seq": seq,
        "hash": hash,
        "written_at": timestamp(datetime.now(UTC)),
        "host": socket.gethostname(),
        "key_id": key_id,
    }
    entry["mac"] = _mac(entry, key_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(_count_lines(path), seq, hash, entry["written_at"], key_id)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def checkpoints_read(directory: str | os.PathLike | None = None) -> list[Checkpoint]:
    """Every checkpoint, checked: each line's MAC with its key, positions never going backwards."""
    path = checkpoint_path(directory)
    if path is None or not path.exists():
        return []
    found: list[Checkpoint] = []
    with path.open("r", encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                checkpoint = Checkpoint(number, int(entry["seq"]), str(entry["hash"]), str(entry["written_at"]),
                                        str(entry["key_id"]))
                expected = _mac(entry, checkpoint.key_id)
            except (ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(f"checkpoint file line {number} is unreadable ({type(exc).__name__})") from None
            except AuditKeyError:
                raise CheckpointError(
                    f"checkpoint file line {number} names audit key {entry.get('key_id')!r}, which is not "
                    "configured (keep retired keys in TEPAT_AUDIT_KEYS)"
                ) from None
            if not isinstance(entry.get("mac"), str) or not _equal(entry["mac"], expected):
                raise CheckpointError(f"checkpoint file line {number}: signature does not match (line forged or altered)")
            if found and checkpoint.seq < found[-1].seq:
                raise CheckpointError(
                    f"checkpoint file line {number} goes back from #{found[-1].seq} to #{checkpoint.seq}"
                )
            found.append(checkpoint)
    return found


def _equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))
