"""Real processes for the operations tests: the production settings with test secrets on a temporary SQLite
database (or a PostgreSQL URL), and `python -m tepat` run with them."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# Tests that bring their own SQLite file run once, in the SQLite pass of `make test`, not again in the
# PostgreSQL pass (TEPAT_TEST_DATABASE_URL set): they would test the same thing twice, minutes each.
SQLITE_PASS_ONLY = pytest.mark.skipif(bool(os.environ.get("TEPAT_TEST_DATABASE_URL")),
                                      reason="own SQLite database: runs in the SQLite pass of make test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path: Path, **extra: str) -> dict:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"TEPAT_TEST_DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    environment.update({
        "DJANGO_SETTINGS_MODULE": "config.django.production",
        "DJANGO_SECRET_KEY": "smoke-test-secret-key-not-for-production-0123456789abcdefghij",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tepat.sqlite3'}",
        "TEPAT_AUDIT_KEYS": "smoke:smoke-test-audit-key-not-secret-0123456789",
        "TEPAT_AUDIT_KEY_ID": "smoke",
        "TEPAT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "anchor"),
        "TEPAT_STATIC_ROOT": str(tmp_path / "static"),
        "TEPAT_MEDIA_ROOT": str(tmp_path / "media"),
        "TEPAT_WORKER_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    })
    return environment


def tepat(environment: dict, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tepat", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=timeout)
