"""Uploads that cannot kill the process, messages that never echo the file, formula-safe writers, and the
robustness cases found by fuzzing (issue 8 items 4, 4b, 5, 6; issue 9 item 5b)."""

from __future__ import annotations

import codecs
import io
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from conftest import DISTRICT, VILLAGE, client_for, make_kk, member_data
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import InvalidTransition, ValidationFailed
from tepat.core.tests.workbooks import cell_bomb, dimension_bomb, workbook
from tepat.registry.models import Family, Individual
from tepat.registry.models_transfer import ImportJob
from tepat.registry.services import family_create
from tepat.registry.tests.test_transfer_import import HEADER, KK1, run, siks_row
from tepat.registry.transfer.exporter import registry_export
from tepat.registry.transfer.importer import import_summary, registry_import_run, registry_import_start
from tepat.registry.transfer.jobs import import_job_transition, import_jobs_reap_stale
from tepat.registry.transfer.report import render_report

ROOT = Path(__file__).resolve().parents[3]
IMPORT = reverse("registry:import_start")
NIKS = [f"36040514018{i:05d}" for i in range(1, 40)]


def head_row(nik: str, kk: str, name: str = "Budi Santoso", **values) -> dict:
    return siks_row(**{"NO_KK": kk, "NIK": nik, "NAMA": name, "TANGGAL_LAHIR": "14-01-1980",
                       "HUBUNGAN_KELUARGA": "1", **values})


def lines(*rows: str, title: str = "") -> bytes:
    return ((title + "\n" if title else "") + ";".join(HEADER) + "\n" + "\n".join(rows) + "\n").encode()


def row_text(row: dict) -> str:
    return ";".join(row[h] for h in HEADER)


def failed(path: Path, **options) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        run(path, **options)
    return exc.value


def registry_state() -> tuple:
    return (sorted(Family.objects.values_list("kk_number", "region_id")),
            sorted(Individual.objects.values_list("nik", "name")))


# --- 8.4: the bomb workbook, through the command line, the page and the service ------------------------

def test_dimension_bomb_through_the_command_line_is_refused_and_the_process_lives(tmp_path):
    base = tmp_path / "db.sqlite3"
    environment = {k: v for k, v in os.environ.items() if k != "TEPAT_TEST_DATABASE_URL"}
    environment.update({"DATABASE_URL": f"sqlite:///{base}", "DJANGO_SETTINGS_MODULE": "config.django.test"})
    assert subprocess.run([sys.executable, "-m", "tepat", "migrate", "-v0"], cwd=ROOT, env=environment,
                          capture_output=True, timeout=300).returncode == 0
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(dimension_bomb())
    done = subprocess.run([sys.executable, "-m", "tepat", "import-registry", str(bomb), "--json"], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # a refusal, not SIGABRT from a 512 GiB allocation
    summary = json.loads(done.stdout)
    assert summary["status"] == "failed"
    assert "1,048,576 rows × 16,384 columns" in summary["error"] and "limit" in summary["error"]


def test_dimension_bomb_through_the_page_fails_the_job_with_the_reason(dinsos_operator,
                                                                       django_capture_on_commit_callbacks):
    client = client_for(dinsos_operator)
    before = registry_state()
    file = SimpleUploadedFile("bomb.xlsx", dimension_bomb())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT, {"file": file, "preset": "siks"})
    assert response.status_code == 302  # the page only stores the file; the worker reads it
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "XFD1048576" in job.error and "16,384" in job.error
    assert registry_state() == before
    page = client.get(response["Location"]).content.decode()
    assert "XFD1048576" in page


def test_cell_bomb_is_refused_fast(tmp_path, db):
    path = tmp_path / "cell.xlsx"
    path.write_bytes(cell_bomb(40))
    started = time.perf_counter()
    error = failed(path)
    assert time.perf_counter() - started < 10
    assert error.issues[0].code in ("xlsx_bomb", "cell_too_large")


def test_long_cell_in_a_workbook_that_compresses_normally_is_refused(tmp_path, db, settings):
    settings.TEPAT_XLSX_LIMITS = {"ratio": 10**9}
    path = tmp_path / "cell.xlsx"
    path.write_bytes(cell_bomb(2))
    assert failed(path).issues[0].code == "cell_too_large"


def test_xls_and_ods_are_refused_with_the_way_out(tmp_path, db):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not read")
    assert "save the file again as .xlsx" in failed(path).issues[0].en


# --- job status: one transitions table, dead workers detected ------------------------------------------

def _job(actor=SYSTEM) -> ImportJob:
    return registry_import_start(actor=actor, source=lines(row_text(head_row(NIKS[0], KK1))), file_name="a.csv")


def test_transitions_table_refuses_a_done_job_going_back(db):
    job = registry_import_run(actor=SYSTEM, job_id=_job().pk)
    assert job.status == ImportJob.Status.DONE
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition):
        import_job_transition(job, "start", actor=SYSTEM)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and AuditEvent.objects.count() == events


def test_import_job_moves_are_generic_transitions_and_audited(db):
    from conftest import assert_audited

    job = registry_import_run(actor=SYSTEM, job_id=_job().pk)
    assert_audited("registry.import_start", actor=SYSTEM, target=job, **{"from": "pending", "to": "running"})
    assert_audited("registry.import_finish", actor=SYSTEM, target=job, **{"from": "running", "to": "done"})


def test_job_of_a_dead_worker_is_marked_failed_and_audited_then_continues(db):
    job = import_job_transition(_job(), "start", actor=SYSTEM)
    ImportJob.objects.filter(pk=job.pk).update(worker="no-such-host-here:1")  # another host: by heartbeat
    assert import_jobs_reap_stale() == []  # still fresh
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    reaped = import_jobs_reap_stale()
    assert [j.pk for j in reaped] == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "upload the same file again" in job.error
    event = AuditEvent.objects.get(action="registry.import_fail")
    assert (event.actor_label, event.target_id, event.data["reason"]) == ("system", str(job.pk), "stale")
    # the same file again continues the job to its end
    again = _job()
    assert again.pk == job.pk
    assert registry_import_run(actor=SYSTEM, job_id=again.pk).status == ImportJob.Status.DONE


def test_job_whose_process_ended_on_this_host_is_marked_failed_at_once(db):
    import socket

    job = import_job_transition(_job(), "start", actor=SYSTEM)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ImportJob.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()}:{child.stdout.strip()}")
    assert [j.pk for j in import_jobs_reap_stale()] == [job.pk]
    assert AuditEvent.objects.get(action="registry.import_fail").data["reason"] == "worker_gone"


def test_a_live_running_job_is_left_alone(db):
    job = import_job_transition(_job(), "start", actor=SYSTEM)
    assert import_jobs_reap_stale() == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


# --- 8.5: size limits ------------------------------------------------------------------------------------

def test_upload_larger_than_the_limit_is_refused_with_size_and_limit(tmp_path, db, settings, dinsos_operator):
    settings.TEPAT_UPLOAD_LIMITS = {"registry_import": 100}
    content = lines(row_text(head_row(NIKS[0], KK1)))
    with pytest.raises(ValidationFailed) as exc:
        registry_import_start(actor=dinsos_operator, source=content, file_name="big.csv")
    assert exc.value.issues[0].code == "file_too_large" and "limit is 100 B" in exc.value.issues[0].en
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationFailed):
        registry_import_start(actor=SYSTEM, source=path)
    assert not ImportJob.objects.exists()


def test_page_refuses_a_too_large_upload_on_the_form(dinsos_operator, settings):
    settings.TEPAT_UPLOAD_LIMITS = {"registry_import": 100}
    file = SimpleUploadedFile("big.csv", lines(row_text(head_row(NIKS[0], KK1))))
    response = client_for(dinsos_operator).post(IMPORT, {"file": file, "preset": "siks"})
    assert response.status_code == 422 and "100 B" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- 8.4b: messages never echo the file -------------------------------------------------------------------

def test_unclosed_quote_names_the_row_and_quotes_no_niks(tmp_path, db):
    rows = [row_text(head_row(NIKS[0], KK1)), row_text(head_row(NIKS[1], KK1, name='"Budi'))]
    rows += [row_text(head_row(nik, make_kk(serial=i + 10))) for i, nik in enumerate(NIKS[2:30])]
    path = tmp_path / "quote.csv"
    path.write_bytes(lines(*rows))
    error = failed(path)
    assert "row 3" in error.message or "rows 3" in error.message
    assert not any(nik in error.message for nik in NIKS)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and len(job.error) < 600
    assert not any(nik in job.error for nik in NIKS)


def test_cr_only_line_ends_are_read(tmp_path, db):
    path = tmp_path / "mac.csv"
    path.write_bytes(lines(row_text(head_row(NIKS[0], KK1))).replace(b"\n", b"\r"))
    _, summary = run(path)
    assert summary["rows_accepted"] == 1


def test_ragged_rows_are_named(tmp_path, db):
    path = tmp_path / "ragged.csv"
    path.write_bytes(lines(row_text(head_row(NIKS[0], KK1)), row_text(head_row(NIKS[1], KK1)) + ";extra;more"))
    error = failed(path)
    assert error.issues[0].code == "csv_ragged" and "rows 3" in error.message and "extra" not in error.message


def test_stray_quote_pair_merging_rows_is_reported(tmp_path, db):
    rows = [row_text(head_row(nik, make_kk(serial=i + 1))) for i, nik in enumerate(NIKS[:6])]
    rows[1] = rows[1] + ';"'
    rows[3] = rows[3] + ';"'
    path = tmp_path / "stray.csv"
    path.write_bytes(lines(*rows))
    error = failed(path)
    assert error.issues[0].code == "csv_rows_merged" and "3–5" in error.message
    assert not Individual.objects.exists()


# --- 9.5b: robustness ---------------------------------------------------------------------------------------

def test_nul_and_control_characters_are_stripped_the_same_everywhere(tmp_path, db):
    path = tmp_path / "nul.csv"
    path.write_bytes(lines(row_text(head_row(NIKS[0], KK1, name="Bu\x00di\x0b Santoso"))))
    _, summary = run(path)
    assert summary["rows_accepted"] == 1
    assert Individual.objects.get(nik=NIKS[0]).name == "Budi Santoso"


def test_one_cp1252_line_does_not_redecode_the_others(tmp_path, db):
    good = row_text(head_row(NIKS[0], KK1, name="Siti Nurbaÿa")).encode("utf-8")
    bad = row_text(head_row(NIKS[1], make_kk(serial=2), name="José")).encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes((";".join(HEADER) + "\n").encode() + good + b"\n" + bad + b"\n")
    job, summary = run(path)
    assert summary["rows_accepted"] == 2
    assert Individual.objects.get(nik=NIKS[0]).name == "Siti Nurbaÿa"
    assert Individual.objects.get(nik=NIKS[1]).name == "José"
    assert "cp1252_lines=3" in job.counts["notes"]


def test_utf16_from_excel_is_read(tmp_path, db):
    text = "\t".join(HEADER) + "\r\n" + "\t".join(head_row(NIKS[0], KK1, name="Dédi")[h] for h in HEADER) + "\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    _, summary = run(path)
    assert summary["rows_accepted"] == 1 and Individual.objects.get(nik=NIKS[0]).name == "Dédi"


def test_blank_lines_and_title_rows_with_line_breaks_before_the_header(tmp_path, db):
    content = ('"DATA DTKS\nDESA KRAMATWATU"\n\fHalaman 1\n\n' + ";".join(HEADER) + ";;\n"
               + row_text(head_row(NIKS[0], KK1)) + ";;\n")
    path = tmp_path / "titled.csv"
    path.write_bytes(content.encode())
    job, summary = run(path)
    assert summary["rows_accepted"] == 1 and summary["ignored_columns"] == []
    assert job.issues.count() == 0


def test_xlsx_named_csv_says_so(tmp_path, db):
    path = tmp_path / "really.csv"
    path.write_bytes(workbook({"A1": "NIK", "B1": "NAMA"}))
    assert "rename it to .xlsx" in failed(path).issues[0].en


def test_data_on_a_second_sheet_is_explained(tmp_path, db):
    import xlsxwriter

    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Petunjuk").write(0, 0, "Isi data di lembar berikut")
    data = book.add_worksheet("Data")
    data.write_row(0, 0, HEADER)
    book.close()
    message = failed(path).issues[0].en
    assert "first sheet 'Petunjuk'" in message and "'Data'" in message


def test_a_refused_file_moved_and_imported_again_continues_without_a_traceback(tmp_path, db):
    first = tmp_path / "a" / "dtks.csv"
    first.parent.mkdir()
    first.write_bytes(lines(row_text(head_row(NIKS[0], KK1)), row_text(head_row(NIKS[1], KK1)) + ";x;y"))
    failed(first)
    moved = tmp_path / "b" / "dtks.csv"
    moved.parent.mkdir()
    first.rename(moved)
    error = failed(moved)  # the same (still ragged) file, found by its hash: refused again, by its reason
    assert error.issues[0].code == "csv_ragged"
    assert ImportJob.objects.get().file_path == str(moved.resolve())


def test_job_whose_file_disappeared_says_so(tmp_path, db):
    path = tmp_path / "gone.csv"
    path.write_bytes(lines(row_text(head_row(NIKS[0], KK1))))
    job = registry_import_start(actor=SYSTEM, source=path)
    path.unlink()
    with pytest.raises(ValidationFailed) as exc:
        registry_import_run(actor=SYSTEM, job_id=job.pk)
    assert exc.value.issues[0].code == "file_missing"


# --- 8.6: formula-safe writers -------------------------------------------------------------------------------

FORMULAS = {"address": "=HYPERLINK(\"http://x.example\",\"klik\")", "occupation": "@SUM(1+1)"}


@pytest.fixture
def formula_family(dinsos_operator):
    return family_create(correction_reason="koreksi uji",
        actor=dinsos_operator, region_code=VILLAGE,
        data={"kk_number": make_kk(serial=77), "rw": "1", "rt": "1", "address": FORMULAS["address"]},
        members=[member_data(relation=1, name="Budi Santoso", occupation=FORMULAS["occupation"])],
    )


@pytest.mark.parametrize("preset", ["siks", "tepat"])
def test_export_csv_guards_formulas_and_imports_back_unchanged(formula_family, tmp_path, preset):
    out = tmp_path / "dtks.csv"
    registry_export(actor=SYSTEM, region_code=DISTRICT, out=out, preset=preset)
    cells = pl.read_csv(out, separator=";", infer_schema=False).row(0)
    assert "'" + FORMULAS["address"] in cells and "'" + FORMULAS["occupation"] in cells
    assert not any(str(v).startswith(("=", "@", "+", "-")) for v in cells if v)
    _round_trip(out, preset)


def test_export_xlsx_guards_formulas_and_imports_back_unchanged(formula_family, tmp_path):
    out = tmp_path / "dtks.xlsx"
    registry_export(actor=SYSTEM, region_code=DISTRICT, out=out, fmt="xlsx")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert "'" + FORMULAS["address"] in rows[1]
    _round_trip(out, "siks")


def _round_trip(out: Path, preset: str) -> None:
    families = list(Family.objects.order_by("id").values())
    individuals = list(Individual.objects.order_by("id").values())
    job = registry_import_start(actor=SYSTEM, source=out, preset=preset)
    summary = import_summary(registry_import_run(actor=SYSTEM, job_id=job.pk))
    assert summary["changed"] is False and summary["rows_rejected"] == 0, summary
    assert list(Family.objects.order_by("id").values()) == families
    assert list(Individual.objects.order_by("id").values()) == individuals
    assert Family.objects.get(address=FORMULAS["address"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_report_guards_formula_cells(tmp_path, db, fmt):
    path = tmp_path / "bad.csv"
    path.write_bytes(lines(row_text(head_row("=1+2", KK1)), row_text(head_row(NIKS[0], KK1, **{"RT": "-1+1"}))))
    job, _ = run(path)
    values = [issue.value for issue in job.issues.all()]
    assert "=1+2" in values
    content = render_report(job, fmt)
    if fmt == "csv":
        cells = [c for line in content.decode("utf-8-sig").splitlines() for c in line.split(";")]
    else:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Masalah").to_python()
        cells = [str(c) for row in sheet for c in row]
    assert "'=1+2" in cells and "=1+2" not in cells
