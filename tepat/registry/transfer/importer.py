"""Registry import services: start a job, run it (from the command line or a background task).

`registry_import_start` checks the actor, keeps the file and creates (or finds, to resume) the job.
`registry_import_run` validates the whole file set-based (stage one), stores its problems, then
writes batches of whole families (stage two), each in one transaction together with its audit
events and the job's checkpoint and counts. Killed at any point, a rerun continues after the last
committed batch and ends with the registry an uninterrupted run would have produced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import actor_can, actor_region_codes, ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.services import PendingEvent, audit_record_many
from tepat.core.actors import is_system
from tepat.core.exceptions import ApplicationError, ObjectNotFound, ValidationFailed
from tepat.core.maintenance import analyze_app_tables
from tepat.core.messages import Issue
from tepat.core.uploads import ensure_upload_size
from tepat.regions.models import Region
from tepat.regions.selectors import common_region
from tepat.registry import masking
from tepat.registry.models_transfer import ImportJob
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.transfer.jobs import import_job_heartbeat, import_job_transition, import_jobs_reap_stale
from tepat.registry.transfer.normalise import ERROR, WARNING, today
from tepat.registry.transfer.presets import Mapping, get_preset, mapping_parse
from tepat.registry.transfer.reader import OTHER_WORKBOOK_SUFFIXES, XLSX_SUFFIXES
from tepat.registry.transfer.report import store_issues, write_report
from tepat.registry.transfer.upsert import (
    FAMILY_TABLE,
    HISTORY_TABLE,
    INDIVIDUAL_TABLE,
    PROGRAM_TABLE,
    BatchContext,
    apply_batch,
)
from tepat.registry.transfer.validate import Prepared, prepare

logger = logging.getLogger(__name__)

DEFAULT_BATCH_ROWS = 10_000
ACCEPTED_SUFFIXES = (".csv", ".txt", ".tsv", *XLSX_SUFFIXES)
# Test hook: the process kills itself (SIGKILL) inside this batch's transaction, before it commits.
KILL_AT_BATCH_ENV = "TEPAT_IMPORT_KILL_AT_BATCH"
COUNT_KEYS = (
    "rows_read", "rows_blank", "rows_accepted", "rows_rejected", "warnings",
    "families_created", "families_updated", "families_unchanged",
    "individuals_created", "individuals_updated", "individuals_unchanged", "programs_added",
)
CHANGE_KEYS = ("families_created", "families_updated", "individuals_created", "individuals_updated", "programs_added")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _actor_label(actor: Any) -> str:
    return actor.get_username()


def _allowed_regions(actor: Any, region_code: str) -> tuple[str, ...] | None:
    """Where this import may write: the region limit, else the actor's regions (system: anywhere)."""
    if region_code:
        return (region_code,)
    if is_system(actor):
        return None
    return actor_region_codes(actor)


@transaction.atomic
def registry_import_start(
    *,
    actor: Any,
    source: str | Path | bytes,
    file_name: str = "",
    preset: str = "siks",
    mapping: str | bytes | dict | None = None,
    dry_run: bool = False,
    region_code: str = "",
    batch_rows: int = DEFAULT_BATCH_ROWS,
    resume: bool = True,
) -> ImportJob:
    """Create the job for importing `source` (a path on disk, or the bytes of an upload).

    `actor=SYSTEM` is the command line acting as the system. With `resume`, an unfinished job for the
    same file, options and actor is returned instead of a new one, so that a rerun continues it."""
    if not is_system(actor):
        ensure_capability(actor=actor, capability=Capability.REGISTRY_IMPORT)
        if region_code:
            ensure_permission(actor=actor, capability=Capability.REGISTRY_IMPORT, region_code=region_code)
    if region_code and not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed([Issue("region", "region", f"wilayah '{region_code}' tidak dikenal",
                                      f"region '{region_code}' is unknown")])
    get_preset(preset)
    parsed: Mapping = mapping_parse(mapping)
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "")
    if Path(name).suffix.lower() in OTHER_WORKBOOK_SUFFIXES:
        raise ValidationFailed([Issue("file_type", "file",
                                      "buku kerja .xls/.ods tidak dibaca: simpan ulang sebagai .xlsx atau .csv",
                                      "workbooks in .xls/.ods are not read: save the file again as .xlsx or .csv")])
    if Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise ValidationFailed([Issue("file_type", "file", f"jenis berkas tidak didukung: pakai {', '.join(ACCEPTED_SUFFIXES)}",
                                      f"unsupported file type: use {', '.join(ACCEPTED_SUFFIXES)}")])
    import_jobs_reap_stale()
    if isinstance(source, bytes):
        ensure_upload_size("registry_import", len(source))
        if not file_name:
            raise ValidationFailed([Issue("file", "file", "nama berkas wajib diisi", "a file name is required")])
        sha = hashlib.sha256(source).hexdigest()
        suffix = Path(file_name).suffix.lower()[:8]
        stored_name = f"imports/{sha[:2]}/{sha}{suffix}"
        if not default_storage.exists(stored_name):
            stored_name = default_storage.save(stored_name, ContentFile(source))
        file_path, stored, size = stored_name, True, len(source)
    else:
        path = Path(source).resolve()
        if not path.is_file():
            raise ValidationFailed([Issue("file", "file", f"berkas '{source}' tidak ada", f"file '{source}' does not exist")])
        ensure_upload_size("registry_import", path.stat().st_size)
        sha, file_path, stored, size = _sha256_file(path), str(path), False, path.stat().st_size
        file_name = file_name or path.name
    key_parts = [sha, preset, parsed.as_dict(), region_code, dry_run, getattr(actor, "pk", None), batch_rows]
    resume_key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    if resume:
        unfinished = ImportJob.objects.filter(
            resume_key=resume_key, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING, ImportJob.Status.FAILED],
        ).order_by("-created_at").first()
        if unfinished is not None:
            if (unfinished.file_path, unfinished.file_stored) != (file_path, stored):
                # The same file (same hash), kept elsewhere now (moved, or purged and uploaded again).
                unfinished.file_path, unfinished.file_stored, unfinished.file_purged_at = file_path, stored, None
                unfinished.save(update_fields=["file_path", "file_stored", "file_purged_at", "updated_at"])
            return unfinished
    return ImportJob.objects.create(
        actor=None if is_system(actor) else actor, actor_label=_actor_label(actor), file_name=file_name[:255], file_path=file_path,
        file_stored=stored, file_sha256=sha, file_size=size, preset=preset, mapping=parsed.as_dict(),
        region_code=region_code, dry_run=dry_run, batch_rows=batch_rows, resume_key=resume_key,
    )


def _job_for(actor: Any, job_id: Any) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.actor_id != getattr(actor, "pk", None):
        raise ObjectNotFound()
    return job


def _source(job: ImportJob) -> bytes | Path:
    """The job's file: its path on disk when there is one (read without a copy in memory), else its
    bytes. A file that changed since the job started is refused."""
    path: Path | None = None
    if job.file_purged_at is not None:
        raise ValidationFailed([Issue("file_purged", "file",
                                      "berkas impor sudah dihapus menurut masa simpan; unggah lagi",
                                      "the import file was deleted under the retention policy; upload it again")])
    if not job.file_stored:
        path = Path(job.file_path)
        if not path.is_file():
            raise ValidationFailed([Issue("file_missing", "file",
                                          f"berkas '{job.file_name}' tidak ada lagi di tempat impor dimulai; "
                                          "jalankan impor lagi dengan letak berkas yang baru",
                                          f"the file '{job.file_name}' is no longer where the import started; "
                                          "run the import again with the file's new location")])
    else:
        try:
            path = Path(default_storage.path(job.file_path))
        except NotImplementedError:  # storage without local files
            path = None
        if path is not None and not path.is_file():
            path = None
    if path is not None:
        sha = _sha256_file(path)
        source: bytes | Path = path
    else:
        with default_storage.open(job.file_path, "rb") as handle:
            source = handle.read()
        sha = hashlib.sha256(source).hexdigest()
    if sha != job.file_sha256:
        raise ValidationFailed([Issue("file_changed", "file", "berkas berubah sejak impor dimulai; mulai impor baru",
                                      "the file changed since the import started; start a new import")])
    return source


def _merge(counts: dict[str, int], extra: dict[str, int]) -> dict[str, int]:
    merged = dict(counts)
    for key, value in extra.items():
        merged[key] = merged.get(key, 0) + int(value)
    return merged


def _prepare_job(job: ImportJob, prepared: Prepared) -> ImportJob:
    """Store the file-level problems and totals once; a resumed run finds them done."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.prepared:
            return job
        store_issues(job, prepared.issues, Bulk())
        issues = prepared.issues
        job.rows_total = prepared.rows_read
        job.rows_done = prepared.rows_rejected
        job.batches_total = prepared.batches
        job.counts = {
            **dict.fromkeys(COUNT_KEYS, 0),
            "rows_read": prepared.rows_read, "rows_blank": prepared.rows_blank,
            "rows_rejected": prepared.rows_rejected,
            "warnings": issues.filter(pl.col("severity") == WARNING).height,
            "ignored_columns": prepared.ignored_headers, "notes": prepared.notes,
        }
        job.prepared = True
        job.save(update_fields=["rows_total", "rows_done", "batches_total", "counts", "prepared", "updated_at"])
        return job


def registry_import_run(*, actor: Any, job_id: Any) -> ImportJob:
    """Run (or continue) an import job to its end. Safe to call again after a crash or a kill."""
    job = _job_for(actor, job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    if not is_system(actor):
        ensure_capability(actor=actor, capability=Capability.REGISTRY_IMPORT)
    started = time.perf_counter()
    import_jobs_reap_stale()
    job = import_job_transition(job, "start", actor=actor, error="", finished_at=None,
                                started_at=job.started_at or timezone.now(),
                                data={"resumed": job.status != ImportJob.Status.PENDING,
                                      "batches_done": job.batches_done})
    try:
        job = _run(actor, job, started)
    except Exception as exc:
        # Our own messages name the problem and the row; anything else is named by its type only (an
        # exception's text may quote the file).
        message = exc.message if isinstance(exc, ApplicationError) else (
            f"kesalahan internal ({type(exc).__name__}) / internal error ({type(exc).__name__})")
        import_job_transition(job, "fail", actor=actor, error=message[:4000], finished_at=timezone.now(),
                              data={"reason": "error", "batches_done": job.batches_done})
        raise
    return job


def _run(actor: Any, job: ImportJob, started: float) -> ImportJob:
    preset = get_preset(job.preset)
    mapping = mapping_parse(job.mapping)
    allowed = _allowed_regions(actor, job.region_code)
    seconds: Counter[str] = Counter()
    prepared = prepare(_source(job), job.file_name, preset=preset, mapping=mapping, allowed=allowed,
                       batch_rows=job.batch_rows)
    seconds["read_and_validate"] = time.perf_counter() - started
    job = _prepare_job(job, prepared)
    import_job_heartbeat(job)
    ctx = BatchContext(
        job_id=str(job.pk), actor=actor, dry_run=job.dry_run, family_fields=prepared.family_fields,
        individual_fields=prepared.individual_fields, programs=prepared.programs,
        labels={**prepared.headers, "region_code": prepared.headers.get("region_code")
                or prepared.headers.get("village_name", "region_code")},
        allowed=allowed,
        show_identity=is_system(actor) or actor_can(actor, Capability.PERSONAL_DATA_FULL),
    )
    kill_at = int(os.environ.get(KILL_AT_BATCH_ENV, "0") or 0)
    statistics = _Statistics(ctx.bulk, dry_run=job.dry_run)
    families, members = _batch_slices(prepared.families), _batch_slices(prepared.members)
    remaining = prepared.members.filter(pl.col("batch") >= job.batches_done)
    mode = load_mode(ctx.bulk, remaining.get_column("nik").drop_nulls(), dry_run=job.dry_run)
    with _load_window(ctx.bulk, mode, seconds):
        job = _write_batches(actor, job, ctx, prepared, families, members, statistics, kill_at, seconds)
    seconds["registry_reads"], seconds["registry_writes"] = ctx.bulk.seconds["read"], ctx.bulk.seconds["write"]
    seconds["analyze"] = statistics.seconds
    return _finish(actor, job, prepared, started, seconds, mode=mode)


def _write_batches(actor: Any, job: ImportJob, ctx: BatchContext, prepared: Prepared, families, members,
                   statistics: _Statistics, kill_at: int, seconds: Counter[str]) -> ImportJob:
    for batch_no in range(job.batches_done, prepared.batches):
        batch_started = time.perf_counter()
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.batches_done > batch_no:  # another runner committed it
                job = locked
                continue
            # Two imports never check and write the same KK or NIK at once: batches take turns.
            ctx.bulk.lock("tepat.registry.import")
            ctx.bulk.relax_commit()
            now, day = timezone.now(), today()
            outcome = apply_batch(ctx, batch_no, families(batch_no), members(batch_no), now, day)
            store_issues(locked, outcome.issues, ctx.bulk)
            audit_started = time.perf_counter()
            if outcome.events:
                audit_record_many(actor=actor, events=[
                    PendingEvent("registry.import_batch", "registry.importjob", str(job.pk), region,
                                 masking.audit_payload(payload))
                    for region, payload in outcome.events
                ])
            seconds["audit"] += time.perf_counter() - audit_started
            accepted = outcome.rows - outcome.counts["rows_rejected"]
            locked.counts = _merge(locked.counts, {**outcome.counts, "rows_accepted": accepted})
            locked.batches_done = batch_no + 1
            locked.rows_done = locked.rows_done + outcome.rows
            locked.heartbeat_at = timezone.now()
            locked.save(update_fields=["counts", "batches_done", "rows_done", "heartbeat_at", "updated_at"])
            if kill_at and batch_no + 1 == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            job = locked
            commit_started = time.perf_counter()
        seconds["commit"] += time.perf_counter() - commit_started
        seconds["batches"] += time.perf_counter() - batch_started
        statistics.grown(outcome.counts["families_created"] + outcome.counts["individuals_created"])
    return job


# --- load mode: a large load rebuilds the secondary indexes instead of maintaining them ----------------

BATCHES, REBUILD = "batches", "rebuild"
LOAD_TABLES = (FAMILY_TABLE, INDIVIDUAL_TABLE, HISTORY_TABLE, PROGRAM_TABLE)
# The columns each batch looks existing rows up by (upsert.apply_batch): their indexes stay during a load.
LOOKUP_COLUMNS: dict[str, set[tuple[str, ...]]] = {
    FAMILY_TABLE: {("kk_number",)},
    INDIVIDUAL_TABLE: {("nik",), ("family_id",)},
    PROGRAM_TABLE: {("family_id",)},
}


def load_mode(bulk: Bulk, niks: pl.Series, *, dry_run: bool) -> str:
    """REBUILD when the rows still to write would grow `registry_individual` by more than
    TEPAT_IMPORT_REBUILD_FRACTION of its size (and by at least TEPAT_IMPORT_REBUILD_MIN_ROWS); else
    BATCHES. New rows are the file's NIKs not in the registry yet (counted only when it could matter)."""
    fraction = float(getattr(settings, "TEPAT_IMPORT_REBUILD_FRACTION", 0.5))
    minimum = int(getattr(settings, "TEPAT_IMPORT_REBUILD_MIN_ROWS", 100_000))
    if dry_run or fraction <= 0 or niks.len() < max(minimum, 1):
        return BATCHES
    current = bulk.row_estimate(INDIVIDUAL_TABLE)
    if niks.len() <= fraction * current:
        return BATCHES
    if current:
        unique = niks.unique()
        found = bulk.fetch_in(f"SELECT count(DISTINCT nik) AS n FROM {INDIVIDUAL_TABLE} WHERE {{keys}}", "nik",
                              unique.to_list(), types={"n": "int"})
        new = unique.len() - int(found.get_column("n").sum() or 0)
        if new < minimum or new <= fraction * current:
            return BATCHES
    return REBUILD


@contextmanager
def _load_window(bulk: Bulk, mode: str, seconds: Counter[str]) -> Iterator[None]:
    """REBUILD: every batch runs inside one transaction that first drops the secondary indexes the batches
    do not read by and the foreign keys of the registry tables, and at its end builds the indexes again and
    adds the foreign keys back (validated set-based, once). DDL is transactional, so an import killed or
    failing in between leaves the tables exactly as they were, indexes and constraints included, and its
    rerun starts again from its first batch (ADR 0030). BATCHES: one transaction per batch."""
    if mode != REBUILD:
        yield
        return
    with transaction.atomic():
        bulk.lock("tepat.registry.import")  # held to the end: no other import writes meanwhile
        bulk.relax_commit()
        indexes = [index for index in bulk.secondary_indexes(LOAD_TABLES)
                   if index.columns not in LOOKUP_COLUMNS.get(index.table, set())]
        constraints = bulk.foreign_keys(LOAD_TABLES)
        bulk.set_aside(indexes, constraints)
        yield
        bulk.restore(indexes, constraints)
        commit_started = time.perf_counter()
    seconds["commit"] += time.perf_counter() - commit_started
    seconds["set_aside"], seconds["rebuild"] = bulk.seconds["set_aside"], bulk.seconds["restore"]
    for key, value in bulk.seconds.items():  # each index and foreign key: "rebuild <name>"
        if key.startswith("restore "):
            seconds["rebuild " + key.removeprefix("restore ")] = value


def _batch_slices(frame: pl.DataFrame):
    """frame (sorted by batch) → batch number → its rows, as zero-copy slices."""
    sizes = dict(frame.group_by("batch").len().iter_rows())
    offsets, start = {}, 0
    for batch in sorted(sizes):
        offsets[batch] = (start, sizes[batch])
        start += sizes[batch]

    def rows(batch: int) -> pl.DataFrame:
        offset, length = offsets.get(batch, (0, 0))
        return frame.slice(offset, length)

    return rows


class _Statistics:
    """Keeps the planner's statistics in step while an import grows the registry (PostgreSQL): before
    the first batch the tables changed by more than a tenth since their last analysis are analysed,
    and all of them again each time the rows written pass the size at the last analysis (a handful
    of times for a million rows). Dry runs write nothing and analyse nothing."""

    TABLES = (FAMILY_TABLE, INDIVIDUAL_TABLE, HISTORY_TABLE, PROGRAM_TABLE)
    MINIMUM = 20_000

    def __init__(self, bulk: Bulk, *, dry_run: bool) -> None:
        self.bulk = bulk
        self.active = bulk.postgres and not dry_run
        self.seconds = 0.0
        self.written = 0
        self.size = self._analyze(self._stale()) if self.active else 0

    def _stale(self) -> list[str]:
        frame = self.bulk.fetch(
            "SELECT relname, n_live_tup, n_mod_since_analyze, "
            "(last_analyze IS NULL AND last_autoanalyze IS NULL) AS never FROM pg_stat_user_tables "
            f"WHERE relname IN ({', '.join(repr(t) for t in self.TABLES)})",
            types={"n_live_tup": "int", "n_mod_since_analyze": "int", "never": "bool"},
        )
        return [name for name, live, changed, never in frame.iter_rows()
                if changed > max(1000, live // 10) or (never and live)]

    def _analyze(self, tables: list[str] | tuple[str, ...]) -> int:
        started = time.perf_counter()
        self.bulk.analyze(tables)
        self.seconds += time.perf_counter() - started
        frame = self.bulk.fetch(f"SELECT reltuples::bigint AS n FROM pg_class WHERE relname = '{INDIVIDUAL_TABLE}'",
                                types={"n": "int"})
        return max(0, int(frame.get_column("n")[0] or 0)) if frame.height else 0

    def grown(self, rows: int) -> None:
        self.written += rows
        if self.active and self.written > max(self.MINIMUM, self.size):
            self.size, self.written = self._analyze(self.TABLES), 0


def _finish(actor: Any, job: ImportJob, prepared: Prepared, started: float, seconds: Counter[str], *,
            mode: str = BATCHES) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        counts = dict(job.counts)
        counts["seconds"] = round(time.perf_counter() - started, 2)
        counts["load_mode"] = mode
        counts["timings"] = {key: round(value, 2) for key, value in seconds.items()}
        job.counts = counts
        job.report_path = write_report(job)
        job.save(update_fields=["counts", "report_path", "updated_at"])
        job = import_job_transition(job, "finish", actor=actor, finished_at=timezone.now(),
                                    data={"rows_done": job.rows_done, "dry_run": job.dry_run})
        if not job.dry_run and any(counts.get(key) for key in CHANGE_KEYS):
            region = job.region_code or common_region(prepared.families.get_column("region_id").unique().to_list())
            audit_record_many(actor=actor, events=[PendingEvent(
                "registry.import", "registry.importjob", str(job.pk), region,
                {"file": job.file_name, "sha256": job.file_sha256, "preset": job.preset,
                 **{k: counts.get(k, 0) for k in COUNT_KEYS}},
            )])
    if not job.dry_run and any(counts.get(key) for key in CHANGE_KEYS):
        analyze_app_tables("registry")  # fresh planner statistics after a bulk load (PostgreSQL only)
    return job


@dataclass(slots=True)
class ImportSummary:
    job: ImportJob

    def as_dict(self) -> dict[str, Any]:
        job, counts = self.job, self.job.counts
        changed = any(counts.get(key) for key in CHANGE_KEYS)
        return {
            "job": str(job.pk), "status": job.status, "file": job.file_name, "preset": job.preset,
            "dry_run": job.dry_run,
            **{key: counts.get(key, 0) for key in COUNT_KEYS},
            "changed": changed,
            "message": ("Tidak ada perubahan / No changes" if not changed else
                        "Registri diperbarui / Registry updated" if not job.dry_run else
                        "Uji coba: registri tidak diubah / Dry run: registry not changed"),
            "ignored_columns": counts.get("ignored_columns", []),
            "seconds": counts.get("seconds", 0),
            "timings": counts.get("timings", {}),
            "load_mode": counts.get("load_mode", BATCHES),
            "report": job.report_path,
            "error": job.error,
        }


def import_summary(job: ImportJob) -> dict[str, Any]:
    return ImportSummary(job).as_dict()


def import_issue_counts(job: ImportJob) -> dict[str, int]:
    """Errors and warnings stored for a job (for pages showing a finished job)."""
    return {
        "errors": job.issues.filter(severity=ERROR).count(),
        "warnings": job.issues.filter(severity=WARNING).count(),
    }
