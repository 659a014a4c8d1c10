"""Beneficiary lists per tahap: start (checks, inputs frozen), run (evaluate, write entries, traces and
review items in bulk, in one transaction), approve or reject (supervisor), substitute from the reserve.

The run reads only the determination version (`DeterminedFamily`), the official desil release named in the
list's inputs, and the sets read at run time (ADR 0017). The previous list of the same programme and region
gives the diff: new, continuing, leaving (with the reason); previous recipients missing from the version are
kept as `left` rows with reason NOT_IN_VERSION.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.audit.transitions import lock, transition
from tepat.core.exceptions import BusinessRuleViolation
from tepat.programs.bulk import datetime_value, insert_frame, read_frame, uuid_value
from tepat.programs.catalogue import PROGRAMME_FIELD
from tepat.programs.engine.facts import dashed as _dashed
from tepat.programs.models import (
    BeneficiaryList,
    ListEntry,
    ProgrammeRelease,
    ReviewItem,
    Substitution,
)
from tepat.programs.services.common import APPROVE, MANAGE, ensure, refuse
from tepat.programs.services.evaluation import inputs_for, run, share_of, spec_of
from tepat.programs.services.releases import ensure_released
from tepat.regions.selectors import is_within
from tepat.targeting.models import DesilRelease
from tepat.targeting.selectors import latest_published_release
from tepat.updates.models import DeterminationPeriod

_log = logging.getLogger("tepat.programs")
L = BeneficiaryList.Status
E = ListEntry.Status
INCLUSION_KINDS = (  # the first reason code found decides the kind of an inclusion error
    ("NO_ACTIVE_MEMBER", ReviewItem.Kind.DECEASED), ("MEMBER_DIED_UNRESOLVED", ReviewItem.Kind.DECEASED),
    ("MOVED_UNRESOLVED", ReviewItem.Kind.MOVED), ("DUPLICATE_RECORD", ReviewItem.Kind.DUPLICATE),
    ("ON_EXCLUSION_LIST", ReviewItem.Kind.EXCLUDED), ("CIVIL_SERVANT", ReviewItem.Kind.EXCLUDED),
    ("DESIL_ABOVE_LIMIT", ReviewItem.Kind.DESIL_ABOVE), ("NOT_IN_VERSION", ReviewItem.Kind.DECEASED),
)


def previous_list(release: ProgrammeRelease, region_code: str, before: Any = None) -> BeneficiaryList | None:
    """The list this one is compared with: the newest approved (else determined) list of the same
    programme and region."""
    lists = BeneficiaryList.objects.filter(release__programme=release.programme, region_code=region_code,
                                           status__in=[L.APPROVED, L.DETERMINED])
    if before is not None:
        lists = lists.exclude(pk=before.pk).filter(created_at__lt=before.created_at)
    return lists.filter(status=L.APPROVED).order_by("-created_at").first() or lists.order_by("-created_at").first()


@transaction.atomic
def list_determine_start(*, actor: Any, release: ProgrammeRelease, period: DeterminationPeriod, tahap: int,
                         region_code: str = "") -> BeneficiaryList:
    """Check and freeze the inputs of a tahap list; the run itself is `list_determine_run` (worker)."""
    region_code = region_code or release.region_id
    ensure(actor, MANAGE, region_code)
    ensure_released(release)
    if not is_within(region_code, release.region_id):
        raise refuse("region", "region", f"wilayah {region_code} di luar wilayah program {release.region_id}",
                     f"region {region_code} is outside the programme's region {release.region_id}")
    if period.status != DeterminationPeriod.Status.DETERMINED or not is_within(region_code, period.region_id):
        raise refuse("period", "period", f"periode {period.label} belum ditetapkan untuk {region_code}",
                     f"period {period.label} is not determined for {region_code}")
    if share_of(release, tahap)[0] <= 0:
        tahaps = ", ".join(str(r.get("tahap")) for r in release.schedule)
        raise refuse("tahap", "tahap", f"tahap {tahap} tidak ada di jadwal (ada: {tahaps})",
                     f"tahap {tahap} is not in the schedule (there are: {tahaps})")
    desil = latest_published_release(region_code)
    uses_desil = release.rules.filter(field="desil").exists()
    if desil is None and uses_desil:
        raise refuse("no_desil", "desil", f"belum ada rilis desil resmi untuk {region_code}; aturan memakai desil",
                     f"no official desil release for {region_code} yet; the rules use desil")
    spec = spec_of(release, tahap)
    previous = previous_list(release, region_code)
    blist = BeneficiaryList.objects.create(
        release=release, period=period, desil_release=desil, region_code=region_code, tahap=tahap,
        reference_date=period.ends_on, previous=previous, created_by=actor if getattr(actor, "pk", None) else None,
        inputs={"period": period.label, "period_id": str(period.pk), "programme": release.programme.code,
                "year": release.year, "version": release.version, "tahap": tahap, "share": list(spec.share),
                "desil_release_id": str(desil.pk) if desil else "", "desil_period": desil.period if desil else "",
                "previous_list_id": str(previous.pk) if previous else "",
                "clauses": [{"field": c.field, "op": c.op, "value": c.value, "reason": c.reason, "group": c.group}
                            for c in spec.clauses],
                "components": [{"code": c.code, "kind": c.kind, "annual_amount": c.annual_amount, "cap": c.cap}
                               for c in spec.components],
                "basis": spec.basis, "amount": spec.amount, "months": spec.months,
                "max_components": spec.max_components, "priority": spec.priority, "quotas": spec.quotas},
        total=period.family_count)
    audit_record(actor=actor, action="beneficiary_list.start", target=blist, region_code=region_code,
                 data={"programme": release.programme.code, "year": release.year, "version": release.version,
                       "tahap": tahap, "period": period.label, "desil_period": desil.period if desil else ""})
    return blist


def _uuid7_series(n: int) -> pl.Series:
    """`n` time-ordered (version 7, RFC 9562) UUIDs in column form (`bulk.uuid_value`), increasing in row
    order: the current millisecond, then the row number (34 bits, around the version and variant bits), then
    random bits; made by numpy from one read of the OS's random source (no Python object per row). Ids that
    increase go to the right-hand end of the primary-key index instead of random pages across every review
    item ever written (ADR 0034)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 0:6] = np.frombuffer(int(time.time_ns() // 1_000_000).to_bytes(6, "big"), dtype=np.uint8)
    c = np.arange(n, dtype=np.uint64)
    raw[:, 6] = (0x70 | ((c >> 30) & 0x0F)).astype(np.uint8)  # version 7, counter bits 33–30
    raw[:, 7] = ((c >> 22) & 0xFF).astype(np.uint8)
    raw[:, 8] = (0x80 | ((c >> 16) & 0x3F)).astype(np.uint8)  # RFC variant, counter bits 21–16
    raw[:, 9] = ((c >> 8) & 0xFF).astype(np.uint8)
    raw[:, 10] = (c & 0xFF).astype(np.uint8)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.empty((n, 32), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = digits[raw >> 4], digits[raw & 0x0F]
    h = pl.Series("h", text.view("S32").ravel().astype("U32"), dtype=pl.Utf8)
    if connection.vendor == "sqlite":
        return h.alias("id")
    parts = [pl.col("h").str.slice(start, length) for start, length in ((0, 8), (8, 4), (12, 4), (16, 4), (20, 12))]
    return h.to_frame().select(pl.concat_str(parts, separator="-").alias("id")).to_series()


def _review_frame(entries: pl.DataFrame, list_pk: str) -> pl.DataFrame:
    """The inclusion errors (receiving, not a recipient: the first reason code found decides the kind) and
    exclusion errors (a recipient, not receiving) as review-item rows in column form."""
    kind = pl.lit(str(ReviewItem.Kind.NOT_ELIGIBLE))
    codes = pl.col("reasons").fill_null("").str.split(" ")
    for code, k in reversed(INCLUSION_KINDS):  # the first in the table wins
        kind = pl.when(codes.list.contains(code)).then(pl.lit(str(k))).otherwise(kind)
    inclusion = pl.col("receiving") & pl.col("status").is_in(["not_eligible", "left"])
    exclusion = ~pl.col("receiving") & (pl.col("status") == "recipient")
    rows = (entries.filter(inclusion | exclusion)
            .select("idx", "family_id", "region_code",
                    pl.when(exclusion).then(pl.lit(str(ReviewItem.Kind.NOT_RECEIVING))).otherwise(kind).alias("kind"))
            .sort(pl.col("kind") == str(ReviewItem.Kind.NOT_RECEIVING), "idx"))  # inclusion first, as before
    now = datetime_value(timezone.now())
    family = pl.col("family_id").str.replace_all("-", "") if connection.vendor == "sqlite" else pl.col("family_id")
    return rows.select(
        _uuid7_series(rows.height).alias("id"), pl.lit(now).alias("created_at"), pl.lit(now).alias("updated_at"),
        pl.lit(list_pk).alias("list_id"), "idx", family.alias("family_id"), "region_code", "kind",
        pl.lit("open").alias("status"), pl.lit("").alias("proposal_reference"), pl.lit("").alias("note"))


def list_determine_run(*, actor: Any, list_id: Any) -> BeneficiaryList:
    """Evaluate and write the list in one transaction (a failed run writes nothing but its failure)."""
    started = time.perf_counter()
    blist = BeneficiaryList.objects.select_related("release__programme", "period").get(pk=list_id)
    if blist.status != L.DETERMINING:
        return blist
    try:
        with transaction.atomic():
            blist = lock(blist)
            counts = _determine(blist, actor)
            blist.seconds = time.perf_counter() - started
            return transition(blist, "determine", actor=actor, region_code=blist.region_code, locked=True,
                              updates={"counts": counts, "done": counts["families"], "seconds": blist.seconds},
                              data={"counts": {k: v for k, v in counts.items() if not isinstance(v, dict)}})
    except Exception as exc:  # recorded on the list (type only: the text may quote data), logged in full
        _log.exception("beneficiary list %s failed", list_id)
        with transaction.atomic():
            return transition(blist, "fail", actor=actor, region_code=blist.region_code,
                              updates={"error": type(exc).__name__}, data={"error": type(exc).__name__})


def _determine(blist: BeneficiaryList, actor: Any) -> dict[str, Any]:
    release = blist.release
    desil_release = DesilRelease.objects.filter(pk=blist.desil_release_id).first() if blist.desil_release_id else None
    t0 = time.perf_counter()
    inputs = inputs_for(blist.period, blist.region_code, desil_release=desil_release, actor=actor)
    t1 = time.perf_counter()
    spec = spec_of(release, blist.tahap)
    previous: set[str] | None = None
    left = None
    if blist.previous_id:
        sql, params = (ListEntry.objects.filter(list_id=blist.previous_id, status=E.RECIPIENT).order_by("idx")
                       .values_list("family_id", "region_code", "kk_number").query.sql_with_params())
        prev = read_frame(sql, params, {"family_id": pl.Utf8, "region_code": pl.Utf8, "kk_number": pl.Utf8})
        prev = prev.with_columns(_dashed("family_id").alias("family_id"))
        previous = set(prev["family_id"].to_list())
        left = prev.filter(~pl.col("family_id").is_in(inputs.families["family_id"].implode()))
    result = run(inputs, spec, previous=previous, previous_left=left)
    t2 = time.perf_counter()
    entries = result.entries
    comp_codes = [c.code for c in spec.components]

    # {"sd": 1, "elderly": 1}: the non-zero component counts as JSON text, built in polars (no Python per row)
    parts = [pl.when(pl.col(f"n_{c}") > 0).then(pl.concat_str([pl.lit(f'"{c}":'), pl.col(f"n_{c}").cast(pl.Utf8)]))
             for c in comp_codes]
    # (concat_str skipping the nulls: 0.2 s at 300,000 families, where a list + drop_nulls + join took 1.3 s)
    comps = (pl.concat_str([pl.lit("{"), pl.concat_str(parts, separator=",", ignore_nulls=True).fill_null(""),
                            pl.lit("}")]) if parts else pl.lit("{}"))
    family = pl.col("family_id").str.replace_all("-", "") if connection.vendor == "sqlite" else pl.col("family_id")
    rows = entries.select(
        pl.lit(uuid_value(blist.pk)).alias("list_id"), "idx", family.alias("family_id"), "region_code", "kk_number",
        "desil", "eligible", "status", "rank", "persons", "annual_amount", "tahap_amount", "reasons", "change",
        "receiving", comps.alias("components"), "clause_passed", "clause_seen")
    n_entries = insert_frame(ListEntry._meta.db_table, rows)
    list_pk = uuid_value(blist.pk)
    t3 = time.perf_counter()
    review = _review_frame(entries, list_pk)
    insert_frame(ReviewItem._meta.db_table, review)
    t4 = time.perf_counter()
    status_counts = dict(entries.group_by("status").len().iter_rows())
    change_counts = {k: v for k, v in entries.group_by("change").len().iter_rows() if k}
    recipients = entries.filter(pl.col("status") == "recipient")
    return {
        "families": n_entries, "recipients": status_counts.get("recipient", 0),
        "reserve": status_counts.get("reserve", 0), "not_eligible": status_counts.get("not_eligible", 0),
        "left": status_counts.get("left", 0), "new": change_counts.get("new", 0),
        "continuing": change_counts.get("continuing", 0), "leaving": change_counts.get("leaving", 0),
        "tahap_amount": int(recipients["tahap_amount"].sum() or 0),
        "annual_amount": int(recipients["annual_amount"].sum() or 0),
        "review_items": review.height, "traces": int(entries["clause_passed"].str.len_chars().sum() or 0),
        "timings": {"inputs_s": round(t1 - t0, 3), "evaluate_s": round(t2 - t1, 3), "write_s": round(t3 - t2, 3),
                    "review_s": round(t4 - t3, 3), **{k: round(v, 3) for k, v in inputs.timings.items()}},
    }


def list_determine(*, actor: Any, release: ProgrammeRelease, period: DeterminationPeriod, tahap: int,
                   region_code: str = "") -> BeneficiaryList:
    """Start and run in this process (command line, demo, tests); the pages leave the run to the worker."""
    blist = list_determine_start(actor=actor, release=release, period=period, tahap=tahap, region_code=region_code)
    return list_determine_run(actor=actor, list_id=blist.pk)


@transaction.atomic
def list_approve(*, actor: Any, blist: BeneficiaryList, note: str = "") -> BeneficiaryList:
    """The district supervisor approves a determined list: only approved lists go to distribution."""
    ensure(actor, APPROVE, blist.region_code)
    return transition(blist, "approve", actor=actor, region_code=blist.region_code,
                      updates={"approved_at": timezone.now(), "approved_by": actor if getattr(actor, "pk", None) else None,
                               "decision_note": note},
                      data={"recipients": (blist.counts or {}).get("recipients", 0),
                            "tahap_amount": (blist.counts or {}).get("tahap_amount", 0)})


@transaction.atomic
def list_reject(*, actor: Any, blist: BeneficiaryList, reason: str) -> BeneficiaryList:
    ensure(actor, APPROVE, blist.region_code)
    if not (reason or "").strip():
        raise refuse("required", "reason", "alasan wajib diisi", "a reason is required")
    return transition(blist, "reject", actor=actor, region_code=blist.region_code, reason=reason.strip(),
                      updates={"decision_note": reason.strip()})


def list_for_distribution(blist: BeneficiaryList) -> BeneficiaryList:
    """What distribution may use: an approved list only."""
    if blist.status != L.APPROVED:
        raise BusinessRuleViolation("Daftar belum disetujui supervisor Dinsos / The list is not approved by the "
                                    "Dinsos supervisor", extra={"status": blist.status})
    return blist


@transaction.atomic
def entry_substitute(*, actor: Any, blist: BeneficiaryList, entry: ListEntry, reason: str) -> Substitution:
    """Replace a recipient by the best-ranked reserve family of the same quota area; logged with the reason
    and the approving supervisor."""
    ensure(actor, APPROVE, entry.region_code)
    blist = lock(blist)
    if blist.status not in (L.DETERMINED, L.APPROVED):
        raise BusinessRuleViolation(f"Daftar berstatus {blist.get_status_display()} / The list is {blist.status}")
    entry = ListEntry.objects.select_for_update().get(pk=entry.pk, list=blist)
    if entry.status != E.RECIPIENT:
        raise refuse("not_recipient", "entry", "hanya penerima yang dapat digantikan",
                     "only a recipient can be replaced")
    if not (reason or "").strip():
        raise refuse("required", "reason", "alasan penggantian wajib diisi", "the reason for the substitution is required")
    quotas = blist.inputs.get("quotas") or {}
    area = max((code for code in quotas if is_within(entry.region_code, code)), key=len, default="")
    reserve = ListEntry.objects.select_for_update().filter(list=blist, status=E.RESERVE)
    reserve = [e for e in reserve.order_by("rank", "idx") if is_within(e.region_code, area)] if area else []
    if not reserve:
        raise refuse("no_reserve", "entry", f"tidak ada keluarga cadangan di wilayah {area or entry.region_code}",
                     f"no reserve family in area {area or entry.region_code}")
    added = reserve[0]
    num, den = blist.inputs.get("share") or (10_000, 10_000)
    added.status, added.tahap_amount = E.RECIPIENT, added.annual_amount * int(num) // int(den)
    added.reasons = " ".join(c for c in added.reason_codes if c != "RESERVE_QUOTA")
    added.change = ListEntry.Change.NEW if not added.change else added.change
    added.save(update_fields=["status", "tahap_amount", "reasons", "change"])
    entry.status, entry.tahap_amount = E.NOT_ELIGIBLE, 0
    entry.reasons = " ".join([*entry.reason_codes, "SUBSTITUTED"])
    entry.save(update_fields=["status", "tahap_amount", "reasons"])
    sub = Substitution.objects.create(list=blist, removed=entry, added=added, reason=reason.strip(),
                                      approved_by=actor)
    audit_record(actor=actor, action="beneficiary_list.substitute", target=blist, region_code=entry.region_code,
                 data={"removed_family": str(entry.family_id), "added_family": str(added.family_id),
                       "added_rank": added.rank, "reason": reason.strip(), "substitution": str(sub.pk)})
    return sub


def clause_label(clause: dict) -> str:
    field = clause["field"]
    if field.startswith(PROGRAMME_FIELD):
        return f"{field} {clause['op']}"
    value = clause.get("value")
    return f"{field} {clause['op']} {value if value is not None else ''}".strip()

