"""Jobs of a worker that died (kill -9, out of memory, the machine lost power) fail cleanly.

django-tasks' database backend leaves such a task RUNNING for ever, and the job row it drives (an export,
a duplicates or civil-registry run) stays "running". When `tepat worker` starts it calls
`tasks_recover_orphans`: a RUNNING task whose worker is dead — its heartbeat row names a process on this
machine that no longer exists, or the heartbeat is older than TEPAT_WORKER_STALE_SECONDS, or there is none —
is marked FAILED, and its job moves to "failed" through the job's own transitions table (audited). Nothing
half-written stays: an export writes its file only at the end, a duplicates run stores its pairs and flags
in one transaction, so the killed attempt left no rows; a rerun (a new job) completes the work.

Jobs that resume are failed the same way, and keep what they committed: an import keeps its committed
batches (the same job continues when run again, `start` is allowed from failed); a determination stays
`determining` with the error recorded, which is what lets the period page offer "resume" (without it a
killed run could never be resumed: the resume rule wants a stopped run); a beneficiary list writes in one
transaction, so the killed one is failed with nothing written and is determined again as a new list.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tepat.core.actors import SYSTEM
from tepat.ops.health import stale_seconds
from tepat.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
DIED = "the worker running this task stopped without finishing it (killed or crashed)"
ERROR = "worker berhenti di tengah tugas / the worker stopped in the middle of the job"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def worker_alive(worker_id: str, *, now=None) -> bool:
    now = now or timezone.now()
    beat = WorkerHeartbeat.objects.filter(worker_id=worker_id).first()
    if beat is None:
        return False
    if beat.hostname == socket.gethostname()[:255] and not _process_alive(beat.pid):
        return False
    return now - beat.last_seen <= timedelta(seconds=stale_seconds())


def _fail_export(kwargs: dict) -> str | None:
    from tepat.audit.transitions import transition
    from tepat.registry.models import ExportJob

    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=kwargs.get("job_id")).first()
        if job is None or job.status not in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING):
            return None
        transition(job, "fail", actor=SYSTEM, region_code=job.region_code,
                   updates={"error": "WorkerDied", "finished_at": timezone.now()}, data={"error": "WorkerDied"})
    return f"registry export {job.pk}"


def _fail_run(kwargs: dict) -> str | None:
    from tepat.audit.transitions import transition
    from tepat.quality.models import MatchRun

    with transaction.atomic():
        run = MatchRun.objects.select_for_update().filter(pk=kwargs.get("run_id")).first()
        if run is None or run.status not in (MatchRun.Status.PENDING, MatchRun.Status.RUNNING):
            return None
        transition(run, "fail", actor=SYSTEM, region_code=run.region_code,
                   updates={"error": ERROR, "finished_at": timezone.now()},
                   data={"kind": run.kind, "error": "WorkerDied"})
    return f"{run.kind} run {run.pk}"


def _fail_import(kwargs: dict) -> str | None:
    from tepat.registry.models_transfer import ImportJob
    from tepat.registry.transfer.jobs import import_job_transition

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=kwargs.get("job_id")).first()
        if job is None or job.status != ImportJob.Status.RUNNING:
            return None  # pending: never started; done/failed: nothing to do
        import_job_transition(job, "fail", actor=SYSTEM, finished_at=timezone.now(),
                              error=f"{ERROR}; jalankan lagi untuk melanjutkan / run it again to continue",
                              data={"reason": "worker_gone", "worker": job.worker, "batches_done": job.batches_done})
    return f"registry import {job.pk} (batches done: {job.batches_done})"


def _fail_determination(kwargs: dict) -> str | None:
    from tepat.updates.models import DeterminationPeriod
    from tepat.updates.services.determination import period_determine_fail

    period = DeterminationPeriod.objects.filter(pk=kwargs.get("period_id")).first()
    if period is None or period.status != DeterminationPeriod.Status.DETERMINING:
        return None
    period_determine_fail(actor=SYSTEM, period_id=period.pk, error=ERROR)  # stays determining: resumable
    return f"determination {period.pk} (applied {period.applied_count}, frozen {period.frozen_count})"


def _fail_list(kwargs: dict) -> str | None:
    from tepat.audit.transitions import transition
    from tepat.programs.models import BeneficiaryList

    with transaction.atomic():
        blist = BeneficiaryList.objects.select_for_update().filter(pk=kwargs.get("list_id")).first()
        if blist is None or blist.status != BeneficiaryList.Status.DETERMINING:
            return None
        transition(blist, "fail", actor=SYSTEM, region_code=blist.region_code, locked=True,
                   updates={"error": "WorkerDied"}, data={"error": "WorkerDied"})
    return f"beneficiary list {blist.pk}"


JOB_FAILERS: dict[str, Callable[[dict], str | None]] = {
    "tepat.registry.tasks.registry_import_task": _fail_import,
    "tepat.updates.tasks.period_determine_task": _fail_determination,
    "tepat.programs.tasks.list_determine_task": _fail_list,
    "tepat.registry.tasks.registry_export_task": _fail_export,
    "tepat.quality.tasks.duplicates_task": _fail_run,
    "tepat.quality.tasks.civil_match_task": _fail_run,
    "tepat.quality.tasks.external_list_task": _fail_run,
}


def tasks_recover_orphans(*, now: Any = None) -> list[str]:
    """Fail the RUNNING tasks of dead workers and their jobs; returns what was failed (for the log)."""
    now = now or timezone.now()
    recovered = []
    for task_result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker_id = task_result.worker_ids[-1] if task_result.worker_ids else ""
        if worker_id and worker_alive(worker_id, now=now):
            continue
        failer = JOB_FAILERS.get(task_result.task_path)
        job = failer((task_result.args_kwargs or {}).get("kwargs") or {}) if failer else None
        updated = DBTaskResult.objects.filter(pk=task_result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
            exception_class_path="tepat.ops.recovery.WorkerDied", traceback=DIED)
        if updated:
            recovered.append(f"task {task_result.pk} ({task_result.task_path})" + (f": {job} failed" if job else ""))
    for line in recovered:
        logger.warning("Recovered after a dead worker: %s", line)
    return recovered
