"""Background jobs of targeting (django-tasks; the database backend in production)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.targeting.services import desil_import_run


@task()
def desil_import_task(release_id: str, actor_id: int | None = None) -> dict[str, Any]:
    """Run an uploaded desil file's import (`desil_import_start` created the release `importing`)."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else SYSTEM
    release = desil_import_run(actor=actor, release_id=release_id)
    return {"release_id": str(release.pk), "status": release.status, "families": release.family_count}
