import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction

from tepat.audit.hashing import GENESIS_HASH, event_hash
from tepat.audit.models import AuditChainHead, AuditEvent
from tepat.audit.services import (
    PendingEvent,
    VerifyResult,
    audit_record,
    audit_record_many,
    audit_verify,
    changed_fields,
)
from tepat.audit.tests import tamper
from tepat.core.actors import SYSTEM
from tepat.core.request_context import reset_request_id, set_request_id

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _record(action="personal_data.view", **kwargs) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=kwargs.pop("actor", SYSTEM), action=action, **kwargs)


def _recomputed(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq, occurred_at=event.occurred_at, actor_id=event.actor_id, actor_label=event.actor_label,
        action=event.action, target_type=event.target_type, target_id=event.target_id,
        region_code=event.region_code, data=event.data, request_id=event.request_id, prev_hash=event.prev_hash,
        key_id=event.key_id,
    )


def _snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "action", "data", "hash"))


# --- the chain ---------------------------------------------------------------------------------------


def test_events_link_into_a_chain_of_hashes(db, dinsos_operator):
    head_before = AuditChainHead.objects.get(pk=1)

    first = _record("family.create", actor=dinsos_operator, target=dinsos_operator, region_code="36.04",
                    data={"after": {"rw": "002"}})
    second = _record("family.update", region_code="36.04.05.2001", data={"changes": {"rw": {"before": "002"}}})
    third = _record("personal_data.search", data={})

    stored = list(AuditEvent.objects.filter(seq__gte=first.seq).order_by("seq"))
    assert [e.seq for e in stored] == [head_before.last_seq + 1, head_before.last_seq + 2, head_before.last_seq + 3]
    assert stored[0].prev_hash == head_before.last_hash
    assert stored[1].prev_hash == stored[0].hash
    assert stored[2].prev_hash == stored[1].hash
    for event, returned in zip(stored, [first, second, third], strict=True):
        assert event.hash == returned.hash == _recomputed(event)
        assert len(event.hash) == 64
    assert len({e.hash for e in stored}) == 3
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (third.seq, third.hash)
    assert audit_verify().ok


def test_the_first_event_links_to_the_genesis_hash(db):
    # The session fixture loaded the region master, which recorded event #1.
    first = AuditEvent.objects.get(seq=1)

    assert first.prev_hash == GENESIS_HASH == "0" * 64
    assert first.action == "regions.load"


def test_the_hash_covers_every_field(db):
    event = _record("personal_data.view", region_code="36", data={"a": 1})
    base = {
        "seq": event.seq, "occurred_at": event.occurred_at, "actor_id": event.actor_id,
        "actor_label": event.actor_label, "action": event.action, "target_type": event.target_type,
        "target_id": event.target_id, "region_code": event.region_code, "data": event.data,
        "request_id": event.request_id, "prev_hash": event.prev_hash, "key_id": event.key_id,
    }
    changes = {
        "seq": event.seq + 1, "occurred_at": datetime(2020, 1, 1, tzinfo=event.occurred_at.tzinfo),
        "actor_id": 999, "actor_label": "mallory", "action": "y", "target_type": "registry.family",
        "target_id": "1", "region_code": "31", "data": {"a": 2}, "request_id": "r", "prev_hash": "1" * 64,
        "key_id": "test-2025",
    }

    assert event_hash(**base) == event.hash
    for name, value in changes.items():
        assert event_hash(**{**base, name: value}) != event.hash, name


def test_actor_and_target_are_recorded(db, dinsos_operator):
    event = _record("personal_data.view", actor=dinsos_operator, target=dinsos_operator)

    event.refresh_from_db()
    assert (event.actor_id, event.actor_label) == (dinsos_operator.pk, "op_dinsos")
    assert (event.target_type, event.target_id) == ("accounts.user", str(dinsos_operator.pk))


def test_the_system_actor_is_recorded_as_system(db):
    event = _record(actor=SYSTEM)

    assert (event.actor_id, event.actor_label) == (None, "system")


def test_an_anonymous_visitor_is_recorded_as_anonymous(db):
    event = _record(actor=AnonymousUser())

    assert (event.actor_id, event.actor_label) == (None, "anonymous")


def test_a_missing_actor_is_refused_and_records_nothing(db):
    before = _snapshot()
    with pytest.raises(ValueError, match="needs an actor"):
        _record(actor=None)
    assert _snapshot() == before


def test_an_unknown_action_is_refused_and_records_nothing(db):
    before = _snapshot()
    with pytest.raises(ValueError, match="Unknown audit action"):
        _record("family.udpate")
    assert _snapshot() == before


def test_data_is_stored_as_json_would_return_it_and_still_verifies(db):
    ident = uuid.uuid4()
    event = _record(data={
        "date": date(2025, 2, 28), "uuid": ident, "money": Decimal("1500000.50"), "nested": {"b": [1, 2]},
        "name": "Siti Aminah — Cipocok Jaya",
    })

    event.refresh_from_db()
    assert event.data == {
        "date": "2025-02-28", "uuid": str(ident), "money": "1500000.50", "nested": {"b": [1, 2]},
        "name": "Siti Aminah — Cipocok Jaya",
    }
    assert audit_verify().ok


@pytest.mark.parametrize("value", [1e16, -3e17, -0.0, float("nan"), float("inf"), 0.1, 1e-7, 3604051403850000.0])
def test_floats_verify_after_the_database_round_trip(db, value):
    # PostgreSQL's jsonb stores numeric: 1e16 came back as 10000000000000000 and -0.0 as 0.0, which broke
    # the chain; NaN was refused by jsonb.
    _record(data={"value": value, "list": [value]})

    result = audit_verify()

    assert result.ok, result


def test_request_id_of_the_current_request_lands_in_the_event(db):
    token = set_request_id("req-0123456789")
    try:
        inside = _record()
    finally:
        reset_request_id(token)
    outside = _record()

    assert AuditEvent.objects.get(seq=inside.seq).request_id == "req-0123456789"
    assert AuditEvent.objects.get(seq=outside.seq).request_id == ""
    assert audit_verify().ok


def test_record_many_appends_contiguously_under_one_head_update(db, django_assert_max_num_queries):
    head = AuditChainHead.objects.get(pk=1)
    pending = [PendingEvent("personal_data.export", "registry.family", str(i), "36.04", {"i": i}) for i in range(5)]

    with transaction.atomic(), django_assert_max_num_queries(4):
        rows = audit_record_many(actor=SYSTEM, events=pending)

    assert [r.seq for r in rows] == list(range(head.last_seq + 1, head.last_seq + 6))
    assert [r.target_id for r in rows] == ["0", "1", "2", "3", "4"]
    stored = list(AuditEvent.objects.filter(action="personal_data.export").order_by("seq"))
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert AuditChainHead.objects.get(pk=1).last_seq == head.last_seq + 5
    assert audit_verify().ok


def test_record_many_with_nothing_writes_nothing(db):
    before = _snapshot()
    head = AuditChainHead.objects.get(pk=1)

    with transaction.atomic():
        assert audit_record_many(actor=SYSTEM, events=[]) == []

    assert _snapshot() == before
    assert AuditChainHead.objects.get(pk=1).last_seq == head.last_seq


def test_a_rolled_back_change_leaves_no_record(db):
    before = _snapshot()
    head = AuditChainHead.objects.values_list("last_seq", "last_hash").get(pk=1)

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=SYSTEM, action="personal_data.view")
        1 / 0  # noqa: B018

    assert _snapshot() == before
    assert AuditChainHead.objects.values_list("last_seq", "last_hash").get(pk=1) == head
    assert audit_verify().ok


def _empty_trail() -> None:
    if AuditEvent.objects.exists():
        tamper.delete_from(1, AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0])
    with tamper.trigger_disabled("audit_auditchainhead", tamper.HEAD_TRIGGER):
        AuditChainHead.objects.all().delete()


def test_audit_record_outside_a_transaction_is_refused(django_db_setup, django_db_blocker):
    # No django_db marker: the test runs on the database in autocommit, outside any transaction (and,
    # unlike a transactional test, without flushing the region master loaded for the session).
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block
        before = _snapshot()
        head = list(AuditChainHead.objects.values_list("last_seq", "last_hash"))

        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit_record(actor=SYSTEM, action="personal_data.view")
        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit_record_many(actor=SYSTEM, events=[PendingEvent("personal_data.view")])

        assert _snapshot() == before
        assert list(AuditChainHead.objects.values_list("last_seq", "last_hash")) == head


def test_an_empty_trail_verifies_and_the_head_is_created_on_first_use(db):
    _empty_trail()
    assert audit_verify() == VerifyResult(0, True)

    with transaction.atomic():
        event = audit_record(actor=SYSTEM, action="personal_data.view")

    assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
    assert AuditChainHead.objects.get(pk=1).last_hash == event.hash
    assert audit_verify() == VerifyResult(1, True)


def test_changed_fields_lists_only_differences():
    before = {"rw": "001", "rt": "002", "address": "Kp. Kramat"}
    after = {"rw": "003", "rt": "002", "floor": 8}

    assert changed_fields(before, after) == {
        "address": {"before": "Kp. Kramat", "after": None},
        "floor": {"before": None, "after": 8},
        "rw": {"before": "001", "after": "003"},
    }
    assert changed_fields(before, dict(before)) == {}


# --- append-only ---------------------------------------------------------------------------------------


def test_saving_an_existing_event_is_refused(db):
    event = _record(data={"a": 1})
    event.data = {"a": 2}

    with pytest.raises(RuntimeError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(seq=event.seq).data == {"a": 1}


def test_deleting_an_event_is_refused(db):
    event = _record()

    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(seq=event.seq).exists()


@postgres_only
@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET action = 'forged' WHERE seq = %s",
    "DELETE FROM audit_auditevent WHERE seq = %s",
])
def test_postgresql_trigger_refuses_update_and_delete(db, statement):
    event = _record()
    before = _snapshot()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.seq])

    assert _snapshot() == before


# --- verification ---------------------------------------------------------------------------------------


def _three_events() -> list[AuditEvent]:
    return [_record("personal_data.view", region_code="36.04", data={"i": i}) for i in range(3)]


def test_verify_counts_every_event_of_an_intact_chain(db):
    _three_events()

    result = audit_verify(chunk_size=2)

    assert result.ok
    assert result.checked == AuditEvent.objects.count()
    assert result.broken_seq is None


def test_verify_names_an_event_whose_data_was_changed(db):
    events = _three_events()
    tamper.set_data(events[1].seq, {"i": 99})

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[1].seq
    assert "altered" in result.reason
    assert result.checked == events[1].seq - 1
    if connection.vendor == "postgresql":  # the trigger is back on after the tampering
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE seq = %s", [events[0].seq])


@pytest.mark.parametrize(("column", "value"), [("actor_label", "someone_else"), ("region_code", "31"),
                                               ("action", "family.update")])
def test_verify_names_an_event_whose_other_fields_were_changed(db, column, value):
    events = _three_events()
    tamper.set_column(events[0].seq, column, value)

    result = audit_verify()

    assert (result.ok, result.broken_seq) == (False, events[0].seq)


def test_verify_notices_a_rehashed_event_through_the_next_link(db):
    events = _three_events()
    forged = AuditEvent.objects.get(seq=events[1].seq)
    forged.data = {"i": 99}
    new_hash = _recomputed(forged)
    tamper.set_data(forged.seq, {"i": 99})
    tamper.set_column(forged.seq, "hash", new_hash)

    result = audit_verify()

    assert (result.ok, result.broken_seq) == (False, events[2].seq)
    assert "prev_hash" in result.reason


def test_verify_names_a_deleted_event_in_the_middle(db):
    events = _three_events()
    tamper.delete_from(events[1].seq)

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[1].seq
    assert "missing" in result.reason


def test_verify_notices_events_removed_from_the_end(db):
    events = _three_events()
    tamper.delete_from(events[1].seq, events[2].seq)

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[1].seq
    assert result.checked == events[0].seq
    assert "removed at the end" in result.reason


@pytest.mark.django_db
def test_bulk_update_and_delete_are_refused_on_every_database(family):
    count = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(action="family.create").update(action="forged")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(action="forged").exists()
