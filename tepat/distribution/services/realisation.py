"""Realisation import and reconciliation.

A channel's realisation report or bank statement (CSV/XLSX, column-mapped, `services.files`) is applied
row by row in one transaction, each row matched by the KPM reference, else by NIK, among the current list
versions of the tahap. Every row is applied, found already applied (a rerun: `unchanged`), or rejected with
its row number, code and reason in Indonesian and English:

  unknown_ref       neither the reference nor the NIK is in the tahap (paid to a non-listed person)
  paid_twice        a salur for a KPM already paid (net of reversals)
  amount_mismatch   a salur amount different from the entitled amount
  date_outside      a date outside the tahap window (a retur may come after the window, not before it)
  reversal_without_original   a reversal larger than what was paid
  failed_after_paid a gagal salur for a KPM already paid
  retur_paid / retur_too_large  retur of money that was paid out, or more than remains
  duplicate_row     the same fact twice in the same file
  invalid_*         a value that cannot be read (kind, amount, date), reason_missing for a gagal without reason

Each applied fact is a `RealisationLine` with a unique `key` (tahap, entry, kind, date, amount, channel
reference): applying the same file again changes nothing. The entry's `paid_amount`, `returned_amount` and
`failed_reason` are kept in step with its lines here and nowhere else.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.distribution.models import (
    Channel,
    Distribution,
    DistributionEntry,
    DistributionList,
    RealisationImport,
    RealisationLine,
    Receipt,
    ReturnItem,
)
from tepat.distribution.services import files
from tepat.distribution.services.common import COMPLETE, MANAGE, VIEW, ensure, ensure_open, scoped
from tepat.registry.choices import Presence
from tepat.registry.models import Individual

K = RealisationLine.Kind
ERRORS: dict[str, tuple[str, str]] = {
    "unknown_ref": ("referensi/NIK tidak ada di daftar tahap ini (dibayar ke orang di luar daftar?)",
                    "reference/NIK is not in this tahap's list (paid to someone not listed?)"),
    "paid_twice": ("KPM ini sudah tersalur; pembayaran kedua ditolak", "this KPM was already paid; a second payment is refused"),
    "amount_mismatch": ("nominal berbeda dengan hak KPM", "the amount differs from the KPM's entitlement"),
    "date_outside": ("tanggal di luar masa tahap", "the date is outside the tahap window"),
    "reversal_without_original": ("reversal tanpa penyaluran asal yang cukup", "a reversal without a matching payment"),
    "failed_after_paid": ("gagal salur untuk KPM yang sudah tersalur", "a failed payment for a KPM already paid"),
    "retur_paid": ("retur untuk dana yang sudah tersalur", "retur of money that was paid out"),
    "retur_too_large": ("retur melebihi sisa dana KPM", "retur larger than what remains of the KPM's amount"),
    "duplicate_row": ("baris yang sama dua kali dalam berkas", "the same row twice in the file"),
    "invalid_kind": ("status tidak dikenal (salur, gagal, reversal, retur)", "unknown status (salur, gagal, reversal, retur)"),
    "invalid_amount": ("nominal bukan rupiah bulat positif", "the amount is not positive whole rupiah"),
    "invalid_date": ("tanggal tidak terbaca (YYYY-MM-DD atau DD/MM/YYYY)", "unreadable date (YYYY-MM-DD or DD/MM/YYYY)"),
    "reason_missing": ("gagal salur wajib menyebut alasan", "a failed payment needs a reason"),
    "ambiguous_nik": ("NIK cocok dengan lebih dari satu KPM", "the NIK matches more than one KPM"),
}


def current_entries(dist: Distribution):
    return DistributionEntry.objects.filter(list__distribution=dist).exclude(
        list__status=DistributionList.Status.SUPERSEDED)


def _error(row: int, code: str, field: str, value: str = "") -> dict[str, Any]:
    id_text, en_text = ERRORS[code]
    return {"row": row, "code": code, "field": field, "value": (value or "")[:40], "message": id_text,
            "message_en": en_text}


def _key(dist: Distribution, entry_id: int, kind: str, when: Any, amount: int, reference: str) -> str:
    return hashlib.sha256(f"{dist.pk}|{entry_id}|{kind}|{when}|{amount}|{reference}".encode()).hexdigest()


@transaction.atomic
def realisation_import(*, actor: Any, dist: Distribution, source: bytes | Path, file_name: str,
                       channel: Channel | None = None, mapping: dict[str, str] | None = None) -> RealisationImport:
    ensure(actor, MANAGE, dist.region_code)
    dist = Distribution.objects.select_for_update().get(pk=dist.pk)
    ensure_open(dist)
    frame = files.read(source, file_name, kind="realisation", mapping=mapping)
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    entries = {e.pk: e for e in current_entries(dist).select_for_update()}
    by_ref = {e.kpm_ref: e for e in entries.values()}
    by_nik: dict[str, list[DistributionEntry]] = defaultdict(list)
    for e in entries.values():
        if e.nik:
            by_nik[e.nik].append(e)
    known = set(RealisationLine.objects.filter(entry_id__in=list(entries)).values_list("key", flat=True))
    imp = RealisationImport.objects.create(distribution=dist, channel=channel, file_name=file_name[:200],
                                           sha256=hashlib.sha256(data).hexdigest(),
                                           created_by=actor if getattr(actor, "pk", None) else None)
    errors: list[dict[str, Any]] = []
    lines: list[RealisationLine] = []
    seen: set[str] = set()
    changed: set[int] = set()
    rows = applied = unchanged = 0
    for row, ref, nik, kind_text, amount_text, date_text, reason, reference in frame.iter_rows():
        if not any((ref, nik, kind_text, amount_text, date_text)):
            continue
        rows += 1
        ref, nik, reason, reference = (ref or "").strip().upper(), (nik or "").strip(), (reason or "").strip(), \
            (reference or "").strip()
        entry = by_ref.get(ref) if ref else None
        if entry is None and nik and not ref:
            found = by_nik.get(nik, [])
            if len(found) > 1:
                errors.append(_error(row, "ambiguous_nik", "nik"))
                continue
            entry = found[0] if found else None
        if entry is None:
            errors.append(_error(row, "unknown_ref", "ref" if ref else "nik", ref))
            continue
        kind = files.KINDS.get(" ".join((kind_text or "").strip().lower().split()))
        if kind is None:
            errors.append(_error(row, "invalid_kind", "kind", kind_text or ""))
            continue
        amount = files.parse_amount(amount_text)
        if amount is None or amount < 0 or (amount == 0 and kind != K.GAGAL):
            errors.append(_error(row, "invalid_amount", "amount", amount_text or ""))
            continue
        when = files.parse_date(date_text)
        if when is None:
            errors.append(_error(row, "invalid_date", "date", date_text or ""))
            continue
        if when < dist.starts_on or (kind != K.RETUR and when > dist.ends_on):
            errors.append(_error(row, "date_outside", "date", when.isoformat()))
            continue
        key = _key(dist, entry.pk, kind, when, amount, reference)
        if key in known:
            unchanged += 1
            continue
        if key in seen:
            errors.append(_error(row, "duplicate_row", "ref"))
            continue
        code = _apply(entry, kind, amount, reason)
        if code:
            errors.append(_error(row, code, "reason" if code == "reason_missing" else
                                 ("amount" if code in ("amount_mismatch", "retur_too_large") else "kind"),
                                 str(amount)))
            continue
        seen.add(key)
        changed.add(entry.pk)
        lines.append(RealisationLine(entry=entry, source=imp, row=row, kind=kind, amount=amount, date=when,
                                     reason=reason[:40], reference=reference[:60], key=key))
        applied += 1
    RealisationLine.objects.bulk_create(lines, batch_size=2000)
    DistributionEntry.objects.bulk_update([entries[pk] for pk in changed],
                                          ["paid_amount", "returned_amount", "failed_reason"], batch_size=2000)
    imp.rows, imp.applied, imp.unchanged, imp.rejected, imp.errors = rows, applied, unchanged, len(errors), errors
    imp.save(update_fields=["rows", "applied", "unchanged", "rejected", "errors", "updated_at"])
    codes: dict[str, int] = defaultdict(int)
    for err in errors:
        codes[err["code"]] += 1
    audit_record(actor=actor, action="distribution.realisation_import", target=imp, region_code=dist.region_code,
                 data={"file": file_name[:200], "sha256": imp.sha256, "rows": rows, "applied": applied,
                       "unchanged": unchanged, "rejected": len(errors), "errors": dict(codes),
                       "channel": channel.code if channel else ""})
    return imp


def _apply(entry: DistributionEntry, kind: str, amount: int, reason: str) -> str:
    """Apply one fact to the entry in memory; the error code when it may not be applied."""
    if kind == K.SALUR:
        if entry.paid_amount > 0:
            return "paid_twice"
        if amount != entry.amount:
            return "amount_mismatch"
        entry.paid_amount, entry.failed_reason = amount, ""
    elif kind == K.GAGAL:
        if entry.paid_amount > 0:
            return "failed_after_paid"
        if not reason:
            return "reason_missing"
        entry.failed_reason = reason[:40]
    elif kind == K.REVERSAL:
        if entry.paid_amount < amount or entry.paid_amount == 0:
            return "reversal_without_original"
        entry.paid_amount -= amount
    elif kind == K.RETUR:
        if entry.paid_amount > 0:
            return "retur_paid"
        if entry.returned_amount + amount > entry.amount:
            return "retur_too_large"
        entry.returned_amount += amount
    return ""


@transaction.atomic
def returns_import(*, actor: Any, dist: Distribution, source: bytes | Path, file_name: str,
                   channel: Channel | None = None, mapping: dict[str, str] | None = None) -> dict[str, Any]:
    """The channel's own returns (e.g. PT Pos sends back records it could not find): each matched KPM goes
    to its village's "dikembalikan untuk dilengkapi" queue; unmatched rows are reported."""
    from datetime import timedelta

    ensure(actor, MANAGE, dist.region_code)
    ensure_open(dist)
    frame = files.read(source, file_name, kind="returns", mapping=mapping)
    entries = list(current_entries(dist).select_related("list"))
    by_ref = {e.kpm_ref: e for e in entries}
    by_nik = {e.nik: e for e in entries if e.nik}
    open_families = set(ReturnItem.objects.filter(distribution=dist, status=ReturnItem.Status.OPEN)
                        .values_list("family_id", flat=True))
    deadline = timezone.localdate() + timedelta(days=dist.return_deadline_days)
    errors, items, unchanged = [], [], 0
    for row, ref, nik, reason in frame.iter_rows():
        if not (ref or nik):
            continue
        entry = by_ref.get((ref or "").strip().upper()) or (by_nik.get((nik or "").strip()) if not ref else None)
        if entry is None:
            errors.append(_error(row, "unknown_ref", "ref" if ref else "nik", ref or ""))
            continue
        if entry.family_id in open_families:
            unchanged += 1
            continue
        open_families.add(entry.family_id)
        items.append(ReturnItem(distribution=dist, family_id=entry.family_id, channel=channel or entry.list.channel,
                                kpm_ref=entry.kpm_ref, region_code=entry.region_code,
                                source=ReturnItem.Source.CHANNEL, reasons="channel_return",
                                detail=(reason or "")[:300], deadline=deadline))
    ReturnItem.objects.bulk_create(items)
    audit_record(actor=actor, action="distribution.return_import", target=dist, region_code=dist.region_code,
                 data={"file": file_name[:200], "queued": len(items), "unchanged": unchanged, "rejected": len(errors)})
    return {"queued": len(items), "unchanged": unchanged, "errors": errors}


# ---- the return queue -----------------------------------------------------------------------------


@transaction.atomic
def return_resolve(*, actor: Any, item: ReturnItem, action: str, note: str = "") -> ReturnItem:
    """`complete` (the village completed the record; it rejoins the next version) or `drop`."""
    from tepat.audit.transitions import transition

    ensure(actor, COMPLETE, item.region_code)
    ensure_open(item.distribution)
    if action not in ("complete", "drop"):
        raise ValueError(action)
    if action == "drop" and not note.strip():
        from tepat.distribution.services.common import refuse

        raise refuse("required", "note", "alasan wajib diisi", "a reason is required")
    return transition(item, action, actor=actor, region_code=item.region_code, reason=note.strip()[:500],
                      updates={"resolved_by": actor if getattr(actor, "pk", None) else None,
                               "resolved_at": timezone.now(), "resolution_note": note.strip()},
                      data={"kpm_ref": item.kpm_ref, "reasons": item.reasons})


# ---- reconciliation -------------------------------------------------------------------------------


def reconciliation(*, actor: Any, dist: Distribution) -> dict[str, Any]:
    """Per village and channel: entitled, delivered (receipts), paid (realisation), failed, returned;
    and the discrepancies, each with the KPM reference."""
    _is_district_reader(actor, dist)  # 403 without VIEW, 404 with nothing of the tahap in scope
    entries = scoped(actor, current_entries(dist))
    receipts = {r.entry_id: r for r in Receipt.objects.filter(entry__in=entries).only(
        "entry_id", "outcome", "amount", "reason")}
    dead = _all_died({e.family_id for e in entries.only("family_id")})
    groups: dict[tuple[str, str], dict[str, int]] = {}
    discrepancies: list[dict[str, Any]] = []
    for e in entries.select_related("list").order_by("region_code", "kpm_ref"):
        key = (e.region_code, e.list.channel_id)
        g = groups.setdefault(key, dict.fromkeys(
            ("entitled", "entitled_amount", "delivered", "delivered_amount", "not_delivered", "paid", "paid_amount",
             "failed", "returned_amount", "pending"), 0))
        g["entitled"] += 1
        g["entitled_amount"] += e.amount
        r = receipts.get(e.pk)
        if r is not None and r.outcome in ("full", "partly"):
            g["delivered"] += 1
            g["delivered_amount"] += r.amount
        elif r is not None:
            g["not_delivered"] += 1
        if e.paid_amount > 0:
            g["paid"] += 1
            g["paid_amount"] += e.paid_amount
        elif e.failed_reason:
            g["failed"] += 1
        if r is None and e.paid_amount == 0 and not e.failed_reason:
            g["pending"] += 1
        g["returned_amount"] += e.returned_amount

        def add(code: str, id_text: str, en_text: str, e=e) -> None:
            discrepancies.append({"kpm_ref": e.kpm_ref, "village": e.region_code, "channel": e.list.channel_id,
                                  "code": code, "message": id_text, "message_en": en_text})

        if e.paid_amount > 0 and (e.family_id in dead or (r is not None and r.reason == "deceased")):
            add("paid_after_death", "tersalur padahal penerima meninggal", "paid although the recipient died")
        if e.paid_amount > 0 and r is not None and r.outcome == "none":
            add("paid_not_received", "tercatat tersalur di bank/Pos, tetapi tanda terima: tidak tersalur",
                "paid according to the channel, but the receipt says not delivered")
        if r is not None and r.outcome in ("full", "partly") and e.paid_amount and r.amount != e.paid_amount:
            add("amount_differs", f"diterima Rp {r.amount}, tersalur Rp {e.paid_amount}",
                f"received Rp {r.amount}, paid Rp {e.paid_amount}")
        if e.failed_reason and e.paid_amount == 0 and e.returned_amount < e.amount:
            add("not_returned", f"gagal salur, belum diretur Rp {e.amount - e.returned_amount}",
                f"failed, Rp {e.amount - e.returned_amount} not yet returned")
    for imp in RealisationImport.objects.filter(distribution=dist).order_by("created_at"):
        for err in imp.errors:
            if err["code"] in ("unknown_ref", "paid_twice", "amount_mismatch"):
                discrepancies.append({"kpm_ref": err.get("value", ""), "village": "", "channel": imp.channel_id or "",
                                      "code": err["code"], "message": f"{imp.file_name} baris {err['row']}: "
                                      f"{err['message']}", "message_en": f"{imp.file_name} row {err['row']}: "
                                      f"{err['message_en']}"})
    rows = [{"village": v, "channel": c, **g} for (v, c), g in sorted(groups.items())]
    totals = {k: sum(r[k] for r in rows) for k in (rows[0] if rows else {}) if k not in ("village", "channel")}
    return {"rows": rows, "totals": totals, "discrepancies": discrepancies}


def _is_district_reader(actor: Any, dist: Distribution) -> bool:
    """Village readers see their villages' part (scoped rows); everyone needs VIEW."""
    from tepat.accounts.access import actor_can, actor_in_scope
    from tepat.core.actors import is_system
    from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError

    if is_system(actor):
        return False
    if not actor_can(actor, VIEW):
        raise PermissionDeniedError()
    if actor_in_scope(actor, dist.region_code):
        return True
    if not scoped(actor, current_entries(dist)).exists():
        raise ObjectNotFound()
    return False


def _all_died(family_ids: set[Any]) -> set[Any]:
    alive: set[Any] = set()
    seen: set[Any] = set()
    for fid, presence in Individual.objects.filter(family_id__in=family_ids).values_list("family_id", "presence"):
        seen.add(fid)
        if presence != Presence.DIED:
            alive.add(fid)
    return seen - alive
