"""The danom / BNBA files: one list version, optionally one kecamatan or village of it, in the channel's
column layout, as CSV or XLSX. The declared totals (KPM count, rupiah) are in the file (a final TOTAL row in
CSV; a TOTAL row and a second sheet in XLSX); the SHA-256 of the bytes that left is recorded with the file
name. XLSX leaves encrypted with a random password (msoffcrypto-tool) that is returned once and never
stored. NIK/KK go through `tepat.registry.masking`: unmasked only for a reader with PERSONAL_DATA_FULL.

The first export of a version moves it to `exported` (immutable; a correction is a new version). Every
export is audited as a personal-data export in the same transaction as its `ExportFile` row.

The file is written to a temporary file (hashed while written) and streamed from there, so a 300,000-row
list never sits in memory as one string.
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
    values = list(entries.order_by("region_code", "rt", "rw", "name", "id").values_list(
        "kpm_ref", "nik", "kk_number", "name", "address", "rt", "rw", "region_code", "amount"))
    columns = ["kpm_ref", "nik", "kk", "name", "address", "rt", "rw", "village_code", "amount"]
    data = pl.DataFrame(values, schema={c: (pl.Int64 if c == "amount" else pl.String) for c in columns},
                        orient="row")
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
    import xlsxwriter

    plain = Path(tempfile.mkstemp(prefix="tepat-danom-plain-", suffix=".xlsx")[1])
    book = xlsxwriter.Workbook(str(plain), {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    sheet = book.add_worksheet("DANOM")
    for col, (header, _) in enumerate(columns):
        sheet.write_string(0, col, header)
    r = 0
    for r, row in enumerate(_rows(actor, dlist, scope_code), start=1):
        count += 1
        amount += row["amount"]
        for col, (_, field) in enumerate(columns):
            value = row[field]
            if isinstance(value, int) and field in ("amount", "no", "tahap", "packages"):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))  # NIK/KK as text: never a lossy number
    fields = [f for _, f in columns]
    sheet.write_string(r + 1, 0, "TOTAL")
    if len(columns) > 1:
        sheet.write_string(r + 1, 1, f"{count} KPM")
    if "amount" in fields:
        sheet.write_number(r + 1, fields.index("amount"), amount)
    info = book.add_worksheet("TOTAL")
    dist = dlist.distribution
    for i, (label, value) in enumerate([
        ("program", dist.programme_code), ("tahap", str(dist.tahap)), ("saluran", dlist.channel_id),
        ("versi", str(dlist.version)), ("wilayah", scope_code), ("jumlah_kpm", count), ("jumlah_rupiah", amount),
    ]):
        info.write_string(i, 0, label)
        if isinstance(value, int):
            info.write_number(i, 1, value)
        else:
            info.write_string(i, 1, value)
    book.close()
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
