"""The import's load mode (ADR 0030): a load that grows the registry a lot writes every batch in one
transaction with the secondary indexes and foreign keys set aside and rebuilt at its end.

Same registry as the batch mode, every index and constraint back afterwards, and a load killed while they
are set aside leaves them in place (transactional DDL) and reruns to the same registry — on SQLite and on
PostgreSQL (the PostgreSQL test runs when the suite does: TEPAT_TEST_DATABASE_URL).
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from django.db import connection, transaction
from django.test import override_settings

from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.registry.models import ImportJob, Individual
from tepat.registry.tests.test_transfer_import import MESSY, csv_bytes, registry_state, run
from tepat.registry.tests.test_transfer_resume import ROOT, _file, _job, _state
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.transfer.importer import BATCHES, KILL_AT_BATCH_ENV, LOAD_TABLES, REBUILD, load_mode

REBUILD_ALWAYS = {"TEPAT_IMPORT_REBUILD_FRACTION": "0.5", "TEPAT_IMPORT_REBUILD_MIN_ROWS": "1"}


def _schema() -> tuple[set, set]:
    bulk = Bulk()
    return ({(i.table, i.name, i.definition) for i in bulk.secondary_indexes(LOAD_TABLES)},
            {(c.table, c.name, c.definition) for c in bulk.foreign_keys(LOAD_TABLES)})


@pytest.fixture
def messy_csv(tmp_path, db):
    path = tmp_path / "dtks.csv"
    path.write_bytes(csv_bytes([values for _, values, _ in MESSY]))
    return path


class _Undo(Exception):
    pass


def test_rebuild_mode_writes_the_registry_the_batch_mode_writes_and_keeps_every_index(messy_csv):
    schema = _schema()
    assert schema[0], "the registry tables have secondary indexes"
    if connection.vendor == "postgresql":
        assert schema[1], "and foreign keys"
    with pytest.raises(_Undo), transaction.atomic():
        with override_settings(TEPAT_IMPORT_REBUILD_FRACTION=0.5, TEPAT_IMPORT_REBUILD_MIN_ROWS=1):
            job, rebuilt = run(messy_csv, batch_rows=3)
        assert rebuilt["load_mode"] == REBUILD and job.batches_total > 2
        assert {"set_aside", "rebuild"} <= set(rebuilt["timings"])
        rebuilt_state = registry_state()
        rebuilt_issues = sorted(job.issues.values_list("row", "code", "severity"))
        assert _schema() == schema
        assert AuditEvent.objects.filter(action="registry.import_batch").count() >= job.batches_total - 1
        assert audit_verify().ok
        raise _Undo
    assert Individual.objects.count() == 0 and _schema() == schema
    with override_settings(TEPAT_IMPORT_REBUILD_FRACTION=0):
        job, batched = run(messy_csv, batch_rows=3)
    assert batched["load_mode"] == BATCHES
    assert registry_state() == rebuilt_state
    assert sorted(job.issues.values_list("row", "code", "severity")) == rebuilt_issues
    for key in ("rows_read", "rows_accepted", "rows_rejected", "warnings", "families_created", "individuals_created",
                "programs_added"):
        assert batched[key] == rebuilt[key], key


def test_the_mode_follows_the_fraction_the_minimum_and_what_is_new(messy_csv):
    niks = pl.Series([f"36040514018{n:05d}" for n in range(20)])
    bulk = Bulk()
    with override_settings(TEPAT_IMPORT_REBUILD_FRACTION=0.5, TEPAT_IMPORT_REBUILD_MIN_ROWS=10):
        assert load_mode(bulk, niks, dry_run=False) == REBUILD  # into an empty registry
        assert load_mode(bulk, niks, dry_run=True) == BATCHES  # a dry run writes nothing
        assert load_mode(bulk, niks.head(9), dry_run=False) == BATCHES  # under the minimum
    with override_settings(TEPAT_IMPORT_REBUILD_FRACTION=0):
        assert load_mode(bulk, niks, dry_run=False) == BATCHES  # switched off
    with override_settings(TEPAT_IMPORT_REBUILD_FRACTION=0.5, TEPAT_IMPORT_REBUILD_MIN_ROWS=1):
        run(messy_csv)
        existing = pl.Series(list(Individual.objects.values_list("nik", flat=True)))
        bulk.analyze(LOAD_TABLES)
        # Re-reading the same people is no growth, whatever the file's size against the table's.
        assert load_mode(bulk, pl.concat([existing, existing]), dry_run=False) == BATCHES
        assert load_mode(bulk, pl.concat([existing, niks]), dry_run=False) == REBUILD
        _job_row, summary = run(messy_csv)
        assert summary["changed"] is False and summary["load_mode"] == BATCHES


# --- killed while the indexes are set aside: real processes ------------------------------------------

def _tepat(env: dict, *args: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "TEPAT_TEST_DATABASE_URL"}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.django.test", **env})
    return subprocess.run([sys.executable, "-m", "tepat", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)


def _sqlite_indexes(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name LIKE 'registry_%'").fetchall())


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sqlite_import_killed_while_indexes_are_set_aside_keeps_them_and_reruns(tmp_path):
    base = tmp_path / "base.sqlite3"
    for args in (("migrate", "-v0"), ("load-regions", "--province", "36")):
        done = _tepat({"DATABASE_URL": f"sqlite:///{base}"}, *args)
        assert done.returncode == 0, done.stderr
    killed, clean = tmp_path / "killed.sqlite3", tmp_path / "clean.sqlite3"
    shutil.copy(base, killed)
    shutil.copy(base, clean)
    indexes = _sqlite_indexes(base)
    assert any(name == "individual_nik" for _, name, _ in indexes)
    source = tmp_path / "dtks.csv"
    _file(source)
    command = ("import-registry", str(source), "--json", "--batch-size", "8")

    first = _tepat({"DATABASE_URL": f"sqlite:///{killed}", KILL_AT_BATCH_ENV: "3", **REBUILD_ALWAYS}, *command)
    assert first.returncode == -signal.SIGKILL, first.stderr
    # The kill came inside the one transaction of the load: nothing written, every index still there.
    status, batches_done, *_ = _job(killed)
    assert (status, batches_done) == ("running", 0)
    assert _state(killed)["individuals"] == [] and _sqlite_indexes(killed) == indexes

    second = _tepat({"DATABASE_URL": f"sqlite:///{killed}", **REBUILD_ALWAYS}, *command)
    assert second.returncode == 0, second.stderr
    resumed = json.loads(second.stdout)
    assert resumed["resumed"] is True and resumed["status"] == "done" and resumed["load_mode"] == REBUILD
    uninterrupted = _tepat({"DATABASE_URL": f"sqlite:///{clean}", "TEPAT_IMPORT_REBUILD_FRACTION": "0"}, *command)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    assert json.loads(uninterrupted.stdout)["load_mode"] == BATCHES
    assert _state(killed) == _state(clean)
    assert _sqlite_indexes(killed) == indexes
    verified = _tepat({"DATABASE_URL": f"sqlite:///{killed}"}, "audit-verify")
    assert verified.returncode == 0, verified.stderr + verified.stdout


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.django_db(transaction=True)
def test_postgres_import_killed_while_indexes_are_set_aside_keeps_them_and_reruns(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: run the suite with TEPAT_TEST_DATABASE_URL")
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:"
           f"{settings['PORT'] or 5432}/{settings['NAME']}")
    env = {"DATABASE_URL": url, **REBUILD_ALWAYS}
    done = _tepat(env, "load-regions", "--province", "36")
    assert done.returncode == 0, done.stderr
    schema = _schema()
    assert schema[0] and schema[1]
    source = tmp_path / "dtks.csv"
    members = _file(source)
    command = ("import-registry", str(source), "--json", "--batch-size", "8")

    first = _tepat({**env, KILL_AT_BATCH_ENV: "3"}, *command)
    assert first.returncode == -signal.SIGKILL, first.stderr
    connection.close()  # a fresh connection: the killed one's locks are gone when its backend ends
    assert ImportJob.objects.get().batches_done == 0
    assert Individual.objects.count() == 0
    assert _schema() == schema  # every index and foreign key is still there

    second = _tepat(env, *command)
    assert second.returncode == 0, second.stderr
    resumed = json.loads(second.stdout)
    assert resumed["resumed"] is True and resumed["status"] == "done" and resumed["load_mode"] == REBUILD
    assert resumed["rows_rejected"] == 2 and resumed["individuals_created"] == members - 2
    assert Individual.objects.count() == members - 2
    assert _schema() == schema
    assert audit_verify().ok
    again = _tepat(env, *command)
    assert json.loads(again.stdout)["changed"] is False and json.loads(again.stdout)["load_mode"] == BATCHES
