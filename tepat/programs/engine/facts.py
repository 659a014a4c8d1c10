"""The facts frame: one row per family of a determination version, built from the frozen JSON
(`DeterminedFamily.data`: family fields, members keyed by id, current programme participations) and never
from the live registry; the official desil comes from `tepat.targeting.selectors.desil_frame`.

Two facts are not in the frozen version and are read as they stand when the list is determined, then kept
in the list's trace: the family's welfare/PPKS categories (`registry.WelfareStatus`) and its open
data-quality flags (`quality.Flag`). ADR 0017 says why.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db import connection

from tepat.programs.bulk import read_frame
from tepat.programs.models import VersionFacts
from tepat.quality.models import Flag
from tepat.regions.selectors import region_within_q
from tepat.registry.models import WelfareStatus
from tepat.updates.models import DeterminedFamily

DIFFICULTY_KEYS = ("difficulty_seeing", "difficulty_hearing", "difficulty_walking", "difficulty_hands",
                   "difficulty_learning", "difficulty_behaviour", "difficulty_communicating",
                   "difficulty_self_care", "difficulty_remembering")
SEVERE = (1, 2)  # "cannot do at all", "a lot of difficulty"
CIVIL_SERVANT = 5  # registry.choices.EmploymentStatus.CIVIL_SERVANT
HEAD = 1


@dataclass
class Version:
    families: pl.DataFrame  # family_id, region_code, kk_number, programmes (list[str])
    members: pl.DataFrame  # family_id, birth_date, relation, pregnant, education, school, employment, severe
    timings: dict[str, float] = field(default_factory=dict)
    # Frames derived from this version and kept with it (members with ages, per-family base counts, keyed
    # by what they depend on): the same for every programme evaluated over the version.
    derived: dict[Any, pl.DataFrame] = field(default_factory=dict)
    packed: bool = False  # read from its `VersionFacts` row (else extracted from the JSON)


_CACHE: dict[tuple[str, str, int], Version] = {}


def read_version(period: Any, region_code: str, *, chunk_size: int = 5000) -> Version:
    """The frozen families of `period` under `region_code`, as two frames (families and members).

    A determined version never changes, so the frames of the last one read are kept in this process
    (one entry, keyed by period, region and frozen row count): the second and third programme of the same
    tahap, and rule previews, skip reading the JSON again."""
    key = (str(period.pk), region_code, int(getattr(period, "frozen_count", 0) or 0))
    cached = _CACHE.get(key)
    if cached is not None and key[2]:
        return Version(cached.families, cached.members, {"read_json_s": 0.0, "frames_s": 0.0, "cached": 1.0},
                       cached.derived, cached.packed)
    version = (_read_packed(period, region_code) if key[2] else None) or _read_version_sql(period, region_code)
    _CACHE.clear()
    _CACHE[key] = version
    return version


def dashed(col: str) -> pl.Expr:
    """UUID text as `str(uuid)` gives it (SQLite keeps Django's UUIDField as 32 hex characters)."""
    c = pl.col(col)
    return (pl.when(c.str.len_chars() == 32)
            .then(pl.concat_str([c.str.slice(0, 8), c.str.slice(8, 4), c.str.slice(12, 4), c.str.slice(16, 4),
                                 c.str.slice(20, 12)], separator="-"))
            .otherwise(c))


def _version_sql(vendor: str) -> tuple[str, str]:
    """(families query, members query) extracting only the facts the rules use, inside the database."""
    table = DeterminedFamily._meta.db_table
    where = "f.period_id = %s AND (f.region_code = %s OR f.region_code LIKE %s)"
    if vendor == "postgresql":
        def get(key: str, cast: str = "int") -> str:
            return f"(m.value->>'{key}')::{cast}"
        severe = "LEAST(" + ", ".join(f"COALESCE({get(k)}, 9)" for k in DIFFICULTY_KEYS) + ")"
        families = (f"SELECT f.family_id::text, f.region_code, COALESCE(f.data->>'kk_number', ''), "
                    f"COALESCE(f.data->'programs', '[]'::jsonb)::text FROM {table} f WHERE {where}")
        members = (f"SELECT f.family_id::text, m.value->>'birth_date', {get('relation')}, "
                   f"COALESCE({get('pregnant', 'boolean')}, false)::int, {get('education')}, {get('school_participation')}, "
                   f"{get('employment_status')}, {severe} FROM {table} f "
                   f"CROSS JOIN LATERAL jsonb_each(f.data->'members') m WHERE {where}")
        return families, members

    def get(key: str) -> str:  # sqlite (JSON1)
        return f"json_extract(m.value, '$.{key}')"
    severe = "min(" + ", ".join(f"COALESCE({get(k)}, 9)" for k in DIFFICULTY_KEYS) + ")"
    families = (f"SELECT f.family_id, f.region_code, COALESCE(json_extract(f.data, '$.kk_number'), ''), "
                f"COALESCE(json_extract(f.data, '$.programs'), '[]') FROM {table} f WHERE {where}")
    members = (f"SELECT f.family_id, {get('birth_date')}, {get('relation')}, COALESCE({get('pregnant')}, 0), "
               f"{get('education')}, {get('school_participation')}, {get('employment_status')}, {severe} "
               f"FROM {table} f, json_each(f.data, '$.members') m WHERE {where}")
    return families, members


FAMILY_SCHEMA = {"family_id": pl.Utf8, "region_code": pl.Utf8, "kk_number": pl.Utf8, "programmes": pl.Utf8}
MEMBER_SCHEMA = {"family_id": pl.Utf8, "birth_date": pl.Utf8, "relation": pl.Int16, "pregnant": pl.Int8,
                 "education": pl.Int16, "school": pl.Int16, "employment": pl.Int16, "worst": pl.Int16}


def _read_version_sql(period: Any, region_code: str) -> Version:
    """The frozen version's facts, extracted by the database's JSON functions (PostgreSQL jsonb, SQLite
    JSON1): only ~8 small columns per member cross the wire instead of the whole JSON (~700 MB for 300,000
    families), read columnar (`bulk.read_frame`: one COPY TO on PostgreSQL), nothing decoded row by row."""
    started = time.perf_counter()
    fam_sql, mem_sql = _version_sql(connection.vendor)
    pk = period.pk.hex if connection.vendor == "sqlite" else str(period.pk)
    params = [pk, region_code, f"{region_code}.%"]
    families = read_frame(fam_sql, params, FAMILY_SCHEMA)
    members = read_frame(mem_sql, params, MEMBER_SCHEMA)
    read = time.perf_counter()
    families = families.with_columns(
        dashed("family_id").alias("family_id"),
        pl.col("programmes").str.json_decode(pl.List(pl.Utf8))
        .list.eval(pl.element().str.split(":").list.first()).list.unique().list.sort().alias("programmes"))
    members = members.with_columns(dashed("family_id").alias("family_id"),
                                   pl.col("pregnant").cast(pl.Boolean),
                                   pl.col("worst").is_in(list(SEVERE)).alias("severe")).drop("worst")
    return Version(families.sort("region_code", "family_id"), members,
                   {"read_json_s": read - started, "frames_s": time.perf_counter() - read})


# The packed facts (`VersionFacts`): which extraction made them. A change of the SQL or of the frames' schema
# gives a new layout, so a row packed by older code is never read as if it held the new facts.
PACK_FORMAT = 1
LAYOUT = hashlib.sha256(repr((PACK_FORMAT, _version_sql("postgresql"), _version_sql("sqlite"),
                              sorted(FAMILY_SCHEMA), sorted(MEMBER_SCHEMA))).encode()).hexdigest()[:16]


def pack(version: Version) -> tuple[bytes, bytes]:
    """(families, members) as Parquet bytes; a member carries the row number of its family instead of
    the family id (1M × 36 characters less), so `unpack` gives exactly the same two frames back."""
    families, members = version.families, version.members
    position = members["family_id"].replace_strict(families["family_id"], pl.int_range(families.height, eager=True,
                                                                                       dtype=pl.UInt32))
    members = members.with_columns(position.alias("family_id"))
    out = []
    for frame in (families, members):
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="zstd", statistics=False)
        out.append(buffer.getvalue())
    return out[0], out[1]


def unpack(families: bytes, members: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    fam = pl.read_parquet(io.BytesIO(families))
    mem = pl.read_parquet(io.BytesIO(members))
    return fam, mem.with_columns(fam["family_id"].gather(mem["family_id"]).alias("family_id"))


def _read_packed(period: Any, region_code: str) -> Version | None:
    started = time.perf_counter()
    row = (VersionFacts.objects.filter(period_id=period.pk, region_code=region_code, layout=LAYOUT,
                                       frozen_count=period.frozen_count)
           .values_list("families", "members").first())
    if row is None:
        return None
    read = time.perf_counter()
    families, members = unpack(bytes(row[0]), bytes(row[1]))
    return Version(families, members, {"read_json_s": 0.0, "read_packed_s": read - started,
                                       "frames_s": time.perf_counter() - read}, packed=True)


def with_ages(members: pl.DataFrame, on: date) -> pl.DataFrame:
    born = pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False)
    later_in_year = (born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)) > (on.month * 100 + on.day)
    return members.with_columns(age=(pl.lit(on.year) - born.dt.year().cast(pl.Int32)
                                     - later_in_year.cast(pl.Int32)).cast(pl.Int16))


def live_sets(family_ids: list[str], region_code: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(welfare categories, open flag kinds) per family, as they stand now: `family_id`, `ppks` / `flags`."""
    cats: dict[str, set[str]] = {}
    for family_id, category in (WelfareStatus.objects.filter(region_within_q(region_code, "family__region__code"),
                                                             until__isnull=True)
                                .values_list("family_id", "category").iterator(chunk_size=10000)):
        cats.setdefault(str(family_id), set()).add(category)
    flags: dict[str, set[str]] = {}
    for family_id, kind in (Flag.objects.filter(region_within_q(region_code, "region_code"), status=Flag.Status.OPEN)
                            .values_list("family_id", "kind").iterator(chunk_size=10000)):
        flags.setdefault(str(family_id), set()).add(kind)
    wanted = set(family_ids)
    ppks = pl.DataFrame({"family_id": [k for k in cats if k in wanted],
                         "ppks": [sorted(v) for k, v in cats.items() if k in wanted]},
                        schema={"family_id": pl.Utf8, "ppks": pl.List(pl.Utf8)})
    open_flags = pl.DataFrame({"family_id": [k for k in flags if k in wanted],
                               "flags": [sorted(v) for k, v in flags.items() if k in wanted]},
                              schema={"family_id": pl.Utf8, "flags": pl.List(pl.Utf8)})
    return ppks, open_flags
