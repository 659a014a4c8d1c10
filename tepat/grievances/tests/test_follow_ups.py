"""Every category's follow-up object is created through the owning app's service, audited, and the case
moves to "followed up" (or "referred" for a referral)."""

from datetime import date

import pytest

from conftest import VILLAGE, assert_audited, audit_seq
from tepat.core.exceptions import BusinessRuleViolation
from tepat.grievances.models import Category, Complaint, FollowUp, FollowUpKind
from tepat.grievances.services.follow_ups import complaint_follow_up_create
from tepat.grievances.services.referrals import referral_create
from tepat.grievances.tests.factories import about_family, about_unregistered, assessed, service
from tepat.quality.models import Flag
from tepat.updates.models import Objection, Proposal
from tepat.updates.tests.factories import new_family_payload

pytestmark = pytest.mark.django_db
S = Complaint.Status


def test_not_listed_becomes_a_new_family_proposal(village_operator):
    case = assessed(village_operator, about_unregistered(village_operator))
    seq = audit_seq()
    follow_up = complaint_follow_up_create(actor=village_operator, complaint=case, payload=new_family_payload("Sarinah"))
    proposal = follow_up.proposal
    assert proposal.kind == Proposal.Kind.NEW_FAMILY and proposal.source == Proposal.Source.COMPLAINT
    assert proposal.source_reference == case.reference and proposal.region_id == VILLAGE
    assert proposal.status == Proposal.Status.DRAFT  # the village completes and submits it
    case.refresh_from_db()
    assert case.status == S.FOLLOWED_UP
    assert_audited("complaint.follow_up_create", actor=village_operator, target=case, after=seq, kind="data_change")
    assert_audited("proposal.create", actor=village_operator, target=proposal, after=seq)
    assert_audited("complaint.follow_up", actor=village_operator, target=case, after=seq, to=S.FOLLOWED_UP)


def test_wrong_data_becomes_a_change_data_proposal(village_operator, family):
    case = assessed(village_operator, about_family(village_operator, family))
    follow_up = complaint_follow_up_create(actor=village_operator, complaint=case,
                                           payload={"target": "family", "changes": {"address": "Kp. Kramat Baru"}})
    assert follow_up.proposal.kind == Proposal.Kind.CHANGE_DATA and follow_up.proposal.family_id == family.pk


def test_should_not_receive_becomes_an_objection(village_operator, family):
    case = assessed(village_operator, about_family(village_operator, family, "data-should-not-receive"))
    seq = audit_seq()
    follow_up = complaint_follow_up_create(actor=village_operator, complaint=case, objection_reason="not_eligible",
                                           note="Sudah mampu, punya mobil")
    objection = Objection.objects.get(pk=follow_up.objection_id)
    assert objection.family_id == family.pk and follow_up.proposal.kind == Proposal.Kind.REMOVE_FAMILY
    assert_audited("objection.create", actor=village_operator, target=objection, after=seq)


def test_listed_twice_becomes_a_quality_flag(dinsos_operator, family):
    case = assessed(dinsos_operator, about_family(dinsos_operator, family, "data-duplicate"))
    seq = audit_seq()
    follow_up = complaint_follow_up_create(actor=dinsos_operator, complaint=case, note="KK ganda di desa sebelah")
    flag = follow_up.flag
    assert flag.kind == Flag.Kind.DUPLICATE_FAMILY and flag.status == Flag.Status.OPEN and flag.family_id == family.pk
    assert case.reference in flag.summary
    assert_audited("quality.flags_raise", actor=dinsos_operator, after=seq, region_code=VILLAGE, raised=1)


def test_payment_not_received_waits_for_the_distribution_desk(dinsos_operator, family):
    case = assessed(dinsos_operator, about_family(dinsos_operator, family, "payment-not-received"))
    follow_up = complaint_follow_up_create(actor=dinsos_operator, complaint=case, programme_code="PKH",
                                           period="2026 tahap 2")
    assert follow_up.kind == FollowUpKind.PAYMENT_REISSUE
    assert follow_up.status == FollowUp.Status.PENDING_DISTRIBUTION and follow_up.programme_code == "PKH"


def test_referral_need_becomes_a_referral(dinsos_operator, family):
    case = assessed(dinsos_operator, about_family(dinsos_operator, family, "service-referral"), decide=True)
    referral = referral_create(actor=dinsos_operator, complaint=case, service=service("pbi-jk"))
    assert FollowUp.objects.get(complaint=case).referral_id == referral.pk
    case.refresh_from_db()
    assert case.status == S.REFERRED
    assert referral.letter_number == f"0001/RJK-SLRT/36.04/{date.today().year}"


def test_every_seeded_follow_up_kind_is_covered():
    kinds = set(Category.objects.filter(parent__isnull=False).values_list("follow_up", flat=True))
    assert kinds == {"data_change", "objection", "duplicate_review", "payment_reissue", "referral", "none"}


def test_a_category_answered_directly_has_no_follow_up_object(village_operator, family):
    case = assessed(village_operator, about_family(village_operator, family, "service-information"))
    with pytest.raises(BusinessRuleViolation):
        complaint_follow_up_create(actor=village_operator, complaint=case)
    case.refresh_from_db()
    assert case.status == S.ASSESSED and not FollowUp.objects.exists()
