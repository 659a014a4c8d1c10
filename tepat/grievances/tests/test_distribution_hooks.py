"""Where distribution meets complaints (tepat/grievances/distribution_hooks.py): a post-distribution shortfall
opens a complaint through complaint_create; a payment re-issue follow-up creates a susulan entry through the
distribution service, or waits for the desk naming the refusal."""

from __future__ import annotations

import pytest

from conftest import VILLAGE, assert_audited, audit_seq
from tepat.distribution.models import DistributionEntry
from tepat.distribution.models_followup import SusulanEntry
from tepat.distribution.services.postcheck import postcheck_answer, postcheck_create
from tepat.distribution.services.receipts import receipt_record
from tepat.distribution.tests.conftest import approved, dist, dlist, pos  # noqa: F401 - shared fixtures
from tepat.grievances.models import Complaint, FollowUp
from tepat.grievances.services.follow_ups import complaint_follow_up_create
from tepat.grievances.tests.factories import about_family, assessed
from tepat.programs.tests.conftest import world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _entries(dlist):  # noqa: F811
    return list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))


@pytest.mark.parametrize(("answered", "category"), [("half", "payment-less"), ("zero", "payment-not-received")])
def test_a_shortfall_opens_a_complaint(world, dist, dlist, village_operator, answered, category):  # noqa: F811
    entry = _entries(dlist)[0]
    receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
    item = postcheck_create(actor=world.op, dist=dist, village_code=VILLAGE).items.get()
    amount = entry.amount // 2 if answered == "half" else 0
    seq = audit_seq()
    item = postcheck_answer(actor=village_operator, item=item, amount=amount, note="di rumah")
    complaint = Complaint.objects.get(reference=item.complaint_reference)
    assert item.shortfall == entry.amount - amount and complaint.category.code == category
    assert complaint.family_id == entry.family_id and complaint.region_id == VILLAGE
    assert entry.kpm_ref in complaint.description and "Post-distribution check" in complaint.description
    assert_audited("complaint.create", actor=village_operator, target=complaint, after=seq)
    assert_audited("distribution_postcheck.answer", actor=village_operator, target=item, after=seq,
                   shortfall=entry.amount - amount)


def test_a_payment_reissue_creates_a_susulan_entry(world, dist, dlist, village_operator):  # noqa: F811
    entry = _entries(dlist)[0]
    receipt_record(actor=village_operator, entry=entry, data={"outcome": "none", "reason": "refused"})
    case = assessed(world.op, about_family(world.op, entry.family, "payment-not-received"))
    seq = audit_seq()
    follow_up = complaint_follow_up_create(actor=world.op, complaint=case, programme_code=dist.programme_code,
                                           period=f"{dist.beneficiary_list.release.year} tahap {dist.tahap}")
    susulan = follow_up.susulan_entry
    assert follow_up.status == FollowUp.Status.OPEN and susulan.reason == "complaint"
    assert (susulan.origin, susulan.origin_reference, susulan.amount) == ("complaint", case.reference, entry.amount)
    assert_audited("susulan_entry.add", actor=world.op, target=susulan, after=seq, origin="complaint")
    assert_audited("complaint.follow_up_create", actor=world.op, target=case, after=seq,
                   susulan_entry=str(susulan.pk))


def test_a_reissue_the_desk_refuses_waits_with_the_reason(world, dist, dlist, village_operator):  # noqa: F811
    entry = _entries(dlist)[0]
    receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
    case = assessed(world.op, about_family(world.op, entry.family, "payment-not-received"))
    follow_up = complaint_follow_up_create(actor=world.op, complaint=case, programme_code=dist.programme_code,
                                           period=f"tahap {dist.tahap}")
    assert follow_up.status == FollowUp.Status.PENDING_DISTRIBUTION and follow_up.susulan_entry is None
    assert "already paid in full" in follow_up.distribution_note
    assert not SusulanEntry.objects.exists()
    other = assessed(world.op, about_family(world.op, _entries(dlist)[1].family, "payment-less"))
    waiting = complaint_follow_up_create(actor=world.op, complaint=other, programme_code="NOPE", period="tahap 9")
    assert waiting.status == FollowUp.Status.PENDING_DISTRIBUTION and "no open NOPE tahap 9" in waiting.distribution_note
