"""Each kind of proposal through every stage: the registry changes only at determination, and exactly as
proposed (or as corrected in the field)."""

from datetime import date

import pytest

from conftest import assert_audited, assert_moved, make_nik
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, ProgramParticipation
from tepat.updates.models import Proposal
from tepat.updates.services.determination import period_determine
from tepat.updates.services.reviews import proposal_approve
from tepat.updates.tests.factories import (
    create,
    deliberate,
    json_member,
    new_family_payload,
    verify,
)

S = Proposal.Status


def registry_state():
    return (
        list(Family.objects.order_by("pk").values()),
        list(Individual.objects.order_by("pk").values()),
        list(ProgramParticipation.objects.order_by("pk").values()),
    )


def walk_to_determination(actors, proposal, period, corrections=None):
    """Every stage, checking after each that the registry has not moved."""
    before = registry_state()
    assert proposal.status == S.SUBMITTED
    proposal = verify(actors, proposal, corrections)
    assert registry_state() == before
    if proposal.kind != Proposal.Kind.EMERGENCY:
        assert proposal.status == S.VERIFIED
        deliberate(actors, [proposal])
        proposal.refresh_from_db()
    assert proposal.status == S.ACCEPTED
    assert registry_state() == before
    proposal = proposal_approve(actor=actors.dinsos_operator, proposal=proposal)
    if proposal.kind in (Proposal.Kind.REMOVE_MEMBER, Proposal.Kind.REMOVE_FAMILY):
        assert proposal.status == S.AWAITING_SUPERVISOR
        assert_moved(proposal, "forward_to_supervisor", actor=actors.dinsos_operator, from_status=S.ACCEPTED)
        assert registry_state() == before
        proposal = proposal_approve(actor=actors.dinsos_supervisor, proposal=proposal)
    assert proposal.status == S.APPROVED
    removal = proposal.kind in (Proposal.Kind.REMOVE_MEMBER, Proposal.Kind.REMOVE_FAMILY)
    assert_moved(proposal, "approve", actor=actors.dinsos_supervisor if removal else actors.dinsos_operator,
                 to_status=S.APPROVED)
    assert registry_state() == before
    period = period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-07/2025",
                              decree_date=date(2025, 7, 31))
    proposal.refresh_from_db()
    assert proposal.status == S.APPLIED
    assert proposal.applied_period == period
    assert_audited("determination_period.determine", actor=actors.dinsos_supervisor, target=period, to="determined")
    assert_moved(proposal, "apply", actor=actors.dinsos_supervisor, from_status=S.APPROVED, to_status=S.APPLIED)
    assert audit_verify().ok
    return proposal


def test_new_family_is_created_at_determination_as_corrected_in_the_field(actors, period):
    payload = new_family_payload(head="Slamet Riyadi")
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, payload)

    proposal = walk_to_determination(actors, proposal, period, corrections={"family.rt": "9",
                                                                             "members.1.name": "Sri Wahyuni"})

    family = Family.objects.get(pk=proposal.applied_result["family"])
    assert proposal.family_id == family.pk
    assert family.kk_number == payload["family"]["kk_number"]
    assert family.rt == "009"  # corrected in the field, normalised
    assert family.region_id == "36.04.05.2001"
    names = sorted(family.members.values_list("name", flat=True))
    assert names == ["SLAMET RIYADI", "SRI WAHYUNI"] or names == ["Slamet Riyadi", "Sri Wahyuni"]
    # The registry write was made by the supervisor who determined, through the registry services.
    event = AuditEvent.objects.get(action="family.create", target_id=str(family.pk))
    assert event.actor == actors.dinsos_supervisor


def test_add_member(actors, family, period):
    member = json_member(relation=3, sex=2, born=date(2015, 8, 17), name="Putri Lestari")
    proposal = create(actors, Proposal.Kind.ADD_MEMBER, {"member": member}, family=family)

    proposal = walk_to_determination(actors, proposal, period)

    added = Individual.objects.get(pk=proposal.applied_result["individual"])
    assert added.family == family
    assert added.nik == member["nik"]
    assert added.birth_date == date(2015, 8, 17)
    assert proposal.individual_id == added.pk


def test_change_family_data(actors, family, period):
    proposal = create(actors, Proposal.Kind.CHANGE_DATA, {"target": "family", "changes": {"floor": 6, "rt": "6"}},
                      family=family)
    assert proposal.payload["before"] == {"floor": 8, "rt": "005"}

    walk_to_determination(actors, proposal, period, corrections={"changes.floor": 7})

    family.refresh_from_db()
    assert (family.floor, family.rt) == (7, "006")


def test_change_member_data(actors, family, period):
    child = family.members.get(relation=c.Relation.CHILD)
    proposal = create(actors, Proposal.Kind.CHANGE_DATA,
                      {"target": "member", "changes": {"education": 3, "occupation": "Pelajar"}}, individual=child)

    walk_to_determination(actors, proposal, period)

    child.refresh_from_db()
    assert child.education == 3
    assert child.occupation.lower() == "pelajar"


@pytest.mark.parametrize(("reason", "presence"), [
    ("died", c.Presence.DIED),
    ("moved_domestic", c.Presence.MOVED_DOMESTIC),
    ("duplicate", c.Presence.NOT_FOUND),
])
def test_remove_member_needs_the_supervisor(actors, family, period, reason, presence):
    wife = family.members.get(relation=c.Relation.SPOUSE)
    proposal = create(actors, Proposal.Kind.REMOVE_MEMBER,
                      {"reason": reason, "on_date": "2025-06-01", "note": "surat keterangan desa"}, individual=wife)

    walk_to_determination(actors, proposal, period)

    wife.refresh_from_db()
    assert wife.presence == presence
    assert wife.presence_date == date(2025, 6, 1)
    assert proposal.reference in wife.presence_note


def test_remove_family(actors, family, period):
    proposal = create(actors, Proposal.Kind.REMOVE_FAMILY, {"reason": "not_eligible", "note": "sudah mampu"},
                      family=family)

    walk_to_determination(actors, proposal, period)

    family.refresh_from_db()
    assert family.status == c.FamilyStatus.REMOVED
    assert family.status_reason == c.FamilyRemovalReason.NOT_ELIGIBLE


def test_program_proposal_adds_the_participation(actors, family, period):
    proposal = create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family)
    assert proposal.destination == Proposal.Destination.CENTRAL

    walk_to_determination(actors, proposal, period)

    assert list(ProgramParticipation.objects.filter(family=family).values_list("program", flat=True)) == ["pkh"]
    assert AuditEvent.objects.filter(action="program_participation.add").count() == 1


def test_regional_program_goes_to_the_province(actors, family):
    proposal = create(actors, Proposal.Kind.PROGRAM, {"program": "regional"}, family=family)
    assert proposal.destination == Proposal.Destination.PROVINCE


def test_emergency_skips_the_deliberation(actors, period):
    payload = {**new_family_payload(head="Korban Kebakaran"), "event": "fire", "event_date": "2025-07-02"}
    proposal = create(actors, Proposal.Kind.EMERGENCY, payload)

    proposal = walk_to_determination(actors, proposal, period)

    assert Family.objects.filter(pk=proposal.applied_result["family"]).exists()
    assert not proposal.deliberation_items.exists()


def test_determination_applies_several_proposals_in_one_version(actors, family, period):
    first = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    second = create(actors, Proposal.Kind.PROGRAM, {"program": "bpnt"}, family=family)
    for proposal in (first, second):
        verify(actors, proposal)
    deliberate(actors, [Proposal.objects.get(pk=first.pk), Proposal.objects.get(pk=second.pk)])
    for proposal in Proposal.objects.filter(pk__in=[first.pk, second.pk]):
        proposal_approve(actor=actors.dinsos_operator, proposal=proposal)

    period = period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-1",
                              decree_date=date(2025, 7, 31))

    assert period.applied_count == 2
    assert period.family_count == 2
    assert period.families.count() == 2
    assert period.individual_count == 3 + 2


def test_nik_of_new_member_must_not_be_active_already(actors, family):
    from tepat.core.exceptions import ValidationFailed

    taken = family.members.first().nik
    with pytest.raises(ValidationFailed) as exc:
        create(actors, Proposal.Kind.ADD_MEMBER,
               {"member": json_member(relation=3, name="Anak")} | {"member": {**json_member(relation=3), "nik": taken}},
               family=family)
    assert "member.nik" in exc.value.by_field()
    assert make_nik()  # the helper still makes fresh numbers
