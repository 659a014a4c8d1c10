"""Uploaded files, before anything parses them, and the cells the system writes back out.

- `upload_limit(kind)` / `ensure_upload_size(kind, size)`: a configurable size limit per kind of upload
  (`TEPAT_UPLOAD_LIMITS`, bytes), refused with the size and the limit.
- `xlsx_preflight(source)`: a workbook's zip entries (declared and actual decompressed sizes), the
  cells its first sheet spans and the longest text run in its XML, checked BEFORE calamine reads it. A
  sheet with one cell at A1 and one at XFD1048576 makes calamine allocate the whole grid (512 GiB) and
  abort the process, which Python cannot catch; a 200 MB cell costs GBs. Both are refused here, reading
  the zip as a stream with bounded memory.
- `cell_excerpt(value)`: the offending cell, truncated, for a message (never more of a file than that).
- `formula_guard(value)` / `formula_guard_expr(expr)` / `formula_unguard_expr(expr)`: OWASP's rule for
  CSV injection, in one place for every writer (CSV and XLSX text cells), and its inverse for the
  importer so that a file the system wrote imports back unchanged.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue

# --- size limits -----------------------------------------------------------------------------------

MB = 1024 * 1024
DEFAULT_UPLOAD_LIMITS = {
    "registry_import": 200 * MB,  # a district of ~1M people as CSV
    "desil_import": 100 * MB,  # NIK or KK + desil for a district's families
    "civil_extract": 200 * MB,
    "external_list": 50 * MB,
    "document": 10 * MB,
    "siks_response": 10 * MB,
    "receipt_image": 5 * MB,  # a receipt's photo or signature from a field device
}
UPLOAD_KIND_LABELS = {
    "registry_import": ("berkas impor registri", "registry import file"),
    "desil_import": ("berkas desil", "desil file"),
    "civil_extract": ("ekstrak Dukcapil", "civil-registry extract"),
    "external_list": ("daftar eksternal", "external list"),
    "document": ("dokumen", "document"),
    "siks_response": ("berkas jawaban SIKS", "SIKS response file"),
    "receipt_image": ("foto/tanda tangan tanda terima", "receipt photo or signature"),
}


def upload_limit(kind: str) -> int:
    limits = {**DEFAULT_UPLOAD_LIMITS, **(getattr(settings, "TEPAT_UPLOAD_LIMITS", None) or {})}
    return int(limits[kind])


def _size_text(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB else f"{size:,} B"


def ensure_upload_size(kind: str, size: int, field: str = "file") -> None:
    """Refuse an upload of `kind` larger than its limit, naming both sizes."""
    limit = upload_limit(kind)
    if size > limit:
        label_id, label_en = UPLOAD_KIND_LABELS.get(kind, (kind, kind))
        raise ValidationFailed([Issue(
            "file_too_large", field,
            f"{label_id} terlalu besar: {_size_text(size)}, batasnya {_size_text(limit)}",
            f"the {label_en} is too large: {_size_text(size)}, the limit is {_size_text(limit)}",
            params={"size": size, "limit": limit},
        )])


# --- messages --------------------------------------------------------------------------------------

EXCERPT_CHARS = 40


def cell_excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """The offending cell for a message: control characters shown as '?', at most `limit` characters."""
    text = "" if value is None else str(value)
    text = re.sub(r"[\x00-\x1f\x7f]", "?", text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- XLSX preflight --------------------------------------------------------------------------------

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
DEFAULT_XLSX_LIMITS = {
    "rows": 1_100_000,
    "columns": 500,
    "cells": 80_000_000,
    "uncompressed": 2048 * MB,  # all zip entries together
    "ratio": 200,  # decompressed / compressed, per entry of more than 1 MB
}
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,4})([0-9]{1,8})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,8})\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([A-Z]{0,4})([0-9]{0,8}):?([A-Z]{0,4})([0-9]{0,8})\"")
_CHUNK = 1 << 20


def xlsx_limits() -> dict[str, int]:
    return {**DEFAULT_XLSX_LIMITS, **(getattr(settings, "TEPAT_XLSX_LIMITS", None) or {})}


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(slots=True)
class SheetSpan:
    name: str
    rows: int
    columns: int


def _refuse(code: str, id_text: str, en_text: str, **params: object) -> ValidationFailed:
    return ValidationFailed([Issue(code, "file", id_text, en_text, params=dict(params))])


def _first_sheet(book: zipfile.ZipFile) -> str | None:
    """The zip entry of the workbook's first sheet (the one the readers take), from workbook.xml + rels."""
    try:
        workbook = book.open("xl/workbook.xml").read(4 * MB)
        rels = book.open("xl/_rels/workbook.xml.rels").read(4 * MB)
    except KeyError:
        return None
    sheet = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\s\w+:id=\"([^\"]+)\"", workbook)
    if not sheet:
        return None
    for rel in re.finditer(rb"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        if re.search(rb"\sId=\"" + re.escape(sheet.group(1)) + rb"\"", tag):
            target = re.search(rb"\sTarget=\"([^\"]+)\"", tag)
            if target:
                path = target.group(1).decode("utf-8", "replace").lstrip("/")
                return path if path.startswith("xl/") else f"xl/{path}"
    return None


def _scan(book: zipfile.ZipFile, info: zipfile.ZipInfo, *, cells: bool, limits: dict[str, int]) -> tuple[int, int]:
    """Stream one entry: refuse a text run longer than a cell may be; with `cells`, the largest row and
    column any cell (or row, or the declared dimension) names. Memory: one chunk plus a short tail."""
    max_row = max_col = 0
    longest = carry = 0
    tail = b""
    run_limit = MAX_CELL_CHARS * 10  # an escaped character takes at most 10 bytes (&#x10FFFF;)
    with book.open(info) as handle:
        read = 0
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > limits["uncompressed"]:
                raise _refuse("xlsx_too_large", "isi spreadsheet terlalu besar setelah diekstrak",
                              "the spreadsheet is too large once decompressed")
            pieces = chunk.split(b"<")
            if len(pieces) == 1:
                carry += len(chunk)
            else:
                longest = max(longest, carry + len(pieces[0]), max(len(p) for p in pieces[1:-1]) if len(pieces) > 2 else 0)
                carry = len(pieces[-1])
            if max(longest, carry) > run_limit:
                break
            if cells:
                data = tail + chunk
                for match in _CELL_REF.finditer(data):
                    max_col = max(max_col, _column_number(match.group(1)))
                    max_row = max(max_row, int(match.group(2)))
                for match in _ROW_REF.finditer(data):
                    max_row = max(max_row, int(match.group(1)))
                for match in _DIMENSION.finditer(data):
                    for letters, digits in ((match.group(1), match.group(2)), (match.group(3), match.group(4))):
                        if letters:
                            max_col = max(max_col, _column_number(letters))
                        if digits:
                            max_row = max(max_row, int(digits))
                tail = data[-200:]
    if max(longest, carry) > run_limit:
        raise _refuse(
            "cell_too_large",
            f"spreadsheet memuat sel yang lebih panjang dari {MAX_CELL_CHARS:,} karakter (batas Excel sendiri) "
            f"di bagian '{info.filename}'",
            f"the spreadsheet holds a cell longer than {MAX_CELL_CHARS:,} characters (Excel's own limit) "
            f"in part '{info.filename}'",
            limit=MAX_CELL_CHARS,
        )
    return max_row, max_col


def xlsx_preflight(source: bytes | Path, *, limits: dict[str, int] | None = None) -> SheetSpan | None:
    """Refuse a workbook that would take the reader down; returns the first sheet's span.

    `.xlsx`/`.xlsm` only (a zip of XML). Other workbook formats are refused by the callers."""
    limits = {**xlsx_limits(), **(limits or {})}
    try:
        book = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else Path(source))
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse("xlsx_unreadable", "berkas bukan spreadsheet XLSX yang utuh (bukan arsip zip)",
                      "the file is not a complete XLSX workbook (not a zip archive)") from exc
    with book:
        entries = book.infolist()
        declared = sum(info.file_size for info in entries)
        if declared > limits["uncompressed"]:
            raise _refuse("xlsx_too_large",
                          f"isi spreadsheet {_size_text(declared)} setelah diekstrak, batasnya {_size_text(limits['uncompressed'])}",
                          f"the spreadsheet is {_size_text(declared)} once decompressed, the limit is "
                          f"{_size_text(limits['uncompressed'])}", size=declared, limit=limits["uncompressed"])
        for info in entries:
            if info.file_size > MB and info.file_size > limits["ratio"] * max(info.compress_size, 1):
                raise _refuse("xlsx_bomb",
                              f"bagian '{info.filename}' dari spreadsheet mengembang {info.file_size // max(info.compress_size, 1):,}× "
                              f"saat diekstrak (batas {limits['ratio']}×): berkas ditolak",
                              f"part '{info.filename}' of the spreadsheet expands {info.file_size // max(info.compress_size, 1):,}× "
                              f"when decompressed (limit {limits['ratio']}×): file refused")
        names = {info.filename: info for info in entries}
        first = _first_sheet(book)
        sheets = [names[first]] if first in names else [i for i in entries if i.filename.startswith("xl/worksheets/")
                                                          and i.filename.endswith(".xml")]
        for info in entries:  # strings shared by every sheet, and the other text parts
            if info.filename.endswith(".xml") and info not in sheets and info.filename.startswith("xl/"):
                _scan(book, info, cells=False, limits=limits)
        span = None
        for info in sheets:
            rows, columns = _scan(book, info, cells=True, limits=limits)
            over = rows > limits["rows"] or columns > limits["columns"] or rows * columns > limits["cells"]
            if over:
                corner = f"{_column_letters(columns)}{rows}"
                raise _refuse(
                    "xlsx_dimensions",
                    f"lembar kerja mencakup {rows:,} baris × {columns:,} kolom (sampai sel {corner}); batasnya "
                    f"{limits['rows']:,} baris, {limits['columns']:,} kolom, {limits['cells']:,} sel. Hapus sel yang "
                    "tidak dipakai di luar tabel",
                    f"the sheet spans {rows:,} rows × {columns:,} columns (up to cell {corner}); the limit is "
                    f"{limits['rows']:,} rows, {limits['columns']:,} columns, {limits['cells']:,} cells. Delete the "
                    "unused cells outside the table",
                    rows=rows, columns=columns,
                )
            span = span or SheetSpan(info.filename, rows, columns)
        return span


# --- formula guard (CSV injection) -----------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
# A value is guarded when it starts with a formula character, or with guard quotes before one (so that a
# value that itself began with a quote and a formula character comes back exactly).
_GUARDED = r"^'*[=+\-@\t\r]"
_UNGUARD = r"^'('*[=+\-@\t\r])"


def formula_guard(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with a single quote (OWASP)."""
    if not isinstance(value, str) or not value:
        return value
    return GUARD + value if re.match(_GUARDED, value) else value


def formula_unguard(value: object) -> object:
    """The inverse of `formula_guard`, for files the system wrote coming back in."""
    if not isinstance(value, str) or not value.startswith(GUARD):
        return value
    return re.sub(_UNGUARD, r"\1", value, count=1)


def formula_guard_expr(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String)
    return pl.when(text.str.contains(_GUARDED)).then(pl.lit(GUARD) + text).otherwise(text)


def formula_guard_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a frame guarded (numbers, dates and booleans cannot start a formula)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns([formula_guard_expr(pl.col(name)).alias(name) for name in text])


def formula_unguard_expr(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace(_UNGUARD, "$1")
