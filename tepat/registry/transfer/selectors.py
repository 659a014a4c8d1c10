"""Reads of import jobs for pages and the API: a job is seen by the person who started it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.registry.models_transfer import ImportIssue, ImportJob


def import_jobs_of(*, actor: Any) -> QuerySet[ImportJob]:
    """The actor's own import jobs, newest first."""
    ensure_capability(actor=actor, capability=Capability.REGISTRY_EDIT)
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
