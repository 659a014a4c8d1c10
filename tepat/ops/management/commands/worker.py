"""`tepat worker`: django-tasks' database worker (`db_worker`, same options) with a heartbeat row that
/healthz reads. `tepat serve` runs it as a supervised child process."""

import contextlib

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from tepat.ops.health import HeartbeatThread, heartbeats_prune
from tepat.ops.recovery import tasks_recover_orphans


class Command(DbWorkerCommand):
    help = ("Run the background-job worker (django-tasks db_worker) with a heartbeat for /healthz. "
            "/ Jalankan worker tugas latar dengan detak untuk /healthz.")

    def handle(self, *args, **options):
        heartbeat = HeartbeatThread(options["worker_id"])
        heartbeat.beat()  # visible at once, before the first task starts
        heartbeat.start()
        for line in tasks_recover_orphans():  # jobs of a worker that was killed: failed cleanly, rerun-able
            self.stderr.write(f"recovered: {line}")
        with contextlib.suppress(Exception):
            heartbeats_prune()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
