"""The production server, for real: `tepat migrate` then `tepat serve` (gunicorn + the background worker)
under the production settings with test secrets, on a free port and a temporary SQLite database. Checks
/healthz (database, migrations, worker heartbeat), the sign-in page and a static file served by
WhiteNoise, then kill -9 of the worker (serve starts another, /healthz recovers), then SIGTERM stops both
children. Runs in `make test` and CI (marker `server`)."""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tepat.ops.tests.processes import ROOT, SQLITE_PASS_ONLY, free_port, production_env

pytestmark = [pytest.mark.server, SQLITE_PASS_ONLY]

def _get(url: str, **headers: str) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_serve_refuses_unapplied_migrations(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tepat", "serve", "--bind", f"127.0.0.1:{free_port()}"],
                            cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "not applied" in result.stderr and "tepat migrate" in result.stderr


def test_production_settings_refuse_without_secret_or_hosts(tmp_path):
    for missing in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        environment = production_env(tmp_path)
        environment.pop(missing)
        result = subprocess.run([sys.executable, "-m", "tepat", "check"], cwd=ROOT, env=environment,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode != 0
        assert missing in result.stderr


def test_production_server_smoke(tmp_path):
    environment = production_env(tmp_path)
    migrate = subprocess.run([sys.executable, "-m", "tepat", "migrate", "--noinput"], cwd=ROOT, env=environment,
                             capture_output=True, text=True, timeout=600)
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen([sys.executable, "-m", "tepat", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--grace", "10"],
                              cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        health = None
        deadline = time.monotonic() + 600  # collectstatic compresses every file first: minutes on a busy machine
        while time.monotonic() < deadline:
            try:
                status, body, _ = _get(f"{base}/healthz")
            except OSError:
                time.sleep(0.5)
                continue
            health = (status, json.loads(body))
            if status == 200:
                break
            time.sleep(0.5)
        log.seek(0)
        assert health is not None and health[0] == 200, (health, log.read())
        assert health[1]["checks"]["database"]["ok"] and health[1]["checks"]["worker"]["ok"]
        assert health[1]["checks"]["migrations"] == {"ok": True, "unapplied": 0}

        # Plain HTTP on the loopback: /healthz is exempt from the HTTPS redirect, the rest is redirected.
        request = urllib.request.Request(f"{base}/healthz")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

        status, body, headers = _get(f"{base}/akun/masuk/")
        page = body.decode()
        assert status == 200, page[:500]
        assert 'name="password"' in page
        assert "Content-Security-Policy" in headers
        stylesheet = re.search(r'href="(/static/tepat/tepat\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "the manifest (hashed) name of the stylesheet is on the page"
        status, body, headers = _get(base + stylesheet.group(1))
        assert status == 200 and b"{" in body
        assert "max-age" in headers.get("Cache-Control", "")

        # kill -9 of the worker: serve starts a new one, and /healthz is green again with its heartbeat.
        database = tmp_path / "tepat.sqlite3"
        with sqlite3.connect(database) as conn:
            (killed,) = conn.execute("SELECT pid FROM ops_workerheartbeat ORDER BY last_seen DESC").fetchone()
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 120
        pids: set = set()
        while time.monotonic() < deadline:
            with sqlite3.connect(database) as conn:
                pids = {row[0] for row in conn.execute(
                    "SELECT pid FROM ops_workerheartbeat WHERE last_seen > datetime('now', '-3 seconds')")}
            if pids - {killed}:
                break
            time.sleep(0.5)
        assert pids - {killed}, "a new worker beats"
        assert _get(f"{base}/healthz")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        log.seek(0)
        output = log.read()
        log.close()
    assert code == 0, output
    assert "Tepat stopped." in output
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "nothing listens any more"
