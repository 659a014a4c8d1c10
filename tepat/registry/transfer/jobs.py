"""Import job status: every change in one place, from a transitions table, with the job row locked.

(The `rules` work brings a generic `transition()`; this is one function over one dict so that it can
be swapped for it.) A job whose worker died — the process is gone, or it showed no life for
`TEPAT_IMPORT_STALE_SECONDS` — is marked failed by `import_jobs_reap_stale`, which every start and
run of an import calls first, and the purge command too: a dead job never stays `running`. Its
batches stay committed, so starting the same import again continues it.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import InvalidTransition
from tepat.registry.models_transfer import ImportJob

S = ImportJob.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.RUNNING, S.FAILED}),
    S.RUNNING: frozenset({S.RUNNING, S.DONE, S.FAILED}),  # running → running: another runner takes over
    S.FAILED: frozenset({S.RUNNING}),  # a rerun continues a failed job
    S.DONE: frozenset(),
}
DEFAULT_STALE_SECONDS = 30 * 60


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def import_job_transition(job: ImportJob | Any, to: str, **fields: Any) -> ImportJob:
    """Move the job to `to` (refused unless the table allows it), setting `fields` in the same write."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=getattr(job, "pk", job))
        if to not in TRANSITIONS[locked.status]:
            raise InvalidTransition(
                f"status impor tidak dapat berubah dari '{locked.status}' ke '{to}' / "
                f"an import cannot go from '{locked.status}' to '{to}'")
        locked.status = to
        now = timezone.now()
        if to == S.RUNNING:
            fields = {"worker": this_worker(), "heartbeat_at": now, **fields}
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "updated_at", *fields])
        return locked


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
                locked, S.FAILED, finished_at=now,
                error=f"{reason_id}; unggah berkas yang sama lagi untuk melanjutkan / "
                      f"{reason_en}; upload the same file again to continue",
            )
            audit_record(actor=SYSTEM, action=AuditAction.REGISTRY_IMPORT_FAIL, target=locked,
                         region_code=locked.region_code,
                         data={"reason": "worker_gone" if gone else "stale", "worker": job.worker,
                               "batches_done": locked.batches_done})
        reaped.append(locked)
    return reaped
