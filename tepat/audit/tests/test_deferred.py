"""`audit_deferred`: the events of a bulk step are written at its end, in order, under one head lock; what a
caught savepoint rolled back, or the whole block on an error, leaves no event."""

import pytest
from django.db import transaction

from tepat.audit.models import AuditChainHead, AuditEvent
from tepat.audit.services import audit_deferred, audit_record, audit_verify
from tepat.core.actors import SYSTEM


def _head():
    return AuditChainHead.objects.values_list("last_seq", "last_hash").get(pk=1)


def _trail():
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "action", "target_id", "data", "hash"))


def test_events_are_written_at_the_end_of_the_block_in_order(db, dinsos_operator):
    seq = _head()[0]

    with transaction.atomic():
        with audit_deferred() as batch:
            audit_record(actor=dinsos_operator, action="personal_data.view", target_type="registry.family",
                         target_id="1", region_code="36.04", data={"n": 1})
            audit_record(actor=SYSTEM, action="personal_data.export", region_code="36.04", data={"n": 2})
            audit_record(actor=dinsos_operator, action="personal_data.view", target_id="3", data={"n": 3})
            assert _head()[0] == seq and not AuditEvent.objects.filter(seq__gt=seq).exists()  # nothing yet
            assert len(batch) == 3
        assert _head()[0] == seq + 3  # written when the block ended, still inside the transaction

    events = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))
    assert [(e.action, e.actor_id, e.data["n"]) for e in events] == [
        ("personal_data.view", dinsos_operator.pk, 1), ("personal_data.export", None, 2),
        ("personal_data.view", dinsos_operator.pk, 3)]
    assert (events[0].target_type, events[0].target_id, events[0].region_code) == ("registry.family", "1", "36.04")
    assert events[1].actor_label == SYSTEM.get_username()
    assert audit_verify().ok


def test_a_caught_savepoint_drops_its_events_only(db):
    seq = _head()[0]

    with transaction.atomic(), audit_deferred() as batch:
        audit_record(actor=SYSTEM, action="personal_data.view", data={"kept": 1})
        with pytest.raises(ZeroDivisionError), batch.savepoint(), transaction.atomic():
            audit_record(actor=SYSTEM, action="personal_data.view", data={"dropped": True})
            1 / 0  # noqa: B018
        audit_record(actor=SYSTEM, action="personal_data.view", data={"kept": 2})

    assert [e.data for e in AuditEvent.objects.filter(seq__gt=seq).order_by("seq")] == [{"kept": 1}, {"kept": 2}]
    assert audit_verify().ok


def test_an_error_in_the_block_records_nothing(db):
    before, head = _trail(), _head()

    with pytest.raises(ZeroDivisionError), transaction.atomic(), audit_deferred():
        audit_record(actor=SYSTEM, action="personal_data.view")
        1 / 0  # noqa: B018

    assert _trail() == before and _head() == head
    # And recording goes back to writing at once.
    with transaction.atomic():
        audit_record(actor=SYSTEM, action="personal_data.view")
        assert _head()[0] == head[0] + 1


def test_a_typo_or_a_missing_actor_is_refused_at_once(db):
    before = _trail()

    with transaction.atomic(), audit_deferred() as batch:
        with pytest.raises(ValueError, match="Unknown audit action"):
            audit_record(actor=SYSTEM, action="personal_data.viewed")
        with pytest.raises(ValueError, match="needs an actor"):
            audit_record(actor=None, action="personal_data.view")
        assert len(batch) == 0

    assert _trail() == before


def test_values_are_taken_when_recorded_and_nested_blocks_share_the_batch(db):
    seq = _head()[0]
    data = {"items": [1]}

    with transaction.atomic(), audit_deferred() as outer:
        audit_record(actor=SYSTEM, action="personal_data.view", data=data)
        data["items"].append(2)  # a later change of the caller's dict is not in the event
        with audit_deferred() as inner:
            assert inner is outer
            audit_record(actor=SYSTEM, action="personal_data.view", data={"inner": True})
        assert _head()[0] == seq  # the inner block does not write on its own

    assert [e.data for e in AuditEvent.objects.filter(seq__gt=seq).order_by("seq")] == [
        {"items": [1]}, {"inner": True}]


def test_deferring_outside_a_transaction_is_refused(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(RuntimeError, match="inside the transaction"), audit_deferred():
        pass
