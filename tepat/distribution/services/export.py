"""The danom / BNBA files: one list version, optionally one kecamatan or village of it, in the channel's
column layout, as CSV or XLSX. The declared totals (KPM count, rupiah) are in the file (a final TOTAL row in
CSV; a TOTAL row and a second sheet in XLSX); the SHA-256 of the bytes that left is recorded with the file
name. XLSX leaves encrypted with a random password (msoffcrypto-tool) that is returned once and never
stored. NIK/KK go through `tepat.registry.masking`: unmasked only for a reader with PERSONAL_DATA_FULL.

The first export of a version moves it to `exported` (immutable; a correction is a new version). Every
export is audited as a personal-data export in the same transaction as its `ExportFile` row.

The file is written to a temporary file and streamed from there, so a 300,000-row list never sits in
memory as one string. The rows are read once, columnar (`Bulk.fetch`: COPY on PostgreSQL; no Python object
per row). The XLSX sheet is written as SpreadsheetML by polars string expressions, `_XLSX_BATCH` rows at a
time, into the ZIP member as a stream (inline strings: NIK/KK stay text; numbers as numbers): a cell-by-cell
writer (xlsxwriter, even in constant-memory mode) ran at about 800 rows/s on the shared machine, far from the
300,000 KPM of a district.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.actors import is_system
from tepat.core.uploads import formula_guard_frame
from tepat.distribution.models import DistributionEntry, DistributionList, ExportFile
from tepat.distribution.services.common import MANAGE, ensure, ensure_open, refuse, scoped
from tepat.regions.models import Region
from tepat.regions.selectors import is_within
from tepat.registry import masking
from tepat.registry.transfer.bulk import Bulk

_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789"


@dataclass(slots=True)
class ExportResult:
    record: ExportFile
    path: Path  # a temporary file the caller streams and then deletes
    password: str  # "" for CSV; shown once


def _names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def frame(actor: Any, dlist: DistributionList, scope_code: str) -> pl.DataFrame:
    """Every layout field of the version's entries in `scope_code` and the actor's regions, in delivery
    order (village, RT, RW, name); NIK/KK through `tepat.registry.masking` for this reader."""
    entries = DistributionEntry.objects.filter(list=dlist)
    if scope_code != dlist.distribution.region_code:
        entries = entries.filter(region_code__startswith=scope_code)
    entries = scoped(actor, entries)
    policy = masking.MASKED if is_system(actor) else masking.policy_for(actor)
    columns = ["kpm_ref", "nik", "kk", "name", "address", "rt", "rw", "village_code", "amount"]
    try:
        sql, params = entries.order_by("region_code", "rt", "rw", "name", "id").values_list(
            "kpm_ref", "nik", "kk_number", "name", "address", "rt", "rw", "region_code", "amount").query.sql_with_params()
        data = Bulk().fetch(sql, params)
        data.columns = columns
        data = data.with_columns(pl.col("amount").cast(pl.Int64))
    except EmptyResultSet:  # nothing in the actor's regions
        data = pl.DataFrame(schema={c: (pl.Int64 if c == "amount" else pl.String) for c in columns})
    if not policy.identity:  # one call of the masking module per value; no second copy of its rule
        data = data.with_columns(pl.Series("nik", [masking.identity(policy, v) for v in data["nik"]], pl.String),
                                 pl.Series("kk", [masking.identity(policy, v) for v in data["kk"]], pl.String))
    villages = set(data["village_code"].unique().to_list())
    names = _names(villages | {v[:8] for v in villages})
    dist = dlist.distribution
    return data.with_columns(
        pl.int_range(1, data.height + 1, dtype=pl.Int64).alias("no"),
        pl.col("village_code").replace_strict(names, default="", return_dtype=pl.String).alias("village_name"),
        pl.col("village_code").str.slice(0, 8).alias("kecamatan_code"),
        pl.col("village_code").str.slice(0, 8).replace_strict(names, default="", return_dtype=pl.String)
        .alias("kecamatan_name"),
        pl.lit(dist.programme_code).alias("programme"), pl.lit(dist.tahap, dtype=pl.Int64).alias("tahap"),
        pl.lit(dlist.channel_id).alias("channel"), pl.lit(1, dtype=pl.Int64).alias("packages"))


def _rows(actor: Any, dlist: DistributionList, scope_code: str):
    yield from frame(actor, dlist, scope_code).iter_rows(named=True)


_NUMBER_FIELDS = ("amount", "no", "tahap", "packages")
_XLSX_BATCH = 20_000
_MIN_XLSX_BYTES = 4_200
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(expr: pl.Expr) -> pl.Expr:
    """Text as XML character data: & < > escaped, the control characters XML 1.0 forbids removed."""
    return (expr.str.replace_all("[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
            .str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True))


def _cell_xml(value: Any, ref: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _rows_xml(rows: list[list[Any]], first_row: int) -> str:
    return "".join(f'<row r="{first_row + n}">'
                   + "".join(_cell_xml(v, f"{_column_letter(c)}{first_row + n}") for c, v in enumerate(row) if v != "")
                   + "</row>" for n, row in enumerate(rows))


def _frame_xml(data: pl.DataFrame, first_row: int) -> str:
    """The frame's rows as SpreadsheetML, built column-wise by polars (no Python per cell)."""
    number = pl.int_range(first_row, first_row + data.height, dtype=pl.Int64).cast(pl.String)
    cells = []
    for c, (name, dtype) in enumerate(data.schema.items()):
        letter = _column_letter(c)
        if dtype.is_integer():
            cells.append(pl.when(pl.col(name).is_null()).then(pl.lit("")).otherwise(
                pl.concat_str([pl.lit(f'<c r="{letter}'), number, pl.lit('"><v>'), pl.col(name).cast(pl.String),
                               pl.lit("</v></c>")])))
        else:
            cells.append(pl.concat_str([pl.lit(f'<c r="{letter}'), number,
                                        pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
                                        _xml_text(pl.col(name).cast(pl.String).fill_null("")),
                                        pl.lit("</t></is></c>")]))
    row = pl.concat_str([pl.lit('<row r="'), number, pl.lit('">'), *cells, pl.lit("</row>")])
    return data.select(row.str.join("")).item() if data.height else ""


def write_xlsx(path: Path, sheets: list[tuple[str, list[str] | None, pl.DataFrame | None, list[list[Any]]]]) -> None:
    """A workbook of `sheets`: (name, header row or None, frame or None, trailing rows), streamed into the
    ZIP (the frame in batches of `_XLSX_BATCH` rows)."""
    import zipfile

    names = [name for name, *_ in sheets]
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
    parts = {
        "[Content_Types].xml": f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>',
        "_rels/.rels": f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in range(1, len(sheets) + 1))
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'{_XML}<styleSheet xmlns="{_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
        '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
        '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
        '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
        'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        for i, (_, header, data, tail) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                out.write(f'{_XML}<worksheet xmlns="{_NS}"><sheetData>'.encode())
                row = 1
                if header is not None:
                    out.write(_rows_xml([header], row).encode())
                    row += 1
                if data is not None:
                    for start in range(0, data.height, _XLSX_BATCH):
                        part = data.slice(start, _XLSX_BATCH)
                        out.write(_frame_xml(part, row).encode())
                        row += part.height
                out.write(_rows_xml(tail, row).encode())
                out.write(b"</sheetData></worksheet>")
    size = path.stat().st_size
    if size < _MIN_XLSX_BYTES:  # msoffcrypto's OLE writer garbles packages under 4 KiB (mini-stream sectors)
        with zipfile.ZipFile(path, "a") as archive:
            archive.comment = b" " * (_MIN_XLSX_BYTES - size)


def _encrypt(plain: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = Path(tempfile.mkstemp(prefix="tepat-danom-", suffix=".xlsx")[1])
    with plain.open("rb") as src, out.open("wb") as dst:
        office = OOXMLFile(src)
        office.encrypt(password, dst)
    plain.unlink(missing_ok=True)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_file(actor: Any, dlist: DistributionList, scope_code: str, fmt: str) -> tuple[Path, int, int, str]:
    """The file on disk: (path, count, amount, password)."""
    columns = [(header, field) for header, field in dlist.channel.columns]
    count = amount = 0
    password = ""
    if fmt == "csv":
        path = Path(tempfile.mkstemp(prefix="tepat-danom-", suffix=".csv")[1])
        data = frame(actor, dlist, scope_code)
        count, amount = data.height, int(data["amount"].sum() or 0)
        fields = [f for _, f in columns]
        out = formula_guard_frame(data.select([pl.col(f).cast(pl.String).alias(h) for h, f in columns]))
        total = [""] * len(columns)
        total[0] = "TOTAL"
        if len(columns) > 1:
            total[1] = f"{count} KPM"
        if "amount" in fields:
            total[fields.index("amount")] = str(amount)
        with path.open("w", newline="", encoding="utf-8") as fh:
            out.write_csv(fh, separator=";")
            csv.writer(fh, delimiter=";", lineterminator="\n").writerow(total)
        return path, count, amount, password
    plain = Path(tempfile.mkstemp(prefix="tepat-danom-plain-", suffix=".xlsx")[1])
    data = frame(actor, dlist, scope_code)
    count, amount = data.height, int(data["amount"].sum() or 0)
    fields = [f for _, f in columns]
    total: list[Any] = [""] * len(columns)
    total[0] = "TOTAL"
    if len(columns) > 1:
        total[1] = f"{count} KPM"
    if "amount" in fields:
        total[fields.index("amount")] = amount
    dist = dlist.distribution
    info = [["program", dist.programme_code], ["tahap", str(dist.tahap)], ["saluran", dlist.channel_id],
            ["versi", str(dlist.version)], ["wilayah", scope_code], ["jumlah_kpm", count], ["jumlah_rupiah", amount]]
    write_xlsx(plain, [("DANOM", [h for h, _ in columns], data.select(
        [pl.col(f).alias(h) if f in _NUMBER_FIELDS else pl.col(f).cast(pl.String).fill_null("").alias(h)
         for h, f in columns]), [total]), ("TOTAL", None, None, info)])
    if dlist.channel.password_protected:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(14))
        return _encrypt(plain, password), count, amount, password
    return plain, count, amount, password


def list_export(*, actor: Any, dlist: DistributionList, fmt: str = "csv", scope_code: str = "") -> ExportResult:
    """Write, hash and record one export file; returns the file to stream and the one-time password."""
    dlist = DistributionList.objects.select_related("distribution", "channel").get(pk=dlist.pk)  # status now
    dist = dlist.distribution
    scope_code = scope_code or dist.region_code
    ensure(actor, MANAGE, scope_code)
    ensure_open(dist)
    if fmt not in ("csv", "xlsx"):
        raise refuse("format", "format", "format harus csv atau xlsx", "format must be csv or xlsx")
    if not is_within(scope_code, dist.region_code):
        raise refuse("scope", "scope", f"wilayah {scope_code} di luar tahap {dist.region_code}",
                     f"area {scope_code} is outside the tahap's region {dist.region_code}")
    if dlist.status == DistributionList.Status.SUPERSEDED:
        raise refuse("superseded", "list", f"versi {dlist.version} sudah diganti; ekspor versi terbaru",
                      f"version {dlist.version} was replaced; export the newest version")
    path, count, amount, password = write_file(actor, dlist, scope_code, fmt)
    try:
        sha = _sha256(path)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        name = f"danom-{dist.programme_code}-t{dist.tahap}-{dlist.channel_id}-v{dlist.version}-{scope_code}-{stamp}.{fmt}"
        masked = not (not is_system(actor) and masking.policy_for(actor).identity)
        with transaction.atomic():
            if dlist.status == DistributionList.Status.DRAFT:
                dlist = transition(dlist, "export", actor=actor, region_code=dist.region_code,
                                   updates={"exported_at": timezone.now()},
                                   data={"channel": dlist.channel_id, "version": dlist.version})
            record = ExportFile.objects.create(
                list=dlist, scope_code=scope_code, format=fmt, entry_count=count, total_amount=amount, sha256=sha,
                file_name=name, masked=masked, password_protected=bool(password),
                created_by=actor if getattr(actor, "pk", None) else None)
            audit_record(actor=actor, action="personal_data.export", target=record, region_code=scope_code,
                         data={"what": "distribution_list", "list": str(dlist.pk), "channel": dlist.channel_id,
                               "version": dlist.version, "format": fmt, "rows": count, "amount": amount,
                               "sha256": sha, "masked": masked, "password_protected": bool(password)})
            audit_record(actor=actor, action="distribution_list.export_file", target=dlist, region_code=scope_code,
                         data={"file": name, "rows": count, "amount": amount, "sha256": sha})
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return ExportResult(record, path, password)


def read_declared_totals_csv(data: bytes) -> tuple[int, int]:
    """(count, amount) declared in the TOTAL row of an exported CSV (used by the tests and the channel)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
    header, total = rows[0], rows[-1]
    return int(total[1].split()[0]), int(total[header.index(next(h for h in header if "NOMINAL" in h or "NILAI" in h))])
