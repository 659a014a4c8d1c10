"""Health checks for /healthz and `tepat serve`: the database answers, every migration is applied, a
background worker showed life recently. Cheap (a few indexed queries), no personal data in the answer."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

DEFAULT_HEARTBEAT_SECONDS = 10
DEFAULT_STALE_SECONDS = 60


def heartbeat_seconds() -> int:
    return int(getattr(settings, "TEPAT_WORKER_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS))


def stale_seconds() -> int:
    return int(getattr(settings, "TEPAT_WORKER_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations on disk that the database has not applied ("app.name"), in the order migrate would run them."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@dataclass
class HealthReport:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_json(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "checks": self.checks}


def health_check(*, now=None) -> HealthReport:
    """Database reachable, migrations applied, a worker heartbeat within TEPAT_WORKER_STALE_SECONDS."""
    from django_tasks_db.models import DBTaskResult

    from tepat.ops.models import WorkerHeartbeat

    report = HealthReport()
    now = now or timezone.now()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        report.checks["database"] = {"ok": False, "error": type(exc).__name__}
        report.checks["migrations"] = {"ok": False, "error": "database unreachable"}
        report.checks["worker"] = {"ok": False, "error": "database unreachable"}
        return report
    report.checks["database"] = {"ok": True, "vendor": connections[DEFAULT_DB_ALIAS].vendor}
    try:
        pending = unapplied_migrations()
        report.checks["migrations"] = {"ok": not pending, "unapplied": len(pending)}
    except Exception as exc:
        report.checks["migrations"] = {"ok": False, "error": type(exc).__name__}
    try:
        last = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
        age = (now - last).total_seconds() if last else None
        worker = {"ok": age is not None and age <= stale_seconds(),
                  "last_seen_seconds_ago": round(age, 1) if age is not None else None,
                  "stale_after_seconds": stale_seconds()}
        oldest_ready = DBTaskResult.objects.ready().order_by("run_after").values_list("run_after", flat=True).first()
        worker["oldest_waiting_task_seconds"] = round((now - oldest_ready).total_seconds(), 1) if oldest_ready else 0
        report.checks["worker"] = worker
    except Exception as exc:
        report.checks["worker"] = {"ok": False, "error": type(exc).__name__}
    return report


class HeartbeatThread(threading.Thread):
    """Touches this process's WorkerHeartbeat row every TEPAT_WORKER_HEARTBEAT_SECONDS until stopped.

    A thread, so that a long job (an import of a million rows) does not make the worker look dead; it shows
    that the process lives, not that a job progresses (jobs keep their own heartbeat, e.g. ImportJob)."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="tepat-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stop_event = threading.Event()
        self.started_at = timezone.now()

    def beat(self) -> None:
        from tepat.ops.models import WorkerHeartbeat

        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": self.started_at,
                      "last_seen": timezone.now()},
        )

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                # A locked SQLite file or a dropped connection: try again next time.
                with contextlib.suppress(Exception):
                    close_old_connections()  # this thread's own connection: dropped ones are reopened
                    self.beat()
                self.stop_event.wait(heartbeat_seconds())
        finally:
            connections.close_all()

    def stop(self) -> None:
        from tepat.ops.models import WorkerHeartbeat

        self.stop_event.set()
        if self.ident is not None:
            self.join(timeout=5)
        with contextlib.suppress(Exception):
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def heartbeats_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Rows of workers gone for a day (killed without a clean stop)."""
    from tepat.ops.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - older_than).delete()[0]
