"""The post-distribution check in this app: Cochran's sample size with the finite-population correction, the
seeded draw over the village's delivered KPM, the authorization matrix of the services, audit events, a
recorded answer without shortfall, and the refusal when no complaints desk answers the shortfall signal (the
complaint itself is tested in tepat/grievances/tests/test_distribution_hooks.py, the app above this one)."""

from __future__ import annotations

import pytest

from conftest import OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq
from tepat.core.exceptions import (
    BusinessRuleViolation,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.distribution.models import DistributionEntry
from tepat.distribution.models_followup import PostCheck, PostCheckItem
from tepat.distribution.services.postcheck import (
    postcheck_answer,
    postcheck_create,
    postcheck_shortfall,
    sample_size,
)
from tepat.distribution.services.receipts import receipt_record


@pytest.mark.parametrize(("population", "confidence", "margin", "expected"), [
    (10_000, 0.95, 0.05, 370), (100, 0.95, 0.05, 80), (50, 0.95, 0.10, 34), (300, 0.95, 0.10, 73),
    (5, 0.95, 0.10, 5), (1_000_000, 0.99, 0.01, 16_317), (0, 0.95, 0.10, 0)])
def test_cochran_with_the_finite_population_correction(population, confidence, margin, expected):
    assert sample_size(population, confidence=confidence, margin=margin) == expected


def _deliver(dlist, actor, count):
    entries = list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))[:count]
    for e in entries:
        receipt_record(actor=actor, entry=e, data={"outcome": "full", "collector": "self"})
    return entries


def _state():
    return PostCheck.objects.count(), PostCheckItem.objects.filter(status="pending").count(), audit_seq()


@pytest.mark.django_db
def test_the_sample_is_drawn_from_the_delivered_kpm_once_per_village(world, dist, dlist, village_operator):
    delivered = _deliver(dlist, village_operator, 3)
    seq = audit_seq()
    check = postcheck_create(actor=world.op, dist=dist, village_code=VILLAGE, confidence="0.5", margin="0.5",
                             seed="abc")
    assert (check.population, check.sample_size) == (3, sample_size(3, confidence=0.5, margin=0.5))
    items = list(check.items.all())
    assert {i.entry_id for i in items} <= {e.pk for e in delivered} and len(items) == check.sample_size
    assert all(i.recorded_amount == i.entry.amount for i in items)
    assert_audited("distribution_postcheck.create", actor=world.op, target=check, after=seq, population=3,
                   seed="abc", sample_size=check.sample_size)
    before = _state()
    with pytest.raises(BusinessRuleViolation):
        postcheck_create(actor=world.op, dist=dist, village_code=VILLAGE)
    with pytest.raises(ValidationFailed):  # nobody delivered there yet
        postcheck_create(actor=world.op, dist=dist, village_code=OTHER_VILLAGE)
    with pytest.raises(ValidationFailed):
        postcheck_create(actor=world.op, dist=dist, village_code=OTHER_VILLAGE, confidence="1.5")
    assert _state() == before


@pytest.mark.django_db
def test_create_and_answer_matrix(world, dist, dlist, village_operator, other_village_operator, auditor,
                                  other_dinsos_operator):
    _deliver(dlist, village_operator, 2)
    before = _state()
    with pytest.raises(PermissionDeniedError):
        postcheck_create(actor=village_operator, dist=dist, village_code=VILLAGE)
    with pytest.raises(ObjectNotFound):
        postcheck_create(actor=other_dinsos_operator, dist=dist, village_code=VILLAGE)
    assert _state() == before
    item = postcheck_create(actor=world.op, dist=dist, village_code=VILLAGE).items.first()
    before = _state()
    with pytest.raises(PermissionDeniedError):
        postcheck_answer(actor=auditor, item=item, amount=0)
    with pytest.raises(ObjectNotFound):
        postcheck_answer(actor=other_village_operator, item=item, amount=0)
    with pytest.raises(ValidationFailed):
        postcheck_answer(actor=village_operator, item=item, amount="banyak")
    assert _state() == before
    seq = audit_seq()
    done = postcheck_answer(actor=village_operator, item=item, amount=item.recorded_amount)
    assert (done.status, done.shortfall, done.complaint_reference) == ("answered", 0, "")
    assert_audited("distribution_postcheck.answer", actor=village_operator, target=item, after=seq, shortfall=0)
    with pytest.raises(Exception):  # answered once  # noqa: B017
        postcheck_answer(actor=village_operator, item=item, amount=1)


@pytest.mark.django_db
def test_a_shortfall_without_a_complaints_desk_is_refused_and_changes_nothing(world, dist, dlist, village_operator):
    _deliver(dlist, village_operator, 1)
    item = postcheck_create(actor=world.op, dist=dist, village_code=VILLAGE).items.get()
    receivers = postcheck_shortfall.receivers
    postcheck_shortfall.receivers = []
    postcheck_shortfall.sender_receivers_cache.clear()
    try:
        before = _state()
        with pytest.raises(BusinessRuleViolation):
            postcheck_answer(actor=village_operator, item=item, amount=0)
        assert _state() == before
    finally:
        postcheck_shortfall.receivers = receivers
        postcheck_shortfall.sender_receivers_cache.clear()
    item.refresh_from_db()
    assert item.status == "pending" and item.answered_amount is None


@pytest.mark.django_db
def test_unreachable_is_recorded(world, dist, dlist, village_operator):
    _deliver(dlist, village_operator, 1)
    item = postcheck_create(actor=world.op, dist=dist, village_code=VILLAGE).items.get()
    seq = audit_seq()
    assert postcheck_answer(actor=village_operator, item=item, unreachable=True, note="rumah kosong").status == \
        "unreachable"
    assert_audited("distribution_postcheck.answer", actor=village_operator, target=item, after=seq, unreachable=True)
