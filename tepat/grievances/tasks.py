"""Background job: recompute the SLA state of every open case and escalate (services.sla.sla_recompute).

`sla_recompute_task` runs once and, when TEPAT_GRIEVANCES_SLA_INTERVAL_SECONDS is set (e.g. 3600), puts its
next run on the queue after that interval, so a running worker (`tepat db_worker`) keeps the states fresh once
started with `tepat grievances-sla --enqueue`. Cron or a systemd timer running `tepat grievances-sla` is the
other way.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from tepat.core.actors import SYSTEM
from tepat.grievances.services.sla import sla_recompute


@task()
def sla_recompute_task() -> dict:
    result = sla_recompute(actor=SYSTEM)
    interval = int(getattr(settings, "TEPAT_GRIEVANCES_SLA_INTERVAL_SECONDS", 0) or 0)
    if interval > 0:
        sla_recompute_task.using(run_after=timezone.now() + timedelta(seconds=interval)).enqueue()
    return {"checked": result.checked, "changed": result.changed, "escalated": result.escalated,
            "by_state": dict(result.by_state)}
