"""Background jobs of targeting (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.targeting.models import PmtWeightSet
from tepat.targeting.services import desil_import_run, pmt_estimate_store


@task()
def desil_import_task(release_id: str, actor_id: int | None = None) -> dict[str, Any]:
    """Run an uploaded desil file's import (`desil_import_start` created the release `importing`)."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else SYSTEM
    release = desil_import_run(actor=actor, release_id=release_id)
    return {"release_id": str(release.pk), "status": release.status, "families": release.family_count}


@task()
def pmt_estimate_task(weight_set_id: str, actor_id: int | None = None) -> dict[str, Any]:
    """Compute and store a new weights version's local estimate (`pmt_weight_set_create(estimate_now=False)`)."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else SYSTEM
    weight_set = pmt_estimate_store(actor=actor, weight_set=PmtWeightSet.objects.get(pk=weight_set_id))
    return {"weight_set_id": str(weight_set.pk), "families": weight_set.estimated_families}
