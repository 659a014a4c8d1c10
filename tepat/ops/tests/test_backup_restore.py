"""Backup and restore as the operator runs them: real `tepat` processes under the production settings.

Source: migrated, one province of the region master loaded (audit events), a signed checkpoint, an
uploaded file. `tepat backup` → `tepat restore` into an empty database, media and checkpoint directory →
the restore verified the counts and the chain itself, and `tepat audit-verify` agrees on the copy; the
copy holds the same rows, the same file and the same checkpoints. A second restore into the now-full
database is refused. On SQLite also: a wrong key and a tampered archive are refused with nothing written.
PostgreSQL (when TEPAT_TEST_DATABASE_URL names one): scratch databases created and dropped here.
"""

import os
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tepat.ops.tests.processes import SQLITE_PASS_ONLY, production_env, tepat

pytestmark = pytest.mark.server

COUNT_TABLES = ("regions_region", "audit_auditevent", "django_migrations")


def _ok(result, *expected: str) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    for text in expected:
        assert text in result.stdout, result.stdout
    return result.stdout


def _source(tmp_path: Path, url: str) -> dict:
    env = production_env(tmp_path / "src", DATABASE_URL=url)
    _ok(tepat(env, "migrate", "--noinput"))
    _ok(tepat(env, "load-regions", "--province", "31"))
    _ok(tepat(env, "audit-checkpoint"), "written")
    upload = tmp_path / "src" / "media" / "uploads" / "2026" / "daftar.xlsx"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(os.urandom(3000))
    _ok(tepat(env, "backup-keygen", str(tmp_path / "backup.key")))
    return env


def _round_trip(tmp_path: Path, source_url: str, target_url: str, counts) -> dict:
    source = _source(tmp_path, source_url)
    archive = tmp_path / "tepat.tbk"
    key = str(tmp_path / "backup.key")
    _ok(tepat(source, "backup", str(archive), "--key-file", key), "Backup written")
    assert b"KRAMAT" not in archive.read_bytes() and b"JAKARTA" not in archive.read_bytes()

    target = production_env(tmp_path / "dst", DATABASE_URL=target_url)
    out = _ok(tepat(target, "restore", str(archive), "--key-file", key), "Restored and verified")
    assert "audit chain intact" in out
    _ok(tepat(target, "audit-verify"), "Audit chain intact")
    source_counts, target_counts = counts(source_url), counts(target_url)
    assert source_counts["regions_region"] > 200
    # The copy has the source's rows, plus its own "backup restored" event (the source has its "backup taken").
    assert target_counts == {**source_counts, "audit_auditevent": source_counts["audit_auditevent"] + 1}
    assert ((tmp_path / "dst" / "media" / "uploads" / "2026" / "daftar.xlsx").read_bytes()
            == (tmp_path / "src" / "media" / "uploads" / "2026" / "daftar.xlsx").read_bytes())
    assert ((tmp_path / "dst" / "anchor" / "audit-checkpoints.jsonl").read_bytes()
            == (tmp_path / "src" / "anchor" / "audit-checkpoints.jsonl").read_bytes())

    again = tepat(production_env(tmp_path / "dst2", DATABASE_URL=target_url), "restore", str(archive),
                  "--key-file", key)
    assert again.returncode == 2 and "not empty" in again.stderr
    assert counts(target_url) == target_counts
    return {"archive": archive, "key": key}


def _sqlite_counts(url: str) -> dict:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in COUNT_TABLES}


@SQLITE_PASS_ONLY
def test_sqlite_round_trip_and_refusals(tmp_path):
    made = _round_trip(tmp_path, f"sqlite:///{tmp_path / 'src.sqlite3'}", f"sqlite:///{tmp_path / 'dst.sqlite3'}",
                       _sqlite_counts)
    fresh = tmp_path / "fresh.sqlite3"
    env = production_env(tmp_path / "fresh", DATABASE_URL=f"sqlite:///{fresh}")
    _ok(tepat(env, "backup-keygen", str(tmp_path / "other.key")))
    wrong = tepat(env, "restore", str(made["archive"]), "--key-file", str(tmp_path / "other.key"))
    assert wrong.returncode == 2 and "another key" in wrong.stderr

    tampered = tmp_path / "tampered.tbk"
    blob = bytearray(made["archive"].read_bytes())
    blob[len(blob) // 2] ^= 0x40
    tampered.write_bytes(bytes(blob))
    refused = tepat(env, "restore", str(tampered), "--key-file", made["key"])
    assert refused.returncode == 2 and "altered or damaged" in refused.stderr
    with sqlite3.connect(fresh) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    assert not (tmp_path / "fresh" / "media").exists() or not any((tmp_path / "fresh" / "media").iterdir())


def _pg_url() -> str | None:
    url = os.environ.get("TEPAT_TEST_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.mark.skipif(not _pg_url(), reason="TEPAT_TEST_DATABASE_URL does not name a PostgreSQL database")
def test_postgresql_round_trip(tmp_path):
    import psycopg

    base = urlsplit(_pg_url())
    def url_for(name: str) -> str:
        return urlunsplit(base._replace(path=f"/{name}", query=""))

    suffix = uuid.uuid4().hex[:8]
    names = [f"tepat_ops_src_{suffix}", f"tepat_ops_dst_{suffix}"]
    admin = url_for("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')

    def counts(url: str) -> dict:
        with psycopg.connect(url) as conn:
            return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in COUNT_TABLES}

    try:
        _round_trip(tmp_path, url_for(names[0]), url_for(names[1]), counts)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
