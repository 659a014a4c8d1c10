"""Background jobs of the workflow (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.updates.services.determination import period_determine_fail, period_determine_run


@task()
def period_determine_task(period_id: str, actor_id: int | None = None) -> dict[str, Any]:
    """Run (or resume) a determination started with `period_determine_start`; the page polls the period row.
    A worker that dies half-way leaves it resumable: enqueue it again."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else SYSTEM
    try:
        period = period_determine_run(actor=actor, period_id=period_id)
    except Exception as exc:
        period_determine_fail(actor=actor, period_id=period_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return {"period": str(period.pk), "status": period.status, "applied": period.applied_count,
            "held": period.held_count, "families": period.family_count}
