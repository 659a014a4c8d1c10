"""Retention of uploaded import files (UU 27/2022: deleted when the purpose ends).

An uploaded file (kept in the default storage) is deleted `TEPAT_UPLOAD_RETENTION_DAYS` days after its
job finished — done or failed — each deletion one `upload.purge` event. The job, its counts and its
problem list stay; a file given on the command line belongs to the operator and is not touched.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.registry.models_transfer import ImportJob

DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    return int(getattr(settings, "TEPAT_UPLOAD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def import_files_purge(*, actor: Any, now: Any = None, days: int | None = None) -> int:
    """Delete the stored files of finished import jobs past retention; returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    due = ImportJob.objects.filter(
        file_stored=True, file_purged_at__isnull=True, updated_at__lt=cutoff,
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED],
    ).values_list("pk", flat=True)
    purged = 0
    for pk in list(due):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=pk)
            if job.file_purged_at is not None:
                continue
            # Another unpurged job may share the file (same content): it is deleted with the last one.
            shared = ImportJob.objects.filter(file_path=job.file_path, file_stored=True,
                                              file_purged_at__isnull=True).exclude(pk=job.pk)
            keep = shared.filter(updated_at__gte=cutoff).exists() or shared.exclude(
                status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED]).exists()
            if not keep and default_storage.exists(job.file_path):
                default_storage.delete(job.file_path)
            job.file_purged_at = now
            job.save(update_fields=["file_purged_at", "updated_at"])
            audit_record(actor=actor, action=AuditAction.UPLOAD_PURGE, target=job, region_code=job.region_code,
                         data={"kind": "registry_import", "status": job.status, "sha256": job.file_sha256,
                               "size": job.file_size, "shared_kept": keep})
            purged += 1
    return purged
