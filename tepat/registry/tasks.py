"""Background jobs of the registry (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.registry.transfer.importer import import_summary, registry_import_run


@task()
def registry_import_task(job_id: str, actor_id: int | None = None) -> dict[str, Any]:
    """Run (or continue) an import job; the page polls the job row for progress.

    Enqueue after `registry_import_start(...)`: `registry_import_task.enqueue(job_id=str(job.pk),
    actor_id=user.pk)`. A worker that dies half-way leaves the job resumable: enqueue it again."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else SYSTEM
    return import_summary(registry_import_run(actor=actor, job_id=job_id))


@task()
def registry_export_task(job_id: str) -> dict[str, Any]:
    """Write an export job's file; the page polls the job row for progress. Enqueue after
    `registry_export_start(...)` has committed: `registry_export_task.enqueue(job_id=str(job.pk))`."""
    from tepat.registry.transfer.export_jobs import registry_export_run

    job = registry_export_run(actor=SYSTEM, job_id=job_id)
    return {"status": job.status, "rows": job.rows}
