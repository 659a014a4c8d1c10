"""An import killed with SIGKILL half-way, rerun, ends with the registry of an uninterrupted import.

Real processes on a file-based SQLite database: `tepat migrate`, `tepat load-regions`, then
`tepat import-registry`, which kills itself inside its third batch's transaction (before the commit)
through the importer's test hook; the same command run again continues the job.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tepat.registry.transfer.importer import KILL_AT_BATCH_ENV

ROOT = Path(__file__).resolve().parents[3]
VILLAGES = [("36.04.05.2001", "KRAMATWATU"), ("36.04.05.2002", "MARGASANA"), ("36.04.05.2003", "PEJATEN")]
HEADER = "NO_KK;NIK;NAMA;JENIS_KELAMIN;TANGGAL_LAHIR;HUBUNGAN_KELUARGA;KECAMATAN;DESA_KELURAHAN;RT;RW;PKH;ID_DTKS"


def _file(path: Path) -> int:
    """24 families of 1–4 members over three villages, with a few bad rows and a blank line."""
    lines = ["\ufeffDATA UJI", HEADER]
    serial = 0
    for family in range(24):
        village = VILLAGES[family % 3][1]
        kk = f"3604050101{15:02d}{family + 1:04d}"
        for member in range(1 + family % 4):
            serial += 1
            sex = 1 if member != 1 else 2
            day = 10 + member + (40 if sex == 2 else 0)
            nik = f"360405{day:02d}0{1 + member}{70 + member:02d}{serial:04d}"
            relation = "KEPALA KELUARGA" if member == 0 else ("ISTRI" if member == 1 else "ANAK")
            born = f"{10 + member:02d}-0{1 + member}-19{70 + member}"
            if family == 5 and member == 0:
                nik = nik[:15]  # lost last digit: rejected
            if family == 9 and member == 1:
                born = "31-02-1971"  # no such day: rejected
            lines.append(";".join([kk, nik, f"Warga {family}-{member}", "L" if sex == 1 else "P", born, relation,
                                   "KEC. KRAMATWATU", f"DESA {village}", str(family % 5 + 1), "2",
                                   "Y" if family % 2 else "T", f"D{family}-{member}"]))
        if family == 12:
            lines.append("")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return serial


def _tepat(db: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "TEPAT_TEST_DATABASE_URL"}
    environment.update({"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.django.test",
                        **(env or {})})
    return subprocess.run([sys.executable, "-m", "tepat", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)


def _state(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        def rows(sql: str) -> list:
            return sorted(conn.execute(sql).fetchall())

        return {
            "families": rows("SELECT kk_number, region_id, rt, rw, address, external_id, status, validation_warnings "
                             "FROM registry_family"),
            "individuals": rows(
                "SELECT i.nik, i.name, i.name_key, i.sex, i.birth_date, i.relation, i.marital_status, i.occupation, "
                "i.external_id, i.presence, i.validation_warnings, f.kk_number FROM registry_individual i "
                "JOIN registry_family f ON f.id = i.family_id"),
            "programs": rows("SELECT f.kk_number, p.program FROM registry_programparticipation p "
                             "JOIN registry_family f ON f.id = p.family_id"),
            "history": rows("SELECT kk_number, reason FROM registry_kknumberhistory"),
            "issues": rows('SELECT "row", "column", value, code, severity, message_id, message_en FROM registry_importissue'),
        }


def _job(db: Path) -> tuple:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status, batches_done, batches_total, rows_done, rows_total, counts "
                            "FROM registry_importjob").fetchone()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_import_continues_to_the_same_registry(tmp_path):
    base = tmp_path / "base.sqlite3"
    for args in (("migrate", "-v0"), ("load-regions", "--province", "36")):
        done = _tepat(base, *args)
        assert done.returncode == 0, done.stderr
    killed, clean = tmp_path / "killed.sqlite3", tmp_path / "clean.sqlite3"
    shutil.copy(base, killed)
    shutil.copy(base, clean)
    source = tmp_path / "dtks.csv"
    _file(source)
    command = ("import-registry", str(source), "--json", "--batch-size", "8")

    first = _tepat(killed, *command, env={KILL_AT_BATCH_ENV: "3"})
    assert first.returncode == -signal.SIGKILL, first.stderr
    status, batches_done, batches_total, rows_done, rows_total, _ = _job(killed)
    assert (status, batches_done) == ("running", 2) and batches_total > 3 and rows_done < rows_total
    half = _state(killed)
    # Only whole families were written: each one has all the members the file gives it.
    file_members: dict[str, int] = {}
    for line in source.read_text(encoding="utf-8").splitlines()[2:]:
        if line and len(line.split(";")[1]) == 16 and "31-02" not in line:
            file_members[line.split(";")[0]] = file_members.get(line.split(";")[0], 0) + 1
    written: dict[str, int] = {}
    for row in half["individuals"]:
        written[row[-1]] = written.get(row[-1], 0) + 1
    assert written and all(written[kk] == file_members[kk] for kk in written)
    assert len(written) < len(file_members)

    second = _tepat(killed, *command)
    assert second.returncode == 0, second.stderr
    resumed = json.loads(second.stdout)
    assert resumed["resumed"] is True and resumed["status"] == "done"
    uninterrupted = _tepat(clean, *command)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    reference = json.loads(uninterrupted.stdout)

    assert _state(killed) == _state(clean)
    for key in ("rows_read", "rows_blank", "rows_accepted", "rows_rejected", "warnings", "families_created",
                "individuals_created", "programs_added"):
        assert resumed[key] == reference[key], key
    assert resumed["rows_read"] == resumed["rows_accepted"] + resumed["rows_rejected"]
    assert resumed["rows_rejected"] == 2 and resumed["rows_blank"] == 1
    assert _job(killed)[:5] == _job(clean)[:5]
    verified = _tepat(killed, "audit-verify")
    assert verified.returncode == 0, verified.stderr + verified.stdout

    again = _tepat(killed, *command)
    assert json.loads(again.stdout)["changed"] is False
    assert _state(killed)["individuals"] == _state(clean)["individuals"]
