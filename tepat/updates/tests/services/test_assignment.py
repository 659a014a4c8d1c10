import pytest

from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.updates.models import Proposal
from tepat.updates.services.proposals import proposal_assign, proposal_assign_auto
from tepat.updates.tests.factories import create, new_family_payload


def test_round_robin_spreads_the_visits(actors, make_user):
    second = make_user("facilitator", ["36.04.05"], "psm_kecamatan")  # covers the village from the kecamatan
    make_user("facilitator", ["36.04.05.2002"], "psm_desa_lain")  # another village: never chosen
    proposals = [create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload()) for _ in range(4)]

    assigned = [proposal_assign_auto(actor=actors.village_operator, proposal=p).assigned_to for p in proposals]

    assert sorted(u.username for u in assigned) == ["psm", "psm", "psm_kecamatan", "psm_kecamatan"]
    assert second in assigned


def test_no_facilitator_for_the_village(make_user, village_operator):
    from tepat.updates.tests.factories import Actors

    actors = Actors(village_operator, None, None, None, None)
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    with pytest.raises(BusinessRuleViolation):
        proposal_assign_auto(actor=village_operator, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED


def test_only_a_facilitator_of_the_village_can_be_assigned(actors, make_user):
    elsewhere = make_user("facilitator", ["36.04.05.2002"], "psm_lain")
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    for wrong in (elsewhere, actors.village_head):
        with pytest.raises(ValidationFailed):
            proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=wrong)
    assert Proposal.objects.get(pk=proposal.pk).assigned_to is None
