"""Bulk actions (issue 9 item 12): each item through the single action's service, reported per item; a
refused item changes nothing and the others go on."""

import uuid

import pytest
from django.urls import reverse

from conftest import client_for
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import PermissionDeniedError
from tepat.updates.models import DeliberationItem, Proposal
from tepat.updates.services.bulk import (
    deliberation_decide_bulk,
    proposals_approve_bulk,
    proposals_assign_bulk,
)
from tepat.updates.services.deliberations import deliberation_agenda_add
from tepat.updates.tests.factories import create, deliberate, new_family_payload, session, verify

S = Proposal.Status


def _submitted(actors, n):
    return [create(actors, "new_family", new_family_payload(head=f"Kepala {i}")) for i in range(n)]


def test_assign_several_reports_each_and_a_refused_one_changes_nothing(actors):
    first, second = _submitted(actors, 2)
    result = proposals_assign_bulk(actor=actors.village_operator,
                                   proposal_ids=[first.pk, second.pk, uuid.uuid4()], facilitator=actors.facilitator)
    assert [item.ok for item in result.items] == [True, True, False]
    assert result.items[2].message.endswith("proposal not found")
    for proposal in (first, second):
        proposal.refresh_from_db()
        assert proposal.status == S.IN_VERIFICATION and proposal.assigned_to == actors.facilitator
        event = AuditEvent.objects.get(action="proposal.assign", target_id=str(proposal.pk))
        assert event.actor_id == actors.village_operator.pk


def test_assign_refuses_one_in_the_wrong_stage_and_assigns_the_rest(actors):
    verified = verify(actors, create(actors, "new_family", new_family_payload(head="Sudah Diverifikasi")))
    (waiting,) = _submitted(actors, 1)
    before = AuditEvent.objects.filter(target_id=str(verified.pk)).count()
    result = proposals_assign_bulk(actor=actors.village_operator, proposal_ids=[verified.pk, waiting.pk])
    assert [(item.reference, item.ok) for item in result.items] == [(verified.reference, False),
                                                                     (waiting.reference, True)]
    assert result.done == 1 and result.refused == 1
    verified.refresh_from_db()
    assert verified.status == S.VERIFIED
    assert AuditEvent.objects.filter(target_id=str(verified.pk)).count() == before
    waiting.refresh_from_db()
    assert waiting.status == S.IN_VERIFICATION  # round-robin picked the only facilitator
    assert waiting.assigned_to == actors.facilitator


def test_bulk_needs_the_capability(actors):
    (proposal,) = _submitted(actors, 1)
    with pytest.raises(PermissionDeniedError):
        proposals_assign_bulk(actor=actors.village_head, proposal_ids=[proposal.pk])
    with pytest.raises(PermissionDeniedError):
        proposals_approve_bulk(actor=actors.village_operator, proposal_ids=[proposal.pk])
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED


def test_out_of_scope_proposals_are_reported_as_not_found(actors, other_dinsos_operator):
    (proposal,) = _submitted(actors, 1)
    result = proposals_assign_bulk(actor=other_dinsos_operator, proposal_ids=[proposal.pk])
    assert not result.items[0].ok and "not found" in result.items[0].message
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED


def test_approve_several(actors):
    accepted = [verify(actors, p) for p in _submitted(actors, 2)]
    deliberate(actors, accepted)
    (not_ready,) = _submitted(actors, 1)
    result = proposals_approve_bulk(actor=actors.dinsos_operator,
                                    proposal_ids=[p.pk for p in accepted] + [not_ready.pk], note="sesuai")
    assert [item.ok for item in result.items] == [True, True, False]
    for proposal in accepted:
        proposal.refresh_from_db()
        assert proposal.status == S.APPROVED
        event = AuditEvent.objects.get(action="proposal.approve", target_id=str(proposal.pk))
        assert event.actor_id == actors.dinsos_operator.pk
    not_ready.refresh_from_db()
    assert not_ready.status == S.SUBMITTED


def _session_with(actors, n):
    proposals = [verify(actors, p) for p in _submitted(actors, n)]
    deliberation = session(actors)
    deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=proposals)
    items = list(DeliberationItem.objects.filter(deliberation=deliberation).order_by("position"))
    return deliberation, items


def test_every_decision_on_one_form(actors):
    deliberation, (a, b, c) = _session_with(actors, 3)
    result = deliberation_decide_bulk(actor=actors.village_operator, deliberation=deliberation, decisions={
        str(a.pk): ("accepted", ""), str(b.pk): ("rejected", "sudah mampu"), str(c.pk): ("deferred", "")})
    assert [item.ok for item in result.items] == [True, True, False]  # a deferral needs its reason
    assert "reason" in result.items[2].message
    decided = {item.pk: (item.decision, item.reason) for item in DeliberationItem.objects.filter(deliberation=deliberation)}
    assert decided[a.pk] == ("accepted", "") and decided[b.pk] == ("rejected", "sudah mampu")
    assert decided[c.pk][0] == c.decision  # unchanged
    events = AuditEvent.objects.filter(action="deliberation.decide", target_id=str(deliberation.pk))
    assert events.count() == 2 and {e.actor_id for e in events} == {actors.village_operator.pk}


def test_an_item_of_another_session_is_refused(actors):
    deliberation, _ = _session_with(actors, 1)
    _, (b,) = _session_with(actors, 1)
    result = deliberation_decide_bulk(actor=actors.village_operator, deliberation=deliberation,
                                      decisions={str(b.pk): ("accepted", ""), "x": ("accepted", "")})
    assert [item.ok for item in result.items] == [False, False]
    b.refresh_from_db()
    assert b.decision == DeliberationItem.objects.get(pk=b.pk).decision and not b.decided_by_id


def test_bulk_pages_matrix(client, actors, other_village_operator):
    (proposal,) = _submitted(actors, 1)
    url = reverse("updates:proposal_bulk_assign")
    assert client.post(url, {"proposals": [proposal.pk]}).status_code == 302  # to the login page
    assert client_for(actors.village_head).post(url, {"proposals": [proposal.pk]}).status_code == 403
    client_for(other_village_operator).post(url, {"proposals": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED  # out of region: reported as not found, nothing changed
    response = client_for(actors.village_operator).post(url, {"proposals": [proposal.pk]}, follow=True)
    proposal.refresh_from_db()
    assert proposal.status == S.IN_VERIFICATION
    assert "1" in response.content.decode()


def test_queue_offers_the_bulk_forms(actors):
    _submitted(actors, 2)
    content = client_for(actors.village_operator).get(reverse("updates:queue")).content.decode()
    assert 'id="bulk-assign"' in content and content.count('form="bulk-assign"') == 2


def test_decisions_page_form(actors):
    deliberation, (a, b) = _session_with(actors, 2)
    client = client_for(actors.village_operator)
    page = client.get(reverse("updates:deliberation_detail", args=[deliberation.pk])).content.decode()
    assert f'name="decision_{a.pk}"' in page and f'name="decision_{b.pk}"' in page
    client.post(reverse("updates:decisions_bulk", args=[deliberation.pk]), {
        f"decision_{a.pk}": "accepted", f"reason_{a.pk}": "", f"decision_{b.pk}": "rejected",
        f"reason_{b.pk}": "pindah"})
    assert set(DeliberationItem.objects.filter(deliberation=deliberation).values_list("decision", flat=True)) == \
        {"accepted", "rejected"}
    assert client_for(actors.village_head).post(reverse("updates:decisions_bulk", args=[deliberation.pk]),
                                                {f"decision_{a.pk}": "rejected"}).status_code in (302, 403)


def test_queue_offers_bulk_approval_to_the_district(actors):
    proposal = verify(actors, create(actors, "new_family", new_family_payload(head="Siap Disetujui")))
    deliberate(actors, [proposal])
    content = client_for(actors.dinsos_operator).get(reverse("updates:queue")).content.decode()
    assert 'id="bulk-approve-to_review"' in content and 'form="bulk-approve-to_review"' in content
    response = client_for(actors.dinsos_operator).post(reverse("updates:proposal_bulk_approve"),
                                                       {"proposals": [proposal.pk]})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED
