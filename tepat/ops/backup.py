"""`tepat backup OUT` / `tepat restore IN`: one encrypted archive holding a consistent copy of the database,
the uploaded files (MEDIA_ROOT) and the signed audit checkpoints, with a manifest (row count per table, the
audit chain head, checksums). See docs/OPERATIONS.md for the schedule and the restore drill.

Consistency. The checkpoint file is copied FIRST, then the database is copied: a checkpoint line is only
written after its event committed, so every copied line names an event the copied database holds.
PostgreSQL: the counts and the chain head are read in a REPEATABLE READ transaction whose snapshot
`pg_dump --snapshot` shares, so the manifest describes exactly the dump. SQLite: the online backup API
copies the live file page by page, and the counts are read from that copy.

Restore only into an empty database (no tables), an empty media directory and a checkpoint directory
without a checkpoint file (or with the same one). After loading, the counts are compared with the
manifest and the audit chain is verified (tepat.audit.services.audit_verify) against the archived
checkpoints; a mismatch fails the command loudly (RestoreVerificationError), and the restored database
must not be used.

Plaintext never leaves a private temporary directory (mode 0700, removed afterwards): the database copy is
made there before it is streamed, encrypted, into OUT.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from tepat.audit.actions import AuditAction
from tepat.audit.checkpoints import CHECKPOINT_FILE, checkpoint_path
from tepat.audit.services import audit_record, audit_verify
from tepat.core.actors import SYSTEM, is_system
from tepat.core.exceptions import PermissionDeniedError
from tepat.ops.crypto import DecryptingReader, EncryptingWriter

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_DIR = "database"
MEDIA_DIR = "media"
CHECKPOINT_DIR = "audit-checkpoints"
SQLITE_FILE = "tepat.sqlite3"
PG_FILE = "tepat.dump"


class BackupError(Exception):
    """The backup or restore cannot start or failed (nothing usable was produced / nothing was changed)."""


class RestoreVerificationError(BackupError):
    """The database was loaded but does not match the archive's manifest or its audit chain is broken."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict


@dataclass
class RestoreResult:
    manifest: dict
    audit_checked: int
    tables: int
    rows: int
    warnings: list[str] = field(default_factory=list)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _private_dir(base: str | None = None) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tepat-backup-", dir=base))
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- PostgreSQL client tools -------------------------------------------------------------------------------

def _tool_major(tool: str) -> int:
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(f"{tool} is not available: {exc}") from exc
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"cannot read the version of {tool}: {out!r}")
    return int(match.group(1))


def _server_major(alias: str = "default") -> int:
    return connections[alias].pg_version // 10000 if connections[alias].pg_version >= 100000 else (
        connections[alias].pg_version // 100)


def _pg_env(alias: str = "default") -> tuple[dict, list[str]]:
    """Environment (password) and connection arguments for pg_dump/pg_restore from the Django settings."""
    db = connections[alias].settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


# --- counts ------------------------------------------------------------------------------------------------

def _table_counts_cursor(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in _sqlite_tables(conn)}


def _sqlite_head(conn: sqlite3.Connection) -> dict:
    row = conn.execute("SELECT last_seq, last_hash FROM audit_auditchainhead WHERE id = 1").fetchone()
    return {"last_seq": row[0], "last_hash": row[1]} if row else {"last_seq": 0, "last_hash": ""}


def database_tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def database_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _table_counts_cursor(cursor, connection.introspection.table_names(cursor))


# --- backup ------------------------------------------------------------------------------------------------

def _copy_checkpoints(work: Path, checkpoint_dir: str | None) -> dict:
    source = checkpoint_path(checkpoint_dir)
    target = work / CHECKPOINT_DIR
    target.mkdir()
    if source is None or not source.exists():
        return {"configured": source is not None, "lines": 0}
    shutil.copyfile(source, target / CHECKPOINT_FILE)
    with (target / CHECKPOINT_FILE).open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return {"configured": True, "lines": lines, "sha256": _sha256(target / CHECKPOINT_FILE)}


def _dump_sqlite(work: Path) -> dict:
    target = work / DB_DIR / SQLITE_FILE
    target.parent.mkdir()
    connection.ensure_connection()
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=4096)
        counts = _sqlite_counts(copy)
        head = _sqlite_head(copy)
        version = sqlite3.sqlite_version
    finally:
        copy.close()
        source.close()
    return {"vendor": "sqlite", "server_version": version, "file": f"{DB_DIR}/{SQLITE_FILE}",
            "tables": counts, "audit_head": head}


def _dump_postgresql(work: Path) -> dict:
    dump_major, server_major = _tool_major("pg_dump"), _server_major()
    if dump_major < server_major:
        raise BackupError(f"pg_dump {dump_major} is older than the server ({server_major}); install "
                          f"postgresql-client-{server_major} / pg_dump lebih lama dari servernya")
    target = work / DB_DIR / PG_FILE
    target.parent.mkdir()
    env, args = _pg_env()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _table_counts_cursor(cursor, connection.introspection.table_names(cursor))
        cursor.execute("SELECT last_seq, last_hash FROM audit_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
        head = {"last_seq": row[0], "last_hash": row[1]} if row else {"last_seq": 0, "last_hash": ""}
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                 f"--snapshot={snapshot}", "--file", str(target), *args],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return {"vendor": "postgresql", "server_version": connection.pg_version, "pg_dump_major": dump_major,
            "file": f"{DB_DIR}/{PG_FILE}", "tables": counts, "audit_head": head}


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_create(*, actor: Any, out: str | os.PathLike, key: bytes, media_root: str | os.PathLike | None = None,
                  checkpoint_dir: str | None = None, tmp_dir: str | None = None,
                  progress: Callable[[str], None] = lambda message: None) -> BackupResult:
    """Write an encrypted backup archive to `out` (refuses an existing file). System actors only."""
    if not is_system(actor):
        raise PermissionDeniedError()
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists / berkas sudah ada")
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.OPS_BACKUP,
                     data={"file": out.name, "vendor": connection.vendor})
    with _private_dir(tmp_dir) as work:
        checkpoints = _copy_checkpoints(work, checkpoint_dir)
        progress("database copy")
        database = _dump_sqlite(work) if connection.vendor == "sqlite" else _dump_postgresql(work)
        database_file = work / database["file"]
        database.update({"bytes": database_file.stat().st_size, "sha256": _sha256(database_file)})
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": os.uname().nodename,
            "database": {name: value for name, value in database.items() if name not in {"tables", "audit_head"}},
            "tables": database["tables"],
            "rows": sum(database["tables"].values()),
            "audit_head": database["audit_head"],
            "checkpoints": checkpoints,
            "media": {"files": len(media), "bytes": sum(path.stat().st_size for path in media)},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        progress(f"encrypting {manifest['rows']} rows in {len(manifest['tables'])} tables, {len(media)} media files")
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("wb") as sink:
                writer = EncryptingWriter(sink, key)
                with tarfile.open(fileobj=writer, mode="w|gz") as archive:
                    archive.add(work / MANIFEST, arcname=MANIFEST)
                    archive.add(database_file, arcname=database["file"])
                    if (work / CHECKPOINT_DIR / CHECKPOINT_FILE).exists():
                        archive.add(work / CHECKPOINT_DIR / CHECKPOINT_FILE, arcname=f"{CHECKPOINT_DIR}/{CHECKPOINT_FILE}")
                    for path in media:
                        archive.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}")
                writer.close()
                sink.flush()
                os.fsync(sink.fileno())
            os.chmod(partial, 0o600)
            partial.replace(out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(out, manifest)


# --- restore -----------------------------------------------------------------------------------------------

def archive_open(path: str | os.PathLike, key: bytes, into: Path) -> dict:
    """Decrypt and unpack the archive into `into`; every chunk authenticated, the end included. Returns
    the manifest after checking the database copy's checksum."""
    with Path(path).open("rb") as source:
        reader = DecryptingReader(source, key)
        try:
            with tarfile.open(fileobj=reader, mode="r|gz") as archive:
                archive.extractall(into, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            from tepat.ops.crypto import BackupIntegrityError

            raise BackupIntegrityError(f"archive damaged: {exc}") from exc
        if not reader.finished:
            reader.read()  # consume and authenticate the rest (tar padding, the final chunk)
        if not reader.finished:
            from tepat.ops.crypto import BackupIntegrityError

            raise BackupIntegrityError("archive cut short / arsip terpotong")
    manifest_path = into / MANIFEST
    if not manifest_path.exists():
        raise BackupError("the archive has no manifest / arsip tanpa manifes")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    database_file = into / manifest["database"]["file"]
    if not database_file.exists() or _sha256(database_file) != manifest["database"]["sha256"]:
        raise BackupError("the database copy does not match the manifest's checksum")
    return manifest


def _refuse_unless_empty(media_root: Path, checkpoint_file: Path | None, archived_checkpoints: Path) -> None:
    tables = database_tables()
    if tables:
        raise BackupError(
            f"Basis data tujuan tidak kosong ({len(tables)} tabel) / The target database is not empty "
            f"({len(tables)} tables, e.g. {tables[0]}): restore only into a new, empty database"
        )
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"the media directory {media_root} is not empty / direktori media tidak kosong")
    if checkpoint_file is not None and checkpoint_file.exists() and archived_checkpoints.exists():
        live = checkpoint_file.read_bytes()
        if not live.startswith(archived_checkpoints.read_bytes()):
            raise BackupError(
                f"{checkpoint_file} exists and does not continue the archived checkpoints: it belongs to another "
                "installation (choose another TEPAT_AUDIT_CHECKPOINT_DIR / --checkpoint-dir)"
            )


def _load_sqlite(database_file: Path) -> None:
    connection.close()
    name = connection.settings_dict["NAME"]
    source = sqlite3.connect(database_file)
    target = sqlite3.connect(name)
    try:
        source.backup(target, pages=4096)
    finally:
        target.close()
        source.close()
    connection.close()


def _load_postgresql(database_file: Path, manifest: dict) -> None:
    restore_major = _tool_major("pg_restore")
    if restore_major < int(manifest["database"].get("pg_dump_major", 0)):
        raise BackupError(f"pg_restore {restore_major} cannot read a pg_dump "
                          f"{manifest['database']['pg_dump_major']} archive")
    env, args = _pg_env()
    connection.close()
    result = subprocess.run(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
                             "--no-privileges", *args, str(database_file)], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was loaded: one transaction): {result.stderr.strip()}")


def restore_verify(manifest: dict, checkpoint_dir: str | None) -> tuple[int, list[str]]:
    """Counts per table equal the manifest's; the audit chain verifies against the checkpoints; the head is
    the manifest's. Returns (events verified, problems)."""
    problems = []
    counts = database_counts()
    wanted = manifest["tables"]
    for table in sorted(set(wanted) | set(counts)):
        if wanted.get(table) != counts.get(table):
            problems.append(f"table {table}: {counts.get(table)} rows, the manifest says {wanted.get(table)}")
    result = audit_verify(checkpoint_dir=checkpoint_dir)
    if not result.ok:
        problems.append(f"audit chain broken at #{result.broken_seq}: {result.reason}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_seq, last_hash FROM audit_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
    head = {"last_seq": row[0], "last_hash": row[1]} if row else {"last_seq": 0, "last_hash": ""}
    if head != manifest["audit_head"]:
        problems.append(f"audit chain head is #{head['last_seq']}, the manifest says #{manifest['audit_head']['last_seq']}")
    return result.checked, problems


def backup_restore(*, actor: Any, archive: str | os.PathLike, key: bytes, media_root: str | os.PathLike | None = None,
                   checkpoint_dir: str | None = None, tmp_dir: str | None = None,
                   progress: Callable[[str], None] = lambda message: None) -> RestoreResult:
    """Restore an archive into the configured (empty) database, media and checkpoint directories, then verify.

    Raises BackupKeyError / BackupIntegrityError / BackupError before anything is changed, and
    RestoreVerificationError after loading when the result does not match the manifest."""
    if not is_system(actor):
        raise PermissionDeniedError()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    checkpoint_file = checkpoint_path(checkpoint_dir)
    warnings: list[str] = []
    with _private_dir(tmp_dir) as work:
        progress("decrypting and checking the archive")
        manifest = archive_open(archive, key, work)
        if manifest["database"]["vendor"] != connection.vendor:
            raise BackupError(f"the archive holds a {manifest['database']['vendor']} database; the target is "
                              f"{connection.vendor}")
        archived_checkpoints = work / CHECKPOINT_DIR / CHECKPOINT_FILE
        _refuse_unless_empty(media_root, checkpoint_file, archived_checkpoints)
        progress("loading the database")
        database_file = work / manifest["database"]["file"]
        if connection.vendor == "sqlite":
            _load_sqlite(database_file)
        else:
            _load_postgresql(database_file, manifest)
        if (work / MEDIA_DIR).is_dir():
            shutil.copytree(work / MEDIA_DIR, media_root, dirs_exist_ok=True)
        if archived_checkpoints.exists():
            if checkpoint_file is None:
                warnings.append("TEPAT_AUDIT_CHECKPOINT_DIR is not set: the archived checkpoints were not restored")
            elif not checkpoint_file.exists():
                checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(archived_checkpoints, checkpoint_file)
            elif checkpoint_file.read_bytes() != archived_checkpoints.read_bytes():
                warnings.append(f"{checkpoint_file} has checkpoints newer than the backup: events after the backup "
                                "are lost, and `tepat audit-verify` will report the truncation until they are "
                                "explained (docs/OPERATIONS.md, restore drill)")
        progress("verifying counts and the audit chain")
        checked, problems = restore_verify(manifest, str(work / CHECKPOINT_DIR))
        if problems:
            raise RestoreVerificationError(
                "Pemulihan GAGAL diverifikasi; jangan gunakan basis data ini / Restore FAILED verification; do not "
                "use this database:\n  " + "\n  ".join(problems)
            )
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.OPS_RESTORE,
                     data={"backup_created_at": manifest["created_at"], "rows": manifest["rows"],
                           "audit_head_seq": manifest["audit_head"]["last_seq"]})
    return RestoreResult(manifest, checked, len(manifest["tables"]), manifest["rows"], warnings)


__all__ = ["SYSTEM", "BackupError", "RestoreVerificationError", "backup_create", "backup_restore"]
