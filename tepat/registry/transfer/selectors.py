"""Reads of import jobs for pages and the API: a job is seen by the person who started it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.core.exceptions import ObjectNotFound
from tepat.registry.models_transfer import ImportIssue, ImportJob
from tepat.registry.transfer.report import render_report


def import_jobs_of(*, actor: Any) -> QuerySet[ImportJob]:
    """The actor's own import jobs, newest first."""
    ensure_capability(actor=actor, capability=Capability.REGISTRY_IMPORT)
    return ImportJob.objects.filter(actor=actor).order_by("-created_at")


def access_import_job(*, actor: Any, job_id: Any) -> ImportJob:
    """The job if it is the actor's own; otherwise not found."""
    try:
        return import_jobs_of(actor=actor).get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc


def import_job_issues(*, actor: Any, job_id: Any, severity: str = "") -> QuerySet[ImportIssue]:
    """The job's problems in row order (errors and warnings, or one of them)."""
    issues = access_import_job(actor=actor, job_id=job_id).issues.order_by("row", "id")
    return issues.filter(severity=severity) if severity else issues


def import_report_download(*, actor: Any, job_id: Any, fmt: str) -> tuple[ImportJob, bytes]:
    """The job's row-level report for download. It holds NIKs, names and values from the file, so each
    download is recorded as an export of personal data."""
    job = access_import_job(actor=actor, job_id=job_id)
    content = render_report(job, fmt)
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.export", target=job, region_code=job.region_code,
                     data={"kind": "import_report", "format": fmt, "issues": job.issues.count()})
    return job, content
