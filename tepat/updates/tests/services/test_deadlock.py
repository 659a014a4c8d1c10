"""Issue 9 item 1: duplicate open proposals can no longer deadlock a district.

A second open proposal for the same KK/NIK or member is refused (409, naming the open one), race-safe by a
unique claim key; the supervisor can pull an approved proposal back; determination applies what it can and
holds back what conflicts, per proposal; a new submission batch can always be made after an answer.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import DISTRICT
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import (
    BusinessRuleViolation,
    InvalidTransition,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.registry import choices as c
from tepat.registry.models import Family
from tepat.updates.models import (
    DeterminationHold,
    DistrictReview,
    Proposal,
    ProposalClaim,
    ProposalTransition,
)
from tepat.updates.services.determination import period_create, period_determine
from tepat.updates.services.proposals import proposal_withdraw
from tepat.updates.services.reviews import proposal_approve, proposal_pull_back, proposal_reject
from tepat.updates.services.submissions import submission_batch_create, submission_response_import
from tepat.updates.tests.factories import create, deliberate, new_family_payload, to_approved, verify

S = Proposal.Status


def _same_kk_as(payload):
    second = new_family_payload(head="Dadang")
    second["family"]["kk_number"] = payload["family"]["kk_number"]
    return second


def test_second_open_new_family_with_the_same_kk_is_refused_naming_the_open_one(actors):
    payload = new_family_payload()
    first = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    proposals, events = Proposal.objects.count(), AuditEvent.objects.count()

    with pytest.raises(BusinessRuleViolation) as exc:
        create(actors, Proposal.Kind.NEW_FAMILY, _same_kk_as(payload))

    assert exc.value.status_code == 409
    assert first.reference in exc.value.message and payload["family"]["kk_number"] in exc.value.message
    assert exc.value.extra["open_proposal"] == first.reference
    assert Proposal.objects.count() == proposals and AuditEvent.objects.count() == events


def test_second_open_proposal_with_a_member_nik_already_proposed_is_refused(actors):
    payload = new_family_payload()
    first = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    other = new_family_payload(head="Asep")
    other["members"][1] = payload["members"][1]  # the same wife, by NIK, in another new family

    with pytest.raises(BusinessRuleViolation) as exc:
        create(actors, Proposal.Kind.NEW_FAMILY, other)

    assert exc.value.extra == {"conflict": f"nik:{payload['members'][1]['nik']}", "open_proposal": first.reference,
                               "open_status": S.SUBMITTED}


def test_second_removal_of_the_same_member_is_refused(actors, family):
    wife = family.members.get(relation=c.Relation.SPOUSE)
    removal = {"reason": "died", "on_date": "2025-06-01", "note": ""}
    first = create(actors, Proposal.Kind.REMOVE_MEMBER, removal, individual=wife)
    count = Proposal.objects.count()

    with pytest.raises(BusinessRuleViolation) as exc:
        create(actors, Proposal.Kind.REMOVE_MEMBER, removal, individual=wife)

    assert exc.value.extra["open_proposal"] == first.reference
    assert Proposal.objects.count() == count


def test_a_closed_proposal_frees_its_claims(actors):
    payload = new_family_payload()
    first = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    assert ProposalClaim.objects.filter(proposal=first).count() == 3  # the KK and two NIKs

    proposal_withdraw(actor=actors.village_operator, proposal=first, reason="salah input")

    assert not ProposalClaim.objects.filter(proposal=first).exists()
    second = create(actors, Proposal.Kind.NEW_FAMILY, _same_kk_as(payload))
    assert second.status == S.SUBMITTED


def test_a_correction_in_the_field_cannot_take_another_open_proposals_kk(actors):
    taken = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head="Ujang"))

    with pytest.raises(BusinessRuleViolation) as exc:
        verify(actors, proposal, corrections={"family.kk_number": taken.payload["family"]["kk_number"]})

    assert exc.value.extra["open_proposal"] == taken.reference
    proposal.refresh_from_db()
    assert proposal.status == S.IN_VERIFICATION and proposal.verified_payload is None


def _legacy_duplicates(actors):
    """Two approved new families with one KK, as entered before claims existed (the claim of the first is
    dropped so the second could be entered): the state of the district in the issue."""
    payload = new_family_payload()
    first = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    ProposalClaim.objects.filter(proposal=first).delete()
    second = create(actors, Proposal.Kind.NEW_FAMILY, _same_kk_as(payload))
    ProposalClaim.objects.filter(proposal=second).delete()
    for proposal in (first, second):
        verify(actors, proposal)
        ProposalClaim.objects.all().delete()
    deliberate(actors, list(Proposal.objects.filter(pk__in=[first.pk, second.pk])))
    for proposal in (first, second):  # the first approved is applied first
        proposal_approve(actor=actors.dinsos_operator, proposal=Proposal.objects.get(pk=proposal.pk))
    return Proposal.objects.get(pk=first.pk), Proposal.objects.get(pk=second.pk), payload


def test_the_deadlock_sequence_from_the_issue_no_longer_deadlocks(actors, family, period):
    first, second, payload = _legacy_duplicates(actors)
    other = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    assert {first.status, second.status, other.status} == {S.APPROVED}

    # The centre receives the batch and answers.
    batch = submission_batch_create(actor=actors.dinsos_operator, region_code=DISTRICT, destination="central")
    answer = "NO_BATCH;ID_USULAN;STATUS;KETERANGAN\n" + "".join(
        f"{batch.number};{p.reference};DITERIMA;\n" for p in (first, second, other))
    submission_response_import(actor=actors.dinsos_operator, batch=batch,
                               upload=SimpleUploadedFile("jawaban.csv", answer.encode(), content_type="text/csv"))

    # Determination applies what it can and holds back the conflicting one (not all-or-nothing).
    determined = period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-1",
                                  decree_date=date(2025, 7, 31))
    assert determined.status == "determined"
    assert determined.applied_count == 2 and determined.held_count == 1
    first.refresh_from_db(), second.refresh_from_db(), other.refresh_from_db()
    assert (first.status, second.status, other.status) == (S.APPLIED, S.APPROVED, S.APPLIED)
    assert Family.objects.filter(kk_number=payload["family"]["kk_number"]).count() == 1
    hold = DeterminationHold.objects.get(period=determined)
    assert hold.proposal == second and hold.issues[0]["code"] == "kk_in_use"
    assert second.reference in hold.issues[0]["en"]
    event = AuditEvent.objects.get(action="proposal.hold")
    assert (event.actor_id, event.target_id) == (actors.dinsos_supervisor.pk, str(second.pk))
    assert determined.families.filter(family__kk_number=payload["family"]["kk_number"]).count() == 1

    # The held one is no longer stuck: a plain withdrawal or rejection is still refused (it is approved) …
    with pytest.raises(InvalidTransition):
        proposal_withdraw(actor=actors.village_operator, proposal=second, reason="ganda")
    # … but the supervisor pulls it back (with reason, audited, in its history) and rejects it.
    pulled = proposal_pull_back(actor=actors.dinsos_supervisor, proposal=second, reason="KK ganda dengan " +
                                first.reference)
    assert pulled.status == S.AWAITING_SUPERVISOR
    event = AuditEvent.objects.filter(action="proposal.pull_back").get()
    assert (event.actor_id, event.target_id, event.data["reason"]) == (
        actors.dinsos_supervisor.pk, str(second.pk), "KK ganda dengan " + first.reference)
    assert ProposalTransition.objects.filter(proposal=second, name="pull_back").exists()
    assert DistrictReview.objects.filter(proposal=second, decision="pulled_back").exists()
    proposal_reject(actor=actors.dinsos_supervisor, proposal=pulled, reason="KK ganda")

    # After the centre's answer a new batch can be made, and the next period is determined.
    later = to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head="Ujang")))
    new_batch = submission_batch_create(actor=actors.dinsos_operator, region_code=DISTRICT, destination="central")
    assert list(new_batch.records.values_list("proposal", flat=True)) == [later.pk]
    assert new_batch.number != batch.number
    following = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 8, 1))
    following = period_determine(actor=actors.dinsos_supervisor, period=following, decree_number="SK-2",
                                 decree_date=date(2025, 8, 31))
    assert (following.status, following.applied_count, following.held_count) == ("determined", 1, 0)


def test_a_held_proposal_stays_for_the_next_period(actors, period):
    _first, second, _ = _legacy_duplicates(actors)
    period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-1",
                     decree_date=date(2025, 7, 31))
    following = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 8, 1))

    following = period_determine(actor=actors.dinsos_supervisor, period=following, decree_number="SK-2",
                                 decree_date=date(2025, 8, 31))

    # Tried again in the next period (and held again: the KK is still in use), reported there too.
    assert following.held_count == 1
    assert DeterminationHold.objects.filter(proposal=second).count() == 2


def test_pull_back_is_for_the_supervisor_and_needs_a_reason(actors, family):
    proposal = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDeniedError):
        proposal_pull_back(actor=actors.dinsos_operator, proposal=proposal, reason="ganda")
    with pytest.raises(ValidationFailed) as exc:
        proposal_pull_back(actor=actors.dinsos_supervisor, proposal=proposal, reason="  ")

    assert exc.value.issues[0].field == "reason"
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED and AuditEvent.objects.count() == events


def test_a_determined_proposal_cannot_be_pulled_back(actors, family, period):
    proposal = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-1",
                     decree_date=date(2025, 7, 31))

    with pytest.raises(InvalidTransition):
        proposal_pull_back(actor=actors.dinsos_supervisor, proposal=proposal, reason="terlambat")


def test_two_batches_on_one_day_get_distinct_numbers(actors, family):
    to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    first = submission_batch_create(actor=actors.dinsos_operator, region_code=DISTRICT, destination="central")
    to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload()))

    second = submission_batch_create(actor=actors.dinsos_operator, region_code=DISTRICT, destination="central")

    assert first.number.endswith("-001") and second.number.endswith("-002")


def test_the_new_family_page_shows_the_conflict_on_the_form(actors):
    from django.urls import reverse

    from conftest import VILLAGE, client_for

    payload = new_family_payload()
    first = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    head, wife = (dict(m) for m in payload["members"])
    wife["nik"] = new_family_payload()["members"][1]["nik"]  # only the KK is shared
    form = {"region": VILLAGE, "source": "village_operator", "kk_number": payload["family"]["kk_number"],
            "rw": "3", "rt": "7", "address": "Kp. Baru"}
    count = Proposal.objects.count()

    response = client_for(actors.village_operator).post(
        reverse("updates:proposal_new", args=["new_family"]), {**form, **_member_fields(head, wife)})

    assert response.status_code == 422
    assert first.reference in response.content.decode()
    assert Proposal.objects.count() == count


def _member_fields(*members):
    return {f"m{i}_{key}": m.get(key, "") for i, m in enumerate(members)
            for key in ("nik", "name", "sex", "birth_place", "birth_date", "relation")}


def test_the_supervisor_pulls_back_from_the_proposal_page(actors, family):
    from django.urls import reverse

    from conftest import client_for

    proposal = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    url = reverse("updates:proposal_detail", args=[proposal.pk])
    assert 'id="pull-back"' not in client_for(actors.dinsos_operator).get(url).content.decode()
    supervisor = client_for(actors.dinsos_supervisor)
    assert 'id="pull-back"' in supervisor.get(url).content.decode()

    response = supervisor.post(reverse("updates:proposal_pull_back", args=[proposal.pk]), {"reason": "ganda"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == S.AWAITING_SUPERVISOR
    event = AuditEvent.objects.get(action="proposal.pull_back")
    assert (event.actor_id, event.target_id) == (actors.dinsos_supervisor.pk, str(proposal.pk))
