"""Issue 9 item 4: proposals check the NIK against birth date and sex with the import's rules
(`identity.nik_consistency`): one difference is a warning, both mean another person's NIK (refused)."""

import json
from datetime import date

import pytest

from conftest import VILLAGE, client_for, make_nik
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import ValidationFailed
from tepat.updates.models import Proposal
from tepat.updates.services.proposals import proposal_create
from tepat.updates.tests.factories import create, json_member, new_family_payload


def _with_wife_nik(nik):
    payload = new_family_payload()
    payload["members"][1]["nik"] = nik  # the wife: female, born 23-05-1982
    return payload


def test_a_mans_nik_on_a_woman_born_another_day_is_refused_on_the_field(actors):
    mans = make_nik(born=date(1979, 2, 10), sex=1)
    count, events = Proposal.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as exc:
        create(actors, Proposal.Kind.NEW_FAMILY, _with_wife_nik(mans))

    [issue] = [i for i in exc.value.issues if i.code == "nik_other_person"]
    assert issue.field == "members.1.nik" and "sex" in issue.en and "birth date" in issue.en
    assert Proposal.objects.count() == count and AuditEvent.objects.count() == events


def test_one_difference_is_accepted_as_the_import_does(actors):
    """A NIK whose date is wrong is not reissued (FACTS §1): a woman's NIK with another birth day passes."""
    other_day = make_nik(born=date(1982, 5, 24), sex=2)

    proposal = create(actors, Proposal.Kind.NEW_FAMILY, _with_wife_nik(other_day))

    assert proposal.status == Proposal.Status.SUBMITTED


def test_add_member_and_change_data_apply_the_same_rule(actors, family):
    member = json_member(relation=3, sex=2, born=date(2012, 4, 1), name="Putri")
    member["nik"] = make_nik(born=date(2011, 9, 9), sex=1)
    with pytest.raises(ValidationFailed) as exc:
        create(actors, Proposal.Kind.ADD_MEMBER, {"member": member}, family=family)
    assert [i.field for i in exc.value.issues if i.code == "nik_other_person"] == ["member.nik"]

    wife = family.members.get(relation=2)  # female, born 21-07-1983
    with pytest.raises(ValidationFailed) as exc:
        create(actors, Proposal.Kind.CHANGE_DATA,
               {"target": "member", "changes": {"nik": make_nik(born=date(1990, 1, 1), sex=1)}}, individual=wife)
    assert [i.field for i in exc.value.issues if i.code == "nik_other_person"] == ["changes.nik"]


def test_the_api_answers_422_naming_the_field(actors):
    body = {"kind": "new_family", "region_code": VILLAGE,
            "payload": _with_wife_nik(make_nik(born=date(1979, 2, 10), sex=1))}

    response = client_for(actors.village_operator).post("/api/v1/updates/proposals", data=json.dumps(body),
                                                         content_type="application/json")

    assert response.status_code == 422
    assert "members.1.nik" in response.content.decode() and "nik_other_person" in response.content.decode()
    assert not Proposal.objects.exists()


def test_proposal_create_without_submit_is_refused_too(actors):
    with pytest.raises(ValidationFailed):
        proposal_create(actor=actors.village_operator, kind="new_family", source="village_operator",
                        payload=_with_wife_nik(make_nik(born=date(1979, 2, 10), sex=1)), region_code=VILLAGE)
