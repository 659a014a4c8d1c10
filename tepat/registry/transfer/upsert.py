"""Stage two of an import: one batch of whole families against the registry, set-based.

Per batch: one read of the families with these KK numbers, one of the individuals with these NIKs
(and of the heads of the matched families), one of the matched families' programs; then the
conflicts (never overwritten: a KK of a removed family or of another village, a NIK active in
another family, a second head), the creates and the changed fields, written with COPY/executemany
and recorded in one audit event. The caller wraps all of it, with the job checkpoint, in one
transaction.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl

from tepat.regions.selectors import is_within_any
from tepat.registry import choices as c
from tepat.registry.masking import mask_identity
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.transfer.normalise import ERROR, ISSUE_SCHEMA, WARNING
from tepat.registry.transfer.reader import ROW

ACTIVE = [int(p) for p in c.ACTIVE_PRESENCE]
FAMILY_TABLE = "registry_family"
INDIVIDUAL_TABLE = "registry_individual"
HISTORY_TABLE = "registry_kknumberhistory"
PROGRAM_TABLE = "registry_programparticipation"

_FAMILY_DEFAULTS: dict[str, Any] = {"rw": "", "rt": "", "address": "", "external_id": ""}
_INDIVIDUAL_TEXT = ("birth_place", "occupation", "external_id")
_INT_FIELDS_FAMILY = ("floor_area_m2",)


def new_ids(count: int) -> pl.Series:
    """UUIDs (version 7 layout: time first, then random) as 32 hex digits, made in one go.

    Time-ordered keys keep the primary-key index appends local, which matters at a million rows."""
    if count == 0:
        return pl.Series([], dtype=pl.String)
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    stamp = np.uint64(time.time_ns() // 1_000_000)
    for k in range(6):
        raw[:, 5 - k] = np.uint8((int(stamp) >> (8 * k)) & 0xFF)
    seq = np.arange(count, dtype=np.uint32)  # keeps order inside one millisecond
    raw[:, 6] = 0x70 | ((seq >> 20) & 0x0F).astype(np.uint8)
    raw[:, 7] = ((seq >> 12) & 0xFF).astype(np.uint8)
    raw[:, 8] = 0x80 | ((seq >> 6) & 0x3F).astype(np.uint8)
    raw[:, 9] = (((seq & 0x3F) << 2) | (raw[:, 9] & 0x03)).astype(np.uint8)
    hexed = raw.tobytes().hex()
    return pl.Series([hexed[i:i + 32] for i in range(0, 32 * count, 32)], dtype=pl.String)


def dashed(expr: pl.Expr) -> pl.Expr:
    """32 hex digits → the usual 8-4-4-4-12 form (how audit events name targets)."""
    return pl.concat_str([expr.str.slice(0, 8), expr.str.slice(8, 4), expr.str.slice(12, 4),
                          expr.str.slice(16, 4), expr.str.slice(20, 12)], separator="-")


def _warning_key(column: pl.Expr) -> pl.Expr:
    """The stored validation_warnings JSON → 'field:code|…' (as normalise.warning_key)."""
    decoded = column.replace("", "[]").str.json_decode(pl.List(pl.Struct({"field": pl.String, "code": pl.String})))
    return decoded.list.eval(
        pl.concat_str([pl.element().struct.field("field").fill_null(""), pl.element().struct.field("code").fill_null("")],
                      separator=":")
    ).list.sort().list.join("|").fill_null("")


@dataclass(slots=True)
class BatchContext:
    job_id: str
    actor: Any
    dry_run: bool
    family_fields: list[str]
    individual_fields: list[str]
    programs: list[str]
    labels: dict[str, str]  # field → header in the file
    allowed: tuple[str, ...] | None
    show_identity: bool  # the actor may see whole NIK/KK numbers
    bulk: Bulk = field(default_factory=Bulk)

    def in_scope(self, region_code: str) -> bool:
        if self.allowed is None:
            return True
        return is_within_any(region_code, self.allowed)

    def identity(self, value: str) -> str:
        return value if self.show_identity else mask_identity(value)


@dataclass(slots=True)
class BatchOutcome:
    rows: int
    counts: dict[str, int]
    issues: pl.DataFrame
    events: list[tuple[str, dict[str, Any]]]  # (village code, audit data)


def _issues(frame: pl.DataFrame, *, label: str, value: str, code: str, ids: list[str], ens: list[str],
            severity: str = ERROR) -> pl.DataFrame:
    return pl.DataFrame({
        "row": frame.get_column(ROW), "field": [label] * frame.height, "value": frame.get_column(value).cast(pl.String),
        "code": [code] * frame.height, "severity": [severity] * frame.height, "message_id": ids, "message_en": ens,
    }, schema=ISSUE_SCHEMA)


def _changes(frame: pl.DataFrame, fields: list[str], *, key: str, label: str) -> list[tuple[str, dict[str, Any]]]:
    """[(village, {id (dashed): {label: …, "changes": {field: {"before", "after"}}}})] for the changed rows
    of a frame with `f`, `db_f` and `chg_f` columns (and the stored warnings' keys)."""
    out: list[tuple[str, dict[str, Any]]] = []
    if frame.is_empty():
        return out
    cols = [dashed(pl.col(key)), "region_id", label, *(f"chg_{f}" for f in fields), *fields,
            *(f"db_{f}" for f in fields), "db_warnings_key", "warnings_key"]
    n = len(fields)
    for row in frame.select(cols).iter_rows():
        diff = {}
        if row[-2] != row[-1]:
            diff["validation_warnings"] = {"before": row[-2], "after": row[-1]}
        for i, name in enumerate(fields):
            if row[3 + i]:
                before, after = row[3 + 2 * n + i], row[3 + n + i]
                diff[name] = {"before": before.isoformat() if isinstance(before, date) else before,
                              "after": after.isoformat() if isinstance(after, date) else after}
        out.append((row[1], {row[0]: {label: row[2], "changes": diff}}))
    return out


def _db_types(fields: list[str]) -> dict[str, str]:
    from tepat.registry.transfer.presets import FIELDS

    types: dict[str, str] = {}
    by_column = {spec.column: spec for spec in FIELDS.values()}
    for name in fields:
        spec = by_column.get(name)
        kind = spec.kind if spec else "text"
        types[name] = {"code": "int", "int": "int", "date": "date", "flag": "bool"}.get(kind, "str")
    return types


def _compare(frame: pl.DataFrame, fields: list[str], types: dict[str, str]) -> pl.DataFrame:
    """Adds chg_<f> flags and `changed` (any field or the stored warnings differ)."""
    exprs = []
    for name in fields:
        left, right = pl.col(name), pl.col(f"db_{name}")
        if types[name] == "int":
            left, right = left.cast(pl.Int64), right.cast(pl.Int64)
        elif types[name] == "str":
            left, right = left.fill_null(""), right.fill_null("")
        exprs.append(left.ne_missing(right).alias(f"chg_{name}"))
    frame = frame.with_columns(exprs)
    warn_changed = pl.col("warnings_key") != pl.col("db_warnings_key")
    any_field = pl.any_horizontal([pl.col(f"chg_{n}") for n in fields]) if fields else pl.lit(False)
    return frame.with_columns(any_field.alias("fields_changed"), (any_field | warn_changed).alias("changed"))


def apply_batch(ctx: BatchContext, batch_no: int, families: pl.DataFrame, members: pl.DataFrame,
                now: datetime, today: date) -> BatchOutcome:
    bulk = ctx.bulk
    ff, inf = ctx.family_fields, ctx.individual_fields
    ftypes, itypes = _db_types(ff), _db_types(inf)
    label = ctx.labels.get
    issues: list[pl.DataFrame] = []

    # --- families: by KK number ----------------------------------------------------------------
    fam_cols = ", ".join(f'"{f}"' for f in ff)
    existing = bulk.fetch_in(
        f"SELECT id, kk_number, region_id, status{', ' + fam_cols if ff else ''}, validation_warnings "
        f"FROM {FAMILY_TABLE} WHERE {{keys}}", "kk_number", families.get_column("kk_number").to_list(),
        types={"id": "uuid", **ftypes},
    )
    stats = existing.group_by("kk_number").agg(
        (pl.col("status") == c.FamilyStatus.ACTIVE).sum().alias("n_active"),
        (pl.col("status") != c.FamilyStatus.ACTIVE).any().alias("removed"),
    )
    single = existing.filter(pl.col("status") == c.FamilyStatus.ACTIVE).unique("kk_number", keep="first").select(
        "kk_number", pl.col("id").alias("db_id"), pl.col("region_id").alias("db_region"),
        *(pl.col(f).alias(f"db_{f}") for f in ff), _warning_key(pl.col("validation_warnings")).alias("db_warnings_key"),
    )
    fam = families.join(stats, on="kk_number", how="left").join(single, on="kk_number", how="left").with_columns(
        pl.col("n_active").fill_null(0), pl.col("removed").fill_null(False), new_ids(families.height).alias("_new_id"),
    )
    fam = fam.with_columns(
        pl.when(pl.col("n_active") > 1).then(pl.lit("kk_ambiguous"))
        .when((pl.col("n_active") == 1) & (pl.col("db_region") != pl.col("region_id"))).then(pl.lit("kk_other_region"))
        .when((pl.col("n_active") == 0) & pl.col("removed")).then(pl.lit("family_removed"))
        .otherwise(None).alias("conflict"),
    ).with_columns(
        (pl.col("conflict").is_null() & (pl.col("n_active") == 0)).alias("is_new"),
        pl.when(pl.col("n_active") == 1).then(pl.col("db_id")).otherwise(pl.col("_new_id")).alias("family_id"),
    )
    mem = members.join(fam.select("kk_number", "family_id", "conflict", "is_new", "db_region", "region_id"),
                       on="kk_number", how="left")
    kk_label = label("kk_number", "kk_number")
    for code in ("kk_ambiguous", "kk_other_region", "family_removed"):
        hit = mem.filter(pl.col("conflict") == code)
        if hit.is_empty():
            continue
        ids, ens = [], []
        for kk, region in hit.select("kk_number", "db_region").iter_rows():
            if code == "kk_ambiguous":
                ids.append("No. KK ini dipakai lebih dari satu keluarga aktif di registri; perbaiki registri dulu")
                ens.append("this KK number belongs to more than one active family in the registry; fix the registry first")
            elif code == "family_removed":
                ids.append("keluarga dengan No. KK ini sudah dihapus dari daftar; impor tidak menghidupkannya kembali")
                ens.append("the family with this KK number was removed from the list; an import does not restore it")
            elif ctx.in_scope(region or ""):
                ids.append(f"No. KK sudah terdaftar di desa {region}; pindah desa tidak dilakukan lewat impor")
                ens.append(f"the KK number is registered in village {region}; moving a family is not done by import")
            else:
                ids.append(f"No. KK {ctx.identity(kk)} sudah dipakai keluarga lain")
                ens.append(f"KK number {ctx.identity(kk)} is already used by another family")
        issues.append(_issues(hit, label=kk_label, value="kk_number", code=code, ids=ids, ens=ens))
    mem = mem.filter(pl.col("conflict").is_null())

    # --- individuals: by NIK, and the heads of the matched families --------------------------------
    ind_cols = ", ".join(f'i."{f}"' for f in inf if f != "relation")
    existing_i = bulk.fetch_in(
        f"SELECT i.id, i.family_id, i.nik, i.presence, i.relation{', ' + ind_cols if ind_cols else ''}, "
        f"i.validation_warnings, f.kk_number AS family_kk, f.region_id AS family_region, f.status AS family_status "
        f"FROM {INDIVIDUAL_TABLE} i JOIN {FAMILY_TABLE} f ON f.id = i.family_id WHERE {{keys}}",
        "i.nik", mem.get_column("nik").to_list(),
        types={"id": "uuid", "family_id": "uuid", "presence": "int", "relation": "int", **itypes},
    )
    matched_ids = fam.filter(pl.col("conflict").is_null() & ~pl.col("is_new")).get_column("family_id").to_list()
    heads = bulk.fetch_in(
        f"SELECT i.id, i.family_id, i.nik FROM {INDIVIDUAL_TABLE} i "
        f"WHERE i.relation = 1 AND i.presence IN ({', '.join(str(p) for p in ACTIVE)}) AND {{keys}}",
        "i.family_id", matched_ids, cast="uuid", types={"id": "uuid", "family_id": "uuid"},
    )
    # Like the registry services: a NIK is held by an active member of an active family.
    pairs = mem.select(ROW, "nik", "family_id").join(
        existing_i.select(pl.col("id").alias("ex_id"), pl.col("family_id").alias("ex_family"), "nik", "presence",
                          "family_kk", "family_region", "family_status"), on="nik", how="inner",
    ).with_columns((pl.col("presence").is_in(ACTIVE) & (pl.col("family_status") == c.FamilyStatus.ACTIVE)).alias("active"))
    elsewhere = pairs.filter(pl.col("active") & (pl.col("ex_family") != pl.col("family_id"))).unique(ROW, keep="first")
    if not elsewhere.is_empty():
        ids, ens = [], []
        for kk, region in elsewhere.select("family_kk", "family_region").iter_rows():
            if ctx.in_scope(region):
                ids.append(f"NIK sudah terdaftar aktif di keluarga lain (No. KK {ctx.identity(kk)})")
                ens.append(f"the NIK is already registered, active, in another family (KK number {ctx.identity(kk)})")
            else:
                ids.append("NIK sudah terdaftar aktif di keluarga lain")
                ens.append("the NIK is already registered, active, in another family")
        issues.append(_issues(elsewhere.join(mem.select(ROW, "nik"), on=ROW), label=label("nik", "nik"), value="nik",
                              code="nik_in_other_family", ids=ids, ens=ens))
        mem = mem.filter(~pl.col(ROW).is_in(elsewhere.get_column(ROW).implode()))
    same = pairs.filter(pl.col("ex_family") == pl.col("family_id")).sort(
        [ROW, "active"], descending=[False, True]).unique(ROW, keep="first").select(ROW, pl.col("ex_id").alias("match_id"))
    mem = mem.join(same, on=ROW, how="left")

    # A second head: the file names a head while the family keeps another one in the registry.
    staying = heads.join(mem.select("nik", "family_id", pl.col("relation").alias("file_rel")),
                         on=["nik", "family_id"], how="left").filter(
        pl.col("file_rel").is_null() | (pl.col("file_rel") == 1))
    clash = mem.filter(pl.col("relation") == 1).select(ROW, "nik", "family_id").join(
        staying.select("family_id", pl.col("nik").alias("head_nik")), on="family_id", how="inner",
    ).filter(pl.col("head_nik") != pl.col("nik")).unique(ROW, keep="first")
    if not clash.is_empty():
        ids = [f"keluarga ini sudah punya kepala keluarga di registri (NIK {ctx.identity(n)}); ubah dulu hubungan keluarganya"
               for n in clash.get_column("head_nik")]
        ens = [f"this family already has a head in the registry (NIK {ctx.identity(n)}); change that member's relation first"
               for n in clash.get_column("head_nik")]
        issues.append(_issues(clash.join(mem.select(ROW, pl.col("relation").cast(pl.String).alias("rel")), on=ROW),
                              label=label("relation", "relation"), value="rel", code="second_head", ids=ids, ens=ens))
        mem = mem.filter(~pl.col(ROW).is_in(clash.get_column(ROW).implode()))

    # --- what changes ------------------------------------------------------------------------------
    live = mem.group_by("family_id").agg(pl.len().alias("_accepted"))
    fam = fam.filter(pl.col("conflict").is_null()).join(live, on="family_id", how="inner")
    new_fam = fam.filter(pl.col("is_new"))
    old_fam = _compare(fam.filter(~pl.col("is_new")), ff, ftypes)
    changed_fam = old_fam.filter(pl.col("changed"))

    new_ind = mem.filter(pl.col("match_id").is_null())
    new_ind = new_ind.with_columns(new_ids(new_ind.height).alias("_id"))
    old_ind = mem.filter(pl.col("match_id").is_not_null()).join(
        existing_i.select(pl.col("id").alias("match_id"), *(pl.col(f).alias(f"db_{f}") for f in inf),
                          _warning_key(pl.col("validation_warnings")).alias("db_warnings_key")),
        on="match_id", how="left",
    )
    old_ind = _compare(old_ind, inf, itypes)
    changed_ind = old_ind.filter(pl.col("changed"))

    added_programs = _programs(ctx, fam, today)
    issues.append(added_programs[1])
    programs_new = added_programs[0]

    counts = {
        "families_created": new_fam.height,
        "families_updated": changed_fam.height,
        "families_unchanged": old_fam.height - changed_fam.height,
        "individuals_created": new_ind.height,
        "individuals_updated": changed_ind.height,
        "individuals_unchanged": old_ind.height - changed_ind.height,
        "programs_added": programs_new.height,
    }
    all_issues = pl.concat([pl.DataFrame(schema=ISSUE_SCHEMA), *issues])
    counts["rows_rejected"] = all_issues.filter(pl.col("severity") == ERROR).get_column("row").n_unique()
    counts["warnings"] = all_issues.filter(pl.col("severity") == WARNING).height
    any_change = bool(new_fam.height or changed_fam.height or new_ind.height or changed_ind.height or programs_new.height)
    events: list[tuple[str, dict[str, Any]]] = []
    if not ctx.dry_run and any_change:
        _write(ctx, new_fam, changed_fam, new_ind, changed_ind, programs_new, now, today)
        events = _audit_events(ctx, batch_no, new_fam, changed_fam, new_ind, changed_ind,
                               programs_new.join(fam.select("family_id", "region_id"), on="family_id", how="left"))
    return BatchOutcome(rows=members.height, counts=counts, issues=all_issues, events=events)


def _audit_events(ctx: BatchContext, batch_no: int, new_fam: pl.DataFrame, changed_fam: pl.DataFrame,
                  new_ind: pl.DataFrame, changed_ind: pl.DataFrame, programs: pl.DataFrame,
                  ) -> list[tuple[str, dict[str, Any]]]:
    """One event per village touched by the batch (region-scoped readers of the trail see exactly their
    villages; batches are cut village by village, so a batch touches few).

    Changed records are listed by id with each changed field before and after. Created records, the
    bulk of a first import, are listed compactly as text, one entry per family separated by "; ":
    `families_created` "<family id> <member count>" (the family and how many members it got),
    `individuals_created` "<family id> <member count>" (members added to an existing family),
    `programs_added` "<family id> <program> …". A million-row import so writes ~50 MB of trail
    instead of several times that, and the writer escapes far fewer quotes. No KK number or NIK enters
    the event in clear (ADR 0008): records are named by internal id, changed identity numbers and health
    answers are masked by `masking.audit_payload` in the importer."""
    data: dict[str, dict[str, Any]] = {}

    def village(code: str) -> dict[str, Any]:
        return data.setdefault(code, {"job": ctx.job_id, "batch": batch_no + 1})

    def listed(frame: pl.DataFrame, key: str, entry: pl.Expr) -> None:
        if frame.is_empty():
            return
        texts = frame.group_by("region_id").agg(entry.str.join("; ").alias("text"))
        for code, text in texts.iter_rows():
            village(code)[key] = text

    members = new_ind.group_by("family_id", maintain_order=True).agg(
        pl.col("region_id").first(), pl.len().cast(pl.String).alias("member_count"))
    created = new_fam.select("family_id", "region_id").join(
        members.drop("region_id"), on="family_id", how="left")
    listed(created, "families_created", pl.concat_str(
        [dashed(pl.col("family_id")), pl.col("member_count").fill_null("0")], separator=" "))
    listed(members.join(new_fam.select("family_id"), on="family_id", how="anti"), "individuals_created",
           pl.concat_str([dashed(pl.col("family_id")), pl.col("member_count")], separator=" "))
    grouped = programs.group_by("family_id", maintain_order=True).agg(
        pl.col("region_id").first(), pl.col("program").str.join(" "))
    listed(grouped, "programs_added", pl.concat_str([dashed(pl.col("family_id")), pl.col("program")], separator=" "))
    for code, changes in _changes(changed_fam, ctx.family_fields, key="family_id", label="kk_number"):
        village(code).setdefault("families_updated", {}).update(changes)
    for code, changes in _changes(changed_ind, ctx.individual_fields, key="match_id", label="nik"):
        village(code).setdefault("individuals_updated", {}).update(changes)
    return sorted(data.items())


def _programs(ctx: BatchContext, fam: pl.DataFrame, today: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """New program participations for flagged families; warnings where the file says no but the
    registry has an active participation (an import never ends one)."""
    empty = pl.DataFrame(schema={"family_id": pl.String, "program": pl.String})
    if not ctx.programs or fam.is_empty():
        return empty, pl.DataFrame(schema=ISSUE_SCHEMA)
    matched = fam.filter(~pl.col("is_new")).get_column("family_id").to_list()
    current = ctx.bulk.fetch_in(
        f"SELECT family_id, program FROM {PROGRAM_TABLE} WHERE (until IS NULL OR until >= %s) AND {{keys}}",
        "family_id", matched, cast="uuid", params=[today.isoformat()], types={"family_id": "uuid"},
    ).unique()
    wanted = fam.select("family_id", "first_row",
                        *(pl.col(f"program_{p}").alias(p) for p in ctx.programs)).unpivot(
        index=["family_id", "first_row"], variable_name="program", value_name="flag")
    joined = wanted.join(current.with_columns(pl.lit(True).alias("active")), on=["family_id", "program"], how="left")
    new = joined.filter(pl.col("flag") & pl.col("active").is_null()).select("family_id", "program")
    kept = joined.filter(~pl.col("flag") & pl.col("active").fill_null(False))
    issues = pl.DataFrame({
        "row": kept.get_column("first_row"),
        "field": [ctx.labels.get(f"program_{p}", p) for p in kept.get_column("program")],
        "value": ["T"] * kept.height, "code": ["program_not_ended"] * kept.height, "severity": [WARNING] * kept.height,
        "message_id": [f"{p.upper()} aktif di registri; impor tidak menghentikan kepesertaan" for p in kept.get_column("program")],
        "message_en": [f"{p.upper()} is active in the registry; an import does not end a participation"
                       for p in kept.get_column("program")],
    }, schema=ISSUE_SCHEMA)
    return new, issues


def _write(ctx: BatchContext, new_fam: pl.DataFrame, changed_fam: pl.DataFrame, new_ind: pl.DataFrame,
           changed_ind: pl.DataFrame, programs: pl.DataFrame, now: datetime, today: date) -> None:
    bulk = ctx.bulk
    stamp = pl.lit(now).cast(pl.Datetime("us", "UTC"))
    family_columns = {
        "id": pl.col("family_id"), "created_at": stamp, "updated_at": stamp, "kk_number": pl.col("kk_number"),
        "region_id": pl.col("region_id"),
        **{name: pl.lit(default) for name, default in _FAMILY_DEFAULTS.items()},
        "status": pl.lit(c.FamilyStatus.ACTIVE.value), "status_reason": pl.lit(""), "status_note": pl.lit(""),
        "assets": pl.lit("{}"), "livestock": pl.lit("{}"), "validation_warnings": pl.col("warnings"),
    }
    for name in ctx.family_fields:
        family_columns[name] = pl.col(name)
    # In key order: the inserts into the KK and NIK indexes then walk their pages in order.
    bulk.insert(FAMILY_TABLE, new_fam.select(**family_columns).sort("kk_number"))
    bulk.insert(HISTORY_TABLE, new_fam.select(
        id=new_ids(new_fam.height), created_at=stamp, updated_at=stamp, family_id=pl.col("family_id"),
        kk_number=pl.col("kk_number"), valid_from=pl.lit(today), reason=pl.lit("import"),
    ))
    individual_columns = {
        "id": pl.col("_id"), "created_at": stamp, "updated_at": stamp, "family_id": pl.col("family_id"),
        "nik": pl.col("nik"), "name_key": pl.col("name_key"),
        **{name: pl.lit("") for name in _INDIVIDUAL_TEXT},
        "pregnant": pl.lit(False), "presence": pl.lit(int(c.Presence.LIVING)), "presence_note": pl.lit(""),
        "validation_warnings": pl.col("warnings"),
    }
    for name in ctx.individual_fields:
        individual_columns[name] = pl.col(name)
    bulk.insert(INDIVIDUAL_TABLE, new_ind.select(**individual_columns).sort("nik"))
    bulk.insert(PROGRAM_TABLE, programs.select(
        id=new_ids(programs.height), created_at=stamp, updated_at=stamp, family_id=pl.col("family_id"),
        program=pl.col("program"), channel=pl.lit(""),
    ))
    if not changed_fam.is_empty():
        bulk.update(FAMILY_TABLE, changed_fam.select(
            id=pl.col("family_id"), updated_at=stamp, validation_warnings=pl.col("warnings"),
            **{name: pl.col(name) for name in ctx.family_fields},
        ))
    if not changed_ind.is_empty():
        bulk.update(INDIVIDUAL_TABLE, changed_ind.select(
            id=pl.col("match_id"), updated_at=stamp, validation_warnings=pl.col("warnings"), name_key=pl.col("name_key"),
            **{name: pl.col(name) for name in ctx.individual_fields},
        ))

