"""Reading an import file into a table of text: CSV (comma, semicolon, tab; UTF-8 with or without BOM,
or Windows-1252; CRLF or LF) and XLSX (python-calamine, read in one call, never cell by cell in XML).

Every value arrives as text. Cells an XLSX stored as numbers are flagged (`_num_<field>`) for the
identity columns, because a 16-digit NIK kept as a number has lost its last digit. Row numbers are
the ones the spreadsheet shows (header row = its own number, usually 1); title rows above the header
are skipped, blank rows are kept so that numbering stays true (and dropped later, counted).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import cell_excerpt, formula_unguard_expr, xlsx_preflight

ROW = "_row"
IDENTITY_FIELDS = ("nik", "kk_number")
_HEADER_SCAN_ROWS = 30
_SEPARATORS = (";", ",", "\t", "|")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Workbook formats whose size cannot be checked before reading (BIFF, OpenDocument): refused, saved as XLSX.
OTHER_WORKBOOK_SUFFIXES = (".xls", ".ods")


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


# --- CSV ---------------------------------------------------------------------------------------------

_MAX_LINES_NAMED = 8
_MAX_CSV_FIELD = 32_767  # Excel's own limit for a cell; a longer field is a stray quote or a bomb
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


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


def _lines_text(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_MAX_LINES_NAMED])
    return shown + (f" (+{len(numbers) - _MAX_LINES_NAMED})" if len(numbers) > _MAX_LINES_NAMED else "")


def _decode(source: bytes | Path) -> tuple[bytes | Path, str, list[str]]:
    """The file as UTF-8 with LF or CRLF line ends (the path itself when it already is one).

    UTF-16 with a BOM (Excel's "Unicode text") is transcoded. A file that is not UTF-8 throughout is
    decoded line by line: UTF-8 where a line is UTF-8, Windows-1252 where it is not, and those lines are
    named in the notes (one stray byte no longer re-decodes every other name)."""
    head = _head(source, 8)
    if head.startswith(b"PK\x03\x04"):
        raise _file_error("xlsx_named_csv",
                          "berkas ini spreadsheet Excel (XLSX) yang bernama .csv: ganti akhiran namanya menjadi .xlsx",
                          "this file is an Excel workbook (XLSX) named .csv: rename it to .xlsx")
    notes: list[str] = []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw = source if isinstance(source, bytes) else source.read_bytes()
        try:
            source = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _file_error("encoding", "berkas UTF-16 rusak", "the UTF-16 file is damaged") from exc
        encoding = "utf-16"
    elif _is_utf8(_chunks(source)):
        encoding = "utf-8"
    else:
        raw = source if isinstance(source, bytes) else source.read_bytes()
        out, legacy, utf8 = [], [], 0
        for number, line in enumerate(raw.split(b"\n"), start=1):
            try:
                out.append(line.decode("utf-8"))
                utf8 += not line.isascii()
            except UnicodeDecodeError:
                out.append(line.decode("cp1252", errors="replace"))
                legacy.append(number)
        source = "\n".join(out).encode("utf-8")
        encoding = "utf-8+cp1252" if utf8 else "cp1252"
        notes.append(f"cp1252_lines={_lines_text(legacy)}")
    head = _head(source)
    if b"\r" in head and b"\n" not in head:  # old Mac line ends, which the parser does not know
        raw = source if isinstance(source, bytes) else source.read_bytes()
        source = raw.replace(b"\r", b"\n")
    return source, encoding, notes


def _text_lines(text: str) -> list[str]:
    """Lines split at LF / CRLF / CR only (str.splitlines also splits at form feeds and other characters
    that the CSV parser keeps inside a line, which put the header on the wrong line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _records(text: str, sep: str):
    """(first line number, last line number, cells) per CSV record, quotes as spreadsheets write them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _file_error(
                "csv_quote",
                f"baris {start}: tanda kutip (\") yang dibuka tidak pernah ditutup, atau sel terlalu panjang",
                f"row {start}: a quote (\") opened here is never closed, or a cell is too long",
            ) from exc
        yield start, reader.line_num, cells
        start = reader.line_num + 1


def _sniff(lines: list[str], score: Callable[[list[Any]], int]) -> tuple[int, str, list[str]]:
    """(line index of the header, separator, header cells): the record that matches most known headers.
    Title rows above it may hold quoted line breaks and form feeds."""
    best: tuple[int, int, str, list[str]] = (0, -1, ",", [])
    text = "\n".join(lines)
    for sep in _SEPARATORS:
        try:
            for first, _last, cells in _records(text, sep):
                value = score([cell.strip() for cell in cells])
                if value > best[0]:
                    best = (value, first - 1, sep, cells)
        except ValidationFailed:
            continue
    if best[0] < 2:
        raise _file_error("no_header", "baris judul kolom tidak ditemukan (mis. NIK, NO_KK, NAMA)",
                          "no header row found (e.g. NIK, NO_KK, NAMA)")
    return best[1], best[2], best[3]


def _check_records(source: bytes | Path, header_index: int, sep: str, width: int) -> int:
    """Every record after the header: one line each (a quoted cell spanning lines joins rows, usually a
    stray quote), no more non-empty cells than the header has, no cell longer than a spreadsheet allows.
    Refused with the rows named; no cell content is echoed."""
    text = (source if isinstance(source, bytes) else source.read_bytes()).decode("utf-8", errors="replace")
    csv.field_size_limit(_MAX_CSV_FIELD * 4 + 16)
    merged, ragged, widest, most = [], [], 0, width
    try:
        for first, last, cells in _records(text, sep):
            if first <= header_index + 1:
                continue
            most = max(most, len(cells))
            if last > first:
                merged.append(f"{first}–{last}")
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                ragged.append(first)
                widest = max(widest, len(cells))
    finally:
        csv.field_size_limit(131072)
    if merged:
        raise _file_error(
            "csv_rows_merged",
            f"baris {_lines_text(merged)}: satu sel bertanda kutip melewati beberapa baris sehingga baris-baris "
            "tergabung (tanda kutip yang tersesat?); perbaiki tanda kutip atau hapus ganti baris di dalam sel",
            f"rows {_lines_text(merged)}: a quoted cell runs over several lines, joining the rows (a stray "
            "quote?); fix the quotes or remove the line breaks inside cells",
        )
    if ragged:
        raise _file_error(
            "csv_ragged",
            f"baris {_lines_text(ragged)}: lebih banyak sel ({widest}) daripada judul kolom ({width})",
            f"rows {_lines_text(ragged)}: more cells ({widest}) than the header has columns ({width})",
        )
    return most


def read_csv(source: bytes | Path, score: Callable[[list[Any]], int]) -> tuple[pl.DataFrame, int, list[str]]:
    """UTF-8 (with or without BOM) is read as is, from the file itself when there is one (no copy in
    memory); UTF-16 and lines in Windows-1252 are decoded first (see `_decode`)."""
    source, encoding, notes = _decode(source)
    head = _text_lines(_head(source).decode("utf-8", errors="replace").lstrip("\ufeff"))
    header_index, sep, header_cells = _sniff(head[:_HEADER_SCAN_ROWS], score)
    names = [cell.strip().lstrip("\ufeff") for cell in header_cells]
    while names and not names[-1]:  # empty trailing header cells, as Excel writes them
        names.pop()
    names = [name or f"_blank_{j}" for j, name in enumerate(names)]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):  # keep duplicates distinct; read_table reports them
        if name in seen:
            seen[name] += 1
            names[j] = f"{name}\u200b{seen[name]}"
        seen.setdefault(name, 0)
    most = _check_records(source, header_index, sep, len(names))
    names += [f"_blank_{j}" for j in range(len(names), most)]
    try:
        frame = pl.read_csv(
            source, separator=sep, has_header=False, skip_lines=header_index + 1,
            infer_schema=False, quote_char='"', raise_if_empty=False, truncate_ragged_lines=True,
            new_columns=names, schema=dict.fromkeys(names, pl.String),
        )
    except pl.exceptions.PolarsError as exc:  # the parser's text quotes the file: never shown
        raise _file_error(
            "csv_unreadable",
            "berkas CSV tidak dapat dibaca (periksa tanda kutip dan pemisah kolom)",
            "the CSV file cannot be read (check the quotes and the column separator)",
        ) from exc
    notes = [f"encoding={encoding}", f"separator={sep!r}", *notes]
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

    xlsx_preflight(source)  # before calamine: a sheet spanning XFD1048576 would abort the process
    try:
        book = (CalamineWorkbook.from_filelike(io.BytesIO(source)) if isinstance(source, bytes)
                else CalamineWorkbook.from_path(str(source)))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:  # the reader's text may quote cells: not shown
        raise _file_error("xlsx_unreadable", "berkas spreadsheet tidak dapat dibaca (rusak atau terenkripsi?)",
                          "the spreadsheet cannot be read (damaged or encrypted?)") from exc
    best = (0, -1)
    for index, cells in enumerate(rows[:_HEADER_SCAN_ROWS]):
        value = score(cells)
        if value > best[0]:
            best = (value, index)
    if best[0] < 2:
        others = list(book.sheet_names[1:])
        if others:
            listed = ", ".join(f"'{cell_excerpt(name)}'" for name in others[:5])
            raise _file_error(
                "no_header",
                f"baris judul kolom (mis. NIK, NO_KK, NAMA) tidak ditemukan di lembar pertama '{cell_excerpt(sheet.name)}'; "
                f"yang dibaca hanya lembar pertama, buku kerja ini punya lembar lain ({listed}): pindahkan data ke "
                "lembar pertama",
                f"no header row (e.g. NIK, NO_KK, NAMA) found on the first sheet '{cell_excerpt(sheet.name)}'; only "
                f"the first sheet is read and this workbook has others ({listed}): move the data to the first sheet",
            )
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
    if file_name.lower().endswith(OTHER_WORKBOOK_SUFFIXES):
        raise _file_error("file_type", "buku kerja .xls/.ods tidak dibaca: simpan ulang sebagai .xlsx atau .csv",
                          "workbooks in .xls/.ods are not read: save the file again as .xlsx or .csv")
    if is_spreadsheet(file_name):
        frame, header_row, numeric, notes = read_xlsx(source, score)
    else:
        frame, header_row, notes = read_csv(source, score)
    headers = [h.split("\u200b")[0] for h in frame.columns]
    if len(set(headers)) != len(headers) or any("_duplicated_" in h for h in frame.columns):
        dupes = sorted({h.split("_duplicated_")[0] for h in headers if headers.count(h) > 1 or "_duplicated_" in h})
        dupes = [cell_excerpt(d) for d in dupes[:10]]
        raise _file_error("duplicate_column", f"judul kolom ganda: {', '.join(dupes)}",
                          f"duplicate column headers: {', '.join(dupes)}")
    fields, ignored = match(headers)
    ignored = [h for h in ignored if not h.startswith("_blank_")]
    by_header = {header: name for name, header in fields.items()}
    keep = [h for h in frame.columns if h in by_header]
    # Control characters (NUL, form feed, ...) are dropped from every cell, the same on every database
    # (PostgreSQL refuses NUL); the guard quote of a cell the system exported is taken off again.
    out = frame.select([formula_unguard_expr(pl.col(h).str.replace_all(CONTROL_CHARS, "")).alias(by_header[h])
                        for h in keep])
    out = out.with_columns(pl.int_range(header_row + 1, header_row + 1 + out.height, dtype=pl.Int64).alias(ROW))
    for name in IDENTITY_FIELDS:
        if name in fields:
            flags = numeric.get(fields[name])
            out = out.with_columns(
                pl.Series(f"_num_{name}", flags, dtype=pl.Boolean) if flags is not None
                else pl.lit(False).alias(f"_num_{name}")
            )
    return RawTable(out, fields, ignored, header_row, notes)
