"""Two people approving the same proposal at the same moment: the row lock lets exactly one through."""

import threading
import time

import pytest
from django.db import connection, connections

from tepat.audit.models import AuditEvent
from tepat.core.exceptions import InvalidTransition
from tepat.updates import workflow
from tepat.updates.models import DistrictReview, Proposal
from tepat.updates.services.reviews import proposal_approve
from tepat.updates.tests.factories import create, deliberate, new_family_payload, verify

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite has no row locks (SELECT ... FOR UPDATE); the concurrent approval is tested on PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_exactly_one_succeeds(regions, make_user, monkeypatch):
    from tepat.updates.tests.factories import Actors

    actors = Actors(
        make_user("village_operator", ["36.04.05.2001"], "op_desa"),
        make_user("facilitator", ["36.04.05.2001"], "psm"),
        make_user("village_head", ["36.04.05.2001"], "kades"),
        make_user("dinsos_operator", ["36.04"], "op_dinsos"),
        make_user("dinsos_supervisor", ["36.04"], "spv_dinsos"),
    )
    second_operator = make_user("dinsos_operator", ["36.04"], "op_dinsos_2")
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    verify(actors, proposal)
    deliberate(actors, [Proposal.objects.get(pk=proposal.pk)])
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.status == Proposal.Status.ACCEPTED
    events_before = AuditEvent.objects.count()

    # Hold the lock a moment after taking it, so the other approval surely arrives while it is held.
    real_lock = workflow.lock

    def slow_lock(obj):
        row = real_lock(obj)
        time.sleep(0.4)
        return row

    monkeypatch.setattr("tepat.updates.services.reviews.lock", slow_lock)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor):
        try:
            barrier.wait()
            proposal_approve(actor=actor, proposal=proposal)
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (actors.dinsos_operator, second_operator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "refused"]
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert DistrictReview.objects.filter(proposal=proposal).count() == 1
    assert AuditEvent.objects.filter(action="proposal.approve").count() == 1
    assert AuditEvent.objects.count() == events_before + 1
