"""The import report: every rejected row and every warning, with the spreadsheet's row number, the
column, the value and the reason in Indonesian and English, plus a summary. XLSX (two sheets) or CSV.

Problems are stored per job (`ImportIssue`) as they are found, inside the same transactions as the
batches, so the report of a resumed import is the report of an uninterrupted one.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tepat.core.uploads import formula_guard, formula_guard_frame
from tepat.registry.models_transfer import ImportJob
from tepat.registry.transfer.bulk import Bulk

ISSUE_TABLE = "registry_importissue"
_HEADERS = ("Baris / Row", "Kolom / Column", "Nilai / Value", "Tingkat / Severity", "Kode / Code",
            "Alasan (Indonesia)", "Reason (English)")
_SEVERITY = {"error": "DITOLAK / rejected", "warning": "peringatan / warning"}
_SUMMARY_LABELS = (
    ("rows_read", "Baris dibaca / Rows read"),
    ("rows_blank", "Baris kosong dilewati / Blank rows skipped"),
    ("rows_accepted", "Baris diterima / Rows accepted"),
    ("rows_rejected", "Baris ditolak / Rows rejected"),
    ("warnings", "Peringatan / Warnings"),
    ("families_created", "Keluarga baru / Families created"),
    ("families_updated", "Keluarga diubah / Families updated"),
    ("families_unchanged", "Keluarga tidak berubah / Families unchanged"),
    ("individuals_created", "Individu baru / Individuals created"),
    ("individuals_updated", "Individu diubah / Individuals updated"),
    ("individuals_unchanged", "Individu tidak berubah / Individuals unchanged"),
    ("programs_added", "Kepesertaan program baru / Program participations added"),
)


def store_issues(job: ImportJob, issues: pl.DataFrame, bulk: Bulk) -> int:
    """Insert problems (ISSUE_SCHEMA frame; `field` holds the file's header) for the job."""
    if issues.is_empty():
        return 0
    return bulk.insert(ISSUE_TABLE, issues.select(
        pl.lit(job.pk.hex).alias("job_id"),
        pl.col("row").cast(pl.Int64),
        pl.col("field").fill_null("").str.slice(0, 120).alias("column"),
        pl.col("value").fill_null("").str.slice(0, 200),
        pl.col("code").str.slice(0, 40),
        pl.col("severity"),
        pl.col("message_id").str.slice(0, 400),
        pl.col("message_en").str.slice(0, 400),
    ))


def job_issues(job: ImportJob) -> pl.DataFrame:
    """The job's problems in row order."""
    return Bulk().fetch(
        f'SELECT "row", "column", "value", "severity", "code", "message_id", "message_en" FROM {ISSUE_TABLE} '
        f"WHERE job_id = {Bulk().uuid_param()} ORDER BY \"row\", id",
        [job.pk.hex], types={"row": "int"},
    )


def _summary_rows(job: ImportJob) -> list[tuple[str, Any]]:
    counts = job.counts or {}
    rows: list[tuple[str, Any]] = [
        ("Berkas / File", job.file_name),
        ("SHA-256", job.file_sha256),
        ("Preset", job.preset),
        ("Uji coba / Dry run", "ya / yes" if job.dry_run else "tidak / no"),
        ("Status", job.status),
    ]
    rows += [(label, counts.get(key, 0)) for key, label in _SUMMARY_LABELS]
    ignored = counts.get("ignored_columns") or []
    rows.append(("Kolom diabaikan / Ignored columns", ", ".join(ignored) if ignored else "-"))
    return rows


def render_xlsx(job: ImportJob, issues: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet("Ringkasan")
    summary.set_column(0, 0, 48)
    summary.set_column(1, 1, 70)
    for i, (label, value) in enumerate(_summary_rows(job)):
        summary.write_string(i, 0, label, bold)
        if isinstance(value, int):
            summary.write_number(i, 1, value)
        else:
            summary.write_string(i, 1, formula_guard(str(value)))
    sheet = book.add_worksheet("Masalah")
    for j, width in enumerate((10, 22, 24, 22, 24, 80, 80)):
        sheet.set_column(j, j, width)
    sheet.write_row(0, 0, _HEADERS, bold)
    for i, (row, column, value, severity, code, mid, men) in enumerate(issues.iter_rows(), start=1):
        sheet.write_number(i, 0, row)
        sheet.write_string(i, 1, formula_guard(column))
        sheet.write_string(i, 2, formula_guard(value))  # text, so that a NIK is shown whole
        sheet.write_string(i, 3, _SEVERITY.get(severity, severity))
        sheet.write_string(i, 4, code)
        sheet.write_string(i, 5, formula_guard(mid))
        sheet.write_string(i, 6, formula_guard(men))
    sheet.autofilter(0, 0, max(issues.height, 1), len(_HEADERS) - 1)
    book.close()
    return buffer.getvalue()


def render_csv(issues: pl.DataFrame) -> bytes:
    """Semicolon-separated UTF-8 with BOM: what Excel set to Indonesian opens directly."""
    frame = issues.select(
        pl.col("row").alias(_HEADERS[0]), pl.col("column").alias(_HEADERS[1]), pl.col("value").alias(_HEADERS[2]),
        pl.col("severity").replace_strict(_SEVERITY, default=pl.col("severity")).alias(_HEADERS[3]),
        pl.col("code").alias(_HEADERS[4]), pl.col("message_id").alias(_HEADERS[5]),
        pl.col("message_en").alias(_HEADERS[6]),
    )
    buffer = io.BytesIO()
    buffer.write(b"\xef\xbb\xbf")
    formula_guard_frame(frame).write_csv(buffer, separator=";")
    return buffer.getvalue()


def render_report(job: ImportJob, fmt: str = "xlsx") -> bytes:
    issues = job_issues(job)
    return render_csv(issues) if fmt == "csv" else render_xlsx(job, issues)


def write_report(job: ImportJob) -> str:
    """Store the XLSX report for the job in the default storage; returns its name."""
    name = f"imports/reports/{job.pk.hex}.xlsx"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(render_report(job, "xlsx")))


def export_report(job: ImportJob, path: str | Path) -> Path:
    """Write the report to a file; `.csv` gives CSV, anything else XLSX."""
    target = Path(path)
    fmt = "csv" if target.suffix.lower() == ".csv" else "xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render_report(job, fmt))
    return target
