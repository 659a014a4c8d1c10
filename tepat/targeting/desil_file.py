"""Reading and checking a desil file, set-based (polars), before anything is written.

The file is read by the registry importer's bounded reader (`tepat.registry.transfer.reader.read_table`:
upload preflight, CSV/XLSX, encodings, title rows, numeric NIK cells flagged) with this module's header
matcher; identity numbers are checked by the importer's column rules (`identity_rules.check_identity`).
Then, against the registry of the allowed regions: a KK number finds its family, a NIK finds its member's
family. Every row is accepted or reported (row as the spreadsheet shows it, column, value, code, reason in
Indonesian and English); a rejected row changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.selectors import region_subtree_q
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.transfer.identity_rules import check_identity
from tepat.registry.transfer.normalise import ERROR, ISSUE_SCHEMA, WARNING, empty_issues, issues_where
from tepat.registry.transfer.presets import header_key
from tepat.registry.transfer.reader import ROW, read_table

FIELDS = ("kk_number", "nik", "desil")
# Headers as the centre's and the offices' files write them (matched like the registry import's headers:
# case, spaces, underscores, slashes, dashes and dots alike).
HEADERS: dict[str, tuple[str, ...]] = {
    "kk_number": ("NO_KK", "NOMOR_KK", "NKK", "NO_KARTU_KELUARGA", "NOMOR_KARTU_KELUARGA", "KK"),
    "nik": ("NIK", "NO_NIK", "NOMOR_NIK", "NIK_KEPALA_KELUARGA", "NIK_KRT", "NIK_ART"),
    "desil": ("DESIL", "DESIL_NASIONAL", "DESIL_KESEJAHTERAAN", "PERINGKAT_DESIL", "KELOMPOK_DESIL", "DECILE"),
}
TEMPLATE_HEADERS = ("NO_KK", "NIK", "DESIL")
_DESIL_TEXT = r"^0*([0-9]+)([.,]0+)?$"


@dataclass(slots=True)
class DesilMapping:
    """A user's header additions: header as written → field (`kk_number`, `nik`, `desil`, or "" to ignore)."""

    columns: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"columns": dict(self.columns)}


def _fail(code: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, "mapping" if code == "mapping" else "file", id_text, en_text)])


def mapping_parse(source: str | bytes | dict | None) -> DesilMapping:
    """`{"columns": {"Nomor KK": "kk_number", "Desil 2026": "desil"}}` as JSON text, bytes, a path to a JSON
    file or a dict; a bare `{"Header": "field"}` object is taken as the columns."""
    if not source:
        return DesilMapping()
    data: Any = source
    if isinstance(source, bytes):
        source = source.decode("utf-8-sig")
    if isinstance(source, str):
        text = source
        if not text.lstrip().startswith("{") and Path(text).is_file():
            text = Path(text).read_text(encoding="utf-8-sig")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _fail("mapping", f"pemetaan kolom bukan JSON yang sah: {exc.msg} (baris {exc.lineno})",
                        f"the column mapping is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise _fail("mapping", "pemetaan kolom harus berupa objek JSON", "the column mapping must be a JSON object")
    columns = data.get("columns", data)
    if not isinstance(columns, dict):
        raise _fail("mapping", "\"columns\" harus berupa objek JSON", "\"columns\" must be a JSON object")
    out: dict[str, str] = {}
    for header, target in columns.items():
        target = str(target or "")
        if target and target not in FIELDS:
            known = {header_key(h): f for f, hs in HEADERS.items() for h in hs}
            if header_key(target) not in known:
                raise _fail("mapping", f"pemetaan '{header}' → '{target}': kolom tujuan tidak dikenal "
                                       f"(pilih {', '.join(FIELDS)})",
                            f"mapping '{header}' → '{target}': unknown target column (choose {', '.join(FIELDS)})")
            target = known[header_key(target)]
        out[str(header)] = target
    return DesilMapping(out)


def _lookup(mapping: DesilMapping) -> dict[str, str]:
    table = {header_key(h): name for name, headers in HEADERS.items() for h in headers}
    table.update({header_key(name): name for name in FIELDS})
    table.update({header_key(h): target for h, target in mapping.columns.items()})
    return table


def header_score(cells: list[Any], mapping: DesilMapping) -> int:
    """Known headers in a row; a row with the desil column and an identity column scores at least 2."""
    table = _lookup(mapping)
    return sum(1 for cell in cells if isinstance(cell, str) and table.get(header_key(cell)))


def match_headers(headers: list[str], mapping: DesilMapping) -> tuple[dict[str, str], list[str]]:
    table = _lookup(mapping)
    fields: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        target = table.get(header_key(header))
        if not target:
            ignored.append(header)
            continue
        if target in fields:
            raise _fail("duplicate_column", f"kolom '{fields[target]}' dan '{header}' sama-sama mengisi {target}",
                        f"columns '{fields[target]}' and '{header}' both fill {target}")
        fields[target] = header
    missing = []
    if "desil" not in fields:
        missing.append("DESIL")
    if "kk_number" not in fields and "nik" not in fields:
        missing.append("NO_KK / NIK")
    if missing:
        raise _fail("missing_columns", f"kolom wajib tidak ada: {', '.join(missing)}",
                    f"required columns are missing: {', '.join(missing)}")
    return fields, ignored


@dataclass(slots=True)
class PreparedDesil:
    accepted: pl.DataFrame  # one row per family: family_id (32 hex), region_id, desil, matched_by, source_row
    issues: pl.DataFrame  # ISSUE_SCHEMA; `field` holds the file's header
    rows_read: int
    rows_blank: int
    rows_rejected: int
    headers: dict[str, str]
    ignored_headers: list[str]
    notes: list[str]

    @property
    def counts(self) -> dict[str, Any]:
        warnings = self.issues.filter(pl.col("severity") == WARNING).height
        by = self.accepted.group_by("matched_by").len() if self.accepted.height else None
        matched = dict(by.iter_rows()) if by is not None else {}
        return {
            "rows_read": self.rows_read, "rows_blank": self.rows_blank,
            "rows_accepted": self.rows_read - self.rows_rejected, "rows_rejected": self.rows_rejected,
            "warnings": warnings, "families": self.accepted.height,
            "matched_by_kk": int(matched.get("kk", 0)), "matched_by_nik": int(matched.get("nik", 0)),
            "ignored_columns": self.ignored_headers,
        }


def _registry_frames(allowed: tuple[str, ...] | None, niks: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Active families of the allowed regions (id, KK, village) and the active members holding the file's
    NIKs (NIK → family). The family read is the ORM's own SQL (scope through the one region helper) run
    through `Bulk.fetch` (COPY on PostgreSQL; no per-row converters): 300,000 families in about a second.
    `allowed=None` is the whole registry (the system)."""
    families = Family.objects.filter(status=c.FamilyStatus.ACTIVE)
    if allowed is not None:
        families = families.filter(region_subtree_q(allowed, "region__code"))
    sql, params = families.order_by().values_list("id", "kk_number", "region_id").query.sql_with_params()
    bulk = Bulk()
    fam = bulk.fetch(sql, params, types={"id": "uuid"})
    fam = fam.rename(dict(zip(fam.columns, ["family_id", "kk_number", "region_id"], strict=True)))
    # Only the members holding the file's NIKs, by the NIK index alone (one semi-join on PostgreSQL, IN-lists
    # on SQLite); active families and scope come from the join with the family frame above.
    members = Individual.objects.filter(presence__in=c.ACTIVE_PRESENCE).order_by().values_list("nik", "family_id")
    sql, params = members.query.sql_with_params()
    nik_frame = bulk.fetch_in(sql + " AND {keys}", f'"{Individual._meta.db_table}"."nik"', niks, params=params,
                              types={"family_id": "uuid"})
    nik_frame = nik_frame.rename(dict(zip(nik_frame.columns, ["nik", "family_id"], strict=True)))
    nik_frame = nik_frame.join(fam.select("family_id"), on="family_id", how="semi")
    return fam, nik_frame


def _error_rows(issues: pl.DataFrame) -> pl.Series:
    return issues.filter(pl.col("severity") == ERROR).get_column("row").unique()


def prepare(source: bytes | Path, file_name: str, *, mapping: DesilMapping,
            allowed: tuple[str, ...] | None) -> PreparedDesil:
    table = read_table(source, file_name, score=lambda cells: header_score(cells, mapping),
                       match=lambda headers: match_headers(headers, mapping))
    headers = table.headers
    frame = table.frame
    value_cols = [name for name in FIELDS if name in headers]
    blank = pl.all_horizontal([pl.col(name).fill_null("").str.strip_chars() == "" for name in value_cols])
    rows_blank = frame.select(blank.sum()).item()
    if rows_blank:
        frame = frame.filter(~blank)
    rows_read = frame.height
    for name in ("kk_number", "nik"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name), pl.lit(False).alias(f"_num_{name}"))
    found: list[pl.DataFrame] = []
    # Identity numbers: the registry import's structural rules; an empty cell is not an error here
    # (a row needs a KK or a NIK, not both), and region-prefix warnings say nothing about a desil.
    for name, nik in (("kk_number", False), ("nik", True)):
        frame, issues = check_identity(frame, name, nik=nik)
        found.append(issues.filter((pl.col("severity") == ERROR) & (pl.col("code") != "required"))
                     .with_columns(pl.lit(headers.get(name, name)).alias("field")))
    frame = frame.with_columns(
        pl.when(pl.col("kk_ok")).then(pl.col("kk_value")).otherwise(None).alias("_kk"),
        pl.when(pl.col("nik_ok")).then(pl.col("nik_value")).otherwise(None).alias("_nik"),
        (pl.col("kk_number").fill_null("").str.strip_chars() == "").alias("_kk_empty"),
        (pl.col("nik").fill_null("").str.strip_chars() == "").alias("_nik_empty"),
        pl.col("desil").fill_null("").str.strip_chars().alias("_desil_text"),
    )
    frame = frame.with_columns(pl.col("_desil_text").str.extract(_DESIL_TEXT, 1).cast(pl.Int64, strict=False).alias("_desil"))
    desil_header = headers["desil"]
    identity_label = " / ".join(headers[n] for n in ("kk_number", "nik") if n in headers)
    found += [
        issues_where(frame, pl.col("_kk_empty") & pl.col("_nik_empty"), field=identity_label, value=pl.lit(""),
                     code="identity_missing", message_id="baris tanpa No. KK dan tanpa NIK",
                     message_en="the row has neither a KK number nor a NIK"),
        issues_where(frame, pl.col("_desil_text") == "", field=desil_header, value=pl.lit(""), code="desil_missing",
                     message_id="desil kosong", message_en="the desil is empty"),
        issues_where(frame, (pl.col("_desil_text") != "") & pl.col("_desil").is_null(), field=desil_header,
                     value=pl.col("_desil_text"), code="desil_not_number",
                     message_id="desil harus bilangan bulat 1–10, bukan teks",
                     message_en="the desil must be a whole number 1–10, not text"),
        issues_where(frame, pl.col("_desil").is_not_null() & ((pl.col("_desil") < 1) | (pl.col("_desil") > 10)),
                     field=desil_header, value=pl.col("_desil_text"), code="desil_range",
                     message_id="desil di luar 1–10", message_en="the desil is outside 1–10"),
    ]
    issues = pl.concat([empty_issues(), *found])

    # Against the registry (one read of the families, one of the members when the file has NIKs).
    good = frame.filter(~pl.col(ROW).is_in(_error_rows(issues).implode()))
    niks = good.get_column("_nik").drop_nulls().unique().sort().to_list()
    families, members = _registry_frames(allowed, niks)
    kk_counts = families.group_by("kk_number").agg(pl.col("family_id").first(), pl.len().alias("_kk_n"))
    nik_counts = members.group_by("nik").agg(pl.col("family_id").first(), pl.len().alias("_nik_n"))
    good = (good.join(kk_counts.rename({"family_id": "_kk_family"}), left_on="_kk", right_on="kk_number", how="left")
            .join(nik_counts.rename({"family_id": "_nik_family"}), left_on="_nik", right_on="nik", how="left"))
    kk_ok = pl.col("_kk_family").is_not_null() & (pl.col("_kk_n") == 1)
    nik_ok = pl.col("_nik_family").is_not_null() & (pl.col("_nik_n") == 1)
    good = good.with_columns(
        pl.when(kk_ok).then(pl.col("_kk_family")).when(nik_ok).then(pl.col("_nik_family")).otherwise(None).alias("family_id"),
        pl.when(kk_ok).then(pl.lit("kk")).when(nik_ok).then(pl.lit("nik")).otherwise(None).alias("matched_by"),
    )
    kk_label, nik_label = headers.get("kk_number", "NO_KK"), headers.get("nik", "NIK")
    found = [
        issues_where(good, pl.col("_kk").is_not_null() & (pl.col("_kk_n") > 1), field=kk_label, value=pl.col("_kk"),
                     code="kk_ambiguous", message_id="No. KK ini dipegang beberapa keluarga aktif; perbaiki registri dulu",
                     message_en="several active families hold this KK number; correct the registry first"),
        issues_where(good, pl.col("_nik").is_not_null() & (pl.col("_nik_n") > 1) & ~kk_ok, field=nik_label,
                     value=pl.col("_nik"), code="nik_ambiguous",
                     message_id="NIK ini tercatat pada beberapa anggota aktif; perbaiki registri dulu",
                     message_en="several active members hold this NIK; correct the registry first"),
        issues_where(good, pl.col("family_id").is_null() & pl.col("_kk").is_not_null() & pl.col("_kk_n").is_null()
                     & (pl.col("_nik").is_null() | pl.col("_nik_n").is_null()), field=kk_label, value=pl.col("_kk"),
                     code="kk_unknown", message_id="No. KK tidak ada di registri wilayah ini (keluarga aktif)",
                     message_en="the KK number is not in this region's registry (active families)"),
        issues_where(good, pl.col("family_id").is_null() & pl.col("_kk").is_null() & pl.col("_nik").is_not_null()
                     & pl.col("_nik_n").is_null(), field=nik_label, value=pl.col("_nik"), code="nik_unknown",
                     message_id="NIK tidak ada di registri wilayah ini (anggota aktif)",
                     message_en="the NIK is not in this region's registry (active members)"),
        issues_where(good, kk_ok & nik_ok & (pl.col("_kk_family") != pl.col("_nik_family")), field=nik_label,
                     value=pl.col("_nik"), code="kk_nik_mismatch",
                     message_id="NIK ini anggota keluarga lain, bukan keluarga dengan No. KK di baris ini",
                     message_en="this NIK belongs to another family than the KK number on this row"),
    ]
    issues = pl.concat([issues, *found])

    # The same family on several rows: the same desil is kept once (later rows warned); different desils are a
    # conflict, and every row of that family is rejected (neither value is taken).
    good = good.filter(~pl.col(ROW).is_in(_error_rows(issues).implode()) & pl.col("family_id").is_not_null())
    good = good.with_columns(
        pl.col("_desil").n_unique().over("family_id").alias("_values"),
        pl.col(ROW).min().over("family_id").alias("_first"),
        pl.col(ROW).cast(pl.String).str.join(", ").over("family_id").alias("_rows"),
        pl.col("_desil").cast(pl.String).unique().sort().str.join(", ").over("family_id").alias("_desils"),
    )
    issues = pl.concat([issues,
        issues_where(good, pl.col("_values") > 1, field=desil_header, value=pl.col("_desil_text"), code="desil_conflict",
                     message_id=pl.format("keluarga yang sama ada di baris {} dengan desil berbeda ({}); tidak satu pun diambil",
                                          pl.col("_rows"), pl.col("_desils")),
                     message_en=pl.format("the same family is on rows {} with different desils ({}); none is taken",
                                          pl.col("_rows"), pl.col("_desils"))),
        issues_where(good, (pl.col("_values") == 1) & (pl.col(ROW) != pl.col("_first")), field=identity_label,
                     value=pl.col("_desil_text"), code="duplicate_row", severity=WARNING,
                     message_id=pl.format("keluarga yang sama dengan desil sama seperti baris {}; dihitung sekali",
                                          pl.col("_first")),
                     message_en=pl.format("the same family with the same desil as row {}; counted once", pl.col("_first"))),
    ])
    accepted = (good.filter((pl.col("_values") == 1) & (pl.col(ROW) == pl.col("_first")))
                .join(families.select("family_id", "region_id"), on="family_id", how="left")
                .select("family_id", "region_id", pl.col("_desil").cast(pl.Int16).alias("desil"), "matched_by",
                        pl.col(ROW).alias("source_row"))
                .sort("region_id", "family_id"))
    rejected = _error_rows(issues)
    issues = issues.select(list(ISSUE_SCHEMA)).sort("row", "code", maintain_order=True)
    return PreparedDesil(accepted=accepted, issues=issues, rows_read=rows_read, rows_blank=rows_blank,
                         rows_rejected=rejected.len(), headers=headers, ignored_headers=table.ignored_headers,
                         notes=table.notes)
