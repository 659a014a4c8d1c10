"""Background jobs of invitations (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tepat.distribution.invitations.services import invitation_print_job_run


@task()
def invitation_print_task(job_id: str) -> dict[str, Any]:
    """Print a region's invitations (`invitation_print_job_start` created the job and enqueues this)."""
    job = invitation_print_job_run(job_id=job_id)
    return {"job_id": str(job.pk), "status": job.status, "invitations": job.invitations}
