"""The SIKS-style submission file and its response, as plain functions on rows (no database).

SIKS-NG's exact export layout is not public [FACTS §5.6, UNVERIFIED], so this is a documented,
SIKS-like layout: UTF-8 CSV with `;` separators (Indonesian spreadsheets read it directly), one header
row, one row per person a proposal concerns (ID_USULAN repeats), identity numbers as text.

Submission columns: NO_BATCH; NO; ID_USULAN; JENIS_USULAN; KODE_WILAYAH; PROVINSI; KABUPATEN_KOTA;
KECAMATAN; DESA_KELURAHAN; RT; RW; ALAMAT; NO_KK; NIK; NAMA; JENIS_KELAMIN; TANGGAL_LAHIR;
HUBUNGAN_KELUARGA; PROGRAM; KETERANGAN

Response columns (the centre's or province's answer): NO_BATCH; ID_USULAN; STATUS; KETERANGAN, with
STATUS one of DITERIMA (accepted) or DIKEMBALIKAN (returned; KETERANGAN says why).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tepat.core.messages import Issue
from tepat.core.uploads import formula_guard

SUBMISSION_COLUMNS = (
    "NO_BATCH", "NO", "ID_USULAN", "JENIS_USULAN", "KODE_WILAYAH", "PROVINSI", "KABUPATEN_KOTA", "KECAMATAN",
    "DESA_KELURAHAN", "RT", "RW", "ALAMAT", "NO_KK", "NIK", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR",
    "HUBUNGAN_KELUARGA", "PROGRAM", "KETERANGAN",
)
RESPONSE_COLUMNS = ("NO_BATCH", "ID_USULAN", "STATUS", "KETERANGAN")
ACCEPTED, RETURNED = "DITERIMA", "DIKEMBALIKAN"
KIND_CODES = {
    "new_family": "USULAN_BARU", "add_member": "TAMBAH_ART", "change_data": "PERBAIKAN_DATA",
    "remove_member": "HAPUS_ART", "remove_family": "HAPUS_KELUARGA", "program": "USULAN_PROGRAM",
    "emergency": "DARURAT",
}
DELIMITER = ";"


def write_submission(rows: list[dict[str, str]]) -> bytes:
    """The batch file: header plus rows (dicts keyed by SUBMISSION_COLUMNS). BOM so spreadsheets see UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUBMISSION_COLUMNS, delimiter=DELIMITER, lineterminator="\r\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _text(row.get(key, "")) for key in SUBMISSION_COLUMNS})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: object) -> str:
    """Cells that would start a formula in a spreadsheet are prefixed (`formula_guard`, OWASP's rule),
    so a name can never run as one."""
    return formula_guard("" if value is None else str(value))


@dataclass(frozen=True, slots=True)
class ResponseLine:
    line: int
    batch_number: str
    reference: str
    accepted: bool
    reason: str


def read_response(content: bytes) -> tuple[list[ResponseLine], list[Issue]]:
    """Parse a response file. Every problem is reported with its line number; nothing is guessed."""
    text = content.decode("utf-8-sig")
    sample = text.splitlines()[0] if text else ""
    delimiter = "," if sample.count(",") > sample.count(";") else ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().upper() for name in reader.fieldnames or []]
    missing = [name for name in RESPONSE_COLUMNS if name not in header]
    if missing:
        return [], [Issue("header", "file", f"kolom tidak ada: {', '.join(missing)}",
                          f"missing columns: {', '.join(missing)}")]
    lines: list[ResponseLine] = []
    issues: list[Issue] = []
    for number, raw in enumerate(reader, start=2):
        row = {str(k).strip().upper(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        status = row["STATUS"].upper()
        if status not in (ACCEPTED, RETURNED):
            issues.append(Issue("status", f"line.{number}", f"baris {number}: STATUS '{row['STATUS']}' tidak dikenal",
                                f"line {number}: unknown STATUS '{row['STATUS']}'"))
            continue
        if status == RETURNED and not row["KETERANGAN"]:
            issues.append(Issue("reason", f"line.{number}", f"baris {number}: alasan pengembalian kosong",
                                f"line {number}: the reason for returning is empty"))
            continue
        lines.append(ResponseLine(number, row["NO_BATCH"], row["ID_USULAN"], status == ACCEPTED, row["KETERANGAN"]))
    return lines, issues
