"""Events and intake: recording, closing through the transitions table, intake with and without NIK, matching
to the registry and the emergency proposal for households not in it."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq, make_kk, make_nik
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import InvalidTransition, ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.relief.models import DisasterEvent, IntakeHousehold, IntakePerson
from tepat.relief.services.events import event_close, event_reopen, intake_match, meals_record
from tepat.relief.tests.factories import day, flood, household
from tepat.updates.models import Proposal

pytestmark = pytest.mark.django_db
H = IntakeHousehold.Match
P = IntakePerson.Match


def _counts():
    return (DisasterEvent.objects.count(), IntakeHousehold.objects.count(), IntakePerson.objects.count(),
            Proposal.objects.count(), AuditEvent.objects.count())


def test_event_create_and_close_reopen_through_transitions(dinsos_operator):
    seq = audit_seq()
    event = flood(dinsos_operator, decree_number="SK 360/12/2026", decree_date=day(-1))
    assert event.status == "open" and event.reference.startswith("BNC-")
    assert_audited("relief_event.create", actor=dinsos_operator, target=event, after=seq, kind="flood",
                   decree_number="SK 360/12/2026")
    event = event_close(actor=dinsos_operator, event=event, note="tanggap darurat selesai")
    assert event.status == "closed" and event.closed_at
    assert_audited("relief_event.close", actor=dinsos_operator, target=event, after=seq, to="closed")
    with pytest.raises(InvalidTransition):
        event_close(actor=dinsos_operator, event=event)
    with pytest.raises(ValidationFailed):
        event_reopen(actor=dinsos_operator, event=event, reason=" ")
    event = event_reopen(actor=dinsos_operator, event=event, reason="korban susulan")
    assert event.status == "open" and event.closed_at is None
    assert_audited("relief_event.reopen", actor=dinsos_operator, target=event, after=seq, reason="korban susulan")


def test_event_create_refusals_change_nothing(dinsos_operator, village_operator, other_dinsos_operator):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        flood(dinsos_operator, kind="tsunami", place="", occurred_on=day(3), decree_date=day(-1))
    fields = {i.field for i in exc.value.issues}
    assert {"kind", "place", "occurred_on", "decree_number"} <= fields
    with pytest.raises(ValidationFailed):
        flood(dinsos_operator, region="36.04.05")  # a kecamatan, not a village
    with pytest.raises(PermissionDeniedError):
        flood(village_operator)  # village roles record intake, not events
    with pytest.raises(ObjectNotFound):
        flood(other_dinsos_operator)
    assert _counts() == before


def test_intake_without_nik(dinsos_operator, village_operator):
    event = flood(dinsos_operator)
    seq = audit_seq()
    hh = household(village_operator, event, damage="destroyed", displaced=True, shelter="Masjid Al-Ikhlas")
    assert hh.match_status == H.NO_IDENTITY and hh.region_id == VILLAGE
    assert [p.match_status for p in hh.persons.all()] == [P.NO_NIK, P.NO_NIK]
    assert_audited("relief_intake.create", actor=village_operator, target=hh, after=seq, persons=2, with_nik=0,
                   displaced=True)


def test_intake_with_nik_validated_structurally(dinsos_operator, village_operator):
    event = flood(dinsos_operator)
    nik = make_nik(born=date(1990, 2, 3), sex=2)
    hh = household(village_operator, event, persons=[{"name": "Ani", "nik": nik, "sex": 2}], kk_number=make_kk())
    person = hh.persons.get()
    assert (person.nik, person.match_status, hh.match_status) == (nik, P.PENDING, H.PENDING)
    event_audit = AuditEvent.objects.filter(action="relief_intake.create").latest("seq")
    assert nik not in str(event_audit.data)  # identity numbers are masked in the trail
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        household(village_operator, event, persons=[{"name": "Ani", "nik": "3604051234"}, {"name": "", "sex": 3},
                                                    {"name": "Budi", "nik": "36040599999999999"}],
                  kk_number="12", rt="abcd")
    fields = {i.field for i in exc.value.issues}
    assert {"persons.0.nik", "persons.1.name", "persons.1.sex", "persons.2.nik", "kk_number", "rt"} <= fields
    assert all(i.id and i.en for i in exc.value.issues)
    with pytest.raises(ValidationFailed):
        household(village_operator, event, persons=[])
    assert _counts() == before


def test_village_operator_intakes_only_in_their_village(dinsos_operator, village_operator, other_village_operator,
                                                        village_head):
    event = flood(dinsos_operator)
    before = _counts()
    with pytest.raises(ObjectNotFound):
        household(village_operator, event, region_code=OTHER_VILLAGE)
    with pytest.raises(ObjectNotFound):
        household(other_village_operator, event)
    with pytest.raises(PermissionDeniedError):
        household(village_head, event)
    assert _counts() == before


def test_intake_refused_on_a_closed_event(dinsos_operator, village_operator):
    event = event_close(actor=dinsos_operator, event=flood(dinsos_operator))
    before = _counts()
    with pytest.raises(InvalidTransition):
        household(village_operator, event)
    assert _counts() == before


def test_matching_by_nik_and_proposal_for_those_not_in_the_registry(dinsos_operator, village_operator, family):
    event = flood(dinsos_operator)
    member = family.members.get(name="Siti Aminah")
    known = household(village_operator, event, head_name="Budi Santoso", persons=[
        {"name": "Siti Aminah", "nik": member.nik, "sex": 2}, {"name": "Bayi", "age_years": 0}])
    new_nik = make_nik(born=date(1988, 8, 8))
    unknown = household(village_operator, event, head_name="Joko", kk_number=make_kk(), rt="3", rw="1",
                        address="Kp. Baru", persons=[
                            {"name": "Joko", "nik": new_nik, "sex": 1, "birth_date": "1988-08-08", "relation": 1},
                            {"name": "Wati", "nik": make_nik(born=date(1990, 1, 1), sex=2), "sex": 2,
                             "birth_date": "1990-01-01", "relation": 2}])
    incomplete = household(village_operator, event, head_name="Rudi", persons=[
        {"name": "Rudi", "nik": make_nik(born=date(1970, 5, 5)), "sex": 1}])
    anonymous = household(village_operator, event, head_name="Tanpa Dokumen")
    seq = audit_seq()
    counts = intake_match(actor=village_operator, event=event)
    assert counts == {"persons_matched": 1, "households_matched": 1, "proposed": 1, "review": 1}
    known.refresh_from_db()
    unknown.refresh_from_db()
    incomplete.refresh_from_db()
    anonymous.refresh_from_db()
    assert (known.match_status, known.family_id) == (H.MATCHED, family.pk)
    assert known.persons.get(name="Siti Aminah").individual_id == member.pk
    assert known.persons.get(name="Bayi").match_status == P.NO_NIK
    assert unknown.match_status == H.PROPOSED and unknown.proposal.kind == Proposal.Kind.EMERGENCY
    assert unknown.proposal.status == Proposal.Status.DRAFT and unknown.proposal.region_id == VILLAGE
    assert unknown.proposal.payload["event"] == "flood"
    assert {p.match_status for p in unknown.persons.all()} == {P.NOT_FOUND}
    assert incomplete.match_status == H.REVIEW and incomplete.proposal_id is None
    assert {i["field"] for i in incomplete.proposal_issues} >= {"family.kk_number"}
    assert anonymous.match_status == H.NO_IDENTITY
    assert_audited("relief_intake.match", actor=village_operator, target=event, after=seq, proposed=1)
    assert_audited("relief_intake.propose", actor=village_operator, target=unknown, after=seq,
                   proposal=unknown.proposal.reference)
    assert_audited("proposal.create", actor=village_operator, target=unknown.proposal, after=seq)
    # a rerun leaves matched and proposed households alone and makes no second proposal
    proposals = Proposal.objects.count()
    again = intake_match(actor=village_operator, event=event)
    assert again["proposed"] == 0 and again["households_matched"] == 0 and Proposal.objects.count() == proposals


def test_matching_refused_to_other_village(dinsos_operator, other_village_operator, village_head):
    event = flood(dinsos_operator)
    household(dinsos_operator, event)
    before = _counts()
    with pytest.raises(ObjectNotFound):
        intake_match(actor=other_village_operator, event=event)
    with pytest.raises(PermissionDeniedError):
        intake_match(actor=village_head, event=event)
    assert _counts() == before


def test_meals_as_person_days(dinsos_operator, village_operator):
    event = flood(dinsos_operator)
    hh = household(village_operator, event)
    seq = audit_seq()
    record = meals_record(actor=dinsos_operator, event=event, household=hh, served_from=day(-2), days=3)
    assert (record.persons, record.person_days) == (2, 6)
    assert_audited("relief_meals.record", actor=dinsos_operator, target=record, after=seq, person_days=6)
    before = _counts()
    with pytest.raises(ValidationFailed):
        meals_record(actor=dinsos_operator, event=event, household=hh, served_from=day(-2), days=0)
    with pytest.raises(PermissionDeniedError):
        meals_record(actor=village_operator, event=event, household=hh, served_from=day(-2), days=1)
    assert _counts() == before
