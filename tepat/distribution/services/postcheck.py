"""The post-distribution check: per village, a random sample of the KPM recorded as delivered is asked
"received how much?"; a shortfall opens a complaint.

Sample size (`sample_size`): Cochran's n0 = z^2 p(1-p) / e^2 for a confidence level (z from the normal
distribution) and a margin of error e, with p = 0.5 unless given (the most cautious), then the finite-population
correction n = n0 / (1 + (n0 - 1) / N), rounded up, never more than N. The draw is `random.Random(seed)`
over the entries ordered by id; the seed is stored so the sample can be drawn again and checked.

The complaint: `tepat.grievances` sits above this app (pyproject layers), so this app never imports it.
`postcheck_answer` sends `postcheck_shortfall` inside its transaction; the grievances app's receiver
(`tepat.grievances.distribution_hooks`) opens the case through its own `complaint_create` and returns the
case reference, stored on the item. No receiver answering (the desk not wired) refuses the answer: a
shortfall is never recorded without its complaint. Answering needs the receipt capability and the
capability to take complaints, in the village."""

from __future__ import annotations

import math
import random
import secrets
from decimal import Decimal, InvalidOperation
from statistics import NormalDist
from typing import Any

import django.dispatch
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.audit.transitions import lock, transition
from tepat.core.exceptions import BusinessRuleViolation
from tepat.distribution.models import Distribution, DistributionEntry, DistributionList, Receipt
from tepat.distribution.models_followup import PostCheck, PostCheckItem
from tepat.distribution.services.common import MANAGE, RECEIPT, ensure, refuse
from tepat.regions.selectors import is_within

# kwargs: item (PostCheckItem, saved with its answer), entry (DistributionEntry), actor, shortfall (Rp).
# A receiver returns the reference of the complaint it opened.
postcheck_shortfall = django.dispatch.Signal()

DEFAULT_CONFIDENCE = Decimal("0.95")
DEFAULT_MARGIN = Decimal("0.10")


def sample_size(population: int, *, confidence: float = 0.95, margin: float = 0.10, proportion: float = 0.5) -> int:
    """Cochran's sample size with the finite-population correction (see the module text)."""
    if population <= 0:
        return 0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    n0 = z * z * proportion * (1 - proportion) / (margin * margin)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def _fraction(value: Any, field: str, low: str, high: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.001"))
    except (InvalidOperation, ValueError):
        raise refuse("invalid", field, f"{field} harus angka desimal (mis. 0.95)",
                     f"{field} must be a decimal number (e.g. 0.95)") from None
    if not Decimal(low) <= number <= Decimal(high):
        raise refuse("range", field, f"{field} harus antara {low} dan {high}", f"{field} must be between {low} and {high}")
    return number


def _delivered_entries(dist: Distribution, village_code: str):
    return (DistributionEntry.objects.filter(list__distribution=dist, region_code=village_code)
            .exclude(list__status=DistributionList.Status.SUPERSEDED)
            .filter(Q(status__in=[DistributionEntry.Status.DELIVERED, DistributionEntry.Status.PARTLY])
                    | Q(paid_amount__gt=0)))


@transaction.atomic
def postcheck_create(*, actor: Any, dist: Distribution, village_code: str, confidence: Any = DEFAULT_CONFIDENCE,
                     margin: Any = DEFAULT_MARGIN, seed: str = "") -> PostCheck:
    """Draw the sample of one village (once per village per tahap)."""
    ensure(actor, MANAGE, village_code)
    if not is_within(village_code, dist.region_code) or len(village_code) != 13:
        raise refuse("village", "village_code", f"{village_code} bukan desa/kelurahan tahap ini",
                     f"{village_code} is not a village of this tahap")
    confidence = _fraction(confidence, "confidence", "0.500", "0.999")
    margin = _fraction(margin, "margin", "0.010", "0.500")
    if PostCheck.objects.filter(distribution=dist, region_code=village_code).exists():
        raise BusinessRuleViolation(f"Pemeriksaan desa {village_code} sudah dibuat / The check of village "
                                    f"{village_code} already exists", extra={"code": "postcheck_exists"})
    entries = list(_delivered_entries(dist, village_code).order_by("id"))
    if not entries:
        raise refuse("postcheck_empty", "village_code", f"belum ada KPM tersalur di desa {village_code}",
                     f"no KPM of village {village_code} is recorded as delivered yet")
    size = sample_size(len(entries), confidence=float(confidence), margin=float(margin))
    seed = (seed or secrets.token_hex(8))[:32]
    drawn = sorted(random.Random(seed).sample(entries, size), key=lambda e: e.kpm_ref)
    receipts = dict(Receipt.objects.filter(entry__in=drawn).values_list("entry_id", "amount"))
    try:
        with transaction.atomic():
            check = PostCheck.objects.create(distribution=dist, region_code=village_code, confidence=confidence,
                                             margin=margin, population=len(entries), sample_size=size, seed=seed,
                                             created_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        raise BusinessRuleViolation("Pemeriksaan desa ini sudah dibuat / This village's check already exists",
                                    extra={"code": "postcheck_exists"}) from None
    PostCheckItem.objects.bulk_create([
        PostCheckItem(postcheck=check, entry=e, kpm_ref=e.kpm_ref,
                      recorded_amount=max(e.paid_amount, receipts.get(e.pk) or 0)) for e in drawn])
    audit_record(actor=actor, action="distribution_postcheck.create", target=check, region_code=village_code,
                 data={"distribution": str(dist.pk), "confidence": str(confidence), "margin": str(margin),
                       "population": len(entries), "sample_size": size, "seed": seed})
    return check


@transaction.atomic
def postcheck_answer(*, actor: Any, item: PostCheckItem, amount: Any = None, unreachable: bool = False,
                     note: str = "") -> PostCheckItem:
    """Record what the KPM says they received (or that they could not be reached). Less than recorded opens a
    complaint through `postcheck_shortfall` (see the module text)."""
    village = item.postcheck.region_code
    ensure(actor, RECEIPT, village)
    ensure(actor, Capability.GRIEVANCES_INTAKE, village)
    item = lock(item)
    note = (note or "").strip()[:2000]
    if unreachable:
        return transition(item, "unreachable", actor=actor, region_code=village,
                          updates={"note": note, "answered_by": actor, "answered_at": timezone.now()},
                          data={"kpm_ref": item.kpm_ref, "unreachable": True})
    try:
        amount = int(str(amount).strip())
        if amount < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise refuse("invalid", "amount", "jumlah yang diterima: bilangan bulat rupiah, tidak negatif",
                     "the amount received: whole rupiah, not negative") from None
    shortfall = max(item.recorded_amount - amount, 0)
    item = transition(item, "answer", actor=actor, region_code=village, locked=True,
                      updates={"answered_amount": amount, "shortfall": shortfall, "note": note,
                               "answered_by": actor, "answered_at": timezone.now()},
                      data={"kpm_ref": item.kpm_ref, "recorded": item.recorded_amount, "answered": amount,
                            "shortfall": shortfall})
    if shortfall:
        entry = DistributionEntry.objects.select_related("list__distribution").get(pk=item.entry_id)
        replies = [reply for _receiver, reply in postcheck_shortfall.send(
            sender=PostCheckItem, item=item, entry=entry, actor=actor, shortfall=shortfall) if reply]
        if not replies:
            raise BusinessRuleViolation("Meja pengaduan belum disambungkan: kekurangan tidak dapat dicatat / The "
                                        "complaints desk is not wired: a shortfall cannot be recorded",
                                        extra={"code": "postcheck_no_desk"})
        item.complaint_reference = str(replies[0])[:40]
        item.save(update_fields=["complaint_reference", "updated_at"])
    return item


def postcheck_progress(check: PostCheck) -> dict[str, int]:
    items = list(check.items.values_list("status", "shortfall"))
    return {"sample": len(items), "answered": sum(1 for s, _ in items if s == "answered"),
            "unreachable": sum(1 for s, _ in items if s == "unreachable"),
            "shortfalls": sum(1 for _, f in items if f > 0), "shortfall_amount": sum(f for _, f in items)}
