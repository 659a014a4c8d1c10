"""Background job: a signed checkpoint of the audit chain head, outside the database.

`audit_checkpoint_task` writes one checkpoint and, when TEPAT_AUDIT_CHECKPOINT_INTERVAL_SECONDS is set,
puts the next run on the queue after that interval, so a running worker (`tepat db_worker`) keeps
checkpointing on its own once started with `tepat audit-checkpoint --enqueue`. Cron or a systemd timer
running `tepat audit-checkpoint` is the other way (docs/SECURITY.md).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from tepat.audit.services import audit_checkpoint
from tepat.core.actors import SYSTEM


@task()
def audit_checkpoint_task() -> dict:
    checkpoint = audit_checkpoint(actor=SYSTEM)
    interval = int(getattr(settings, "TEPAT_AUDIT_CHECKPOINT_INTERVAL_SECONDS", 0) or 0)
    if interval > 0:
        audit_checkpoint_task.using(run_after=timezone.now() + timedelta(seconds=interval)).enqueue()
    return {"seq": checkpoint.seq, "hash": checkpoint.hash, "line": checkpoint.line}
