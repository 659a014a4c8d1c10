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


@pytest.mark.django_db(transaction=True)
def test_two_proposals_for_one_kk_entered_at_once_exactly_one_is_kept(regions, make_user, monkeypatch):
    """The unique claim key, not a check-then-insert, decides: the second insert waits for the first
    transaction and is then refused naming the proposal that holds the KK."""
    from tepat.core.exceptions import BusinessRuleViolation
    from tepat.updates.models import ProposalClaim
    from tepat.updates.services import claims
    from tepat.updates.services.proposals import proposal_create

    operators = [make_user("village_operator", ["36.04.05.2001"], f"op_desa_{i}") for i in (1, 2)]
    payloads = [new_family_payload(head="Asep"), new_family_payload(head="Dadang")]
    payloads[1]["family"]["kk_number"] = payloads[0]["family"]["kk_number"]
    real_take = claims.claims_take

    def slow_take(proposal, payload=None):
        keys = real_take(proposal, payload)
        time.sleep(0.4)  # hold the new claim uncommitted while the other arrives
        return keys

    monkeypatch.setattr("tepat.updates.services.proposals.claims_take", slow_take)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enter(actor, payload):
        try:
            barrier.wait()
            proposal_create(actor=actor, kind="new_family", source="village_operator", payload=payload,
                            region_code="36.04.05.2001")
            outcomes.append("kept")
        except BusinessRuleViolation as exc:
            outcomes.append(f"refused:{exc.extra['open_proposal']}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enter, args=pair) for pair in zip(operators, payloads, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    kept = Proposal.objects.get()
    assert sorted(outcomes) == ["kept", f"refused:{kept.reference}"]
    assert ProposalClaim.objects.filter(key=f"kk:{payloads[0]['family']['kk_number']}", proposal=kept).exists()
    assert AuditEvent.objects.filter(action="proposal.create").count() == 1
