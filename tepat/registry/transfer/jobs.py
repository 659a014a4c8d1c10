"""Import job status: every change goes through the one mechanism, `tepat.audit.transitions.transition()`,
with the table `IMPORT_JOB_TRANSITIONS` of `tepat/registry/transitions.py` (ADR 0014): the row is locked,
a move the table does not allow is refused, and each move is an audit event (`registry.import_start`,
`registry.import_finish`, `registry.import_fail`) in the same transaction.

A job whose worker died — the process is gone, or it showed no life for `TEPAT_IMPORT_STALE_SECONDS` — is
marked failed by `import_jobs_reap_stale`, which every start and run of an import calls first, and the
purge command too: a dead job never stays `running`. Its batches stay committed, so starting the same
import again continues it (`start` is allowed from pending, running and failed).
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tepat.audit.transitions import lock, transition
from tepat.core.actors import SYSTEM
from tepat.registry.models_transfer import ImportJob

S = ImportJob.Status
DEFAULT_STALE_SECONDS = 30 * 60


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def import_job_transition(job: ImportJob | Any, name: str, *, actor: Any, data: dict[str, Any] | None = None,
                          **fields: Any) -> ImportJob:
    """Move the job along its table (`start`, `finish`, `fail`), setting `fields` in the same write, in
    its own transaction (committed at once: a kill right after leaves the status on disk)."""
    with transaction.atomic():
        locked = lock(job if isinstance(job, ImportJob) else ImportJob(pk=job))
        if name == "start":
            fields = {"worker": this_worker(), "heartbeat_at": timezone.now(), **fields}
        return transition(locked, name, actor=actor, region_code=locked.region_code, updates=fields,
                          data=data, locked=True)


def import_job_heartbeat(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk, status=S.RUNNING).update(heartbeat_at=timezone.now())


def _stale_seconds() -> int:
    return int(getattr(settings, "TEPAT_IMPORT_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def _process_gone(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def import_jobs_reap_stale(*, now: Any = None) -> list[ImportJob]:
    """Mark failed every running job whose worker is gone (same host, process ended) or silent for too
    long; each is recorded in the audit trail. Returns the jobs marked."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=_stale_seconds())
    reaped = []
    for job in ImportJob.objects.filter(status=S.RUNNING).only("pk", "worker", "heartbeat_at", "updated_at"):
        last = job.heartbeat_at or job.updated_at
        gone = _process_gone(job.worker) if job.worker else False
        if not gone and last and last >= limit:
            continue
        reason_id, reason_en = (("proses pekerja berhenti", "the worker process ended") if gone else
                                (f"pekerja tidak memberi tanda hidup sejak {last:%Y-%m-%d %H:%M} UTC",
                                 f"the worker showed no life since {last:%Y-%m-%d %H:%M} UTC"))
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != S.RUNNING or (locked.heartbeat_at or locked.updated_at) != last:
                continue  # it moved on meanwhile
            locked = import_job_transition(
                locked, "fail", actor=SYSTEM, finished_at=now,
                error=f"{reason_id}; unggah berkas yang sama lagi untuk melanjutkan / "
                      f"{reason_en}; upload the same file again to continue",
                data={"reason": "worker_gone" if gone else "stale", "worker": job.worker,
                      "batches_done": locked.batches_done},
            )
        reaped.append(locked)
    return reaped
