"""The only writer of audit events. Called inside the caller's transaction, so that there is no change
without a record and no record without a change."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tepat.audit.actions import AuditAction, ensure_action
from tepat.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_append,
    checkpoint_path,
    checkpoints_read,
)
from tepat.audit.hashing import (
    GENESIS_HASH,
    AuditKeyError,
    current_key_id,
    event_hash,
    legacy_event_hash,
    normalise_data,
)
from tepat.audit.models import AuditChainHead, AuditEvent
from tepat.core.actors import is_system
from tepat.core.exceptions import PermissionDeniedError
from tepat.core.request_context import get_request_id, get_via

SYSTEM_LABEL = "system"


@dataclass(slots=True)
class PendingEvent:
    action: AuditAction | str
    target_type: str = ""
    target_id: str = ""
    region_code: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


ANONYMOUS_LABEL = "anonymous"


def _actor_parts(actor: Any) -> tuple[int | None, str]:
    """(user id, label). A user, the system actor, or an anonymous visitor (sign-in attempts, public
    pages); `None` is refused: every caller says who acts."""
    if actor is None:
        raise ValueError("audit_record needs an actor: the acting user or tepat.core.actors.SYSTEM")
    if is_system(actor):
        return None, actor.get_username()
    if not getattr(actor, "is_authenticated", False):
        return None, ANONYMOUS_LABEL
    return actor.pk, actor.get_username()


def _target_parts(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


def _lock_head() -> AuditChainHead:
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records.")
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    region_code: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. `target` (a model instance) fills target_type/target_id."""
    if target is not None:
        target_type, target_id = _target_parts(target)
    pending = PendingEvent(action, target_type, str(target_id), region_code or "", data or {})
    batch = _DEFERRED.get()
    if batch is not None:
        return batch.add(actor, pending)
    return audit_record_many(actor=actor, events=[pending])[0]


class AuditBatch:
    """The events recorded inside `audit_deferred()`, written together when the block ends.

    A caller that catches an error from a savepoint inside the block wraps that savepoint in
    `batch.savepoint()`, so the events recorded in it are dropped with its rows."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, PendingEvent]] = []
        self.lock_seconds = 0.0  # how long the flush took, from taking the head lock to the last insert

    def __len__(self) -> int:
        return len(self.events)

    def add(self, actor: Any, pending: PendingEvent) -> AuditEvent:
        _actor_parts(actor)  # an unknown actor is refused now, not at the end of the block
        pending.action = ensure_action(pending.action)
        pending.data = normalise_data(dict(pending.data))  # the values as they are now
        self.events.append((actor, pending))
        # Not stored yet: no seq or hash until the block ends (callers on the bulk paths ignore it).
        return AuditEvent(action=str(pending.action), target_type=pending.target_type,
                          target_id=pending.target_id, region_code=pending.region_code, data=pending.data)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        mark = len(self.events)
        try:
            yield
        except BaseException:
            del self.events[mark:]
            raise

    def flush(self) -> list[AuditEvent]:
        """Write the collected events in order (one head lock; one insert per run of the same actor)."""
        written: list[AuditEvent] = []
        started = time.perf_counter()
        start = 0
        while start < len(self.events):
            actor = self.events[start][0]
            end = start
            while end < len(self.events) and self.events[end][0] is actor:
                end += 1
            written += audit_record_many(actor=actor, events=[pending for _, pending in self.events[start:end]])
            start = end
        if written:
            self.lock_seconds = time.perf_counter() - started
        self.events = []
        return written


_DEFERRED: ContextVar[AuditBatch | None] = ContextVar("tepat_audit_deferred", default=None)


@contextmanager
def audit_deferred() -> Iterator[AuditBatch]:
    """Collect the `audit_record` calls of a bulk step and write them when the block ends, still inside the
    caller's transaction: the same events, in the same order, but the chain head is locked only for the
    final insert instead of from the first event to the commit. An error inside the block discards them
    (its transaction rolls back with them). Nested blocks share the outer batch."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_deferred must run inside the transaction of the changes it records.")
    outer = _DEFERRED.get()
    if outer is not None:
        yield outer
        return
    batch = AuditBatch()
    token = _DEFERRED.set(batch)
    try:
        yield batch
    finally:
        _DEFERRED.reset(token)
    batch.flush()


def audit_record_many(*, actor: Any, events: Iterable[PendingEvent]) -> list[AuditEvent]:
    """Append many events at once (bulk paths): one lock, one insert."""
    key_id = current_key_id()  # no key, no event: refused before anything is written
    head = _lock_head()
    actor_id, actor_label = _actor_parts(actor)
    request_id = get_request_id() or ""
    via = get_via()  # an API token or machine client authenticated this request: every event says which
    now = timezone.now()
    rows: list[AuditEvent] = []
    seq, prev_hash = head.last_seq, head.last_hash
    for pending in events:
        action = str(ensure_action(pending.action))
        seq += 1
        data = normalise_data(dict(pending.data))
        if via and "via" not in data:
            data = normalise_data({**data, "via": via})
        digest = event_hash(
            seq=seq,
            occurred_at=now,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            target_type=pending.target_type,
            target_id=pending.target_id,
            region_code=pending.region_code,
            data=data,
            request_id=request_id,
            prev_hash=prev_hash,
            key_id=key_id,
        )
        rows.append(
            AuditEvent(
                seq=seq,
                occurred_at=now,
                actor_id=actor_id,
                actor_label=actor_label,
                action=action,
                target_type=pending.target_type,
                target_id=pending.target_id,
                region_code=pending.region_code,
                data=data,
                request_id=request_id,
                prev_hash=prev_hash,
                hash=digest,
                key_id=key_id,
            )
        )
        prev_hash = digest
    if not rows:
        return []
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev_hash)
    return rows


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{"field": {"before": old, "after": new}} for the fields whose value differs."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


@dataclass(slots=True)
class VerifyResult:
    checked: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0  # checkpoints found outside the database and checked
    last_checkpoint_seq: int | None = None


def audit_verify(*, chunk_size: int = 5000, checkpoint_dir: str | None = None) -> VerifyResult:
    """Recompute every keyed hash in order, then hold the trail against the signed checkpoints kept
    outside the database. Names the first event whose hash, link or position is wrong.

    What a rewrite looks like here: an event hashed without the key or with another key fails its own
    check; a trail that ends before a checkpoint was truncated (even if the head was moved back with it);
    an event whose hash differs from a checkpoint's was rewritten by someone holding the key.
    """
    try:
        checkpoints = checkpoints_read(checkpoint_dir)
    except CheckpointError as exc:
        return VerifyResult(0, False, None, f"checkpoint file cannot be trusted: {exc}")
    wanted: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        wanted.setdefault(checkpoint.seq, []).append(checkpoint)
    legacy_until = settings.TEPAT_AUDIT_LEGACY_UNTIL_SEQ
    expected_prev = GENESIS_HASH
    expected_seq = 0
    checked = 0
    with transaction.atomic():
        queryset = AuditEvent.objects.order_by("seq").values_list(
            "seq", "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id",
            "region_code", "data", "request_id", "prev_hash", "hash", "key_id",
        )
        for row in queryset.iterator(chunk_size=chunk_size):
            (seq, occurred_at, actor_id, actor_label, action, target_type, target_id,
             region_code, data, request_id, prev_hash, digest, key_id) = row
            expected_seq += 1
            if seq != expected_seq:
                return VerifyResult(checked, False, expected_seq, f"event #{expected_seq} is missing (next is #{seq})")
            if prev_hash != expected_prev:
                return VerifyResult(checked, False, seq, "prev_hash does not match the previous event's hash")
            fields = {
                "seq": seq, "occurred_at": occurred_at, "actor_id": actor_id, "actor_label": actor_label,
                "action": action, "target_type": target_type, "target_id": target_id, "region_code": region_code,
                "data": data, "request_id": request_id, "prev_hash": prev_hash,
            }
            if not key_id:
                if seq > legacy_until:
                    return VerifyResult(checked, False, seq, "event is not signed with an audit key (unkeyed hash)")
                recomputed = legacy_event_hash(**fields)
            else:
                try:
                    recomputed = event_hash(**fields, key_id=key_id)
                except AuditKeyError:
                    return VerifyResult(checked, False, seq, f"event names audit key {key_id!r}, which is not configured")
            if recomputed != digest:
                return VerifyResult(checked, False, seq, "content does not match its hash (event altered)")
            for checkpoint in wanted.get(seq, ()):
                if checkpoint.hash != digest:
                    return VerifyResult(
                        checked, False, seq,
                        f"event #{seq} differs from the checkpoint of {checkpoint.written_at} "
                        f"(line {checkpoint.line}): the chain was rewritten",
                    )
            expected_prev = digest
            checked += 1
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and (head.last_seq != expected_seq or head.last_hash != expected_prev):
            return VerifyResult(
                checked, False, expected_seq + 1,
                f"chain head says #{head.last_seq} but the trail ends at #{expected_seq} (events removed at the end)",
            )
    last = checkpoints[-1] if checkpoints else None
    if last is not None and last.seq > expected_seq:
        return VerifyResult(
            checked, False, expected_seq + 1,
            f"the trail ends at #{expected_seq} but the checkpoint of {last.written_at} (line {last.line}) "
            f"recorded #{last.seq}: events removed at the end (truncation)",
            len(checkpoints), last.seq,
        )
    return VerifyResult(checked, True, checkpoints=len(checkpoints), last_checkpoint_seq=last.seq if last else None)


def audit_checkpoint(*, actor: Any, checkpoint_dir: str | None = None) -> Checkpoint:
    """Write a signed checkpoint of the chain head outside the database (the command line and the
    scheduled task act as SYSTEM). The checkpoint event is committed first and the line written after,
    so a line never names a position the database does not hold."""
    if not is_system(actor):
        raise PermissionDeniedError()
    if checkpoint_path(checkpoint_dir) is None:
        raise CheckpointError(
            "Direktori checkpoint audit belum diatur (TEPAT_AUDIT_CHECKPOINT_DIR) "
            "/ The audit checkpoint directory is not configured (TEPAT_AUDIT_CHECKPOINT_DIR)"
        )
    with transaction.atomic():
        event = audit_record(actor=actor, action=AuditAction.AUDIT_CHECKPOINT,
                             data={"previous_seq": AuditChainHead.objects.filter(pk=1).values_list(
                                 "last_seq", flat=True).first() or 0})
    return checkpoint_append(seq=event.seq, hash=event.hash, directory=checkpoint_dir)
