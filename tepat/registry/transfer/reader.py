"""Reading an import file into a table of text: CSV (comma, semicolon, tab; UTF-8 with or without BOM,
or Windows-1252; CRLF or LF) and XLSX (python-calamine, read in one call, never cell by cell in XML).

Every value arrives as text. Cells an XLSX stored as numbers are flagged (`_num_<field>`) for the
identity columns, because a 16-digit NIK kept as a number has lost its last digit. Row numbers are
the ones the spreadsheet shows (header row = its own number, usually 1); title rows above the header
are skipped, blank rows are kept so that numbering stays true (and dropped later, counted).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue

ROW = "_row"
IDENTITY_FIELDS = ("nik", "kk_number")
_HEADER_SCAN_ROWS = 30
_SEPARATORS = (";", ",", "\t", "|")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(slots=True)
class RawTable:
    """Data rows as text columns named by field, plus `_row` and `_num_<identity field>` flags."""

    frame: pl.DataFrame
    headers: dict[str, str]  # field → header as written
    ignored_headers: list[str]
    header_row: int
    notes: list[str] = field(default_factory=list)  # e.g. the encoding that was assumed


def _file_error(code: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, "file", id_text, en_text)])


def is_spreadsheet(file_name: str) -> bool:
    return file_name.lower().endswith(XLSX_SUFFIXES)


# --- CSV -------------------------------------------------------------------------------------------

def _is_utf8(chunks) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _chunks(source: bytes | Path, size: int = 1 << 24):
    if isinstance(source, bytes):
        view = memoryview(source)
        for start in range(0, len(source), size):
            yield bytes(view[start:start + size])
    else:
        with source.open("rb") as handle:
            yield from iter(lambda: handle.read(size), b"")


def _head(source: bytes | Path, size: int = 64 * 1024) -> bytes:
    if isinstance(source, bytes):
        return source[:size]
    with source.open("rb") as handle:
        return handle.read(size)


def _split_line(line: str, sep: str) -> list[str]:
    return [cell.strip().strip('"') for cell in line.split(sep)]


def _sniff(lines: list[str], score: Callable[[list[Any]], int]) -> tuple[int, str]:
    """(index of the header line, separator): the line and separator that match most known headers."""
    best = (0, -1, ",")
    for index, line in enumerate(lines):
        for sep in _SEPARATORS:
            value = score(_split_line(line, sep))
            if value > best[0]:
                best = (value, index, sep)
    if best[0] < 2:
        raise _file_error("no_header", "baris judul kolom tidak ditemukan (mis. NIK, NO_KK, NAMA)",
                          "no header row found (e.g. NIK, NO_KK, NAMA)")
    return best[1], best[2]


def read_csv(source: bytes | Path, score: Callable[[list[Any]], int]) -> tuple[pl.DataFrame, int, list[str]]:
    """UTF-8 (with or without BOM) is read as is, from the file itself when there is one (no copy in
    memory); anything else is taken as Windows-1252, which Excel in Indonesian Windows writes."""
    encoding = "utf-8"
    if not _is_utf8(_chunks(source)):
        raw = source if isinstance(source, bytes) else source.read_bytes()
        source, encoding = raw.decode("cp1252", errors="replace").encode("utf-8"), "cp1252"
    head = _head(source).decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[:_HEADER_SCAN_ROWS]
    header_index, sep = _sniff(head, score)
    try:
        frame = pl.read_csv(
            source, separator=sep, has_header=True, skip_rows=header_index, infer_schema=False,
            quote_char='"', raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        raise _file_error(
            "csv_unreadable",
            f"berkas CSV tidak dapat dibaca (mungkin jumlah kolom per baris tidak sama): {exc}",
            f"the CSV file cannot be read (perhaps rows have different numbers of columns): {exc}",
        ) from exc
    if frame.columns:  # a BOM polars kept on the first header
        frame = frame.rename({frame.columns[0]: frame.columns[0].lstrip("\ufeff")})
    notes = [f"encoding={encoding}", f"separator={sep!r}"]
    return frame, header_index + 1, notes


# --- XLSX ------------------------------------------------------------------------------------------

def _cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):  # a time-only or duration cell
        return str(value)
    return str(value)


def read_xlsx(source: bytes | Path, score: Callable[[list[Any]], int]) -> tuple[pl.DataFrame, int, dict[str, list[bool]], list[str]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = (CalamineWorkbook.from_filelike(io.BytesIO(source)) if isinstance(source, bytes)
                else CalamineWorkbook.from_path(str(source)))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise _file_error("xlsx_unreadable", f"berkas spreadsheet tidak dapat dibaca: {exc}",
                          f"the spreadsheet cannot be read: {exc}") from exc
    best = (0, -1)
    for index, cells in enumerate(rows[:_HEADER_SCAN_ROWS]):
        value = score(cells)
        if value > best[0]:
            best = (value, index)
    if best[0] < 2:
        raise _file_error("no_header", "baris judul kolom tidak ditemukan (mis. NIK, NO_KK, NAMA)",
                          "no header row found (e.g. NIK, NO_KK, NAMA)")
    header_index = best[1]
    headers = [_cell_text(cell) or "" for cell in rows[header_index]]
    body = rows[header_index + 1:]
    del rows
    columns: dict[str, list[str | None]] = {}
    numeric: dict[str, list[bool]] = {}
    seen: dict[str, int] = {}
    for j, header in enumerate(headers):
        name = header or f"_blank_{j}"
        if name in seen:  # keep duplicates distinct; the header matcher reports them
            seen[name] += 1
            name = f"{name}\u200b{seen[name]}"
        seen.setdefault(name, 0)
        cells = [row[j] if j < len(row) else None for row in body]
        columns[name] = [_cell_text(v) for v in cells]
        numeric[name] = [isinstance(v, int | float) and not isinstance(v, bool) for v in cells]
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return frame, header_index + 1, numeric, [f"sheet={sheet.name}"]


# --- both ------------------------------------------------------------------------------------------

def read_table(
    source: bytes | Path,
    file_name: str,
    *,
    score: Callable[[list[Any]], int],
    match: Callable[[list[str]], tuple[dict[str, str], list[str]]],
) -> RawTable:
    """The file as text columns renamed to field names. `score` finds the header row; `match` maps
    headers to fields (and raises for a missing required column)."""
    numeric: dict[str, list[bool]] = {}
    if is_spreadsheet(file_name):
        frame, header_row, numeric, notes = read_xlsx(source, score)
    else:
        frame, header_row, notes = read_csv(source, score)
    headers = [h.split("\u200b")[0] for h in frame.columns]
    if len(set(headers)) != len(headers) or any("_duplicated_" in h for h in frame.columns):
        dupes = sorted({h.split("_duplicated_")[0] for h in headers if headers.count(h) > 1 or "_duplicated_" in h})
        raise _file_error("duplicate_column", f"judul kolom ganda: {', '.join(dupes)}",
                          f"duplicate column headers: {', '.join(dupes)}")
    fields, ignored = match(headers)
    by_header = {header: name for name, header in fields.items()}
    keep = [h for h in frame.columns if h in by_header]
    out = frame.select([pl.col(h).alias(by_header[h]) for h in keep])
    out = out.with_columns(pl.int_range(header_row + 1, header_row + 1 + out.height, dtype=pl.Int64).alias(ROW))
    for name in IDENTITY_FIELDS:
        if name in fields:
            flags = numeric.get(fields[name])
            out = out.with_columns(
                pl.Series(f"_num_{name}", flags, dtype=pl.Boolean) if flags is not None
                else pl.lit(False).alias(f"_num_{name}")
            )
    return RawTable(out, fields, ignored, header_row, notes)
