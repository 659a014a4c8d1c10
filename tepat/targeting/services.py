"""Writes of the targeting app: importing an official desil release, and new versions of the local estimate's
weights. Every write checks capability × scope, runs in one transaction and records its audit event there.

An import is a `DesilRelease` that starts `importing` and ends `published` (its families inserted in bulk, one
`desil_release.publish` event with the counts) or `failed` (nothing of it is used). A published release is
never edited: a correction is a new release. The same file for the same period and region again returns the
published release unchanged (`changed: false`) and records nothing.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import actor_region_codes, ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.actors import ensure_actor, is_system
from tepat.core.exceptions import ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import ensure_upload_size
from tepat.regions.models import Region
from tepat.regions.selectors import common_region
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.transfer.reader import OTHER_WORKBOOK_SUFFIXES, XLSX_SUFFIXES
from tepat.targeting.desil_file import DesilMapping, PreparedDesil, mapping_parse, prepare
from tepat.targeting.models import DesilIssue, DesilRelease, FamilyDesil, PmtEstimate, PmtWeight, PmtWeightSet

ACCEPTED_SUFFIXES = (".csv", ".txt", ".tsv", *XLSX_SUFFIXES)
FAMILY_TABLE = FamilyDesil._meta.db_table
ISSUE_TABLE = DesilIssue._meta.db_table
S = DesilRelease.Status


def _fail(code: str, field: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, field, id_text, en_text)])


@dataclass(slots=True)
class DesilImportResult:
    release: DesilRelease | None  # None for a dry run
    changed: bool
    counts: dict[str, Any]
    issues: pl.DataFrame
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        release = self.release
        return {
            "release_id": str(release.pk) if release else None,
            "status": release.status if release else "dry_run",
            "region": release.region_id if release else None,
            "period": release.period if release else None,
            "changed": self.changed,
            **self.counts,
            "issues": self.issues.height,
            "seconds": round(self.seconds, 2),
        }


def _sha256(source: bytes | Path) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_args(*, actor: Any, file_name: str, period: str, source_label: str, region_code: str,
                decree_number: str, decree_date: date | None) -> None:
    ensure_actor(actor)
    if not is_system(actor):
        ensure_capability(actor=actor, capability=Capability.TARGETING_IMPORT)
        if region_code:
            ensure_permission(actor=actor, capability=Capability.TARGETING_IMPORT, region_code=region_code)
    issues = []
    if region_code and not Region.objects.filter(code=region_code).exists():
        issues.append(Issue("region", "region", f"wilayah '{region_code}' tidak dikenal", f"region '{region_code}' is unknown"))
    if not period.strip() or len(period.strip()) > 20:
        issues.append(Issue("period", "period", "periode desil wajib diisi (paling banyak 20 karakter), mis. 2026-T4",
                            "the desil period is required (at most 20 characters), e.g. 2026-T4"))
    if not source_label.strip():
        issues.append(Issue("source", "source", "sumber wajib diisi, mis. DTSEN Kemensos 2026-11",
                            "the source is required, e.g. DTSEN Kemensos 2026-11"))
    if bool(decree_number.strip()) != bool(decree_date):
        issues.append(Issue("decree", "decree_number", "nomor dan tanggal keputusan diisi keduanya atau tidak sama sekali",
                            "give both the decree number and its date, or neither"))
    suffix = Path(file_name).suffix.lower()
    if suffix in OTHER_WORKBOOK_SUFFIXES:
        issues.append(Issue("file_type", "file", "buku kerja .xls/.ods tidak dibaca: simpan ulang sebagai .xlsx atau .csv",
                            "workbooks in .xls/.ods are not read: save the file again as .xlsx or .csv"))
    elif suffix not in ACCEPTED_SUFFIXES:
        issues.append(Issue("file_type", "file", f"jenis berkas tidak didukung: pakai {', '.join(ACCEPTED_SUFFIXES)}",
                            f"unsupported file type: use {', '.join(ACCEPTED_SUFFIXES)}"))
    if issues:
        raise ValidationFailed(issues)


def _allowed(actor: Any, region_code: str) -> tuple[str, ...] | None:
    if region_code:
        return (region_code,)
    return None if is_system(actor) else actor_region_codes(actor)


def _published_same(region_code: str, period: str, sha: str) -> DesilRelease | None:
    return (DesilRelease.objects.filter(region_id=region_code, period=period, file_sha256=sha, status=S.PUBLISHED)
            .order_by("-imported_at").first())


def _store_issues(release: DesilRelease, issues: pl.DataFrame, bulk: Bulk) -> int:
    if issues.is_empty():
        return 0
    return bulk.insert(ISSUE_TABLE, issues.select(
        pl.lit(release.pk.hex).alias("release_id"),
        pl.col("row").cast(pl.Int64),
        pl.col("field").fill_null("").str.slice(0, 120).alias("column"),
        pl.col("value").fill_null("").str.slice(0, 200),
        pl.col("code").str.slice(0, 40),
        pl.col("severity"),
        pl.col("message_id").str.slice(0, 400),
        pl.col("message_en").str.slice(0, 400),
    ))


def _create(*, actor: Any, region_code: str, period: str, source_label: str, decree_number: str,
            decree_date: date | None, file_name: str, sha: str, mapping: DesilMapping, file_path: str = "",
            file_stored: bool = False) -> DesilRelease:
    release = DesilRelease.objects.create(
        region_id=region_code, period=period.strip(), source=source_label.strip()[:200],
        decree_number=decree_number.strip()[:100], decree_date=decree_date, file_name=file_name[:255],
        file_sha256=sha, file_path=file_path, file_stored=file_stored, mapping=mapping.as_dict(),
        created_by=None if is_system(actor) else actor,
    )
    audit_record(actor=actor, action=AuditAction.DESIL_RELEASE_CREATE, target=release, region_code=region_code,
                 data={"period": release.period, "source": release.source, "file_name": release.file_name,
                       "file_sha256": sha, "decree_number": release.decree_number,
                       "decree_date": decree_date.isoformat() if decree_date else None})
    return release


def _write(*, actor: Any, release: DesilRelease, prepared: PreparedDesil) -> DesilRelease:
    """In the caller's transaction: the report, then the families and `publish`, or `fail` when no row could
    be taken (the report stays, so the person sees why)."""
    bulk = Bulk()
    _store_issues(release, prepared.issues, bulk)
    counts = prepared.counts
    accepted = prepared.accepted
    if release.region_id:  # families outside the release's region are not its families
        outside = accepted.filter(~(pl.col("region_id") == release.region_id)
                                  & ~pl.col("region_id").str.starts_with(f"{release.region_id}."))
        if outside.height:
            raise _fail("region", "region", "keluarga di luar wilayah rilis", "families outside the release's region")
    if accepted.is_empty():
        return transition(release, "fail", actor=actor, region_code=release.region_id,
                          updates={"counts": counts, "rejected_count": prepared.rows_rejected,
                                   "rows_total": prepared.rows_read, "rows_done": prepared.rows_read,
                                   "error": "tidak ada baris yang dapat diambil; lihat laporan / "
                                            "no row could be taken; see the report"},
                          data={"counts": _event_counts(counts)})
    bulk.insert(FAMILY_TABLE, accepted.select(
        pl.lit(release.pk.hex).alias("release_id"), "family_id", pl.col("desil").cast(pl.Int64), "matched_by",
        pl.col("source_row").cast(pl.Int64)))
    return transition(release, "publish", actor=actor, region_code=release.region_id,
                      updates={"counts": counts, "family_count": accepted.height,
                               "rejected_count": prepared.rows_rejected, "rows_total": prepared.rows_read,
                               "rows_done": prepared.rows_read, "imported_at": timezone.now()},
                      data={"period": release.period, "counts": _event_counts(counts),
                            "desil_counts": _desil_counts(accepted)})


def _event_counts(counts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in counts.items() if k != "ignored_columns"}


def _desil_counts(accepted: pl.DataFrame) -> dict[str, int]:
    grouped = accepted.group_by("desil").len().sort("desil")
    return {str(d): int(n) for d, n in grouped.iter_rows()}


def desil_import(
    *, actor: Any, source: str | Path | bytes, file_name: str = "", period: str, source_label: str,
    region_code: str = "", decree_number: str = "", decree_date: date | None = None,
    mapping: str | bytes | dict | None = None, dry_run: bool = False,
) -> DesilImportResult:
    """Import a desil file now (command line, API): read and check it, match it, and publish the release.

    Without `region_code` the release covers the deepest region holding every matched family. A dry run
    reads and matches, returns the report, and writes nothing."""
    started = time.perf_counter()
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "")
    _check_args(actor=actor, file_name=name, period=period, source_label=source_label, region_code=region_code,
                decree_number=decree_number, decree_date=decree_date)
    parsed = mapping_parse(mapping)
    if isinstance(source, bytes):
        ensure_upload_size("desil_import", len(source))
        data: bytes | Path = source
    else:
        data = Path(source)
        if not data.is_file():
            raise _fail("file", "file", f"berkas '{source}' tidak ada", f"file '{source}' does not exist")
        ensure_upload_size("desil_import", data.stat().st_size)
    sha = _sha256(data)
    if region_code and not dry_run:
        same = _published_same(region_code, period.strip(), sha)
        if same is not None:
            return DesilImportResult(same, False, same.counts, pl.DataFrame(), time.perf_counter() - started)
    prepared = prepare(data, name, mapping=parsed, allowed=_allowed(actor, region_code))
    region = region_code or common_region(prepared.accepted.get_column("region_id").unique().to_list()) \
        or common_region(actor_region_codes(actor))
    if dry_run:
        return DesilImportResult(None, False, prepared.counts, prepared.issues, time.perf_counter() - started)
    if not region:
        raise _fail("region", "region", "tidak satu pun keluarga cocok: sebutkan wilayahnya (--region)",
                    "no family matched: name the region (--region)")
    with transaction.atomic():
        Bulk().lock(f"desil_import:{region}:{period.strip()}")  # two runs of one file: the second finds the first
        same = _published_same(region, period.strip(), sha)
        if same is not None:
            return DesilImportResult(same, False, same.counts, pl.DataFrame(), time.perf_counter() - started)
        release = _create(actor=actor, region_code=region, period=period, source_label=source_label,
                          decree_number=decree_number, decree_date=decree_date, file_name=name, sha=sha,
                          mapping=parsed)
        release = _write(actor=actor, release=release, prepared=prepared)
    return DesilImportResult(release, release.status == S.PUBLISHED, prepared.counts, prepared.issues,
                             time.perf_counter() - started)


@transaction.atomic
def desil_import_start(
    *, actor: Any, content: bytes, file_name: str, period: str, source_label: str, region_code: str,
    decree_number: str = "", decree_date: date | None = None, mapping: str | bytes | dict | None = None,
) -> tuple[DesilRelease, bool]:
    """An upload (page, background job): keep the file, create the release `importing` and return it with
    `True`; enqueue `desil_import_task` after the commit. The same file already published for the period and
    region returns that release with `False` (nothing to run)."""
    _check_args(actor=actor, file_name=file_name, period=period, source_label=source_label, region_code=region_code,
                decree_number=decree_number, decree_date=decree_date)
    if not region_code:
        raise _fail("region", "region", "wilayah wajib dipilih", "choose the region")
    parsed = mapping_parse(mapping)
    ensure_upload_size("desil_import", len(content))
    sha = hashlib.sha256(content).hexdigest()
    same = _published_same(region_code, period.strip(), sha)
    if same is not None:
        return same, False
    stored = f"imports/desil/{sha[:2]}/{sha}{Path(file_name).suffix.lower()[:8]}"
    if not default_storage.exists(stored):
        stored = default_storage.save(stored, ContentFile(content))
    release = _create(actor=actor, region_code=region_code, period=period, source_label=source_label,
                      decree_number=decree_number, decree_date=decree_date, file_name=file_name, sha=sha,
                      mapping=parsed, file_path=stored, file_stored=True)
    return release, True


def desil_import_run(*, actor: Any, release_id: Any) -> DesilRelease:
    """Run an uploaded release's import to its end (the worker). A file that cannot be read fails the release
    with the reason; the release is never left `importing`."""
    ensure_actor(actor)
    release = DesilRelease.objects.filter(pk=release_id).first()
    if release is None:
        raise ObjectNotFound()
    if release.status != S.IMPORTING:
        return release
    if not is_system(actor):
        ensure_permission(actor=actor, capability=Capability.TARGETING_IMPORT, region_code=release.region_id)
    try:
        with default_storage.open(release.file_path, "rb") as handle:
            content = handle.read()
        if hashlib.sha256(content).hexdigest() != release.file_sha256:
            raise _fail("file_changed", "file", "berkas berubah sejak diunggah; unggah lagi",
                        "the file changed since it was uploaded; upload it again")
        prepared = prepare(content, release.file_name, mapping=mapping_parse(release.mapping),
                           allowed=(release.region_id,))
        DesilRelease.objects.filter(pk=release.pk).update(rows_total=prepared.rows_read * 2 or 1,
                                                          rows_done=prepared.rows_read)
        with transaction.atomic():
            return _write(actor=actor, release=release, prepared=prepared)
    except ValidationFailed as exc:
        text = "; ".join(f"{i.id} / {i.en}" for i in exc.issues)
        with transaction.atomic():
            return transition(release, "fail", actor=actor, region_code=release.region_id,
                              updates={"error": text[:2000]}, data={"codes": [i.code for i in exc.issues]})


# --- local estimate (PMT) weights --------------------------------------------------------------------------

@transaction.atomic
def pmt_weight_set_create(*, actor: Any, region_code: str, label: str, weights: list[dict[str, Any]],
                          note: str = "", based_on: PmtWeightSet | None = None,
                          estimate_now: bool = True) -> PmtWeightSet:
    """A new version of a district's local-estimate weights (the previous versions stay as they were).
    `weights`: [{"variable", "value", "region_prefix", "points"}, …], checked by `pmt.check_weights`.
    `estimate_now` computes and stores its estimate in the same transaction (command line, demo, tests);
    the pages and the API pass False and leave it to `pmt_estimate_task` after the commit."""
    from tepat.targeting.pmt import check_weights

    ensure_actor(actor)
    if not is_system(actor):
        ensure_permission(actor=actor, capability=Capability.TARGETING_WEIGHTS, region_code=region_code)
    if not Region.objects.filter(code=region_code).exists():
        raise _fail("region", "region", f"wilayah '{region_code}' tidak dikenal", f"region '{region_code}' is unknown")
    if not label.strip():
        raise _fail("label", "label", "nama versi wajib diisi", "the version needs a label")
    rows = check_weights(weights, region_code=region_code)
    last = (PmtWeightSet.objects.select_for_update().filter(region_id=region_code).order_by("-version")
            .values_list("version", flat=True).first())
    weight_set = PmtWeightSet.objects.create(
        region_id=region_code, version=(last or 0) + 1, label=label.strip()[:120], note=note,
        based_on=based_on, created_by=None if is_system(actor) else actor)
    PmtWeight.objects.bulk_create([PmtWeight(weight_set=weight_set, **row) for row in rows])
    overrides = sorted({row["region_prefix"] for row in rows if row["region_prefix"]})
    audit_record(actor=actor, action=AuditAction.PMT_WEIGHT_SET_CREATE, target=weight_set, region_code=region_code,
                 data={"version": weight_set.version, "label": weight_set.label, "weights": len(rows),
                       "override_prefixes": overrides,
                       "based_on": based_on.version if based_on else None})
    if estimate_now:
        weight_set = pmt_estimate_store(actor=actor, weight_set=weight_set)
    return weight_set


@transaction.atomic
def pmt_estimate_store(*, actor: Any, weight_set: PmtWeightSet) -> PmtWeightSet:
    """Compute the local estimate of `weight_set` over the registry as it stands and store it (replacing a
    previous computation of the same version): the pages and the API read the stored rows, never recompute."""
    from tepat.targeting.pmt import estimate

    ensure_actor(actor)
    if not is_system(actor):
        ensure_permission(actor=actor, capability=Capability.TARGETING_WEIGHTS, region_code=weight_set.region_id)
    weight_set = PmtWeightSet.objects.select_for_update().get(pk=weight_set.pk)
    started = time.perf_counter()
    frame = estimate(weight_set).frame
    PmtEstimate.objects.filter(weight_set=weight_set).delete()
    rows = frame.select(pl.lit(weight_set.pk.hex).alias("weight_set_id"), "family_id",
                        pl.col("region_id").alias("region_code"), pl.col("score").cast(pl.Int64),
                        pl.col("estimate").cast(pl.Int64))
    Bulk().insert(PmtEstimate._meta.db_table, rows)
    weight_set.estimated_at, weight_set.estimated_families = timezone.now(), frame.height
    weight_set.save(update_fields=["estimated_at", "estimated_families", "updated_at"])
    audit_record(actor=actor, action=AuditAction.PMT_WEIGHT_SET_ESTIMATE, target=weight_set,
                 region_code=weight_set.region_id,
                 data={"version": weight_set.version, "families": frame.height,
                       "seconds": round(time.perf_counter() - started, 2)})
    return weight_set
