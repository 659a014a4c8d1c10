"""The precomputed recap (ADR 0027): a run computes every figure of the recap once per village under
its root region (`figures.compute_figures` at the village length) and stores the non-zero ones as cells; the
recap pages sum them per child region (`selectors.run_figures`) and show the run's computed-at time.

A run is requested on demand by a supervisor (`reports.refresh`) or by the system after a list approval, a
determination or a registry import (`apps.ReportsConfig.ready` connects those), and computed by a background
job (`tasks.recap_refresh_task`). Requests and runs are audited (`report.refresh`)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import actor_can, actor_in_scope
from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.core.actors import SYSTEM, is_system
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.regions.models import Region
from tepat.regions.selectors import is_within, region_get, region_within_q
from tepat.reports.figures import VILLAGE_LENGTH, candidate_lists, compute_figures
from tepat.reports.models import RecapFigure, RecapRun

log = logging.getLogger(__name__)


def recap_refresh_request(*, actor: Any, region_code: str, reason: str = "on_demand") -> RecapRun:
    """Ask for a new run of `region_code`'s recap (a person needs `reports.refresh` and the region in scope;
    the system may ask for any region). The run is computed by the background job after commit."""
    if not is_system(actor):
        if not actor_can(actor, Capability.REPORTS_REFRESH):
            raise PermissionDeniedError()
        if not actor_in_scope(actor, region_code):
            raise ObjectNotFound()
    if region_get(code=region_code) is None:
        raise ObjectNotFound()
    with transaction.atomic():
        run = RecapRun.objects.create(
            root_code=region_code, reason=reason, requested_by=None if is_system(actor) else actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.REPORT_REFRESH,
            target=run,
            region_code=region_code,
            data={"report": "region_recap", "run": run.pk, "reason": reason, "step": "requested"},
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from tepat.reports.tasks import recap_refresh_task

    recap_refresh_task.enqueue(run_id=run_id)


def recap_refresh_run(*, run_id: int) -> RecapRun:
    """Compute a requested run: every figure per village under its root, stored as cells in one
    transaction; older finished runs of the same root are dropped then. A failure marks the run failed
    (its error kept) and leaves the previous run in use."""
    run = RecapRun.objects.get(pk=run_id)
    if run.status != RecapRun.Status.PENDING:
        return run
    RecapRun.objects.filter(pk=run.pk).update(status=RecapRun.Status.RUNNING)
    started = time.perf_counter()
    try:
        now = timezone.now()
        root = run.root_code
        lists = candidate_lists(root)
        villages = list(
            Region.objects.filter(region_within_q(root), level=Region.Level.VILLAGE).values_list(
                "code", flat=True
            )
        )
        figures = compute_figures(root, VILLAGE_LENGTH, lists, child_codes=villages or [root], now=now)
        cells = [
            RecapFigure(run=run, region_code=code, key=key, value=value)
            for code, values in figures.items()
            for key, value in values.items()
            if value
        ]
        with transaction.atomic():
            RecapFigure.objects.bulk_create(cells, batch_size=5000)
            run.status, run.computed_at, run.cells = RecapRun.Status.DONE, now, len(cells)
            run.list_ids = [str(b.pk) for b in lists]
            run.seconds = time.perf_counter() - started
            run.save(update_fields=["status", "computed_at", "cells", "list_ids", "seconds"])
            old = (
                RecapRun.objects.filter(root_code=root, started_at__lt=run.started_at)
                .exclude(status__in=[RecapRun.Status.PENDING, RecapRun.Status.RUNNING])
                .exclude(pk=run.pk)
            )
            RecapFigure.objects.filter(run__in=old).delete()
            old.delete()
            audit_record(
                actor=SYSTEM,
                action=AuditAction.REPORT_REFRESH,
                target=run,
                region_code=root,
                data={
                    "report": "region_recap",
                    "run": run.pk,
                    "step": "computed",
                    "cells": len(cells),
                    "seconds": round(run.seconds, 2),
                    "computed_at": now.isoformat(),
                },
            )
    except Exception as exc:  # the job must not leave a run "running"; the previous run stays in use
        log.exception("recap run %s failed", run.pk)
        RecapRun.objects.filter(pk=run.pk).update(
            status=RecapRun.Status.FAILED, error=str(exc)[:2000], seconds=time.perf_counter() - started
        )
        run.refresh_from_db()
    return run


def refresh_after_change(*, region_code: str, reason: str) -> list[RecapRun]:
    """After a list approval, a determination or an import under `region_code` ("" = everywhere): a new run
    for every root that has a precomputed recap related to it, and for the district of `region_code`."""
    if not getattr(settings, "TEPAT_RECAP_AUTO_REFRESH", True):
        return []
    roots = set()
    for root in (
        RecapRun.objects.filter(status=RecapRun.Status.DONE).values_list("root_code", flat=True).distinct()
    ):
        if not region_code or is_within(root, region_code) or is_within(region_code, root):
            roots.add(root)
    if len(region_code) >= 5:
        roots.add(region_code[:5])
    pending = set(
        RecapRun.objects.filter(status=RecapRun.Status.PENDING, root_code__in=roots).values_list(
            "root_code", flat=True
        )
    )
    return [
        recap_refresh_request(actor=SYSTEM, region_code=root, reason=reason)
        for root in sorted(roots - pending)
        if region_get(code=root) is not None
    ]
