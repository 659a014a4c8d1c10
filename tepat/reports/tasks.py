"""Background jobs of the reports app (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tepat.reports.precompute import recap_refresh_run


@task()
def recap_refresh_task(run_id: int) -> dict[str, Any]:
    """Compute a requested recap run (`precompute.recap_refresh_request` enqueues it after commit)."""
    run = recap_refresh_run(run_id=run_id)
    return {"run": run.pk, "status": run.status, "cells": run.cells, "seconds": run.seconds}
