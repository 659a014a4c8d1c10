"""The registry export as a background job (issue 9 item 12): a district's XLSX takes ~20 s, so the page
starts a job, polls its progress and offers the file when it is done.

`registry_export_start` checks and records the request (`registry.export_start`) in the request;
`registry_export_run` (the worker, `registry_export_task`) moves the job through its transitions table
(`run`, `finish` or `fail`), writes the file with `registry_export` (masked for the asking actor and audited
as `registry.export`, as from the command line) into the default storage, counting families as it goes.
Each download of the finished file is an export of personal data: `personal_data.export`. A job and its file
are shown only to the person who asked (404 for anyone else, as import jobs).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tepat.accounts.access import ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.exceptions import ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.regions.selectors import region_within_q
from tepat.registry import choices as c
from tepat.registry.models import ExportJob, Family
from tepat.registry.transfer.exporter import FORMATS, registry_export
from tepat.registry.transfer.presets import PRESETS

S = ExportJob.Status


@transaction.atomic
def registry_export_start(*, actor: Any, region_code: str, fmt: str = "xlsx", preset: str = "siks") -> ExportJob:
    """Record the request and return the pending job; the caller enqueues `registry_export_task` on commit."""
    ensure_permission(actor=actor, capability=Capability.REGISTRY_EXPORT, region_code=region_code)
    issues: list[Issue] = []
    if fmt not in FORMATS:
        issues.append(Issue("format", "format", f"format '{fmt}' tidak dikenal (csv, xlsx)",
                            f"unknown format '{fmt}' (csv, xlsx)"))
    if preset not in PRESETS:
        issues.append(Issue("preset", "preset", f"susunan kolom '{preset}' tidak dikenal",
                            f"unknown column layout '{preset}'"))
    if not Region.objects.filter(code=region_code).exists():
        issues.append(Issue("region", "region", f"wilayah '{region_code}' tidak dikenal",
                            f"region '{region_code}' is unknown"))
    if issues:
        raise ValidationFailed(issues)
    total = Family.objects.filter(region_within_q(region_code, "region__code"), status=c.FamilyStatus.ACTIVE).count()
    job = ExportJob.objects.create(actor=actor, region_code=region_code, fmt=fmt, preset=preset,
                                   families_total=total)
    audit_record(actor=actor, action="registry.export_start", target=job, region_code=region_code,
                 data={"region": region_code, "format": fmt, "preset": preset, "families": total})
    return job


def _progress(job_id: Any):
    def report(families: int) -> None:  # a counter, not a status: a plain update, committed at once
        ExportJob.objects.filter(pk=job_id).update(families_done=families, updated_at=timezone.now())
    return report


def registry_export_run(*, actor: Any, job_id: Any) -> ExportJob:
    """Write the job's file (the worker). The export is made for the person who asked, with their masking."""
    job = ExportJob.objects.select_related("actor").get(pk=job_id)
    if job.status != S.PENDING:
        return job
    asker = job.actor
    with transaction.atomic():
        job = transition(job, "run", actor=actor, region_code=job.region_code,
                         updates={"started_at": timezone.now()})
    try:
        with tempfile.TemporaryFile() as handle:
            result = registry_export(actor=asker, region_code=job.region_code, out=handle, fmt=job.fmt,
                                     preset=job.preset, progress=_progress(job.pk))
            handle.seek(0)
            name = default_storage.save(f"exports/{job.pk}.{job.fmt}", File(handle))
    except Exception as exc:
        with transaction.atomic():
            return transition(job, "fail", actor=actor, region_code=job.region_code,
                              updates={"error": type(exc).__name__, "finished_at": timezone.now()},
                              data={"error": type(exc).__name__})
    with transaction.atomic():
        return transition(job, "finish", actor=actor, region_code=job.region_code,
                          updates={"file_name": name, "rows": result.rows, "families_done": result.families,
                                   "masked": result.masked, "finished_at": timezone.now()},
                          data={"rows": result.rows, "families": result.families, "masked": result.masked})


def export_jobs_of(*, actor: Any) -> QuerySet[ExportJob]:
    if not getattr(actor, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(actor=actor)


def access_export_job(*, actor: Any, job_id: Any) -> ExportJob:
    """The job if it is the actor's own (and they may still export its region); otherwise not found. Without
    the export capability: 403, as the export page."""
    ensure_capability(actor=actor, capability=Capability.REGISTRY_EXPORT)
    try:
        job = export_jobs_of(actor=actor).get(pk=job_id)
    except (ExportJob.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc
    ensure_permission(actor=actor, capability=Capability.REGISTRY_EXPORT, region_code=job.region_code)
    return job


def export_job_download(*, actor: Any, job_id: Any) -> tuple[ExportJob, Any]:
    """The finished file, opened; each download is recorded as an export of personal data."""
    job = access_export_job(actor=actor, job_id=job_id)
    if job.status != S.DONE or not job.file_name:
        raise ObjectNotFound()
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.export", target=job, region_code=job.region_code,
                     data={"kind": "registry_export", "format": job.fmt, "rows": job.rows, "masked": job.masked})
    return job, default_storage.open(job.file_name, "rb")
