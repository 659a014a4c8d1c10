"""Refused transitions change nothing: not the proposal, not its history, not the audit trail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import OTHER_DISTRICT
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import (
    BusinessRuleViolation,
    InvalidTransition,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.updates.models import DistrictReview, FieldVerification, Proposal, ProposalTransition
from tepat.updates.services.determination import period_determine
from tepat.updates.services.freezes import freeze_create
from tepat.updates.services.proposals import proposal_assign, proposal_create, proposal_submit
from tepat.updates.services.reviews import proposal_approve, proposal_reject
from tepat.updates.services.verification import verification_record
from tepat.updates.tests.factories import create, deliberate, new_family_payload, verify

S = Proposal.Status


class Unchanged:
    """Snapshot of what a refused call must leave alone."""

    def __init__(self, proposal):
        self.proposal = proposal
        self.row = Proposal.objects.filter(pk=proposal.pk).values().get()
        self.events = AuditEvent.objects.count()
        self.transitions = ProposalTransition.objects.count()
        self.reviews = DistrictReview.objects.count()

    def check(self):
        assert Proposal.objects.filter(pk=self.proposal.pk).values().get() == self.row
        assert AuditEvent.objects.count() == self.events
        assert ProposalTransition.objects.count() == self.transitions
        assert DistrictReview.objects.count() == self.reviews


@pytest.fixture
def accepted(actors):
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    verify(actors, proposal)
    deliberate(actors, [Proposal.objects.get(pk=proposal.pk)])
    return Proposal.objects.get(pk=proposal.pk)


def test_approve_at_the_wrong_stage_is_refused(actors):
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    unchanged = Unchanged(proposal)

    with pytest.raises(InvalidTransition) as exc:
        proposal_approve(actor=actors.dinsos_operator, proposal=proposal)

    assert exc.value.extra["current"] == S.SUBMITTED
    unchanged.check()


def test_submit_twice_is_refused(actors):
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    unchanged = Unchanged(proposal)
    with pytest.raises(InvalidTransition):
        proposal_submit(actor=actors.village_operator, proposal=proposal)
    unchanged.check()


def test_wrong_role_cannot_approve(actors, accepted, village_head):
    unchanged = Unchanged(accepted)
    for actor in (actors.village_operator, actors.facilitator, village_head):
        with pytest.raises(PermissionDeniedError):
            proposal_approve(actor=actor, proposal=accepted)
    unchanged.check()


def test_other_district_cannot_approve_and_sees_not_found(accepted, other_dinsos_operator):
    unchanged = Unchanged(accepted)
    with pytest.raises(ObjectNotFound):
        proposal_approve(actor=other_dinsos_operator, proposal=accepted)
    unchanged.check()


def test_other_village_operator_cannot_submit(actors, other_village_operator):
    proposal = proposal_create(actor=actors.village_operator, kind=Proposal.Kind.NEW_FAMILY, source="village_operator",
                               payload=new_family_payload(), region_code="36.04.05.2001")
    unchanged = Unchanged(proposal)
    with pytest.raises(ObjectNotFound):
        proposal_submit(actor=other_village_operator, proposal=proposal)
    unchanged.check()


def test_operator_cannot_propose_for_another_village(other_village_operator):
    before = Proposal.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ObjectNotFound):
        proposal_create(actor=other_village_operator, kind=Proposal.Kind.NEW_FAMILY, source="village_operator",
                        payload=new_family_payload(), region_code="36.04.05.2001")
    assert (Proposal.objects.count(), AuditEvent.objects.count()) == before


def test_only_the_assigned_facilitator_verifies(actors, make_user):
    other_psm = make_user("facilitator", ["36.04.05.2001"], "psm_lain")
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    proposal = proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)
    unchanged = Unchanged(proposal)
    with pytest.raises(PermissionDeniedError):
        verification_record(actor=other_psm, proposal=proposal, visited_on=timezone.localdate(),
                            household_found=True, outcome="confirmed", results={})
    unchanged.check()
    assert not FieldVerification.objects.exists()


def test_incomplete_visit_is_refused(actors):
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    proposal = proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)
    unchanged = Unchanged(proposal)
    with pytest.raises(ValidationFailed) as exc:
        verification_record(actor=actors.facilitator, proposal=proposal,
                            visited_on=timezone.localdate() + timedelta(days=2), household_found=True,
                            outcome="confirmed", results={"family.rt": {"result": "corrected", "value": "abc"}})
    fields = exc.value.by_field()
    assert "visited_on" in fields
    assert "facts.family.kk_number" in fields
    unchanged.check()


def test_field_correction_must_still_be_valid(actors):
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    with pytest.raises(ValidationFailed) as exc:
        verify(actors, proposal, corrections={"family.rt": "abcd"})
    assert "facts.family.rt" in exc.value.by_field()
    assert Proposal.objects.get(pk=proposal.pk).status == S.IN_VERIFICATION


def test_rejection_needs_a_reason(actors, accepted):
    unchanged = Unchanged(accepted)
    with pytest.raises(ValidationFailed):
        proposal_reject(actor=actors.dinsos_operator, proposal=accepted, reason=" ")
    unchanged.check()


def test_approval_refused_during_a_freeze_and_explained(actors, accepted):
    today = timezone.localdate()
    freeze_create(actor=actors.dinsos_supervisor, region_code="36.04", starts_on=today - timedelta(days=1),
                  ends_on=today + timedelta(days=30), reason="Masa tenang Pilkada")
    unchanged = Unchanged(accepted)

    with pytest.raises(BusinessRuleViolation) as exc:
        proposal_approve(actor=actors.dinsos_operator, proposal=accepted)

    assert "Pilkada" in exc.value.message
    assert exc.value.extra["reason"] == "Masa tenang Pilkada"
    unchanged.check()


def test_freeze_elsewhere_does_not_block(actors, accepted, other_dinsos_operator, make_user):
    other_supervisor = make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_kota")
    today = timezone.localdate()
    freeze_create(actor=other_supervisor, region_code=OTHER_DISTRICT, starts_on=today, ends_on=today,
                  reason="Pilkada kota")
    assert proposal_approve(actor=actors.dinsos_operator, proposal=accepted).status == S.APPROVED


def test_determination_refused_during_a_freeze(actors, accepted, period):
    proposal_approve(actor=actors.dinsos_operator, proposal=accepted)
    today = timezone.localdate()
    freeze_create(actor=actors.dinsos_supervisor, region_code="36.04.05", starts_on=today, ends_on=today,
                  reason="Pemilu")
    events = AuditEvent.objects.count()

    with pytest.raises(BusinessRuleViolation):
        period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-1", decree_date=today)

    period.refresh_from_db()
    assert period.status == "open"
    assert Proposal.objects.get(pk=accepted.pk).status == S.APPROVED
    assert AuditEvent.objects.count() == events


def test_removal_needs_the_supervisor(actors, family):
    proposal = create(actors, Proposal.Kind.REMOVE_FAMILY, {"reason": "not_found", "note": "tidak ditemukan"},
                      family=family)
    verify(actors, proposal)
    deliberate(actors, [Proposal.objects.get(pk=proposal.pk)])
    proposal = proposal_approve(actor=actors.dinsos_operator, proposal=Proposal.objects.get(pk=proposal.pk))
    assert proposal.status == S.AWAITING_SUPERVISOR
    unchanged = Unchanged(proposal)

    with pytest.raises(PermissionDeniedError):
        proposal_approve(actor=actors.dinsos_operator, proposal=proposal)
    with pytest.raises(PermissionDeniedError):
        proposal_reject(actor=actors.dinsos_operator, proposal=proposal, reason="x")

    unchanged.check()
    assert proposal_approve(actor=actors.dinsos_supervisor, proposal=proposal).status == S.APPROVED
