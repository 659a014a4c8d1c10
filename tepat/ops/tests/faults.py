"""The one place of the fault tests' machinery: a real `tepat worker` process on the test's PostgreSQL
database, killed with SIGKILL at a point the test sees by polling the job's progress, then started again.

    worker = Worker(tmp_path, "w1").start()
    wait_for(lambda: job_row().batches_done >= 2, worker, "two batches committed")
    worker.kill()                       # kill -9, in the middle of the job
    restarted = run_worker(tmp_path, "w2")   # the restart: recovery at start, then the queue until empty

The test process enqueues with the same database backend (`enqueue`), so the test needs `django_db(transaction=True)`: the worker sees only committed rows. The worker's settings are
`tepat.ops.tests.worker_settings`. PostgreSQL only: the SQLite test database lives in the test process's
memory, where no other process can reach it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]
WORKER_SETTINGS = "tepat.ops.tests.worker_settings"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
POSTGRES_ONLY = pytest.mark.skipif(
    not os.environ.get("TEPAT_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="real worker processes on the test database: PostgreSQL pass of make test (SQLite's is in memory)",
)


def enqueue(task: Any, **kwargs: Any) -> Any:
    """Enqueue for the worker processes (the test settings' backend runs tasks at once, in the test)."""
    with override_settings(TASKS=DB_TASKS):
        return task.enqueue(**kwargs)


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_… database)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "TEPAT_TEST_DATABASE_URL"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
            "TEPAT_TEST_DATABASE_URL": database_url(),
            "TEPAT_MEDIA_ROOT": str(tmp_path / "media"),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return environment


class Worker:
    """One `tepat worker` process; its output goes to files under tmp_path (shown when a wait fails)."""

    def __init__(self, tmp_path: Path, worker_id: str, *args: str, **env: str) -> None:
        self.tmp_path, self.worker_id, self.args, self.env = tmp_path, worker_id, args, env
        self.log = tmp_path / f"{worker_id}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tepat",
                    "worker",
                    "--worker-id",
                    self.worker_id,
                    "--interval",
                    "0.05",
                    "--no-startup-delay",
                    *self.args,
                ],
                cwd=ROOT,
                env=worker_env(self.tmp_path, **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9: no handler runs, no transaction is rolled back by the process itself."""
        assert self.alive(), f"the worker ended before the kill:\n{self.output()[-3000:]}"
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL

    def wait(self, timeout: float = 240) -> str:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(
                f"worker {self.worker_id} did not finish in {timeout} s:\n{self.output()[-3000:]}"
            ) from None
        assert code == 0, f"worker {self.worker_id} exited {code}:\n{self.output()[-3000:]}"
        return self.output()

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait(timeout=30)


def run_worker(tmp_path: Path, worker_id: str, timeout: float = 240) -> str:
    """Start a worker that recovers the dead worker's tasks, runs the queue until it is empty and exits
    (`--batch`); returns its output (the recovered tasks are logged as `recovered: …`)."""
    return Worker(tmp_path, worker_id, "--batch").start().wait(timeout)


def wait_for(predicate: Callable[[], Any], worker: Worker, what: str, timeout: float = 120) -> Any:
    """Poll `predicate` (a read of the job's progress) until it is true; fail naming `what` if the worker
    ends or the time runs out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if not worker.alive():
            raise AssertionError(f"the worker ended before {what}:\n{worker.output()[-3000:]}")
        time.sleep(0.02)
    raise AssertionError(f"no {what} within {timeout} s:\n{worker.output()[-3000:]}")


def kill_when(worker: Worker, predicate: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """Wait until the job is at the point `predicate` detects, then kill -9 the worker there."""
    value = wait_for(predicate, worker, what, timeout)
    worker.kill()
    return value
