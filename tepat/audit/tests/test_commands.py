from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_record
from tepat.audit.tests import tamper
from tepat.core.actors import SYSTEM


def _events(count: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [audit_record(actor=SYSTEM, action="personal_data.view", data={"i": i}) for i in range(count)]


def test_audit_verify_reports_an_intact_chain(db):
    _events(3)
    out = StringIO()

    call_command("audit-verify", stdout=out)

    total = AuditEvent.objects.count()
    assert f"Audit chain intact: {total} events verified" in out.getvalue()
    assert "Rantai audit utuh" in out.getvalue()


def test_audit_verify_fails_naming_the_altered_event(db):
    events = _events(3)
    tamper.set_data(events[1].seq, {"i": "forged"})

    with pytest.raises(CommandError) as raised:
        call_command("audit-verify", stdout=StringIO())

    message = str(raised.value)
    assert f"Audit chain broken at event #{events[1].seq}" in message
    assert f"Rantai audit rusak pada event #{events[1].seq}" in message
    assert f"({events[1].seq - 1} events verified before it)" in message


def test_audit_verify_fails_naming_a_deleted_event(db):
    events = _events(3)
    tamper.delete_from(events[0].seq)

    with pytest.raises(CommandError, match=f"broken at event #{events[0].seq}: event #{events[0].seq} is missing"):
        call_command("audit-verify", stdout=StringIO())


def test_audit_verify_fails_when_the_tail_was_cut(db):
    events = _events(3)
    tamper.delete_from(events[2].seq)

    with pytest.raises(CommandError, match=f"broken at event #{events[2].seq}: chain head says #{events[2].seq}"):
        call_command("audit-verify", stdout=StringIO())
