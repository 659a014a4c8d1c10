"""Civil-registry (Dukcapil) adapters: where population-register records come from.

Two implementations of one interface, `lookup(niks) -> polars frame` with the columns `EXTRACT_COLUMNS`:
- `FileAdapter`: an extract file the office received (CSV or XLSX; Dukcapil's usual column names or ours);
- `HttpAdapter`: a web service configured by URL and credentials (basic auth or a bearer token). It POSTs
  `{"nik": [...]}` in batches and reads `{"records": [{...}, ...]}` back.
NIK and KK are always read as text (a spreadsheet cell would lose the last digit).
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl
from django.conf import settings

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import xlsx_preflight

EXTRACT_COLUMNS = {
    "nik": pl.String, "kk_number": pl.String, "name": pl.String, "birth_place": pl.String, "birth_date": pl.Date,
    "sex": pl.Int16, "address": pl.String, "death_date": pl.Date, "move_date": pl.Date,
    "move_destination": pl.String,
}
# Header spellings seen in Dukcapil extracts → our column names.
HEADER_ALIASES = {
    "nik": "nik", "no_kk": "kk_number", "nkk": "kk_number", "kk": "kk_number", "kk_number": "kk_number",
    "nama": "name", "nama_lgkp": "name", "nama_lengkap": "name", "name": "name",
    "tmpt_lhr": "birth_place", "tempat_lahir": "birth_place", "birth_place": "birth_place",
    "tgl_lhr": "birth_date", "tanggal_lahir": "birth_date", "birth_date": "birth_date",
    "jenis_klmin": "sex", "jk": "sex", "jenis_kelamin": "sex", "sex": "sex",
    "alamat": "address", "address": "address",
    "tgl_kematian": "death_date", "tanggal_kematian": "death_date", "tgl_meninggal": "death_date",
    "death_date": "death_date",
    "tgl_pindah": "move_date", "tanggal_pindah": "move_date", "move_date": "move_date",
    "tujuan_pindah": "move_destination", "alamat_tujuan": "move_destination", "move_destination": "move_destination",
}
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d")


class CivilRegistryAdapter(Protocol):
    source: str

    def lookup(self, niks: Sequence[str]) -> pl.DataFrame: ...


def _date_expr(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String).str.strip_chars().str.slice(0, 10)
    return pl.coalesce([text.str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]).alias(column)


def _sex_expr() -> pl.Expr:
    text = pl.col("sex").cast(pl.String).str.strip_chars().str.to_uppercase()
    return (pl.when(text.is_in(["1", "L", "LK", "LAKI-LAKI", "LAKI LAKI", "M", "MALE"])).then(1)
            .when(text.is_in(["2", "P", "PR", "PEREMPUAN", "F", "FEMALE"])).then(2)
            .otherwise(None).cast(pl.Int16).alias("sex"))


def normalise_extract(frame: pl.DataFrame) -> pl.DataFrame:
    """Rename known headers, type the columns, add the missing ones as empty."""
    renames = {}
    for column in frame.columns:
        key = column.strip().lower().replace(" ", "_").replace(".", "")
        if key in HEADER_ALIASES and HEADER_ALIASES[key] not in renames.values():
            renames[column] = HEADER_ALIASES[key]
    frame = frame.rename(renames).select(list(renames.values()))
    if "nik" not in frame.columns:
        raise ValidationFailed([Issue("required", "nik", "berkas tidak memiliki kolom NIK",
                                      "the file has no NIK column")])
    for column, dtype in EXTRACT_COLUMNS.items():
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(column))
    frame = frame.with_columns(
        pl.col("nik").cast(pl.String).str.replace_all(r"[^0-9]", ""),
        pl.col("kk_number").cast(pl.String).str.replace_all(r"[^0-9]", ""),
        *(_date_expr(c) for c in ("birth_date", "death_date", "move_date")),
        _sex_expr(),
        *(pl.col(c).cast(pl.String) for c in ("name", "birth_place", "address", "move_destination")),
    )
    return frame.select(list(EXTRACT_COLUMNS)).cast(EXTRACT_COLUMNS)


def read_table(path: str | Path) -> pl.DataFrame:
    """A CSV or XLSX file, every column as text. A workbook is checked before it is read
    (`xlsx_preflight`: zip sizes, the cells its sheet spans, cell length); parser messages, which quote
    the file, are never passed on."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods"):
        raise ValidationFailed([Issue("file_type", "file",
                                      "buku kerja .xls/.ods tidak dibaca: simpan ulang sebagai .xlsx atau .csv",
                                      "workbooks in .xls/.ods are not read: save the file again as .xlsx or .csv")])
    if suffix in (".xlsx", ".xlsm"):
        xlsx_preflight(path)
        try:
            return _read_xlsx(path)
        except Exception as exc:
            raise ValidationFailed([Issue("xlsx_unreadable", "file", "berkas spreadsheet tidak dapat dibaca",
                                          "the spreadsheet cannot be read")]) from exc
    with path.open("rb") as handle:
        if handle.read(4) == b"PK\x03\x04":
            raise ValidationFailed([Issue("xlsx_named_csv", "file",
                                          "berkas ini spreadsheet Excel (XLSX) yang bernama .csv: ganti akhirannya .xlsx",
                                          "this file is an Excel workbook (XLSX) named .csv: rename it to .xlsx")])
    try:
        frame = pl.read_csv(path, infer_schema_length=0, separator=_separator(path), encoding="utf8-lossy")
    except pl.exceptions.PolarsError as exc:
        raise ValidationFailed([Issue("csv_unreadable", "file",
                                      "berkas CSV tidak dapat dibaca (periksa tanda kutip, pemisah kolom, dan "
                                      "jumlah kolom tiap baris)",
                                      "the CSV file cannot be read (check the quotes, the column separator and "
                                      "the number of cells per row)")]) from exc
    return frame.with_columns(pl.col(c).str.replace_all(CONTROL, "") for c in frame.columns)


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path) -> pl.DataFrame:
    """The first sheet, first row as headers, every cell as text (python-calamine, read in one call)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    if not rows:
        return pl.DataFrame()
    headers = [str(h or f"_blank_{j}") for j, h in enumerate(rows[0])]
    columns = {h: [_cell(r[j]) if j < len(r) else None for r in rows[1:]] for j, h in enumerate(headers)}
    return pl.DataFrame(columns, schema=dict.fromkeys(headers, pl.String))


def _separator(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.readline()
    return ";" if head.count(";") > head.count(",") else ","


@dataclass
class FileAdapter:
    """An extract file: read once, then looked up by NIK."""

    path: str | Path
    _frame: pl.DataFrame | None = None

    @property
    def source(self) -> str:
        return f"file:{Path(self.path).name}"

    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = normalise_extract(read_table(self.path))
        return self._frame

    def lookup(self, niks: Sequence[str]) -> pl.DataFrame:
        return self.frame().filter(pl.col("nik").is_in(list(niks)))


@dataclass
class HttpAdapter:
    """A civil-registry web service: URL plus basic-auth user/password or a bearer token."""

    url: str
    username: str = ""
    password: str = ""
    token: str = ""
    batch_size: int = 500
    timeout: float = 30.0

    @property
    def source(self) -> str:
        return f"http:{self.url}"

    @classmethod
    def from_settings(cls) -> HttpAdapter:
        def conf(name: str) -> str:
            return str(getattr(settings, name, "") or os.environ.get(name, ""))

        url = conf("TEPAT_DUKCAPIL_URL")
        if not url:
            raise ValidationFailed([Issue("not_configured", "source",
                                          "layanan Dukcapil belum dikonfigurasi (TEPAT_DUKCAPIL_URL)",
                                          "the civil-registry service is not configured (TEPAT_DUKCAPIL_URL)")])
        return cls(url=url, username=conf("TEPAT_DUKCAPIL_USER"), password=conf("TEPAT_DUKCAPIL_PASSWORD"),
                   token=conf("TEPAT_DUKCAPIL_TOKEN"))

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.username:
            raw = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {raw}"
        return headers

    def _post(self, niks: list[str]) -> list[dict]:
        body = json.dumps({"nik": niks}).encode()
        request = urllib.request.Request(self.url, data=body, headers=self._headers(), method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            payload = json.loads(response.read().decode())
        return list(payload.get("records") or [])

    def lookup(self, niks: Sequence[str]) -> pl.DataFrame:
        records: list[dict] = []
        niks = [n for n in niks if n]
        for start in range(0, len(niks), self.batch_size):
            records += self._post(niks[start:start + self.batch_size])
        if not records:
            return pl.DataFrame(schema=EXTRACT_COLUMNS)
        frame = pl.DataFrame(records, infer_schema_length=None).cast(pl.String)
        return normalise_extract(frame)
