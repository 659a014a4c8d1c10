"""Determination periods (penetapan): approved changes applied to the registry, and the list frozen as a
version that any later version can be compared with.

Determination runs in the background (`tasks.period_determine_task`, ADR 0012): `period_determine_start`
checks and marks the period `determining` in the request; `period_determine_run` applies the approved
proposals in chunks (one transaction each, a savepoint per proposal: what conflicts is held back and
reported, the rest applies), then freezes the version in keyset batches with bulk inserts, then marks the
period determined. Each chunk commits, and its audit events are written at its end (ADR 0015), so the audit
head lock is held only from that insert to the commit; a run killed half-way resumes where it stopped
without applying or freezing anything twice.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tepat.audit.services import audit_deferred, audit_record
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.updates import conf
from tepat.updates.actions import ensure_period_action
from tepat.updates.models import DeterminationHold, DeterminationPeriod, Proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.apply import proposal_apply_to_registry
from tepat.updates.services.common import not_future, raise_if, region_at_level, within_q
from tepat.updates.services.freeze import SNAPSHOT_MEMBER_FIELDS, active_families, freeze_batch
from tepat.updates.workflow import ensure_allowed, lock, transition

Cadence = DeterminationPeriod.Cadence
CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.SEMIANNUAL: 6}
__all__ = ["SNAPSHOT_MEMBER_FIELDS", "DeterminationStats", "freeze_version", "period_create", "period_determine",
           "period_determine_fail", "period_determine_resume", "period_determine_run", "period_determine_start"]
_BATCH: int | None = None  # families frozen per transaction; None: the freeze's default for the database
APPLY_CHUNK = 50  # proposals applied per transaction; their audit events are written at its end
Status = DeterminationPeriod.Status


def period_bounds(starts_on: date, cadence: str) -> tuple[date, str]:
    """End date and label of a period starting on `starts_on`: 2025-07, 2025-T3 (quarter), 2025-S2."""
    months = CADENCE_MONTHS[cadence]
    month_index = starts_on.month - 1 + months
    year, month = starts_on.year + month_index // 12, month_index % 12 + 1
    day = min(starts_on.day, calendar.monthrange(year, month)[1])
    ends_on = date(year, month, day) - timedelta(days=1)
    if cadence == Cadence.MONTHLY:
        label = f"{starts_on:%Y-%m}"
    elif cadence == Cadence.QUARTERLY:
        label = f"{starts_on.year}-T{(starts_on.month - 1) // 3 + 1}"
    else:
        label = f"{starts_on.year}-S{(starts_on.month - 1) // 6 + 1}"
    return ends_on, label


@transaction.atomic
def period_create(*, actor: Any, region_code: str, starts_on: date, cadence: str = "",
                  label: str = "") -> DeterminationPeriod:
    """Open a period for a regency/city. Monthly unless another cadence is given (or configured)."""
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.PLAN_PERIOD, region_code=region_code)
    region_at_level(region_code, Region.Level.REGENCY)
    cadence = cadence or conf.default_cadence()
    if cadence not in CADENCE_MONTHS:
        raise ValidationFailed([Issue("choice", "cadence", "siklus tidak dikenal", "unknown cadence")])
    ends_on, default_label = period_bounds(starts_on, cadence)
    overlap = DeterminationPeriod.objects.filter(region_id=region_code, starts_on__lte=ends_on,
                                                 ends_on__gte=starts_on)
    if overlap.exists():
        raise ValidationFailed([Issue("overlap", "starts_on", "periode bertumpang tindih dengan periode lain",
                                      "the period overlaps another period")])
    later = (DeterminationPeriod.objects.filter(region_id=region_code, starts_on__gt=starts_on)
             .exclude(status=Status.OPEN).order_by("starts_on").first())
    if later is not None:
        raise ValidationFailed([Issue(
            "before_determined", "starts_on",
            f"periode {later.label} yang dimulai {later.starts_on:%d-%m-%Y} sudah ditetapkan; periode baru tidak "
            f"boleh dimulai sebelumnya",
            f"period {later.label} starting {later.starts_on:%d-%m-%Y} is already determined; a new period cannot "
            f"start before it")])
    period = DeterminationPeriod(region_id=region_code, starts_on=starts_on, ends_on=ends_on, cadence=cadence,
                                 label=label.strip() or default_label, created_by=actor)
    period.full_clean()
    period.save()
    audit_record(actor=actor, action="determination_period.create", target=period, region_code=region_code,
                 data={"label": period.label, "starts_on": starts_on, "ends_on": ends_on, "cadence": cadence})
    return period


def _freeze_batch(period: DeterminationPeriod, after: str, limit: int | None = None) -> tuple[int, int, str]:
    """Freeze the next `limit` active families after `after` (`services.freeze`: INSERT … SELECT on
    PostgreSQL, the portable copy elsewhere). Returns (families, members, last key)."""
    return freeze_batch(period, after, limit or _BATCH)


def freeze_version(period: DeterminationPeriod) -> tuple[int, int]:
    """Store every active family of the period's region as it stands now, in one go (keyset batches).
    The background run uses `_freeze_batch` directly, one transaction per batch."""
    count = members = 0
    cursor = ""
    while True:
        done, people, cursor = _freeze_batch(period, cursor)
        if not done:
            return count, members
        count, members = count + done, members + people


def _approved(period: DeterminationPeriod):
    """The approved proposals this determination takes: approved before it started, not held back by it."""
    cutoff = period.started_at or timezone.now()
    return (
        Proposal.objects.filter(within_q(period.region_id), status=Proposal.Status.APPROVED)
        .filter(Q(approved_at__lte=cutoff) | Q(approved_at__isnull=True))
        .exclude(holds__period=period)
    )


def _actor_of(period: DeterminationPeriod, actor: Any) -> Any:
    return actor if actor is not None else period.determined_by


@transaction.atomic
def period_determine_start(*, actor: Any, period: DeterminationPeriod, decree_number: str,
                           decree_date: date) -> DeterminationPeriod:
    """Check and mark the period `determining`; the caller enqueues `period_determine_task` after commit.

    Refused while a freeze covers the region (or part of it), before the period's start date, and while an
    earlier period of the region is not determined yet.
    """
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.DETERMINE, region_code=period.region_id)
    period = lock(period)
    ensure_period_action(actor, period, "determine")  # the status, a freeze, its start date, earlier periods
    today = timezone.localdate()
    issues: list[Issue] = []
    if not decree_number.strip():
        issues.append(Issue("required", "decree_number", "nomor SK wajib diisi", "the decree number is required"))
    not_future(decree_date, "decree_date", today, issues)
    raise_if(issues)
    now = timezone.now()
    period.started_at = now
    total = _approved(period).count()
    decree = decree_number.strip()
    return transition(period, "start", actor=actor, region_code=period.region_id, locked=True,
                      updates={"decree_number": decree, "decree_date": decree_date, "started_at": now,
                               "determined_by": actor if getattr(actor, "is_authenticated", False) else None,
                               "proposals_total": total, "error": ""},
                      data={"decree_number": decree, "decree_date": decree_date, "proposals": total})


def _issues_of(proposal: Proposal, exc: ApplicationError) -> list[dict[str, str]]:
    if isinstance(exc, ValidationFailed):
        return [{"code": i.code, "field": i.field, "id": f"{proposal.reference}: {i.id}",
                 "en": f"{proposal.reference}: {i.en}"} for i in exc.issues]
    return [{"code": exc.code, "field": "", "id": f"{proposal.reference}: {exc.message}",
             "en": f"{proposal.reference}: {exc.message}"}]


@dataclass(slots=True)
class DeterminationStats:
    """What a run measured (the benchmark prints it): seconds per phase, the longest transaction, and how
    long the audit chain head was held at most (from the chunk's event insert to its commit)."""

    apply_seconds: float = 0.0
    freeze_seconds: float = 0.0
    chunks: int = 0
    batches: int = 0
    max_chunk_seconds: float = 0.0
    max_batch_seconds: float = 0.0
    max_audit_lock_seconds: float = 0.0
    events: int = 0


def _apply_chunk(period: DeterminationPeriod, actor: Any, stats: DeterminationStats | None = None) -> int:
    """Apply (or hold back) the next chunk of approved proposals in one transaction. Returns how many.

    Each proposal goes through the registry services and the transitions table exactly as before, in its own
    savepoint; their audit events (one per registry change, one `proposal.apply` or `proposal.hold` per
    proposal) are collected and written at the end of the chunk with one head lock and one insert
    (`audit_deferred`), so the head is locked only from that insert to the commit."""
    started = time.perf_counter()
    flushing = started
    with transaction.atomic():
        period = lock(period)
        proposals = list(
            _approved(period).select_for_update(of=("self",))
            .select_related("family", "individual", "individual__family")
            .order_by("approved_at", "created_at", "pk")[:APPLY_CHUNK]
        )
        applied = held = 0
        with audit_deferred() as events:
            for proposal in proposals:
                try:
                    # A savepoint per proposal: a conflict rolls back that one only (rows and events).
                    with events.savepoint(), transaction.atomic():
                        result = proposal_apply_to_registry(actor=actor, proposal=proposal)
                        updates: dict[str, Any] = {"applied_at": timezone.now(), "applied_period": period,
                                                   "applied_result": result}
                        if proposal.family_id is None and "family" in result:
                            updates["family_id"] = result["family"]
                        if proposal.kind == Proposal.Kind.ADD_MEMBER:
                            updates["individual_id"] = result["individual"]
                        transition(proposal, "apply", actor=actor, region_code=proposal.region_id, locked=True,
                                   updates=updates, data={"period": period.label,
                                                          "decree_number": period.decree_number, "result": result})
                except ApplicationError as exc:
                    issues = _issues_of(proposal, exc)
                    DeterminationHold.objects.create(period=period, proposal=proposal, issues=issues,
                                                     held_at=timezone.now())
                    audit_record(actor=actor, action="proposal.hold", target=proposal,
                                 region_code=proposal.region_id, data={"period": period.label, "issues": issues})
                    held += 1
                    continue
                applied += 1
            if proposals:
                period.applied_count += applied
                period.held_count += held
                period.save(update_fields=["applied_count", "held_count", "updated_at"])
            count = len(events)
            flushing = time.perf_counter()  # the events are written when this block ends
    if stats is not None and proposals:
        done = time.perf_counter()
        stats.chunks += 1
        stats.events += count
        stats.max_chunk_seconds = max(stats.max_chunk_seconds, done - started)
        stats.max_audit_lock_seconds = max(stats.max_audit_lock_seconds, done - flushing)
    return len(proposals)


def _freeze_step(period: DeterminationPeriod, stats: DeterminationStats | None = None) -> int:
    started = time.perf_counter()
    with transaction.atomic():
        period = lock(period)
        done, members, cursor = _freeze_batch(period, period.freeze_cursor)
        if done:
            period.frozen_count += done
            period.frozen_individuals += members
            period.freeze_cursor = cursor
            period.save(update_fields=["frozen_count", "frozen_individuals", "freeze_cursor", "updated_at"])
    if stats is not None and done:
        stats.batches += 1
        stats.max_batch_seconds = max(stats.max_batch_seconds, time.perf_counter() - started)
    return done


def period_determine_run(*, actor: Any, period_id: Any, stats: DeterminationStats | None = None
                         ) -> DeterminationPeriod:
    """Run (or resume) a started determination to the end. Safe to call again after a crash: applied
    proposals are no longer approved, held ones are excluded, and the freeze continues after its cursor.
    `stats`, when given, receives the timings of the run."""
    period = DeterminationPeriod.objects.get(pk=period_id)
    if period.status == Status.DETERMINED:
        return period
    ensure_allowed(period, "determine")
    actor = _actor_of(period, actor)
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.DETERMINE, region_code=period.region_id)
    stats = stats if stats is not None else DeterminationStats()
    pause = conf.determination_pause_seconds()
    started = time.perf_counter()
    while _apply_chunk(period, actor, stats):
        time.sleep(pause)  # lets a waiting writer in between chunks (SQLite)
    stats.apply_seconds += time.perf_counter() - started
    started = time.perf_counter()
    period.refresh_from_db()
    if not period.families_total:
        period.families_total = active_families(period).count()
        period.save(update_fields=["families_total", "updated_at"])
    while _freeze_step(period, stats):
        time.sleep(pause)
    stats.freeze_seconds += time.perf_counter() - started
    with transaction.atomic():
        period = lock(period)
        if period.status == Status.DETERMINED:
            return period
        applied = list(Proposal.objects.filter(applied_period=period).order_by("applied_at")
                       .values_list("reference", flat=True))
        held = list(period.holds.order_by("id").values_list("proposal__reference", flat=True))
        return transition(period, "determine", actor=actor, region_code=period.region_id, locked=True,
                          updates={"determined_at": timezone.now(), "family_count": period.frozen_count,
                                   "individual_count": period.frozen_individuals, "applied_count": len(applied),
                                   "held_count": len(held)},
                          data={"decree_number": period.decree_number, "decree_date": period.decree_date,
                                "applied": applied, "held": held, "families": period.frozen_count,
                                "individuals": period.frozen_individuals})


@transaction.atomic
def period_determine_resume(*, actor: Any, period: DeterminationPeriod) -> DeterminationPeriod:
    """Let a stopped run continue (after a failure or a lost worker): the caller enqueues the task again."""
    ensure_period_action(actor, period, "resume")
    period = lock(period)
    ensure_period_action(actor, period, "resume")
    previous = period.error
    period.error = ""
    period.save(update_fields=["error", "updated_at"])
    audit_record(actor=actor, action="determination_period.start", target=period, region_code=period.region_id,
                 data={"resumed": True, "previous_error": previous, "applied": period.applied_count,
                       "frozen": period.frozen_count})
    return period


@transaction.atomic
def period_determine_fail(*, actor: Any, period_id: Any, error: str) -> DeterminationPeriod:
    """Record that a run stopped with an error (the period stays `determining`; running again resumes)."""
    period = lock(DeterminationPeriod.objects.get(pk=period_id))
    period.error = error[:2000]
    period.save(update_fields=["error", "updated_at"])
    audit_record(actor=_actor_of(period, actor), action="determination_period.fail", target=period,
                 region_code=period.region_id, data={"error": period.error})
    return period


def period_determine(*, actor: Any, period: DeterminationPeriod, decree_number: str, decree_date: date,
                     stats: DeterminationStats | None = None) -> DeterminationPeriod:
    """Start and run a determination in this process (command line, tests). The pages and the API start
    it and leave the run to the background worker."""
    period = period_determine_start(actor=actor, period=period, decree_number=decree_number,
                                    decree_date=decree_date)
    return period_determine_run(actor=actor, period_id=period.pk, stats=stats)
