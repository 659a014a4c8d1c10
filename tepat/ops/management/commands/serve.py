"""`tepat serve`: the production server, started one way.

Refuses to start while a migration is unapplied; collects the static files; then runs gunicorn (the web
server, `2 x cores + 1` sync workers unless told otherwise, bound to TEPAT_BIND) and `tepat worker` (the
background-job worker) as child processes, restarts the worker if it dies, and on SIGTERM/SIGINT stops
both cleanly (SIGTERM, then SIGKILL after --grace seconds). If gunicorn itself exits, so does serve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tepat.ops.health import unapplied_migrations


def default_web_workers() -> int:
    configured = int(getattr(settings, "TEPAT_WEB_WORKERS", 0) or 0)
    if configured > 0:
        return configured
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 2 * cores + 1


class Command(BaseCommand):
    help = ("Run the production web server (gunicorn) and the background worker together; checks migrations "
            "and collects static files first. / Jalankan server produksi dan worker latar.")
    requires_system_checks = []  # run below, with the deployment checks' errors only

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="address:port (default: TEPAT_BIND, 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: 2 x cores + 1, "
                                                         "or TEPAT_WEB_WORKERS)")
        parser.add_argument("--timeout", type=int, help="seconds a request may take (TEPAT_WEB_TIMEOUT_SECONDS)")
        parser.add_argument("--no-worker", action="store_true", help="do not run the background worker here "
                                                                     "(it runs under its own unit)")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--grace", type=float, default=30.0, help="seconds children get to stop on SIGTERM")

    def handle(self, *args, **options):
        self.check(display_num_errors=False)
        pending = unapplied_migrations()
        if pending:
            raise CommandError(
                f"{len(pending)} migrasi belum diterapkan (mis. {pending[0]}); jalankan `tepat migrate` dulu. "
                f"/ {len(pending)} migration(s) not applied (e.g. {pending[0]}); run `tepat migrate` first."
            )
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = options["bind"] or settings.TEPAT_BIND
        workers = options["workers"] or default_web_workers()
        timeout = options["timeout"] or settings.TEPAT_WEB_TIMEOUT_SECONDS
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                                       "config.django.production")}
        web_cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", bind,
                   "--workers", str(workers), "--timeout", str(timeout), "--graceful-timeout", str(int(options["grace"])),
                   "--access-logfile", "-", "--error-logfile", "-", "--forwarded-allow-ips", "127.0.0.1,::1",
                   "--max-requests", "2000", "--max-requests-jitter", "200"]
        worker_cmd = [sys.executable, "-m", "tepat", "worker", "--no-startup-delay", "--queue-name", "*"]
        self.stopping = False
        self.children: dict[str, subprocess.Popen] = {}

        def stop(signum, _frame):
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Tepat: gunicorn on {bind} with {workers} worker(s)"
                          + ("" if options["no_worker"] else ", background worker supervised"))
        self.children["web"] = subprocess.Popen(web_cmd, env=env)
        if not options["no_worker"]:
            self.children["worker"] = subprocess.Popen(worker_cmd, env=env)
        restarts: list[float] = []
        exit_code = 0
        try:
            while not self.stopping:
                time.sleep(0.5)
                web = self.children["web"]
                if web.poll() is not None:
                    self.stderr.write(f"gunicorn exited with {web.returncode}; stopping.")
                    exit_code = web.returncode or 1
                    break
                worker = self.children.get("worker")
                if worker is not None and worker.poll() is not None:
                    now = time.monotonic()
                    restarts = [moment for moment in restarts if now - moment < 60] + [now]
                    self.stderr.write(f"worker exited with {worker.returncode}; restarting "
                                      f"({len(restarts)} restart(s) in the last minute).")
                    if len(restarts) > 5:
                        self.stderr.write("worker keeps dying; stopping.")
                        exit_code = 1
                        break
                    time.sleep(min(2 ** len(restarts), 30) / 4)
                    self.children["worker"] = subprocess.Popen(worker_cmd, env=env)
        finally:
            self._stop_children(options["grace"])
        if exit_code:
            sys.exit(exit_code)

    def _stop_children(self, grace: float) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop within {grace:.0f} s; killing it.")
                child.kill()
                child.wait()
        self.stdout.write("Tepat stopped.")
