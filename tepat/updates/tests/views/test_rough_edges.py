"""Issue 9 item 11 on the workflow pages: buttons only for what the actor may do, the Cancel link of the
family proposal forms, coded facts corrected from their choice list."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from tepat.updates.models import Proposal
from tepat.updates.services.proposals import proposal_assign
from tepat.updates.tests.factories import create, new_family_payload, png_upload

NEW_FAMILY = reverse("updates:proposal_new", args=["new_family"])
EMERGENCY = reverse("updates:proposal_new", args=["emergency"])


@pytest.mark.parametrize("role", ["village_head", "province_viewer", "auditor"])
def test_queue_hides_the_propose_buttons_from_roles_that_may_not_propose(role, request, actors):
    user = request.getfixturevalue(role)
    client = client_for(user)
    content = client.get(reverse("updates:queue")).content.decode()
    assert NEW_FAMILY not in content and EMERGENCY not in content
    assert client.get(NEW_FAMILY).status_code == 403  # the button would have led here


def test_queue_shows_the_propose_buttons_to_the_village_operator(actors):
    client = client_for(actors.village_operator)
    content = client.get(reverse("updates:queue")).content.decode()
    assert NEW_FAMILY in content and EMERGENCY in content
    assert client.get(NEW_FAMILY).status_code == 200


@pytest.mark.parametrize("kind", ["add_member", "change_data", "remove_family", "program"])
def test_cancel_of_a_family_proposal_form_goes_back_to_the_family(kind, actors, family):
    client = client_for(actors.dinsos_operator if kind == "remove_family" else actors.village_operator)
    content = client.get(reverse("updates:family_proposal", args=[family.pk, kind])).content.decode()
    back = reverse("registry:family_detail", args=[family.pk])
    assert f'href="{back}">' in content
    assert client.get(back).status_code == 200


def test_new_family_cancel_goes_to_the_queue(actors):
    content = client_for(actors.village_operator).get(NEW_FAMILY).content.decode()
    assert f'href="{reverse("updates:queue")}">' in content


def _floor_visit(actors, family):
    proposal = create(actors, "change_data", {"target": "family", "changes": {"floor": 2}}, family=family)  # listed: 8
    return proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)


def test_a_coded_fact_is_corrected_from_its_choice_list(actors, family):
    proposal = _floor_visit(actors, family)
    client = client_for(actors.facilitator)
    url = reverse("updates:proposal_verify", args=[proposal.pk])
    response = client.get(url)
    form = response.context["form"]
    index = next(i for i, fact in enumerate(form.facts) if fact.path == "changes.floor")
    content = response.content.decode()
    assert f'<select name="f{index}_value"' in content
    assert f'<input type="text" name="f{index}_value"' not in content
    choices = dict(form.fields[f"f{index}_value"].choices)
    assert 8 in choices and str(choices[8]) != "8"  # a label, not the raw code

    data = {"visited_on": timezone.localdate().isoformat(), "household_found": "yes", "outcome": "confirmed",
            "photos": png_upload(), f"f{index}_result": "corrected", f"f{index}_value": "5"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.VERIFIED
    assert proposal.verified_payload["changes"]["floor"] == 5


def test_a_code_outside_the_list_is_refused_on_the_field(actors, family):
    proposal = _floor_visit(actors, family)
    client = client_for(actors.facilitator)
    url = reverse("updates:proposal_verify", args=[proposal.pk])
    form = client.get(url).context["form"]
    index = next(i for i, fact in enumerate(form.facts) if fact.path == "changes.floor")
    data = {"visited_on": timezone.localdate().isoformat(), "household_found": "yes", "outcome": "confirmed",
            f"f{index}_result": "corrected", f"f{index}_value": "99"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert f"f{index}_value" in response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_VERIFICATION
    assert not proposal.verifications.exists()


def test_dates_in_change_tables_use_the_locale_format(actors):
    from django.utils import translation

    from tepat.updates.selectors.display import display_value

    with translation.override("id"):
        assert display_value(actors.village_operator, "birth_date", "1985-03-14") == "14-03-1985"
        assert display_value(actors.village_operator, "on_date", "2026-11-02") == "02-11-2026"
        assert display_value(actors.village_operator, "rt", "005") == "005"


def test_proposal_list_has_page_numbers_and_sortable_columns(actors):
    for n in range(3):
        create(actors, "new_family", new_family_payload(head=f"Urut {n}"))
    client = client_for(actors.village_operator)
    url = reverse("updates:proposal_list")
    content = client.get(url, {"sort": "-reference"}).content.decode()
    assert 'data-sort="reference"' in content and "▼" in content
    refs = list(Proposal.objects.order_by("-reference").values_list("reference", flat=True))
    positions = [content.index(ref) for ref in refs]
    assert positions == sorted(positions)
