"""Registry export: the active families and members of a region, in a preset's layout, streamed.

Families are read in keyset batches (region, id), their members and programs by family id, each
batch formatted with polars and appended to the output, so memory stays flat whatever the size.
NIK and KK numbers are masked (region digits only) and birth dates reduced to the year unless the actor
may see them whole, exactly as `tepat.registry.masking` shows them on pages; sensitive columns (health,
disability, pregnancy) are left out unless the actor may see them. Every export is audited.
An export read back by the importer changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.core.actors import is_system
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import formula_guard_frame
from tepat.core.xlsx_stream import XlsxStream
from tepat.regions.models import Region
from tepat.regions.selectors import ancestor_codes, region_within_q
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.transfer.presets import FIELDS, SENSITIVE, SIKS_LABELS, Preset, get_preset
from tepat.registry.transfer.upsert import ACTIVE, FAMILY_TABLE, INDIVIDUAL_TABLE, PROGRAM_TABLE

BATCH_FAMILIES = 5000  # families per query and progress step (TEPAT_EXPORT_BATCH_FAMILIES overrides)
XLSX_MAX_ROWS = 1_048_575  # data rows per sheet, under the header
FORMATS = ("csv", "xlsx")
CSV_SEPARATOR = ";"  # what spreadsheets set to Indonesian read directly (as tepat.updates.siks)


@dataclass(slots=True)
class ExportResult:
    rows: int
    families: int
    masked: bool
    path: str


def _columns(preset: Preset, *, sensitive: bool) -> list[tuple[str, str]]:
    """(header, field) pairs the export writes."""
    out = [(col.header, col.field) for col in preset.columns if sensitive or col.field not in SENSITIVE]
    if preset.name == "siks":  # the village code after the names: exact on the way back in
        out = [pair for pair in out if pair[1] != "region_code"]
        index = next(i for i, pair in enumerate(out) if pair[1] == "village_name") + 1
        out.insert(index, (preset.header_for("region_code"), "region_code"))
    return out


def _region_names(region_code: str) -> pl.DataFrame:
    """Per village under `region_code`: province, regency, district and village names."""
    rows = list(Region.objects.filter(code__in=ancestor_codes(region_code)).values_list("code", "name"))
    rows += list(Region.objects.filter(region_within_q(region_code)).values_list("code", "name"))
    names = dict(rows)
    villages = [code for code in names if code.count(".") == 3]

    def name_at(code: str, level: int) -> str:
        return names.get(".".join(code.split(".")[:level]), "")

    return pl.DataFrame({
        "region_id": villages,
        "province_name": [name_at(v, 1) for v in villages],
        "regency_name": [name_at(v, 2) for v in villages],
        "district_name": [name_at(v, 3) for v in villages],
        "village_name": [name_at(v, 4) for v in villages],
    }, schema=dict.fromkeys(["region_id", "province_name", "regency_name", "district_name", "village_name"], pl.String))


def _mask(expr: pl.Expr) -> pl.Expr:
    """masking.mask_identity over a column: the region digits only (ADR 0008)."""
    return pl.concat_str([expr.str.slice(0, masking.VISIBLE_DIGITS), pl.lit("*" * (16 - masking.VISIBLE_DIGITS))])


def _value_expr(field: str, preset: Preset, *, masked: bool) -> pl.Expr:
    spec = FIELDS[field]
    col = pl.col(spec.column if spec.level != "family" else f"f_{spec.column}")
    if field in ("province_name", "regency_name", "district_name", "village_name"):
        return pl.col(field).fill_null("")
    if field == "region_code":
        return pl.col("region_id")
    if spec.kind == "identity":
        source = pl.col("nik") if field == "nik" else pl.col("f_kk_number")
        return _mask(source) if masked else source
    if spec.program:
        return pl.when(pl.col(field)).then(pl.lit("Y")).otherwise(pl.lit("T"))
    if spec.kind == "flag":
        return pl.when(col).then(pl.lit("Y")).otherwise(pl.lit("T"))
    if spec.kind == "date":
        if masked and field in masking.BIRTH_DATE_FIELDS:  # masking.birth: the year only (ADR 0008)
            return col.dt.year().cast(pl.String).fill_null("")
        return col.dt.strftime(preset.date_format).fill_null("")
    if spec.kind == "code":
        if preset.coded_as_text and field in SIKS_LABELS:
            return col.replace_strict(SIKS_LABELS[field], default=None, return_dtype=pl.String).fill_null("")
        return col.cast(pl.String).fill_null("")
    return col.cast(pl.String).fill_null("")


def _batches(bulk: Bulk, region_code: str, preset: Preset, columns: list[tuple[str, str]], names: pl.DataFrame,
             *, masked: bool) -> Iterator[tuple[pl.DataFrame, int]]:
    family_cols = sorted({FIELDS[f].column for _, f in columns if FIELDS[f].level == "family" and not FIELDS[f].program}
                         | {"kk_number", "region_id"})
    individual_cols = sorted({FIELDS[f].column for _, f in columns if FIELDS[f].level == "individual"}
                             | {"nik", "relation", "birth_date"})
    programs = [FIELDS[f].program for _, f in columns if FIELDS[f].program]
    fam_types = {c_: {"code": "int", "int": "int"}.get(_kind(c_, "family"), "str") for c_ in family_cols}
    ind_types = {c_: {"code": "int", "date": "date", "flag": "bool"}.get(_kind(c_, "individual"), "str")
                 for c_ in individual_cols}
    last_region, last_id = "", ""
    today = timezone.localdate().isoformat()
    per_batch = int(getattr(settings, "TEPAT_EXPORT_BATCH_FAMILIES", 0) or BATCH_FAMILIES)
    while True:
        families = bulk.fetch(
            f"SELECT id, {', '.join(family_cols)} FROM {FAMILY_TABLE} "
            f"WHERE status = %s AND (region_id = %s OR region_id LIKE %s) "
            f"AND (region_id > %s OR (region_id = %s AND id > {bulk.uuid_param()})) "
            f"ORDER BY region_id, id LIMIT {per_batch}",
            [c.FamilyStatus.ACTIVE.value, region_code, f"{region_code}.%", last_region, last_region,
             last_id or "00000000000000000000000000000000"],
            types={"id": "uuid", **fam_types},
        )
        if families.is_empty():
            return
        last_region, last_id = families.row(-1, named=True)["region_id"], families.row(-1, named=True)["id"]
        ids = families.get_column("id").to_list()
        members = bulk.fetch_in(
            f"SELECT family_id, {', '.join(individual_cols)} FROM {INDIVIDUAL_TABLE} "
            f"WHERE presence IN ({', '.join(str(p) for p in ACTIVE)}) AND {{keys}}",
            "family_id", ids, cast="uuid", types={"family_id": "uuid", **ind_types},
        )
        frame = families.rename({name: f"f_{name}" for name in family_cols} | {"id": "family_id"}).with_row_index("_order")
        if programs:
            current = bulk.fetch_in(
                f"SELECT DISTINCT family_id, program FROM {PROGRAM_TABLE} WHERE (until IS NULL OR until >= %s) AND {{keys}}",
                "family_id", ids, cast="uuid", params=[today], types={"family_id": "uuid"},
            )
            flags = current.with_columns(pl.lit(True).alias("_on")).pivot(
                on="program", index="family_id", values="_on") if not current.is_empty() else pl.DataFrame(
                {"family_id": []}, schema={"family_id": pl.String})
            frame = frame.join(flags, on="family_id", how="left").with_columns(
                [pl.col(p).fill_null(False).alias(f"program_{p}") if p in flags.columns
                 else pl.lit(False).alias(f"program_{p}") for p in programs])
        frame = members.join(frame, on="family_id", how="inner").with_columns(pl.col("f_region_id").alias("region_id"))
        frame = frame.join(names, on="region_id", how="left").sort("_order", "relation", "birth_date", "nik")
        out = frame.select([_value_expr(field, preset, masked=masked).alias(header) for header, field in columns])
        yield out, families.height


def _kind(column: str, level: str) -> str:
    for spec in FIELDS.values():
        if spec.column == column and spec.level == level:
            return spec.kind
    return "text"


def registry_export(
    *, actor: Any, region_code: str, out: str | Path | BinaryIO, fmt: str = "csv", preset: str = "siks",
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the region's registry to `out` (a path or a binary file). `actor=SYSTEM` is the system
    (command line): full data. Others need REGISTRY_EXPORT over the region. `progress(families)` is called
    after each batch with the families written so far (the background export job's progress)."""
    if not is_system(actor):
        ensure_permission(actor=actor, capability=Capability.REGISTRY_EXPORT, region_code=region_code)
    if fmt not in FORMATS:
        raise ValidationFailed([Issue("format", "format", f"format '{fmt}' tidak dikenal (csv, xlsx)",
                                      f"unknown format '{fmt}' (csv, xlsx)")])
    layout = get_preset(preset)
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed([Issue("region", "region", f"wilayah '{region_code}' tidak dikenal",
                                      f"region '{region_code}' is unknown")])
    policy = masking.FULL if is_system(actor) else masking.policy_for(actor)
    masked, sensitive = policy.masked, policy.sensitive
    columns = _columns(layout, sensitive=sensitive)
    names = _region_names(region_code)
    bulk = Bulk()
    handle, close = (open(out, "wb"), True) if isinstance(out, str | Path) else (out, False)  # noqa: SIM115
    rows = families = 0
    try:
        # Every text cell that a spreadsheet would run as a formula is guarded (CSV and XLSX alike); the
        # importer takes the guard off again, so an exported file imports back unchanged.
        batches = ((formula_guard_frame(frame), count)
                   for frame, count in _counted(_batches(bulk, region_code, layout, columns, names, masked=masked),
                                                progress))
        if fmt == "csv":
            handle.write("\ufeff".encode())
            handle.write((CSV_SEPARATOR.join(h for h, _ in columns) + "\n").encode())
            for frame, count in batches:
                buffer = io.BytesIO()
                frame.write_csv(buffer, include_header=False, separator=CSV_SEPARATOR)
                handle.write(buffer.getvalue())
                rows, families = rows + frame.height, families + count
        else:
            rows, families = _write_xlsx(handle, columns, batches)
        with transaction.atomic():
            audit_record(actor=actor, action="registry.export", target_type="regions.region", target_id=region_code,
                         region_code=region_code,
                         data={"region": region_code, "rows": rows, "families": families, "masked": masked,
                               "format": fmt, "preset": preset, "sensitive_columns": sensitive})
    finally:
        if close:
            handle.close()
    return ExportResult(rows=rows, families=families, masked=masked, path=str(out) if close else "")


def _counted(batches: Iterator[tuple[pl.DataFrame, int]],
             progress: Callable[[int], None] | None) -> Iterator[tuple[pl.DataFrame, int]]:
    done = 0
    for frame, count in batches:
        yield frame, count
        done += count
        if progress is not None:
            progress(done)


def _write_xlsx(handle: BinaryIO, columns: list[tuple[str, str]], batches) -> tuple[int, int]:
    """Streamed: each batch becomes sheet XML in one polars expression (tepat.core.xlsx_stream); every
    cell is text, so NIK/KK stay whole. Past 1,048,575 rows the next sheet is "DTKS 2"."""
    rows = families = 0
    with XlsxStream(handle, [h for h, _ in columns], sheet_name="DTKS", max_rows=XLSX_MAX_ROWS) as book:
        for frame, count in batches:
            book.write(frame)
            rows, families = rows + frame.height, families + count
    return rows, families
