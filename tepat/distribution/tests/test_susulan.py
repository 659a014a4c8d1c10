"""The susulan (follow-up) batch: which reasons are eligible (as data), the batch and single additions,
payment once, the double-payment guards (database constraints and the service's check of the main list),
cancellation, the authorization matrix of the services, audit events, and refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from conftest import VILLAGE, assert_audited, audit_seq
from tepat.core.exceptions import (
    BusinessRuleViolation,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.distribution.models import DistributionEntry, ReturnItem
from tepat.distribution.models_followup import SusulanBatch, SusulanEntry
from tepat.distribution.services.receipts import receipt_record
from tepat.distribution.services.susulan import (
    ELIGIBLE_REASONS,
    INELIGIBLE_REASONS,
    susulan_add,
    susulan_batch_close,
    susulan_batch_create,
    susulan_cancel,
    susulan_candidates,
    susulan_discrepancies,
    susulan_pay,
)

pytestmark = pytest.mark.django_db


def _village_entries(dlist):
    return list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))


def _state():
    return SusulanBatch.objects.count(), SusulanEntry.objects.count(), audit_seq()


def _missed(dlist, village_operator, *reasons):
    entries = _village_entries(dlist)
    for entry, reason in zip(entries, reasons, strict=False):
        if reason == "partly":
            receipt_record(actor=village_operator, entry=entry, data={"outcome": "partly", "collector": "self",
                                                                     "amount": entry.amount // 2})
        elif reason == "full":
            receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
        else:
            receipt_record(actor=village_operator, entry=entry, data={"outcome": "none", "reason": reason})
    return entries


def test_eligible_and_ineligible_reasons_are_data_covering_the_catalogue():
    from tepat.distribution.services.receipts import REASONS

    assert set(REASONS) <= set(ELIGIBLE_REASONS) | set(INELIGIBLE_REASONS)
    assert not set(ELIGIBLE_REASONS) & set(INELIGIBLE_REASONS)


def test_the_batch_takes_the_eligible_missed_kpm_and_names_why_the_others_are_not(world, dist, dlist,
                                                                                  village_operator):
    absent, deceased, partly, _full = _missed(dlist, village_operator, "absent", "deceased", "partly", "full")[:4]
    found = susulan_candidates(actor=world.op, dist=dist)
    assert {c["entry"].kpm_ref: c["reason"] for c in found["eligible"]} == {absent.kpm_ref: "absent",
                                                                            partly.kpm_ref: "partly"}
    assert [(c["entry"].kpm_ref, c["text_en"]) for c in found["ineligible"]] == [
        (deceased.kpm_ref, "deceased: no follow-up payment")]
    seq = audit_seq()
    batch = susulan_batch_create(actor=world.op, dist=dist, note="susulan 1")
    items = {i.kpm_ref: i for i in batch.entries.all()}
    assert set(items) == {absent.kpm_ref, partly.kpm_ref} and batch.number == 1
    assert items[absent.kpm_ref].amount == absent.amount
    assert items[partly.kpm_ref].amount == partly.amount - partly.amount // 2  # the remainder only
    assert_audited("susulan_batch.create", actor=world.op, target=batch, after=seq, entries=2,
                   reasons={"absent": 1, "partly": 1})
    before = _state()  # nobody left: a second batch is refused and nothing changes
    with pytest.raises(ValidationFailed) as err:
        susulan_batch_create(actor=world.op, dist=dist)
    assert err.value.issues[0].code == "susulan_empty" and _state() == before


def test_address_incomplete_qualifies_only_once_the_record_is_completed(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "address_incomplete")[0]
    item = ReturnItem.objects.create(distribution=dist, family_id=entry.family_id, kpm_ref=entry.kpm_ref,
                                     region_code=entry.region_code, source="channel", reasons="address",
                                     deadline=date.today() + timedelta(days=7))
    before = _state()
    with pytest.raises(ValidationFailed) as err:
        susulan_add(actor=world.op, dist=dist, entry=entry, reason="address_incomplete")
    assert "still returned for completion" in err.value.issues[0].en and _state() == before
    ReturnItem.objects.filter(pk=item.pk).update(status="completed")
    added = susulan_add(actor=world.op, dist=dist, entry=entry, reason="address_incomplete")
    assert added.status == "pending" and added.amount == entry.amount


def test_pay_once_audited_and_a_second_payment_is_refused(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "absent")[0]
    item = susulan_batch_create(actor=world.op, dist=dist).entries.get()
    before = _state()
    with pytest.raises(ValidationFailed):  # not the outstanding amount
        susulan_pay(actor=world.op, item=item, amount=item.amount - 1)
    assert _state() == before
    seq = audit_seq()
    paid = susulan_pay(actor=world.op, item=item, amount=item.amount, paid_on=date(2026, 6, 1), reference="TRX-9")
    assert (paid.status, paid.paid_amount, paid.paid_reference) == ("paid", entry.amount, "TRX-9")
    assert_audited("susulan_entry.pay", actor=world.op, target=item, after=seq, kpm_ref=entry.kpm_ref,
                   amount=entry.amount)
    before = _state()
    with pytest.raises(BusinessRuleViolation):
        susulan_pay(actor=world.op, item=item, amount=item.amount)
    with pytest.raises(ValidationFailed) as err:  # nor can another susulan take the KPM
        susulan_add(actor=world.op, dist=dist, entry=entry, reason="absent")
    assert err.value.issues[0].code == "susulan_duplicate" and _state() == before


def test_a_kpm_paid_in_the_main_list_since_is_not_paid_again(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "absent")[0]
    item = susulan_batch_create(actor=world.op, dist=dist).entries.get()
    DistributionEntry.objects.filter(pk=entry.pk).update(paid_amount=entry.amount)  # a late salur came in
    before = _state()
    with pytest.raises(ValidationFailed) as err:
        susulan_pay(actor=world.op, item=item, amount=item.amount)
    assert err.value.issues[0].code == "paid_twice" and "already paid in the main list" in err.value.issues[0].en
    item.refresh_from_db()
    assert item.status == "pending" and item.paid_amount == 0 and _state() == before


def test_a_kpm_paid_in_full_cannot_be_added(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "full")[0]
    before = _state()
    with pytest.raises(ValidationFailed) as err:
        susulan_add(actor=world.op, dist=dist, entry=entry, reason="complaint")
    assert "already paid in full" in err.value.issues[0].en and _state() == before


def test_the_database_keeps_one_live_entry_per_kpm_and_paid_within_the_amount(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "absent")[0]
    item = susulan_batch_create(actor=world.op, dist=dist).entries.get()
    second = SusulanBatch.objects.create(distribution=dist, number=2)
    common = {"distribution": dist, "family_id": entry.family_id, "source_entry": entry, "kpm_ref": entry.kpm_ref,
              "region_code": entry.region_code, "amount": entry.amount, "reason": "absent"}
    with pytest.raises(IntegrityError), transaction.atomic():
        SusulanEntry.objects.create(batch=second, **common)  # a second live entry of the same KPM
    with pytest.raises(IntegrityError), transaction.atomic():
        SusulanEntry.objects.filter(pk=item.pk).update(status="paid", paid_amount=entry.amount + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SusulanEntry.objects.filter(pk=item.pk).update(status="paid", paid_amount=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        SusulanEntry.objects.filter(pk=item.pk).update(paid_amount=10)  # pending with money
    SusulanEntry.objects.create(batch=second, **{**common, "status": "cancelled"})  # cancelled ones may repeat


def test_cancel_needs_a_reason_and_frees_the_kpm_for_a_later_batch(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "absent")[0]
    batch = susulan_batch_create(actor=world.op, dist=dist)
    item = batch.entries.get()
    before = _state()
    with pytest.raises(ValidationFailed):
        susulan_cancel(actor=world.op, item=item, reason=" ")
    assert _state() == before
    seq = audit_seq()
    susulan_cancel(actor=world.op, item=item, reason="salah input")
    assert_audited("susulan_entry.cancel", actor=world.op, target=item, after=seq, reason="salah input")
    susulan_batch_close(actor=world.op, batch=batch)
    assert_audited("susulan_batch.close", actor=world.op, target=batch, after=seq)
    again = susulan_add(actor=world.op, dist=dist, entry=entry, reason="absent")
    assert again.batch.number == 2  # the first batch is closed to additions


def test_services_refuse_the_wrong_role_region_and_a_closed_tahap(world, dist, dlist, village_operator,
                                                                  other_dinsos_operator):
    from tepat.distribution.models import Distribution

    entry = _missed(dlist, village_operator, "absent")[0]
    before = _state()
    with pytest.raises(PermissionDeniedError):
        susulan_batch_create(actor=village_operator, dist=dist)  # receipts, not management
    with pytest.raises(ObjectNotFound):
        susulan_batch_create(actor=other_dinsos_operator, dist=dist)
    with pytest.raises(ObjectNotFound):
        susulan_add(actor=other_dinsos_operator, dist=dist, entry=entry, reason="absent")
    Distribution.objects.filter(pk=dist.pk).update(status="closed")
    dist.refresh_from_db()
    with pytest.raises(BusinessRuleViolation):
        susulan_batch_create(actor=world.op, dist=dist)
    assert _state() == before


def test_discrepancy_when_the_main_list_pays_after_the_susulan(world, dist, dlist, village_operator):
    entry = _missed(dlist, village_operator, "absent")[0]
    item = susulan_batch_create(actor=world.op, dist=dist).entries.get()
    susulan_pay(actor=world.op, item=item, amount=item.amount)
    assert susulan_discrepancies(actor=world.op, dist=dist) == []
    DistributionEntry.objects.filter(pk=entry.pk).update(paid_amount=entry.amount)
    assert [d["code"] for d in susulan_discrepancies(actor=world.op, dist=dist)] == ["paid_main_and_susulan"]
