"""The follow-up (susulan) batch of a tahap: missed KPM with an eligible reason, and payment re-issues a
complaint asks for, paid once.

Eligibility is data (`ELIGIBLE_REASONS`, `INELIGIBLE_REASONS`): the reason comes from the receipt ("not
delivered" with a catalogue reason, or "delivered in part"), else from the channel's gagal salur reason when
it names a catalogue reason (code or Indonesian text). `address_incomplete` counts only once the village
completed the record (no open item in the return queue). What is outstanding is the entitlement less what
was delivered (the larger of the realisation's paid amount and the receipt's amount); nothing outstanding,
nothing to follow up.

Double payment is refused three times over: the database keeps at most one live (pending or paid) susulan
entry per KPM per tahap and never a paid amount above the entry's; `susulan_pay` locks the entry and checks
the KPM's current main-list entry again (a salur that arrived since refuses it); and the reconciliation of
the susulan (`susulan_discrepancies`) lists a KPM paid in both, should a channel pay the main list after.
Every write is audited in its transaction; refusals change nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.audit.transitions import lock, transition
from tepat.core.exceptions import BusinessRuleViolation
from tepat.distribution.models import Distribution, DistributionEntry, DistributionList, Receipt, ReturnItem
from tepat.distribution.models_followup import SusulanBatch, SusulanEntry
from tepat.distribution.services.common import MANAGE, ensure, ensure_open, refuse, scoped
from tepat.distribution.services.receipts import REASONS
from tepat.regions.selectors import ancestor_codes

E = DistributionEntry.Status
S = SusulanEntry.Status

# code: (Indonesian, English, condition) — condition "completed_record": only once no return item is open.
ELIGIBLE_REASONS: dict[str, tuple[str, str, str]] = {
    "absent": ("tidak hadir sampai batas waktu", "absent until the deadline", ""),
    "not_found": ("tidak ditemukan saat penyaluran", "not found at the distribution", ""),
    "address_incomplete": ("alamat tidak lengkap, sudah dilengkapi", "address incomplete, since completed",
                           "completed_record"),
    "partly": ("tersalur sebagian: sisanya", "delivered in part: the remainder", ""),
    "complaint": ("pengaduan: penyaluran ulang", "complaint: payment re-issue", ""),
}
# Not followed up: the KPM is no longer entitled, or declined; named so a refusal can say why.
INELIGIBLE_REASONS: dict[str, tuple[str, str]] = {
    "deceased": ("meninggal dunia: tidak disalurkan susulan", "deceased: no follow-up payment"),
    "moved": ("pindah: tidak disalurkan susulan", "moved away: no follow-up payment"),
    "refused": ("menolak bantuan", "refused the aid"),
    "duplicate": ("data ganda", "a duplicate"),
}
_TEXT_TO_CODE = {text.lower(): code for code, (text, _en) in REASONS.items()}


def _current(dist: Distribution):
    return DistributionEntry.objects.filter(list__distribution=dist).exclude(list__status=DistributionList.Status.SUPERSEDED)


def delivered(entry: DistributionEntry, receipt: Receipt | None) -> int:
    return max(entry.paid_amount, receipt.amount if receipt is not None else 0)


def missed_reason(entry: DistributionEntry, receipt: Receipt | None) -> str:
    """The reason this entry missed its payment, as a code ("" when it did not miss, or no reason is known)."""
    if receipt is not None:
        if receipt.outcome == Receipt.Outcome.NONE:
            return receipt.reason
        if receipt.outcome == Receipt.Outcome.PARTLY and entry.paid_amount == 0:
            return "partly"
        return ""
    if entry.paid_amount == 0 and entry.failed_reason:
        raw = entry.failed_reason.strip().lower()
        return raw if raw in REASONS else _TEXT_TO_CODE.get(raw, "unknown")
    return ""


def eligibility(entry: DistributionEntry, receipt: Receipt | None, reason: str, *,
                open_returns: set[Any]) -> tuple[bool, str, str]:
    """(eligible, Indonesian, English): why this KPM may or may not be paid in a susulan batch for `reason`."""
    outstanding = entry.amount - delivered(entry, receipt)
    if outstanding <= 0:
        return False, "sudah tersalur penuh di daftar utama", "already paid in full in the main list"
    if reason in INELIGIBLE_REASONS:
        return (False, *INELIGIBLE_REASONS[reason])
    if reason not in ELIGIBLE_REASONS:
        return False, "alasan tidak memenuhi syarat susulan", "the reason does not qualify for a follow-up payment"
    if ELIGIBLE_REASONS[reason][2] == "completed_record" and entry.family_id in open_returns:
        return False, "data masih dikembalikan untuk dilengkapi", "the record is still returned for completion"
    return True, ELIGIBLE_REASONS[reason][0], ELIGIBLE_REASONS[reason][1]


def _open_returns(dist: Distribution) -> set[Any]:
    return set(ReturnItem.objects.filter(distribution=dist, status=ReturnItem.Status.OPEN)
               .values_list("family_id", flat=True))


def _live_families(dist: Distribution) -> set[Any]:
    return set(SusulanEntry.objects.filter(distribution=dist).exclude(status=S.CANCELLED)
               .values_list("family_id", flat=True))


def susulan_candidates(*, actor: Any, dist: Distribution) -> dict[str, list[dict[str, Any]]]:
    """The missed KPM of the tahap in the actor's regions, split into eligible and not (with the reason),
    leaving out those already in a live susulan entry."""
    ensure(actor, MANAGE, dist.region_code)
    live, open_returns = _live_families(dist), _open_returns(dist)
    entries = scoped(actor, _current(dist).exclude(family_id__in=live)).order_by("region_code", "kpm_ref")
    receipts = {r.entry_id: r for r in Receipt.objects.filter(entry__in=entries)}
    out: dict[str, list[dict[str, Any]]] = {"eligible": [], "ineligible": []}
    for entry in entries.exclude(status=E.DELIVERED).iterator(chunk_size=2000):
        receipt = receipts.get(entry.pk)
        reason = missed_reason(entry, receipt)
        if not reason:
            continue
        ok, text_id, text_en = eligibility(entry, receipt, reason, open_returns=open_returns)
        out["eligible" if ok else "ineligible"].append({
            "entry": entry, "reason": reason, "outstanding": entry.amount - delivered(entry, receipt),
            "text": text_id, "text_en": text_en})
    return out


def _next_batch(dist: Distribution, actor: Any, note: str) -> SusulanBatch:
    number = (SusulanBatch.objects.filter(distribution=dist).aggregate(n=Max("number"))["n"] or 0) + 1
    batch = SusulanBatch.objects.create(distribution=dist, number=number, note=(note or "")[:2000],
                                        created_by=actor if getattr(actor, "pk", None) else None)
    return batch


@transaction.atomic
def susulan_batch_create(*, actor: Any, dist: Distribution, note: str = "") -> SusulanBatch:
    """A new susulan batch with every eligible missed KPM of the tahap in the actor's regions."""
    ensure(actor, MANAGE, dist.region_code)
    dist = lock(dist)
    ensure_open(dist)
    eligible = susulan_candidates(actor=actor, dist=dist)["eligible"]
    if not eligible:
        raise refuse("susulan_empty", "distribution", "tidak ada KPM yang memenuhi syarat susulan",
                     "no KPM qualifies for a follow-up payment")
    batch = _next_batch(dist, actor, note)
    SusulanEntry.objects.bulk_create([
        SusulanEntry(batch=batch, distribution=dist, family_id=c["entry"].family_id, source_entry=c["entry"],
                     kpm_ref=c["entry"].kpm_ref, region_code=c["entry"].region_code, amount=c["outstanding"],
                     reason=c["reason"]) for c in eligible])
    reasons: dict[str, int] = {}
    for c in eligible:
        reasons[c["reason"]] = reasons.get(c["reason"], 0) + 1
    audit_record(actor=actor, action="susulan_batch.create", target=batch, region_code=dist.region_code,
                 data={"distribution": str(dist.pk), "number": batch.number, "entries": len(eligible),
                       "amount": sum(c["outstanding"] for c in eligible), "reasons": reasons})
    return batch


@transaction.atomic
def susulan_batch_close(*, actor: Any, batch: SusulanBatch) -> SusulanBatch:
    ensure(actor, MANAGE, batch.distribution.region_code)
    return transition(batch, "close", actor=actor, region_code=batch.distribution.region_code,
                      data={"number": batch.number})


@transaction.atomic
def susulan_add(*, actor: Any, dist: Distribution, entry: DistributionEntry, reason: str,
                origin: str = SusulanEntry.Origin.MISSED, origin_reference: str = "", note: str = "") -> SusulanEntry:
    """One KPM into the tahap's open susulan batch (a new batch when none is open). Refused, naming why,
    when not eligible or already in a live susulan entry."""
    ensure(actor, MANAGE, entry.region_code)
    dist = lock(dist)
    ensure_open(dist)
    entry = DistributionEntry.objects.select_for_update().get(pk=entry.pk)
    receipt = Receipt.objects.filter(entry=entry).first()
    ok, text_id, text_en = eligibility(entry, receipt, reason, open_returns=_open_returns(dist))
    if not ok:
        raise refuse("susulan_ineligible", "reason", f"{entry.kpm_ref}: {text_id}", f"{entry.kpm_ref}: {text_en}")
    if SusulanEntry.objects.filter(distribution=dist, family_id=entry.family_id).exclude(status=S.CANCELLED).exists():
        raise refuse("susulan_duplicate", "kpm_ref", f"{entry.kpm_ref}: sudah ada di batch susulan",
                     f"{entry.kpm_ref}: already in a follow-up batch")
    batch = SusulanBatch.objects.filter(distribution=dist, status=SusulanBatch.Status.OPEN).order_by("-number").first()
    if batch is None:
        batch = _next_batch(dist, actor, "")
        audit_record(actor=actor, action="susulan_batch.create", target=batch, region_code=dist.region_code,
                     data={"distribution": str(dist.pk), "number": batch.number, "entries": 0, "amount": 0,
                           "reasons": {}})
    item = SusulanEntry.objects.create(
        batch=batch, distribution=dist, family_id=entry.family_id, source_entry=entry, kpm_ref=entry.kpm_ref,
        region_code=entry.region_code, amount=entry.amount - delivered(entry, receipt), reason=reason,
        origin=origin, origin_reference=(origin_reference or "")[:40], note=(note or "")[:2000])
    audit_record(actor=actor, action="susulan_entry.add", target=item, region_code=entry.region_code,
                 data={"kpm_ref": entry.kpm_ref, "batch": batch.number, "amount": item.amount, "reason": reason,
                       "origin": origin, "origin_reference": item.origin_reference})
    return item


@transaction.atomic
def susulan_pay(*, actor: Any, item: SusulanEntry, amount: int, paid_on: date | None = None,
                reference: str = "") -> SusulanEntry:
    """Record the susulan payment of one KPM: the whole outstanding amount, once. Refused when the KPM has
    been paid in the main list since it was added (checked under a lock), or the entry is not pending."""
    ensure(actor, MANAGE, item.region_code)
    item = lock(item)
    dist = item.distribution
    ensure_open(dist)
    if item.status != S.PENDING:
        raise BusinessRuleViolation(f"{item.kpm_ref}: susulan ini sudah {item.get_status_display()} / this "
                                    f"follow-up entry is already {item.status}", extra={"code": "susulan_not_pending"})
    if amount != item.amount:
        raise refuse("susulan_amount", "amount", f"{item.kpm_ref}: nominal susulan harus Rp {item.amount}",
                     f"{item.kpm_ref}: the follow-up amount must be Rp {item.amount}")
    paid_on = paid_on or timezone.localdate()
    main = list(_current(dist).select_for_update().filter(family_id=item.family_id))
    receipts = {r.entry_id: r for r in Receipt.objects.filter(entry__in=[m.pk for m in main])}
    already = max((delivered(m, receipts.get(m.pk)) for m in main), default=0)
    entitled = max((m.amount for m in main), default=item.amount)
    if already + amount > entitled:
        raise refuse("paid_twice", "amount", f"{item.kpm_ref}: sudah tersalur Rp {already} di daftar utama; "
                     "pembayaran susulan ditolak",
                     f"{item.kpm_ref}: Rp {already} already paid in the main list; the follow-up payment is refused")
    try:
        with transaction.atomic():
            return transition(item, "pay", actor=actor, region_code=item.region_code, locked=True,
                              updates={"paid_amount": amount, "paid_on": paid_on, "paid_reference": reference[:60],
                                       "resolved_by": actor if getattr(actor, "pk", None) else None},
                              data={"kpm_ref": item.kpm_ref, "amount": amount, "paid_on": paid_on.isoformat(),
                                    "reference": reference[:60]})
    except IntegrityError as exc:  # the database's own guard
        raise refuse("paid_twice", "amount", f"{item.kpm_ref}: pembayaran kedua ditolak",
                     f"{item.kpm_ref}: a second payment is refused") from exc


@transaction.atomic
def susulan_cancel(*, actor: Any, item: SusulanEntry, reason: str) -> SusulanEntry:
    ensure(actor, MANAGE, item.region_code)
    if not (reason or "").strip():
        raise refuse("required", "reason", "alasan pembatalan wajib diisi", "a reason to cancel is required")
    ensure_open(item.distribution)
    return transition(item, "cancel", actor=actor, region_code=item.region_code, reason=reason.strip()[:500],
                      updates={"note": reason.strip()[:2000],
                               "resolved_by": actor if getattr(actor, "pk", None) else None},
                      data={"kpm_ref": item.kpm_ref, "reason": reason.strip()[:500]})


def susulan_discrepancies(*, actor: Any, dist: Distribution) -> list[dict[str, Any]]:
    """KPM paid by a susulan entry and by the main list as well (a channel that paid the main list after)."""
    paid = scoped(actor, SusulanEntry.objects.filter(distribution=dist, status=S.PAID))
    by_family = {p.family_id: p for p in paid}
    out = []
    for entry in _current(dist).filter(family_id__in=list(by_family), paid_amount__gt=0):
        item = by_family[entry.family_id]
        out.append({"kpm_ref": entry.kpm_ref, "main": entry.paid_amount, "susulan": item.paid_amount,
                    "code": "paid_main_and_susulan",
                    "text": "dibayar di daftar utama dan di susulan", "text_en": "paid in the main list and a susulan"})
    return out


def susulan_totals(dist: Distribution) -> dict[str, int]:
    rows = SusulanEntry.objects.filter(distribution=dist).values("status").annotate(n=Sum("amount"))
    return {r["status"]: r["n"] or 0 for r in rows}


# ---- a payment re-issue asked by a complaint (tepat.grievances calls this) --------------------------


_TAHAP = re.compile(r"tahap\s*(\d{1,2})", re.I)
_YEAR = re.compile(r"(20\d\d)")


def reissue(*, actor: Any, family: Any, programme_code: str, period: str, reference: str = "",
            note: str = "") -> SusulanEntry:
    """A payment re-issue for `family` in `programme_code` (period "2026 tahap 2", or just the tahap): a
    susulan entry of that tahap's open distribution, reason `complaint`, for what the main list left
    outstanding. Refused (naming why) when no open distribution of that tahap holds the KPM, or it was paid
    in full, or is already in a susulan entry."""
    match = _TAHAP.search(period or "") or re.fullmatch(r"\s*(\d{1,2})\s*", period or "")
    if not match:
        raise refuse("reissue_period", "period", "sebutkan tahap penyaluran (mis. \"2026 tahap 2\")",
                     'name the distribution tahap (e.g. "2026 tahap 2")')
    tahap = int(match.group(1))
    year = _YEAR.search(period or "")
    dists = Distribution.objects.filter(programme_code=programme_code.strip(), tahap=tahap,
                                        region_code__in=ancestor_codes(family.region_id))
    if year:
        dists = dists.filter(beneficiary_list__release__year=int(year.group(1)))
    for dist in dists.exclude(status=Distribution.Status.CLOSED).order_by("-created_at"):
        entry = _current(dist).filter(family=family).first()
        if entry is not None:
            return susulan_add(actor=actor, dist=dist, entry=entry, reason="complaint",
                               origin=SusulanEntry.Origin.COMPLAINT, origin_reference=reference, note=note)
    raise refuse("reissue_no_distribution", "programme_code",
                 f"tidak ada penyaluran {programme_code} tahap {tahap} yang terbuka untuk KPM ini",
                 f"no open {programme_code} tahap {tahap} distribution holds this KPM")
