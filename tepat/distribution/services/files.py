"""Reading the channels' files (realisation reports, bank statements, returns) through the registry
import's bounded reader (`tepat.registry.transfer.reader.read_table`: upload size and XLSX preflight,
CSV/XLSX, encodings, title rows), with a header matcher per file kind. Column mapping: the known headers
below, plus the user's own `{"header as written": "field"}`."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import ensure_upload_size
from tepat.registry.transfer.presets import header_key
from tepat.registry.transfer.reader import ROW, read_table

REALISATION_HEADERS: dict[str, tuple[str, ...]] = {
    "ref": ("ID_KPM", "REFERENSI", "REF", "KPM_REF", "ID_PENERIMA", "NO_REFERENSI"),
    "nik": ("NIK", "NIK_KTP", "NIK_PENERIMA"),
    "kind": ("STATUS", "STATUS_SALUR", "KETERANGAN_STATUS", "JENIS", "JENIS_TRANSAKSI"),
    "amount": ("NOMINAL", "NOMINAL_BANSOS", "JUMLAH", "NILAI", "NILAI_RP", "AMOUNT"),
    "date": ("TANGGAL", "TANGGAL_SALUR", "TGL_SALUR", "TGL_TRANSAKSI", "TANGGAL_TRANSAKSI", "DATE"),
    "reason": ("ALASAN", "ALASAN_GAGAL", "KETERANGAN", "REASON"),
    "reference": ("NO_TRANSAKSI", "ID_TRANSAKSI", "REFERENSI_BANK", "TRX_ID", "NO_TRX"),
}
RETURN_HEADERS: dict[str, tuple[str, ...]] = {
    "ref": REALISATION_HEADERS["ref"],
    "nik": REALISATION_HEADERS["nik"],
    "reason": ("ALASAN", "ALASAN_RETUR", "KETERANGAN", "REASON", "ALASAN_KEMBALI"),
}
KINDS = {
    "salur": "salur", "tersalur": "salur", "sukses": "salur", "berhasil": "salur", "paid": "salur",
    "gagal": "gagal", "gagal salur": "gagal", "tidak tersalur": "gagal", "failed": "gagal",
    "reversal": "reversal", "reversal dana": "reversal", "koreksi": "reversal", "batal": "reversal",
    "retur": "retur", "retur kas negara": "retur", "dikembalikan": "retur", "returned": "retur",
}
UPLOAD_KIND = "registry_import"


def _fail(code: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, "file", id_text, en_text)])


def _table(headers: dict[str, tuple[str, ...]], mapping: dict[str, str] | None) -> dict[str, str]:
    table = {header_key(h): name for name, hs in headers.items() for h in hs}
    table.update({header_key(name): name for name in headers})
    for header, target in (mapping or {}).items():
        if target and target not in headers:
            raise ValidationFailed([Issue("mapping", "mapping", f"kolom tujuan '{target}' tidak dikenal "
                                          f"(pilih {', '.join(headers)})",
                                          f"unknown target column '{target}' (choose {', '.join(headers)})")])
        table[header_key(header)] = target
    return table


def read(source: bytes | Path, file_name: str, *, kind: str, mapping: dict[str, str] | None = None) -> pl.DataFrame:
    """The file as text columns named by field plus `_row`; refuses a file without the required columns."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    ensure_upload_size(UPLOAD_KIND, size)
    headers = REALISATION_HEADERS if kind == "realisation" else RETURN_HEADERS
    table = _table(headers, mapping)

    def score(cells: list[Any]) -> int:
        return sum(1 for cell in cells if isinstance(cell, str) and table.get(header_key(cell)))

    def match(names: list[str]) -> tuple[dict[str, str], list[str]]:
        fields: dict[str, str] = {}
        ignored: list[str] = []
        for header in names:
            target = table.get(header_key(header))
            if not target:
                ignored.append(header)
                continue
            if target in fields:
                raise _fail("duplicate_column", f"kolom '{fields[target]}' dan '{header}' sama-sama mengisi {target}",
                            f"columns '{fields[target]}' and '{header}' both fill {target}")
            fields[target] = header
        missing = []
        if "ref" not in fields and "nik" not in fields:
            missing.append("ID_KPM / NIK")
        required = ("kind", "amount", "date") if kind == "realisation" else ()
        missing += [REALISATION_HEADERS[f][0] for f in required if f not in fields]
        if missing:
            raise _fail("missing_columns", f"kolom wajib tidak ada: {', '.join(missing)}",
                        f"required columns are missing: {', '.join(missing)}")
        return fields, ignored

    raw = read_table(source, file_name, score=score, match=match)
    frame = raw.frame
    for name in headers:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    return frame.select([ROW, *headers])



def parse_amount(text: str | None) -> int | None:
    """`150000`, `150.000`, `Rp 150.000,00`, `150,000` → 150000; None when not whole rupiah."""
    value = (text or "").strip().replace("Rp", "").replace("rp", "").strip()
    if not value:
        return None
    if re.fullmatch(r"-?[0-9]+[.,]00?", value):
        value = value[:-3] if value[-3] in ".," else value[:-2]
    if re.fullmatch(r"-?[0-9]{1,3}([.,][0-9]{3})+", value):
        value = value.replace(".", "").replace(",", "")
    if not re.fullmatch(r"-?[0-9]+", value):
        return None
    return int(value)


def parse_date(text: str | None) -> date | None:
    value = (text or "").strip()[:19]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None
