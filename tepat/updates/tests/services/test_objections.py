import pytest

from conftest import assert_audited
from tepat.core.exceptions import ValidationFailed
from tepat.registry import choices as c
from tepat.updates.models import Objection, Proposal
from tepat.updates.services.objections import objection_create


def test_objection_against_a_member_becomes_a_removal_proposal(actors, family):
    wife = family.members.get(relation=c.Relation.SPOUSE)
    objection = objection_create(actor=actors.village_operator, family=family, individual=wife, reason="died",
                                 statement="Meninggal 3 Mei 2025 menurut ketua RT", source="citizen",
                                 objector_name="Pak RT 05")
    assert_audited("objection.create", actor=actors.village_operator, target=objection)
    proposal = objection.proposal
    assert proposal.kind == Proposal.Kind.REMOVE_MEMBER
    assert proposal.source == Proposal.Source.OBJECTION
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.individual == wife
    assert proposal.payload["reason"] == "died"


def test_objection_against_a_family(actors, family):
    objection = objection_create(actor=actors.facilitator, family=family, reason="not_eligible",
                                 statement="Punya mobil dan toko")
    assert objection.proposal.kind == Proposal.Kind.REMOVE_FAMILY
    assert objection.proposal.payload["reason"] == c.FamilyRemovalReason.NOT_ELIGIBLE


def test_objection_about_wrong_data_becomes_a_change(actors, family):
    objection = objection_create(actor=actors.village_operator, family=family, reason="wrong_data",
                                 statement="RT salah", changes={"rt": "4"})
    assert objection.proposal.kind == Proposal.Kind.CHANGE_DATA
    assert objection.proposal.payload["changes"] == {"rt": "004"}


def test_citizen_objection_needs_a_name(actors, family):
    with pytest.raises(ValidationFailed):
        objection_create(actor=actors.village_operator, family=family, reason="moved", statement="pindah",
                         source="citizen")
    assert not Objection.objects.exists()
    assert not Proposal.objects.exists()
