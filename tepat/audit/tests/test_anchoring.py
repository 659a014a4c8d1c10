"""The anchored chain (docs/adr/0010-anchored-audit-chain.md): a keyed hash and signed checkpoints outside
the database. Each test plays one rewrite a person with database access could try, and shows that
`audit_verify` (and `tepat audit-verify`) notices it."""

from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tepat.audit.actions import AuditAction
from tepat.audit.checkpoints import CHECKPOINT_FILE, CheckpointError, checkpoints_read
from tepat.audit.hashing import AuditKeyError, _payload, canonical_json, event_hash, legacy_event_hash
from tepat.audit.models import AuditChainHead, AuditEvent
from tepat.audit.services import audit_checkpoint, audit_record, audit_verify
from tepat.audit.tests import tamper
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import PermissionDeniedError

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _events(count: int, **kwargs) -> list[AuditEvent]:
    with transaction.atomic():
        return [audit_record(actor=SYSTEM, action="personal_data.view", region_code="36.04", data={"i": i}, **kwargs)
                for i in range(count)]


def _fields(event: AuditEvent, **changes) -> dict:
    fields = {
        "seq": event.seq, "occurred_at": event.occurred_at, "actor_id": event.actor_id, "actor_label": event.actor_label,
        "action": event.action, "target_type": event.target_type, "target_id": event.target_id,
        "region_code": event.region_code, "data": event.data, "request_id": event.request_id, "prev_hash": event.prev_hash,
    }
    return {**fields, **changes}


def _snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "hash", "key_id"))


def _delete_and_rehash(delete_seq: int, rehash, *, drop: bool = True) -> None:
    """Delete one event in the middle, renumber the rest down and re-hash them with `rehash(fields) ->
    (hash, key_id)`, then move the head: a perfect rewrite with the function the attacker holds.
    With drop=False nothing is left out: every event from `delete_seq` on is re-hashed in place."""
    events = list(AuditEvent.objects.order_by("seq"))
    tamper.delete_from(delete_seq, events[-1].seq)
    prev_hash = next((e.hash for e in events if e.seq == delete_seq - 1), "0" * 64)
    rows = []
    for event in (e for e in events if (e.seq > delete_seq if drop else e.seq >= delete_seq)):
        fields = _fields(event, seq=event.seq - 1 if drop else event.seq, prev_hash=prev_hash)
        digest, key_id = rehash(fields)
        rows.append((fields, digest, key_id))
        prev_hash = digest
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        for fields, digest, key_id in rows:
            cursor.execute(
                "INSERT INTO audit_auditevent (seq, occurred_at, actor_id, actor_label, action, target_type, "
                "target_id, region_code, data, request_id, prev_hash, hash, key_id) "
                f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {cast}, %s, %s, %s, %s)",
                [fields["seq"], fields["occurred_at"], fields["actor_id"], fields["actor_label"], fields["action"],
                 fields["target_type"], fields["target_id"], fields["region_code"], json.dumps(fields["data"]),
                 fields["request_id"], fields["prev_hash"], digest, key_id],
            )
    last_seq = rows[-1][0]["seq"] if rows else delete_seq - 1
    tamper.move_head(last_seq, prev_hash)


# --- the keyed hash ------------------------------------------------------------------------------------


def test_events_are_signed_with_the_current_key_and_name_it(db, settings):
    event = _events(1)[0]

    assert event.key_id == settings.TEPAT_AUDIT_KEY_ID == "test-2026"
    payload = {**_payload(**_fields(event)), "key_id": "test-2026"}
    key = settings.TEPAT_AUDIT_KEYS["test-2026"].encode()
    assert event.hash == hmac.new(key, canonical_json(payload).encode(), hashlib.sha256).hexdigest()
    assert event.hash != legacy_event_hash(**_fields(event))  # anyone can compute this one: not used
    assert AuditEvent.objects.get(seq=event.seq).key_id == "test-2026"


@pytest.mark.parametrize("key_id", ["", "not-configured"])
def test_without_a_configured_key_nothing_is_recorded(db, settings, key_id):
    _events(1)
    before, head = _snapshot(), list(AuditChainHead.objects.values_list("last_seq", "last_hash"))
    settings.TEPAT_AUDIT_KEY_ID = key_id

    with pytest.raises(AuditKeyError, match="audit key is not configured"):
        _events(1)

    assert _snapshot() == before
    assert list(AuditChainHead.objects.values_list("last_seq", "last_hash")) == head


# --- rewrite attacks -----------------------------------------------------------------------------------


def test_delete_mid_chain_and_rehash_with_the_unkeyed_function_is_detected(db):
    events = _events(4)
    _delete_and_rehash(events[1].seq, lambda fields: (legacy_event_hash(**fields), ""))

    result = audit_verify()

    assert (result.ok, result.broken_seq) == (False, events[1].seq)
    assert "not signed with an audit key" in result.reason
    with pytest.raises(CommandError, match=f"broken at event #{events[1].seq}: event is not signed"):
        call_command("audit-verify", stdout=StringIO())


def test_delete_mid_chain_and_rehash_with_the_wrong_key_is_detected(db):
    events = _events(4)

    def wrong_key(fields):
        payload = {**_payload(**fields), "key_id": "test-2026"}
        return hmac.new(b"a guessed key", canonical_json(payload).encode(), hashlib.sha256).hexdigest(), "test-2026"

    _delete_and_rehash(events[1].seq, wrong_key)

    result = audit_verify()

    assert (result.ok, result.broken_seq) == (False, events[1].seq)
    assert "event altered" in result.reason


def test_a_forged_event_naming_an_unknown_key_is_detected(db):
    events = _events(3)
    _delete_and_rehash(events[1].seq, lambda fields: ("f" * 64, "attacker-key"))

    result = audit_verify()

    assert (result.ok, result.broken_seq) == (False, events[1].seq)
    assert "'attacker-key', which is not configured" in result.reason


def test_truncating_the_tail_and_moving_the_head_is_caught_by_the_checkpoint(db, tmp_path):
    events = _events(3)
    checkpoint = audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)
    last_kept = events[0]
    tamper.delete_from(events[1].seq, checkpoint.seq)
    tamper.move_head(last_kept.seq, last_kept.hash)

    # Inside the database the shortened chain is consistent: only the checkpoint outside can tell.
    assert audit_verify(checkpoint_dir="").ok
    result = audit_verify(checkpoint_dir=tmp_path)

    assert (result.ok, result.broken_seq) == (False, last_kept.seq + 1)
    assert f"the trail ends at #{last_kept.seq}" in result.reason
    assert f"recorded #{checkpoint.seq}" in result.reason and "truncation" in result.reason
    with pytest.raises(CommandError, match="truncation"):
        call_command("audit-verify", "--dir", str(tmp_path), stdout=StringIO())


def test_a_rewrite_with_the_right_key_is_caught_by_the_checkpoint(db, tmp_path):
    """An insider who holds the key can re-hash a consistent chain; events already checkpointed are
    still caught, because the checkpoint's hash no longer matches."""
    events = _events(3)
    checkpoint = audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)
    _delete_and_rehash(events[1].seq, lambda fields: (event_hash(**fields, key_id="test-2026"), "test-2026"))
    _events(1)  # the trail goes on, so the head is past the checkpoint again

    assert audit_verify(checkpoint_dir="").ok  # the keyed chain alone cannot tell
    result = audit_verify(checkpoint_dir=tmp_path)

    assert (result.ok, result.broken_seq) == (False, checkpoint.seq)
    assert "differs from the checkpoint" in result.reason and "rewritten" in result.reason


def test_a_forged_checkpoint_line_is_refused(db, tmp_path):
    _events(2)
    checkpoint = audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)
    path = tmp_path / CHECKPOINT_FILE
    entry = json.loads(path.read_text())
    entry["seq"] = checkpoint.seq - 1  # an attacker moves the checkpoint back along with the trail
    path.write_text(json.dumps(entry) + "\n")

    result = audit_verify(checkpoint_dir=tmp_path)

    assert not result.ok
    assert "line 1: signature does not match" in result.reason
    with pytest.raises(CheckpointError):
        checkpoints_read(tmp_path)


def test_checkpoints_going_backwards_are_refused(db, tmp_path):
    _events(1)
    audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)
    first = (tmp_path / CHECKPOINT_FILE).read_text()
    audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)
    with (tmp_path / CHECKPOINT_FILE).open("a") as handle:
        handle.write(first)  # a genuine, older line replayed at the end

    result = audit_verify(checkpoint_dir=tmp_path)

    assert not result.ok and "line 3 goes back" in result.reason


# --- checkpoints ---------------------------------------------------------------------------------------


def test_a_checkpoint_records_its_event_and_a_signed_line_outside_the_database(db, tmp_path):
    _events(2)

    checkpoint = audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path / "sub")

    event = AuditEvent.objects.get(seq=checkpoint.seq)
    assert (event.action, event.actor_label, event.actor_id) == (AuditAction.AUDIT_CHECKPOINT, "system", None)
    assert AuditChainHead.objects.get(pk=1).last_seq == checkpoint.seq
    (line,) = (tmp_path / "sub" / CHECKPOINT_FILE).read_text().splitlines()
    entry = json.loads(line)
    assert (entry["seq"], entry["hash"], entry["key_id"]) == (event.seq, event.hash, "test-2026")
    assert set(entry) == {"seq", "hash", "written_at", "host", "key_id", "mac"}
    result = audit_verify(checkpoint_dir=tmp_path / "sub")
    assert (result.ok, result.checkpoints, result.last_checkpoint_seq) == (True, 1, checkpoint.seq)


def test_a_checkpoint_without_a_directory_is_refused_and_records_nothing(db, settings):
    _events(1)
    before = _snapshot()
    settings.TEPAT_AUDIT_CHECKPOINT_DIR = ""

    with pytest.raises(CheckpointError, match="TEPAT_AUDIT_CHECKPOINT_DIR"):
        audit_checkpoint(actor=SYSTEM)
    with pytest.raises(CommandError, match="checkpoint directory is not configured"):
        call_command("audit-checkpoint", stdout=StringIO())

    assert _snapshot() == before


def test_only_the_system_writes_checkpoints(db, tmp_path, administrator):
    before = _snapshot()

    with pytest.raises(PermissionDeniedError):
        audit_checkpoint(actor=administrator, checkpoint_dir=tmp_path)

    assert _snapshot() == before
    assert not (tmp_path / CHECKPOINT_FILE).exists()


def test_the_commands_write_and_check_checkpoints(db, tmp_path, settings):
    settings.TEPAT_AUDIT_CHECKPOINT_DIR = str(tmp_path)
    _events(2)
    out = StringIO()
    call_command("audit-verify", stdout=out)
    assert "No checkpoints yet" in out.getvalue()

    call_command("audit-checkpoint", stdout=StringIO())
    out = StringIO()
    call_command("audit-verify", stdout=out)

    head = AuditChainHead.objects.get(pk=1)
    assert f"1 checkpoint(s) match; the last one at #{head.last_seq}" in out.getvalue()


def test_the_worker_job_writes_a_checkpoint(db, tmp_path, settings):
    from tepat.audit.tasks import audit_checkpoint_task

    settings.TEPAT_AUDIT_CHECKPOINT_DIR = str(tmp_path)
    settings.TEPAT_AUDIT_CHECKPOINT_INTERVAL_SECONDS = 0  # the immediate test backend cannot defer
    _events(1)

    result = audit_checkpoint_task.enqueue()

    head = AuditChainHead.objects.get(pk=1)
    assert result.return_value["seq"] == head.last_seq
    assert [c.seq for c in checkpoints_read(tmp_path)] == [head.last_seq]


# --- key rotation and legacy events --------------------------------------------------------------------


def test_rotating_the_key_keeps_old_events_verifiable_while_the_old_key_is_listed(db, settings, tmp_path):
    settings.TEPAT_AUDIT_KEY_ID = "test-2025"
    old = _events(2)
    audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)
    settings.TEPAT_AUDIT_KEY_ID = "test-2026"  # the rotation: new key current, old one kept for verifying
    new = _events(1)
    audit_checkpoint(actor=SYSTEM, checkpoint_dir=tmp_path)

    assert {e.key_id for e in old} == {"test-2025"} and new[0].key_id == "test-2026"
    assert [c.key_id for c in checkpoints_read(tmp_path)] == ["test-2025", "test-2026"]
    assert audit_verify(checkpoint_dir=tmp_path).ok

    settings.TEPAT_AUDIT_KEYS = {"test-2026": settings.TEPAT_AUDIT_KEYS["test-2026"]}  # old key thrown away
    result = audit_verify(checkpoint_dir="")
    assert not result.ok and "'test-2025', which is not configured" in result.reason


def test_unkeyed_legacy_events_verify_only_up_to_the_declared_position(db, settings):
    _events(3)
    # Re-create the trail as an installation from before the keys would hold it, then add keyed events.
    _delete_and_rehash(1, lambda fields: (legacy_event_hash(**fields), ""), drop=False)
    prefix_end = AuditChainHead.objects.get(pk=1).last_seq
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {""}
    _events(2)

    settings.TEPAT_AUDIT_LEGACY_UNTIL_SEQ = prefix_end
    assert audit_verify().ok
    assert AuditEvent.objects.get(seq=prefix_end + 1).key_id == "test-2026"
    settings.TEPAT_AUDIT_LEGACY_UNTIL_SEQ = prefix_end - 1
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, prefix_end)


# --- PostgreSQL: the database refuses TRUNCATE and keeps the head moving forward ----------------------


@postgres_only
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditchainhead"])
def test_postgresql_refuses_truncate(db, table):
    _events(2)
    before = _snapshot()

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else PostgreSQL refuses for pending FK checks first

    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")

    assert _snapshot() == before
    assert AuditChainHead.objects.filter(pk=1).exists()


@postgres_only
def test_postgresql_head_only_moves_forward_onto_an_existing_event(db):
    events = _events(3)
    head = list(AuditChainHead.objects.values_list("last_seq", "last_hash"))
    attempts = [
        ("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1",
         [events[0].seq, events[0].hash], "only moves forward"),
        ("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", ["e" * 64], "only moves forward"),
        ("UPDATE audit_auditchainhead SET last_seq = last_seq + 5 WHERE id = 1", [], "existing event"),
        ("DELETE FROM audit_auditchainhead WHERE id = 1", [], "cannot be deleted"),
    ]
    for statement, params, message in attempts:
        with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)

    assert list(AuditChainHead.objects.values_list("last_seq", "last_hash")) == head
    _events(1)  # the normal path still moves it forward
    assert AuditChainHead.objects.get(pk=1).last_seq == head[0][0] + 1
