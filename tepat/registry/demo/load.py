"""Reading the villages to generate for, and loading generated frames into the registry in bulk.

The load is one transaction with one summary audit event, written set-based (one multi-row statement per
batch, COPY on PostgreSQL) from columns prepared in polars, so 20,000 families take seconds. It is
idempotent: families whose (deterministic) id is already stored are skipped with everything that belongs
to them, so rerunning the same command changes nothing and records nothing. When other data already uses a NIK or KK number the generator
produced (another seed or an overlapping region loaded earlier), the serial of the new number moves past
the highest serial stored for that prefix and date, so numbers never collide.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.core.actors import is_system
from tepat.regions.models import Region
from tepat.regions.selectors import region_subtree_q
from tepat.registry import choices as c
from tepat.registry.demo.duplicates import plant_duplicates
from tepat.registry.demo.generate import DEMO_AS_OF, DemoData, VillageInfo, generate
from tepat.registry.identity import name_key
from tepat.registry.models import Family, Individual, KKNumberHistory, ProgramParticipation, WelfareStatus

AUDIT_ACTION = "registry.demo_data"
_ID_CHUNK = 900  # ids per IN (...) lookup; stays under every backend's parameter limit

FAMILY_COLUMNS = (
    "kk_number", "rw", "rt", "address", "external_id", "building_tenure", "land_proof", "floor_area_m2", "floor",
    "wall", "roof", "drinking_water", "water_distance", "lighting", "power_capacity", "cooking_fuel",
    "toilet_facility", "toilet_type", "sewage_disposal", "internet",
)
INDIVIDUAL_COLUMNS = (
    "nik", "name", "sex", "birth_place", "birth_date", "relation", "marital_status", "education",
    "school_participation", "employment_status", "occupation",
    *(f"difficulty_{name}" for name, _ in c.DIFFICULTY_DOMAINS),
    "chronic_illness", "pregnant", "presence", "presence_note", "presence_date", "external_id",
)
ASSET_NAMES = tuple(name for name, _ in c.ASSETS)
LIVESTOCK_NAMES = tuple(name for name, _ in c.LIVESTOCK)


# ---------------------------------------------------------------------------------------------------------
# Reads


def villages_under(*, region_code: str) -> list[VillageInfo]:
    """The desa/kelurahan at or under a region of any level, with the names of their parents."""
    rows = (
        Region.objects.filter(region_subtree_q([region_code]), level=Region.Level.VILLAGE)
        .select_related("parent__parent__parent")
        .order_by("code")
    )
    villages = []
    for row in rows:
        district = row.parent
        regency = district.parent if district else None
        province = regency.parent if regency else None
        villages.append(VillageInfo(
            code=row.code, name=row.name, kind=row.kind,
            district_name=district.name if district else "", regency_name=regency.name if regency else "",
            province_name=province.name if province else "",
        ))
    return villages


def districts_of_regencies(*, villages: Sequence[VillageInfo]) -> list[str]:
    """Every kecamatan of the kabupaten/kota the villages lie in: where a few people got their NIK."""
    regencies = sorted({village.regency_code for village in villages})
    return list(
        Region.objects.filter(level=Region.Level.DISTRICT, parent_id__in=regencies)
        .order_by("code").values_list("code", flat=True)
    )


def demo_generate_for_region(*, region_code: str, families: int, seed: int,
                             as_of: date = DEMO_AS_OF, duplicates: int = 0) -> DemoData:
    """Generate (no writes) for the villages under a region, read from the Region table; `duplicates` second
    listings planted on top (`duplicates.plant_duplicates`)."""
    villages = villages_under(region_code=region_code)
    if not villages:
        raise ValueError(f"No villages under region {region_code!r}: load the region master first.")
    data = generate(villages, families, seed, birth_districts=districts_of_regencies(villages=villages),
                    as_of=as_of)
    return plant_duplicates(data, duplicates) if duplicates else data


# ---------------------------------------------------------------------------------------------------------
# Write


@dataclass(frozen=True, slots=True)
class DemoLoadResult:
    families: int
    individuals: int
    programs: int
    welfare: int
    skipped_families: int
    renumbered: int  # NIK/KK numbers moved to a higher serial because the number was already taken


def demo_data_load(*, actor: Any, data: DemoData, region_code: str, batch_size: int = 5000) -> DemoLoadResult:
    """Insert generated frames: families (with their first KK history row), members, programmes, welfare.

    `actor=SYSTEM` is the command line. Set-based: the rows are prepared column-wise in polars and written
    with one multi-row statement per batch (COPY on PostgreSQL); a handful of queries in total.
    """
    if not is_system(actor):
        ensure_permission(actor=actor, capability=Capability.REGISTRY_IMPORT, region_code=region_code)
    with transaction.atomic(), _large_sqlite_cache():
        existing = _existing_ids(Family, data.families["id"])
        stored = pl.Series(list(existing), dtype=pl.String).implode()
        families = data.families.filter(~pl.col("id").is_in(stored))
        skipped = data.families.height - families.height
        if families.is_empty():
            return DemoLoadResult(0, 0, 0, 0, skipped, 0)
        keep = pl.col("family_id").is_in(families["id"].implode())
        individuals = data.individuals.filter(keep)
        programs = data.programs.filter(keep)
        welfare = data.welfare.filter(keep)

        individuals, moved_nik = _free_numbers(
            individuals, "nik", _taken_serials(individuals["nik"], (Individual.objects, "nik"))
        )
        families, moved_kk = _free_numbers(families, "kk_number", _taken_serials(
            families["kk_number"], (Family.objects, "kk_number"), (KKNumberHistory.objects, "kk_number")
        ))

        no_warnings = pl.lit("[]").alias("validation_warnings")
        insert_rows(Family, families.select(
            "id", pl.col("region_code").alias("region_id"), *FAMILY_COLUMNS,
            _json_object([(name, pl.col(f"asset_{name}"), "true") for name in ASSET_NAMES]).alias("assets"),
            _json_object([(name, pl.col(f"livestock_{name}") > 0, pl.col(f"livestock_{name}").cast(pl.String))
                          for name in LIVESTOCK_NAMES]).alias("livestock"),
            no_warnings,
        ), batch_size=batch_size)
        insert_rows(KKNumberHistory, families.select(
            pl.col("kk_history_id").alias("id"), pl.col("id").alias("family_id"), "kk_number",
            pl.col("kk_issued").alias("valid_from"), pl.lit("demo_data").alias("reason"),
        ), batch_size=batch_size)
        keys = {name: name_key(name) for name in individuals["name"].unique().to_list()}
        insert_rows(Individual, individuals.select(
            "id", "family_id", *INDIVIDUAL_COLUMNS,
            pl.col("name").replace_strict(keys, return_dtype=pl.String).alias("name_key"), no_warnings,
        ), batch_size=batch_size)
        insert_rows(ProgramParticipation, programs.select(
            "id", "family_id", "individual_id", "program", "since", "channel"), batch_size=batch_size)
        insert_rows(WelfareStatus, welfare.select(
            "id", "family_id", "individual_id", "category", "since"), batch_size=batch_size)

        result = DemoLoadResult(families.height, individuals.height, programs.height, welfare.height, skipped,
                                moved_nik + moved_kk)
        audit_record(
            actor=actor, action=AUDIT_ACTION, region_code=region_code,
            data={"region": region_code, "seed": data.seed, "as_of": data.as_of.isoformat(),
                  "families": result.families, "individuals": result.individuals, "programs": result.programs,
                  "welfare": result.welfare, "skipped_families": skipped, "renumbered": result.renumbered},
        )
    return result


@contextmanager
def _large_sqlite_cache(kib: int = 256 * 1024) -> Iterator[None]:
    """On SQLite, a page cache of up to `kib` KiB while loading (random UUID keys touch pages all over the
    indexes; the 2 MB default makes a million-row load several times slower). Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _json_object(members: list[tuple[str, pl.Expr, str | pl.Expr]]) -> pl.Expr:
    """A JSON object text with the members whose condition holds, keys sorted ({"goat": 3, "land": true})."""
    parts = [
        pl.when(condition).then(pl.concat_str([pl.lit(f'"{key}": '), value if isinstance(value, pl.Expr)
                                               else pl.lit(value)]))
        for key, condition, value in sorted(members, key=lambda member: member[0])
    ]
    return pl.concat_str([pl.lit("{"), pl.concat_str(parts, separator=", ", ignore_nulls=True), pl.lit("}")])


# ---------------------------------------------------------------------------------------------------------
# Set-based insert of a polars frame into a model's table


def insert_rows(model: type, frame: pl.DataFrame, *, batch_size: int = 5000) -> int:
    """INSERT the frame's rows into the model's table; columns are field attnames (`family_id`).

    Fields the frame leaves out get their model default (auto_now fields: now). Values are adapted
    column-wise the way Django stores them on this backend (UUID text on SQLite, ISO dates, JSON text), so
    there is no model instance and no per-field call per row. JSON fields must arrive as JSON text.
    """
    if frame.is_empty():
        return 0
    frame = _complete(model, frame)
    opts = model._meta
    fields = [opts.get_field(name) for name in frame.columns]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in frame.iter_rows(buffer_size=batch_size):
                copy.write_row(row)
        return frame.height
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for offset in range(0, frame.height, batch_size):
            cursor.executemany(sql, frame.slice(offset, batch_size).rows())
    return frame.height


def _complete(model: type, frame: pl.DataFrame) -> pl.DataFrame:
    """Add the model's missing columns (defaults, now) and adapt column types to the database."""
    stamped = connection.ops.adapt_datetimefield_value(timezone.now())
    additions: list[pl.Expr] = []
    for field in model._meta.concrete_fields:
        if field.attname in frame.columns:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            additions.append(pl.lit(stamped).alias(field.attname))
            continue
        value = field.get_default()  # the default, else "" for text fields, else None
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.attname} has no value and no default")
        if field.get_internal_type() == "JSONField":
            value = json.dumps(value)
        additions.append(pl.lit(value).alias(field.attname))
    frame = frame.with_columns(additions) if additions else frame
    adapted: list[pl.Expr] = []
    sqlite = connection.vendor == "sqlite"
    for name in frame.columns:
        field = model._meta.get_field(name)
        kind = (field.target_field if field.is_relation else field).get_internal_type()
        column = pl.col(name)
        if kind == "UUIDField" and not connection.features.has_native_uuid_field:
            adapted.append(column.str.replace_all("-", "", literal=True))
        elif kind == "DateField" and frame.schema[name] == pl.Date and sqlite:
            adapted.append(column.dt.to_string("%Y-%m-%d"))
        elif kind == "DateTimeField" and isinstance(frame.schema[name], pl.Datetime) and sqlite:
            # Django keeps naive UTC text on SQLite; a naive value means the default time zone, as in Django.
            aware = (column.dt.replace_time_zone(settings.TIME_ZONE) if frame.schema[name].time_zone is None
                     else column)
            adapted.append(aware.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%6f"))
        else:
            adapted.append(column)
    return frame.select(adapted)


# ---------------------------------------------------------------------------------------------------------
# Idempotency and free numbers


def _existing_ids(model: type, ids: pl.Series) -> set[str]:
    found: set[str] = set()
    values = ids.to_list()
    for offset in range(0, len(values), _ID_CHUNK):
        chunk = values[offset : offset + _ID_CHUNK]
        found.update(str(pk) for pk in model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _taken_serials(numbers: pl.Series, *sources: tuple[Any, str]) -> pl.DataFrame:
    """Highest stored serial per 12-digit stem (region + date), for the 6-digit prefixes in `numbers`.

    One aggregate query per source table, with index-friendly range conditions on the prefixes."""
    prefixes = sorted(numbers.filter(numbers.str.len_chars() == 16).str.slice(0, 6).unique().to_list())
    stems: dict[str, int] = {}
    for manager, field in sources:
        if not prefixes:
            break
        condition = Q()
        for prefix in prefixes:
            condition |= Q(**{f"{field}__gte": prefix, f"{field}__lt": f"{int(prefix) + 1:06d}"})
        rows = (
            manager.filter(condition)
            .annotate(stem=Substr(field, 1, 12))
            .values("stem")
            .annotate(top=Max(Substr(field, 13, 4)))
            .values_list("stem", "top")
        )
        for stem, top in rows:
            if top and top.isdigit():
                stems[stem] = max(stems.get(stem, 0), int(top))
    return pl.DataFrame({"stem": list(stems), "taken": list(stems.values())},
                        schema={"stem": pl.String, "taken": pl.Int64})


def _free_numbers(frame: pl.DataFrame, column: str, taken: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Move serials past the stored ones where a stem is already in use. Returns (frame, how many moved)."""
    if taken.is_empty():
        return frame, 0
    shifted = (
        frame.with_columns(pl.col(column).str.slice(0, 12).alias("_stem"),
                           pl.col(column).str.slice(12, 4).cast(pl.Int64, strict=False).alias("_serial"))
        .join(taken, left_on="_stem", right_on="stem", how="left", maintain_order="left")
        .with_columns((pl.col("_serial") + pl.col("taken").fill_null(0)).alias("_serial"))
    )
    if shifted["_serial"].max() > 9999:
        raise ValueError(f"No free {column} serial left for some region and date; use another region.")
    moved = int(shifted["taken"].is_not_null().sum())
    result = shifted.with_columns(  # a missing number (a planted second listing without NIK) stays missing
        pl.when(pl.col(column).str.len_chars() == 16)
        .then(pl.col("_stem") + pl.col("_serial").cast(pl.String).str.zfill(4)).otherwise(pl.col(column)).alias(column)
    ).drop("_stem", "_serial", "taken")
    return result, moved
