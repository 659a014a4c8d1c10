"""A worker killed (kill -9) in the middle of an export job or a duplicates run: the state it leaves is a task
RUNNING for ever and a job "running" for ever. The next `tepat worker` fails both cleanly (audited), a task
of a live worker is left alone, and a rerun completes the work with no duplicate rows.

The state after the kill is built here as the worker leaves it (the task claimed by a worker whose process
is gone, the job moved to running, nothing else written: the export writes its file at the end and the
duplicates run stores pairs and flags in one transaction); `test_serve_smoke` kills a real worker process."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import date

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import DISTRICT, KECAMATAN, VILLAGE, assert_audited
from tepat.audit.transitions import transition
from tepat.core.actors import SYSTEM
from tepat.ops.models import WorkerHeartbeat
from tepat.ops.recovery import tasks_recover_orphans
from tepat.quality.models import CandidatePair, Flag, MatchRun
from tepat.quality.services.runs import duplicates_run, run_create
from tepat.quality.tests.factories import raw_family, raw_member
from tepat.registry.models import ExportJob
from tepat.registry.transfer.export_jobs import registry_export_run, registry_export_start

pytestmark = pytest.mark.django_db


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _worker(worker_id: str, pid: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id=worker_id, hostname=socket.gethostname()[:255], pid=pid,
                                   started_at=now, last_seen=now)


def _claimed_task(task_path: str, worker_id: str, **kwargs) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [], "kwargs": kwargs}, task_path=task_path,
        worker_ids=[worker_id], queue_name="default", backend_name="default", run_after=now, started_at=now,
        exception_class_path="", traceback="")


def test_killed_export_fails_cleanly_and_a_rerun_completes(family, dinsos_operator):
    reference = registry_export_run(actor=SYSTEM, job_id=registry_export_start(
        actor=dinsos_operator, region_code=DISTRICT, fmt="csv").pk)
    assert reference.status == ExportJob.Status.DONE and reference.rows == 3

    killed = registry_export_start(actor=dinsos_operator, region_code=DISTRICT, fmt="csv")
    killed = transition(killed, "run", actor=SYSTEM, region_code=DISTRICT, updates={"started_at": timezone.now()})
    _worker("dead-worker", _dead_pid())
    task = _claimed_task("tepat.registry.tasks.registry_export_task", "dead-worker", job_id=str(killed.pk))
    _worker("live-worker", os.getpid())
    busy = _claimed_task("tepat.registry.tasks.registry_export_task", "live-worker", job_id="00000000-0000-0000-0000-000000000000")

    recovered = tasks_recover_orphans()

    assert len(recovered) == 1 and str(killed.pk) in recovered[0]
    task.refresh_from_db()
    busy.refresh_from_db()
    killed.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.exception_class_path.endswith("WorkerDied")
    assert busy.status == TaskResultStatus.RUNNING  # a live worker's task is not touched
    assert killed.status == ExportJob.Status.FAILED and killed.error == "WorkerDied" and not killed.file_name
    assert_audited("registry.export_fail", actor=SYSTEM, target=killed)
    assert tasks_recover_orphans() == []  # once

    rerun = registry_export_run(actor=SYSTEM, job_id=registry_export_start(
        actor=dinsos_operator, region_code=DISTRICT, fmt="csv").pk)
    assert rerun.status == ExportJob.Status.DONE
    assert (rerun.rows, rerun.families_done) == (reference.rows, reference.families_done)


def test_killed_duplicates_run_fails_cleanly_and_a_rerun_adds_no_duplicate_rows(family, dinsos_operator):
    head = family.members.order_by("relation").first()
    raw_member(raw_family(region=VILLAGE), name=head.name, born=head.birth_date, nik=head.nik)  # same NIK twice
    raw_member(raw_family(region=VILLAGE), name="Siti Aminah", born=date(1979, 4, 2), sex=2)
    raw_member(raw_family(region=VILLAGE), name="SITI AMINAH", born=date(1979, 4, 2), sex=2, nik="")

    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code=KECAMATAN)
    run = transition(run, "start", actor=dinsos_operator, region_code=KECAMATAN,
                     updates={"started_at": timezone.now()}, data={"kind": run.kind})
    _worker("dead-worker", _dead_pid())
    task = _claimed_task("tepat.quality.tasks.duplicates_task", "dead-worker", run_id=str(run.pk))

    recovered = tasks_recover_orphans()

    assert len(recovered) == 1
    run.refresh_from_db()
    task.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED and "worker" in run.error
    assert task.status == TaskResultStatus.FAILED
    assert_audited("quality.run_fail", actor=SYSTEM, target=run)
    assert not CandidatePair.objects.filter(run=run).exists()
    assert not Flag.objects.exists()

    first = duplicates_run(actor=dinsos_operator, run=run_create(
        actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code=KECAMATAN))
    assert first.status == MatchRun.Status.DONE
    flags = sorted(Flag.objects.values_list("fingerprint", flat=True))
    assert flags and len(flags) == len(set(flags))
    assert CandidatePair.objects.filter(run=first, kind="nik_two_families").exists()

    again = duplicates_run(actor=dinsos_operator, run=run_create(
        actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code=KECAMATAN))
    assert again.status == MatchRun.Status.DONE
    assert sorted(Flag.objects.values_list("fingerprint", flat=True)) == flags  # no flag raised twice


def test_task_of_a_worker_without_heartbeat_is_failed_and_unknown_tasks_only_marked():
    task = _claimed_task("tepat.some.other_task", "gone-worker")
    assert len(tasks_recover_orphans()) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
