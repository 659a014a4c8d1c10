"""Stage one of an import: the file alone (no registry rows read). Every rule over whole columns.

Result: the accepted rows (members) and their families (one per KK number), cut into batches that
never split a family, plus every problem found, with the spreadsheet's row numbers. The result
depends only on the file, the options and the region master, so a resumed run computes exactly
the batches of the first run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from tepat.registry.transfer.identity_rules import check_identity, check_nik_consistency
from tepat.registry.transfer.normalise import (
    ERROR,
    ISSUE_SCHEMA,
    WARNING,
    check_fields,
    empty_issues,
    issues_where,
    name_key_expr,
    warnings_json,
)
from tepat.registry.transfer.presets import FIELDS, Mapping, Preset, header_score, match_headers
from tepat.registry.transfer.reader import ROW, read_table
from tepat.registry.transfer.regions_resolve import resolve_regions

FAMILY_VALUE_FIELDS = ("address", "rt", "rw", "family_external_id", "floor_area_m2",
                       *(name for name, spec in FIELDS.items() if spec.level == "family" and spec.kind == "code"))


@dataclass(slots=True)
class Prepared:
    members: pl.DataFrame  # accepted rows, individual model columns, sorted by batch then first row
    families: pl.DataFrame  # one row per KK number: family model columns, program flags, batch
    issues: pl.DataFrame  # every problem found in the file (ISSUE_SCHEMA, `field` holds the header)
    rows_read: int
    rows_blank: int
    rows_rejected: int
    batches: int
    family_fields: list[str]  # family model columns the file fills (besides KK number and village)
    individual_fields: list[str]  # individual model columns the file fills (besides NIK)
    programs: list[str]  # program codes with a column in the file
    headers: dict[str, str]
    ignored_headers: list[str]
    notes: list[str] = field(default_factory=list)


def _error_rows(issues: pl.DataFrame) -> pl.Series:
    return issues.filter(pl.col("severity") == ERROR).get_column("row").unique()


def prepare(
    source: bytes | Path, file_name: str, *, preset: Preset, mapping: Mapping,
    allowed: tuple[str, ...] | None, batch_rows: int,
) -> Prepared:
    table = read_table(
        source, file_name,
        score=lambda cells: header_score(cells, preset, mapping),
        match=lambda headers: (lambda m: (m.fields, m.ignored))(match_headers(headers, preset, mapping)),
    )
    headers = table.headers
    frame = table.frame
    value_cols = [c for c in frame.columns if c in headers]
    blank = pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars() == "" for c in value_cols])
    rows_blank = frame.select(blank.sum()).item()
    if rows_blank:
        frame = frame.filter(~blank)
    rows_read = frame.height

    frame, kk_issues = check_identity(frame, "kk_number", nik=False)
    frame, nik_issues = check_identity(frame, "nik", nik=True)
    labels = {name: headers[name] for name in headers}
    frame, field_issues = check_fields(frame, labels, mapping)
    frame, region_issues = resolve_regions(frame, headers, allowed=allowed)
    consistency = check_nik_consistency(frame) if {"birth_date", "sex"} <= set(headers) else empty_issues()
    issues = pl.concat([kk_issues, nik_issues, field_issues, region_issues, consistency])
    # From here on only the cleaned columns are needed: let the file's text go (memory at a million rows).
    keep = [ROW, "kk_value", "nik_value", "region_code_clean",
            *(f"{f}_clean" for f in headers if FIELDS[f].kind not in ("identity", "region_code", "region_name"))]
    frame = frame.select(keep)

    # In-file duplicates: the first good row with a NIK is kept, later ones are rejected.
    good = frame.filter(~pl.col(ROW).is_in(_error_rows(issues).implode())).select(
        ROW, "nik_value", pl.col(ROW).min().over("nik_value").alias("_first"))
    issues = pl.concat([issues, issues_where(
        good, pl.col(ROW) != pl.col("_first"), field="nik", value=pl.col("nik_value"), code="nik_duplicate_in_file",
        message_id=pl.format("NIK sama dengan baris {}", pl.col("_first")),
        message_en=pl.format("same NIK as row {}", pl.col("_first")),
    )])

    # One family per KK number: the head's row (else the first row) gives the village and family values.
    good = frame.filter(~pl.col(ROW).is_in(_error_rows(issues).implode()))
    is_head = pl.col("relation_clean") == 1
    ref_row = pl.coalesce(pl.when(is_head).then(pl.col(ROW)).min().over("kk_value"), pl.col(ROW).min().over("kk_value"))
    good = good.with_columns(ref_row.alias("_ref"))
    ref = good.filter(pl.col(ROW) == pl.col("_ref"))
    present_family = [f for f in FAMILY_VALUE_FIELDS if f in headers]
    ref_cols = ["region_code_clean", *(f"{f}_clean" for f in present_family)]
    good = good.join(ref.select("kk_value", *(pl.col(c).alias(f"_ref_{c}") for c in ref_cols)), on="kk_value", how="left")
    region_label = headers.get("region_code") or headers.get("village_name", "")
    found = [issues_where(
        good, pl.col("region_code_clean") != pl.col("_ref_region_code_clean"), field="region_code",
        value=pl.col("region_code_clean"), code="kk_region_conflict",
        message_id=pl.format("No. KK yang sama di baris {} berada di desa {}", pl.col("_ref"), pl.col("_ref_region_code_clean")),
        message_en=pl.format("the same KK number on row {} is in village {}", pl.col("_ref"), pl.col("_ref_region_code_clean")),
    )]
    for name in present_family:
        found.append(issues_where(
            good, pl.col(f"{name}_clean").ne_missing(pl.col(f"_ref_{name}_clean")), field=name,
            value=pl.col(f"{name}_clean").cast(pl.String), code="family_value_differs", severity=WARNING,
            message_id=pl.format("berbeda dengan baris {} dari KK yang sama; nilai baris {} yang dipakai", pl.col("_ref"), pl.col("_ref")),
            message_en=pl.format("differs from row {} of the same KK; the value of row {} is used", pl.col("_ref"), pl.col("_ref")),
        ))
    issues = pl.concat([issues, *found])

    # Two heads in one KK: neither is taken (the file must say which); the other members are.
    good = frame.filter(~pl.col(ROW).is_in(_error_rows(issues).implode()))
    heads = good.filter(pl.col("relation_clean") == 1).with_columns(pl.len().over("kk_value").alias("_heads"))
    issues = pl.concat([issues, issues_where(
        heads, pl.col("_heads") > 1, field="relation", value=pl.col("relation_clean"), code="second_head",
        message_id="lebih dari satu kepala keluarga dengan No. KK ini di berkas",
        message_en="more than one head of family with this KK number in the file",
    )])

    rejected = _error_rows(issues)
    accepted = frame.filter(~pl.col(ROW).is_in(rejected.implode()))
    # Header labels in the report instead of field names.
    issues = issues.with_columns(
        pl.col("field").replace_strict({**headers, "region_code": region_label}, default=pl.col("field"))
    ).sort("row", maintain_order=True)
    # ... but warnings stored on records keep field names: recompute from the field-named issues.
    families, members, batches = _build(accepted, headers, present_family, issues_by_field=_field_issues(
        kk_issues, nik_issues, consistency), batch_rows=batch_rows)
    individual_fields = [FIELDS[f].column for f in headers
                         if FIELDS[f].level == "individual" and f != "nik"]
    programs = [FIELDS[f].program for f in headers if FIELDS[f].program]
    return Prepared(
        members=members, families=families, issues=issues.select(list(ISSUE_SCHEMA)), rows_read=rows_read,
        rows_blank=rows_blank, rows_rejected=rejected.len(), batches=batches,
        family_fields=[FIELDS[f].column for f in present_family], individual_fields=individual_fields,
        programs=programs, headers=headers, ignored_headers=table.ignored_headers, notes=table.notes,
    )


def _field_issues(*parts: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([empty_issues(), *parts])


def _build(
    accepted: pl.DataFrame, headers: dict[str, str], present_family: list[str], *,
    issues_by_field: pl.DataFrame, batch_rows: int,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    rows = accepted.get_column(ROW)
    nik_warn = warnings_json(issues_by_field.filter(pl.col("field") == "nik"), rows)
    kk_warn = warnings_json(issues_by_field.filter(pl.col("field") == "kk_number"), rows)
    is_head = pl.col("relation_clean") == 1
    ref_row = pl.coalesce(pl.when(is_head).then(pl.col(ROW)).min().over("kk_value"), pl.col(ROW).min().over("kk_value"))
    accepted = accepted.with_columns(ref_row.alias("_ref"), pl.col(ROW).min().over("kk_value").alias("_first"))

    ref = accepted.filter(pl.col(ROW) == pl.col("_ref")).join(kk_warn, left_on=ROW, right_on="row", how="left")
    program_fields = [f for f in headers if FIELDS[f].program]
    flags = accepted.group_by("kk_value").agg(*(pl.col(f"{f}_clean").any().alias(f) for f in program_fields),
                                              pl.len().alias("_members"))
    families = ref.select(
        pl.col("kk_value").alias("kk_number"),
        pl.col("region_code_clean").alias("region_id"),
        *(pl.col(f"{f}_clean").alias(FIELDS[f].column) for f in present_family),
        pl.col("_first").alias("first_row"),
        pl.col("warnings").fill_null("[]"),
        pl.col("warnings_key").fill_null(""),
    ).join(flags.rename({"kk_value": "kk_number"}), on="kk_number", how="left").sort("region_id", "first_row")
    # Batches are cut village by village (then in file order): whole families, few villages per batch.
    batch = (pl.col("_members").cum_sum() - pl.col("_members")) // max(1, batch_rows)
    families = families.with_columns(batch.cast(pl.Int32).alias("batch"))

    individual = [f for f in headers if FIELDS[f].level == "individual" and f != "nik"]
    members = accepted.join(nik_warn, left_on=ROW, right_on="row", how="left").select(
        pl.col(ROW),
        pl.col("kk_value").alias("kk_number"),
        pl.col("nik_value").alias("nik"),
        *(pl.col(f"{f}_clean").alias(FIELDS[f].column) for f in individual),
        pl.col("warnings").fill_null("[]"),
        pl.col("warnings_key").fill_null(""),
    )
    # The search key once per distinct name (names repeat a lot in a district).
    names = members.select(pl.col("name").unique())
    members = members.join(names.with_columns(name_key_expr(pl.col("name")).alias("name_key")), on="name", how="left")
    members = members.join(families.select("kk_number", "batch", "region_id", "first_row"), on="kk_number", how="left").sort(
        "batch", "region_id", "first_row", ROW).drop("first_row", "region_id")
    batches = int(families.get_column("batch").max() or 0) + 1 if families.height else 0
    return families, members, batches
