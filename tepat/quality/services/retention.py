"""Retention of uploads: import files, civil-registry extracts and external lists (full NIKs) are deleted
`TEPAT_UPLOAD_RETENTION_DAYS` after their job finished, failed jobs included; each deletion is audited.
`tepat purge-uploads` runs it (schedule it daily; `uploads_purge_task` is the same in the worker)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.quality.models import MatchRun
from tepat.registry.transfer.jobs import import_jobs_reap_stale
from tepat.registry.transfer.retention import import_files_purge, retention_days


def _run_files_purge(*, actor: Any, now: Any, days: int) -> int:
    cutoff = now - timedelta(days=days)
    due = MatchRun.objects.filter(status__in=[MatchRun.Status.DONE, MatchRun.Status.FAILED],
                                  options__has_key="stored", updated_at__lt=cutoff)
    purged = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            run = MatchRun.objects.select_for_update().get(pk=pk)
            options = dict(run.options or {})
            if options.get("purged_at"):
                continue
            if default_storage.exists(options["stored"]):
                default_storage.delete(options["stored"])
            options["purged_at"] = now.isoformat()
            MatchRun.objects.filter(pk=pk).update(options=options)
            audit_record(actor=actor, action=AuditAction.UPLOAD_PURGE, target=run, region_code=run.region_code,
                         data={"kind": "civil_extract" if run.kind == MatchRun.Kind.CIVIL_REGISTRY else "external_list",
                               "status": run.status})
            purged += 1
    return purged


def uploads_purge(*, actor: Any, now: Any = None, days: int | None = None) -> dict[str, int]:
    """Mark dead import jobs failed, then delete every upload past retention. Returns counts per kind."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    reaped = len(import_jobs_reap_stale(now=now))
    return {"stale_jobs_failed": reaped,
            "import_files": import_files_purge(actor=actor, now=now, days=days),
            "run_files": _run_files_purge(actor=actor, now=now, days=days)}
