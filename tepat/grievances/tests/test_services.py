"""Complaint services: intake, the status flow, the SLA service with pauses and escalation, referral letters
and their verification, need-to-know of sensitive cases. Every write audited; refusals change nothing."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import InvalidTransition, ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.grievances import letters
from tepat.grievances.access import access_complaint
from tepat.grievances.models import Complaint, ComplaintPause, Escalation, Holiday, Referral
from tepat.grievances.selectors import ComplaintFilters, complaint_list, complaint_statistics, subject_lookup
from tepat.grievances.services import complaints as svc
from tepat.grievances.services.referrals import referral_acknowledge, referral_complete, referral_create
from tepat.grievances.services.sla import sla_recompute
from tepat.grievances.tests.factories import about_family, about_unregistered, assessed, category, service
from tepat.updates.tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db
S = Complaint.Status
JKT = ZoneInfo("Asia/Jakarta")


def test_intake_of_a_person_not_in_the_registry(village_operator):
    seq = audit_seq()
    case = about_unregistered(village_operator, subject_nik="",
                              attachments=[SimpleUploadedFile("ktp.pdf", PDF_BYTES, content_type="application/pdf")])
    assert case.region_id == VILLAGE and case.status == S.REGISTERED and case.desk == "village"
    assert case.subject_name == "Sarinah" and case.attachments.count() == 1
    event = assert_audited("complaint.create", actor=village_operator, target=case, after=seq, category="data-not-listed")
    assert "Sarinah" not in str(event.data)  # no names in the trail
    assert_audited("complaint.attachment_add", actor=village_operator, target=case, after=seq)


def test_intake_refuses_bad_input_naming_the_field(village_operator):
    with pytest.raises(ValidationFailed) as exc:
        svc.complaint_create(actor=village_operator, channel="lapor", category=category("data"), description="",
                             subject_kind="unregistered", subject_region_code=VILLAGE, complainant_anonymous=True,
                             subject_nik="1234")
    fields = {i.field for i in exc.value.issues}
    assert {"category", "description", "external_reference", "subject_name", "subject_address", "subject_nik"} <= fields
    assert not Complaint.objects.exists()


def test_intake_outside_the_officers_village_is_not_found(village_operator, other_village_family, village_head):
    with pytest.raises(ObjectNotFound):
        about_family(village_operator, other_village_family)
    with pytest.raises(PermissionDeniedError):
        about_unregistered(village_head)
    assert not Complaint.objects.exists()


def test_status_flow_through_the_transitions_table(village_operator, family):
    case = about_family(village_operator, family, "service-information")
    seq = audit_seq()
    case = assessed(village_operator, case)
    case = svc.complaint_wait(actor=village_operator, complaint=case, reason="Menunggu fotokopi KK")
    assert case.status == S.WAITING and case.sla_state == "paused"
    case = svc.complaint_resume(actor=village_operator, complaint=case)
    assert case.status == S.ASSESSED and not ComplaintPause.objects.filter(ended_at__isnull=True).exists()
    case = svc.complaint_close(actor=village_operator, complaint=case, note="Sudah dijelaskan")
    assert case.status == S.CLOSED and case.resolved_at is not None and case.sla_state == "none"
    for action in ("complaint.assess", "complaint.wait", "complaint.resume", "complaint.close"):
        assert_audited(action, actor=village_operator, target=case, after=seq)
    with pytest.raises(InvalidTransition):
        svc.complaint_assess(actor=village_operator, complaint=case, assessment="x", recommendation="y")


def test_reject_and_duplicate(village_operator, family):
    first = about_family(village_operator, family)
    second = about_family(village_operator, family)
    second = svc.complaint_mark_duplicate(actor=village_operator, complaint=second, original=first)
    assert second.status == S.DUPLICATE and second.duplicate_of_id == first.pk
    first = svc.complaint_reject(actor=village_operator, complaint=first, reason="Bukan kewenangan Dinsos")
    assert first.status == S.REJECTED
    assert_audited("complaint.mark_duplicate", actor=village_operator, target=second, original=first.reference)


def test_sla_recompute_counts_working_days_pauses_and_escalates(village_operator, dinsos_supervisor, family,
                                                               monkeypatch):
    case = about_family(village_operator, family)  # registered: 2 working days, at risk 1 before
    Holiday.objects.update_or_create(date=date(2026, 8, 17), defaults={"name": "HUT RI"})
    friday = datetime(2026, 8, 14, 9, tzinfo=JKT)
    Complaint.objects.filter(pk=case.pk).update(stage_entered_at=friday, created_at=friday)
    seq = audit_seq()
    # Tuesday 18 Aug: Monday 17 is a holiday, so 1 day used: at risk (2 - 1)
    assert sla_recompute(today=date(2026, 8, 18)).by_state["at_risk"] == 1
    case.refresh_from_db()
    assert case.sla_state == "at_risk" and case.sla_due == date(2026, 8, 19)
    assert_audited("complaint.sla", actor=SYSTEM, target=case, after=seq, to="at_risk")
    assert_audited("complaint.escalate", actor=SYSTEM, target=case, after=seq, state="at_risk")
    # paused Wednesday 19 → Monday 24: the days in between do not count; Tuesday 25 is the 2nd day (due)
    ComplaintPause.objects.create(complaint=case, started_at=datetime(2026, 8, 19, 8, tzinfo=JKT),
                                  ended_at=datetime(2026, 8, 24, 8, tzinfo=JKT), reason="menunggu")
    sla_recompute(today=date(2026, 8, 24))
    case.refresh_from_db()
    assert case.sla_state == "at_risk" and case.sla_due == date(2026, 8, 24)
    result = sla_recompute(today=date(2026, 8, 26))
    case.refresh_from_db()
    assert case.sla_state == "breached" and result.escalated == 1
    assert Escalation.objects.filter(complaint=case).count() == 2
    sla_recompute(today=date(2026, 8, 27))  # the same state again: no second escalation
    assert Escalation.objects.filter(complaint=case).count() == 2


def test_referral_letter_verifies_and_a_tampered_token_fails(dinsos_operator, family):
    case = assessed(dinsos_operator, about_family(dinsos_operator, family, "service-referral"), decide=True)
    referral = referral_create(actor=dinsos_operator, complaint=case, service=service("puskesmas"))
    token = letters.letter_token(referral)
    answer = letters.verify_token(token)
    assert answer.valid and answer.letter_number == referral.letter_number
    assert answer.institution == "Dinas Kesehatan" and set(answer.as_dict()) == {
        "valid", "letter_number", "issued_on", "institution"}
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert not letters.verify_token(tampered).valid
    assert not letters.verify_token("").valid
    pdf = letters.letter_pdf(referral, verify_url="http://x/v/" + token, subject_name="Budi",
                             subject_identity="360405**********", office="Dinas Sosial")
    assert pdf.startswith(b"%PDF")


def test_referral_loop_closes(dinsos_operator, family):
    case = assessed(dinsos_operator, about_family(dinsos_operator, family, "service-referral"), decide=True)
    referral = referral_create(actor=dinsos_operator, complaint=case, service=service("pbi-jk"), note="JKN")
    second = referral_create(actor=dinsos_operator, complaint=Complaint.objects.get(pk=case.pk),
                             service=service("adminduk"))
    assert second.sequence == referral.sequence + 1
    seq = audit_seq()
    referral = referral_acknowledge(actor=dinsos_operator, referral=referral, received_by="dr. Ani")
    assert referral.status == Referral.Status.ACKNOWLEDGED
    referral_complete(actor=dinsos_operator, referral=referral, outcome="Terdaftar PBI-JK")
    assert Complaint.objects.get(pk=case.pk).status == S.REFERRED  # the second referral is still open
    referral_complete(actor=dinsos_operator, referral=second, outcome="KK diterbitkan")
    case.refresh_from_db()
    assert case.status == S.FOLLOWED_UP
    assert_audited("referral.acknowledge", actor=dinsos_operator, target=referral, after=seq)
    assert_audited("referral.complete", actor=dinsos_operator, target=second, after=seq)
    letters_cancelled = Referral.objects.filter(status=Referral.Status.CANCELLED).count()
    assert letters_cancelled == 0


def test_refer_needs_the_decision_first(dinsos_operator, family):
    case = assessed(dinsos_operator, about_family(dinsos_operator, family, "service-referral"))
    with pytest.raises(Exception, match="Tetapkan layanan"):
        referral_create(actor=dinsos_operator, complaint=case, service=service())
    assert not Referral.objects.exists()


def test_sensitive_case_is_need_to_know(village_operator, make_user, dinsos_operator, dinsos_supervisor, family):
    colleague = make_user("village_operator", [VILLAGE], "op_desa_2")
    case = about_family(village_operator, family, "sensitive-violence", description="KDRT")
    assert case.sensitive
    # the recording officer and holders of grievances.sensitive know of it; colleagues do not
    assert complaint_list(actor=village_operator).filter(pk=case.pk).exists()
    assert complaint_list(actor=dinsos_supervisor).filter(pk=case.pk).exists()
    for outsider in (colleague, dinsos_operator):
        assert not complaint_list(actor=outsider, filters=ComplaintFilters()).exists()
        with pytest.raises(ObjectNotFound):
            access_complaint(actor=outsider, complaint_id=case.pk)
        rows = subject_lookup(actor=outsider, query="Budi Santoso")
        assert [row["open_complaints"] for row in rows] == [0]  # not even the count per subject
    seq = audit_seq()
    with pytest.raises(ObjectNotFound):
        svc.complaint_assess(actor=colleague, complaint=case, assessment="a", recommendation="b")
    case.refresh_from_db()
    assert case.status == S.REGISTERED and audit_seq() == seq
    # assigning makes the handler need-to-know
    svc.complaint_assign(actor=dinsos_supervisor, complaint=case, handler=dinsos_operator)
    assert access_complaint(actor=dinsos_operator, complaint_id=case.pk) == case
    assert_audited("complaint.assign", actor=dinsos_supervisor, target=case, handler=str(dinsos_operator.pk))


def test_statistics_per_region_have_no_personal_data(village_operator, family, other_village_operator):
    first = about_family(village_operator, family, "service-information")
    first = svc.complaint_close(actor=village_operator, complaint=assessed(village_operator, first), note="ok")
    Complaint.objects.filter(pk=first.pk).update(created_at=first.resolved_at - timedelta(days=4))
    about_unregistered(village_operator)
    about_unregistered(other_village_operator, region=OTHER_VILLAGE)
    about_family(village_operator, family, "sensitive-trafficking")
    rows = complaint_statistics(region_code="36.04")
    assert rows == [{"region_code": VILLAGE, "received": 2, "resolved": 1, "median_days": 4},
                    {"region_code": OTHER_VILLAGE, "received": 1, "resolved": 0, "median_days": None}]
    assert complaint_statistics(region_code="36.04", level=3) == [
        {"region_code": "36.04.05", "received": 3, "resolved": 1, "median_days": 4}]
    assert complaint_statistics(region_code="36.04", include_sensitive=True)[0]["received"] == 3


def test_sla_command_and_task(village_operator, family):
    from io import StringIO

    from django.core.management import call_command

    from tepat.grievances.tasks import sla_recompute_task

    about_family(village_operator, family)
    out = StringIO()
    call_command("grievances-sla", "--today", "2099-01-05", stdout=out)
    assert "Checked 1 open cases" in out.getvalue() and "1 escalated" in out.getvalue()
    assert Complaint.objects.get().sla_state == "breached"
    assert sla_recompute_task.call()["checked"] == 1


def test_case_region_falls_back_to_the_complainants_village(village_operator):
    case = about_unregistered(village_operator, subject_region_code="", complainant_anonymous=False,
                              complainant_name="Pak RT", complainant_region_code=VILLAGE)
    assert case.region_id == VILLAGE and case.complainant_region_id == VILLAGE
