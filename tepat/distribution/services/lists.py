"""Opening the distribution of an approved tahap list and building list versions per channel.

A version takes the recipients of the beneficiary list in the chosen area that no other channel's current
version holds, leaves out the families with an open item in the return queue, runs the pre-flight
cleansing (failures go to the queue of their village with a deadline) and freezes the rest as entries.
The previous version of the same channel is superseded; a family already in it keeps its `kpm_ref`, its
receipt outcome and realisation (the receipt and ledger rows follow it to the new entry), so a
correction never loses what happened in the field. Families whose returned records were completed
rejoin here.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.exceptions import BusinessRuleViolation
from tepat.distribution.models import (
    Channel,
    Distribution,
    DistributionEntry,
    DistributionList,
    RealisationLine,
    Receipt,
    ReturnItem,
)
from tepat.distribution.services import cleansing
from tepat.distribution.services.common import MANAGE, ensure, ensure_open, refuse
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.regions.selectors import is_within

L = DistributionList.Status


def tahap_window(blist: BeneficiaryList) -> tuple[date, date]:
    """The default window of a tahap: the year split evenly by the schedule's tahap count."""
    year = blist.release.year
    count = max(len(blist.release.schedule or []), 1)
    months = max(12 // count, 1)
    first = min((blist.tahap - 1) * months + 1, 12)
    last = min(first + months - 1, 12)
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


@transaction.atomic
def distribution_create(*, actor: Any, blist: BeneficiaryList, starts_on: date | None = None,
                        ends_on: date | None = None, return_deadline_days: int = 14) -> Distribution:
    ensure(actor, MANAGE, blist.region_code)
    if blist.status != BeneficiaryList.Status.APPROVED:
        raise refuse("not_approved", "list", "hanya daftar yang sudah disetujui supervisor yang disalurkan",
                     "only a list approved by the district supervisor is distributed")
    if Distribution.objects.filter(beneficiary_list=blist).exists():
        raise BusinessRuleViolation("Penyaluran tahap ini sudah dibuka / This tahap's distribution is already open")
    default_start, default_end = tahap_window(blist)
    starts_on, ends_on = starts_on or default_start, ends_on or default_end
    if ends_on < starts_on:
        raise refuse("window", "ends_on", "akhir tahap sebelum awalnya", "the tahap ends before it starts")
    dist = Distribution.objects.create(
        beneficiary_list=blist, region_code=blist.region_code, programme_code=blist.release.programme.code,
        tahap=blist.tahap, starts_on=starts_on, ends_on=ends_on, return_deadline_days=return_deadline_days,
        created_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action="distribution.create", target=dist, region_code=dist.region_code,
                 data={"list": str(blist.pk), "programme": dist.programme_code, "tahap": dist.tahap,
                       "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return dist


def current_list(dist: Distribution, channel: Channel | str) -> DistributionList | None:
    code = channel if isinstance(channel, str) else channel.code
    return (DistributionList.objects.filter(distribution=dist, channel_id=code)
            .exclude(status=L.SUPERSEDED).order_by("-version").first())


@transaction.atomic
def list_version_create(*, actor: Any, dist: Distribution, channel: Channel, area_codes: list[str] | None = None,
                        note: str = "") -> DistributionList:
    """A new version of `channel`'s list in `dist` (see the module text). `area_codes`: kecamatan or village
    codes to take for this channel; empty = the previous version's area, or the whole region."""
    ensure(actor, MANAGE, dist.region_code)
    dist = Distribution.objects.select_for_update().get(pk=dist.pk)
    ensure_open(dist)
    if not channel.active:
        raise refuse("channel", "channel", f"saluran {channel.code} tidak aktif", f"channel {channel.code} is inactive")
    previous = current_list(dist, channel)
    area = list(area_codes or (previous.area_codes if previous else []))
    for code in area:
        if not is_within(code, dist.region_code):
            raise refuse("area", "area_codes", f"wilayah {code} di luar wilayah tahap {dist.region_code}",
                         f"area {code} is outside the tahap's region {dist.region_code}")
    carried: dict[Any, DistributionEntry] = {}
    if previous is not None:
        carried = {e.family_id: e for e in previous.entries.all()}
    # Families another channel's current version holds stay there.
    elsewhere = set(DistributionEntry.objects.filter(list__distribution=dist).exclude(list__channel=channel)
                    .exclude(list__status=L.SUPERSEDED).values_list("family_id", flat=True))
    on_hold = set(ReturnItem.objects.filter(distribution=dist, status=ReturnItem.Status.OPEN)
                  .values_list("family_id", flat=True))
    dropped = set(ReturnItem.objects.filter(distribution=dist, status=ReturnItem.Status.DROPPED)
                  .values_list("family_id", flat=True))
    rows = ListEntry.objects.filter(list=dist.beneficiary_list, status=ListEntry.Status.RECIPIENT)
    candidates = []
    for entry in rows.values("id", "family_id", "region_code", "kk_number", "tahap_amount").iterator(chunk_size=5000):
        outside = area and not any(is_within(entry["region_code"], code) for code in area)
        if outside and entry["family_id"] not in carried:
            continue
        if entry["family_id"] in elsewhere or entry["family_id"] in dropped:
            continue
        candidates.append(entry)
    # Duplicate KK is checked over the whole tahap, not only this channel's part.
    all_kk = {e["family_id"]: e["kk_number"] for e in rows.values("family_id", "kk_number")}
    failures, recipients = cleansing.check(
        [{"family_id": c["family_id"], "region_code": c["region_code"], "kk_number": c["kk_number"]}
         for c in candidates], standard=list(channel.address_standard or []))
    kk_seen: dict[str, int] = {}
    for kk in all_kk.values():
        if kk:
            kk_seen[kk] = kk_seen.get(kk, 0) + 1
    for c in candidates:
        if c["kk_number"] and kk_seen.get(c["kk_number"], 0) > 1:
            failures.setdefault(c["family_id"], [])
            if "duplicate_kk" not in failures[c["family_id"]]:
                failures[c["family_id"]].append("duplicate_kk")
    deadline = timezone.localdate() + timedelta(days=dist.return_deadline_days)
    if previous is not None:
        transition(previous, "supersede", actor=actor, region_code=dist.region_code,
                   data={"channel": channel.code, "version": previous.version})
    dlist = DistributionList.objects.create(
        distribution=dist, channel=channel, version=(previous.version + 1) if previous else 1, previous=previous,
        note=note, area_codes=area, created_by=actor if getattr(actor, "pk", None) else None)
    families = {}
    from tepat.registry.models import Family

    for fam in Family.objects.filter(pk__in=[c["family_id"] for c in candidates]).only("id", "rt", "rw", "address"):
        families[fam.pk] = fam
    new_items, entries, held = [], [], 0
    for c in candidates:
        fid = c["family_id"]
        old = carried.get(fid)
        codes = failures.get(fid)
        if codes and (old is None or old.status == DistributionEntry.Status.PENDING):
            if fid not in on_hold:
                new_items.append(ReturnItem(distribution=dist, family_id=fid, channel=channel,
                                            kpm_ref=old.kpm_ref if old else "", region_code=c["region_code"],
                                            source=ReturnItem.Source.PREFLIGHT, reasons=" ".join(codes),
                                            deadline=deadline))
            held += 1
            continue
        if fid in on_hold and (old is None or old.status == DistributionEntry.Status.PENDING):
            held += 1
            continue
        fam = families.get(fid)
        person = recipients.get(fid)
        entry = DistributionEntry(
            list=dlist, family_id=fid, list_entry_id=c["id"], region_code=c["region_code"],
            rt=getattr(fam, "rt", ""), rw=getattr(fam, "rw", ""), address=getattr(fam, "address", ""),
            kk_number=c["kk_number"], nik=person.nik if person else (old.nik if old else ""),
            name=person.name if person else (old.name if old else ""), amount=c["tahap_amount"])
        if old is not None:
            entry.kpm_ref, entry.status = old.kpm_ref, old.status
            entry.paid_amount, entry.returned_amount, entry.failed_reason = (
                old.paid_amount, old.returned_amount, old.failed_reason)
        entries.append(entry)
    DistributionEntry.objects.bulk_create(entries, batch_size=2000)
    ReturnItem.objects.bulk_create(new_items, batch_size=2000)
    if carried:  # the facts of the field follow the KPM to the new entry
        by_family = {e.family_id: e.pk for e in DistributionEntry.objects.filter(list=dlist).only("id", "family_id")}
        for fid, old in carried.items():
            if fid in by_family:
                Receipt.objects.filter(entry_id=old.pk).update(entry_id=by_family[fid])
                RealisationLine.objects.filter(entry_id=old.pk).update(entry_id=by_family[fid])
    dlist.entry_count = len(entries)
    dlist.total_amount = sum(e.amount for e in entries)
    dlist.held_back = held
    dlist.save(update_fields=["entry_count", "total_amount", "held_back", "updated_at"])
    audit_record(actor=actor, action="distribution_list.create", target=dlist, region_code=dist.region_code,
                 data={"channel": channel.code, "version": dlist.version, "entries": dlist.entry_count,
                       "amount": dlist.total_amount, "held_back": held, "returned": len(new_items),
                       "area": area})
    if new_items or failures:
        audit_record(actor=actor, action="distribution.preflight", target=dist, region_code=dist.region_code,
                     data={"channel": channel.code, "version": dlist.version, "checked": len(candidates),
                           "failed": len(failures), "queued": len(new_items),
                           "reasons": _reason_counts(failures)})
    return dlist


def _reason_counts(failures: dict[Any, list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for codes in failures.values():
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    return counts
