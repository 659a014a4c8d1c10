"""The facts frame: one row per family of a determination version, built from the frozen JSON
(`DeterminedFamily.data`: family fields, members keyed by id, current programme participations) and never
from the live registry; the official desil comes from `tepat.targeting.selectors.desil_frame`.

Two facts are not in the frozen version and are read as they stand when the list is determined, then kept
in the list's trace: the family's welfare/PPKS categories (`registry.WelfareStatus`) and its open
data-quality flags (`quality.Flag`). ADR 0015 says why.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from tepat.quality.models import Flag
from tepat.regions.selectors import region_within_q
from tepat.registry.models import WelfareStatus
from tepat.updates.models import DeterminedFamily

try:  # 3–4× faster than the standard library on the frozen JSON; optional
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.loads

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


_CACHE: dict[tuple[str, str, int], Version] = {}


def read_version(period: Any, region_code: str, *, chunk_size: int = 5000) -> Version:
    """The frozen families of `period` under `region_code`, as two frames (families and members).

    A determined version never changes, so the frames of the last one read are kept in this process
    (one entry, keyed by period, region and frozen row count): the second and third programme of the same
    tahap, and rule previews, skip reading the JSON again."""
    key = (str(period.pk), region_code, int(getattr(period, "frozen_count", 0) or 0))
    cached = _CACHE.get(key)
    if cached is not None and key[2]:
        return Version(cached.families, cached.members, {"read_json_s": 0.0, "frames_s": 0.0, "cached": 1.0})
    version = _read_version(period, region_code, chunk_size=chunk_size)
    _CACHE.clear()
    _CACHE[key] = version
    return version


def _raw_rows(period: Any, region_code: str, chunk_size: int):
    """(family id, region code, JSON text) of the frozen rows, without the ORM's per-row JSON decoding (the
    text is decoded with orjson when installed: the JSON of a 300,000-family version is ~700 MB)."""
    qs = (DeterminedFamily.objects.filter(period=period).filter(region_within_q(region_code, "region_code"))
          .annotate(raw=Cast("data", TextField())).values_list("family_id", "region_code", "raw"))
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def _read_version(period: Any, region_code: str, *, chunk_size: int = 5000) -> Version:
    started = time.perf_counter()
    fam_id: list[str] = []
    fam_region: list[str] = []
    fam_kk: list[str] = []
    fam_prog: list[list[str]] = []
    m_fam: list[str] = []
    m_birth: list[str | None] = []
    m_rel: list[int | None] = []
    m_preg: list[bool] = []
    m_edu: list[int | None] = []
    m_school: list[int | None] = []
    m_emp: list[int | None] = []
    m_severe: list[bool] = []
    for family_id, region, raw in _raw_rows(period, region_code, chunk_size):
        data = _loads(raw) if isinstance(raw, str | bytes) else raw
        key = str(uuid.UUID(str(family_id))) if not isinstance(family_id, uuid.UUID) else str(family_id)
        fam_id.append(key)
        fam_region.append(region)
        fam_kk.append(data.get("kk_number") or "")
        fam_prog.append(sorted({p.split(":", 1)[0] for p in data.get("programs") or ()}))
        for member in (data.get("members") or {}).values():
            get = member.get
            m_fam.append(key)
            m_birth.append(get("birth_date"))
            m_rel.append(get("relation"))
            m_preg.append(bool(get("pregnant")))
            m_edu.append(get("education"))
            m_school.append(get("school_participation"))
            m_emp.append(get("employment_status"))
            m_severe.append(any(get(k) in SEVERE for k in DIFFICULTY_KEYS))
    read = time.perf_counter()
    families = pl.DataFrame({"family_id": fam_id, "region_code": fam_region, "kk_number": fam_kk,
                             "programmes": fam_prog},
                            schema={"family_id": pl.Utf8, "region_code": pl.Utf8, "kk_number": pl.Utf8,
                                    "programmes": pl.List(pl.Utf8)})
    members = pl.DataFrame({"family_id": m_fam, "birth_date": m_birth, "relation": m_rel, "pregnant": m_preg,
                            "education": m_edu, "school": m_school, "employment": m_emp, "severe": m_severe},
                           schema={"family_id": pl.Utf8, "birth_date": pl.Utf8, "relation": pl.Int16,
                                   "pregnant": pl.Boolean, "education": pl.Int16, "school": pl.Int16,
                                   "employment": pl.Int16, "severe": pl.Boolean})
    return Version(families.sort("region_code", "family_id"), members,
                   {"read_json_s": read - started, "frames_s": time.perf_counter() - read})


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
