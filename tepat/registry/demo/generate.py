"""Synthetic DTKS families for a set of villages, vectorised with numpy and returned as polars frames.

Nothing here touches the database: `generate()` takes the villages and returns four frames (families,
individuals, programmes, welfare statuses) that a loader can insert or a benchmark can write to a
spreadsheet. Every draw comes from generators seeded by (seed, villages), so the same arguments give the
same frames, ids included. Family ids come from their own stream and depend only on the family's position,
so a run with more families keeps the ids of a smaller run (a rerun of the loader tops up, never doubles).

Plausibility rules (FACTS §1, §3.3): one head per family; a wife near her husband's age; children born
when their mother was 17–45 and their father at least 18; grandchildren only in three-generation
families, born to the head's first child; parents-in-law older than the head; NIK = kecamatan of first
registration (the family's own for most, another kecamatan of the same kabupaten for a few) + DDMMYY of
birth (day + 40 for women) + a serial per (prefix, date) starting at 0001; KK = kecamatan + issue date
DDMMYY (after the youngest member's birth and the head's marriage, never after `as_of`) + serial.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from tepat.registry import choices as c
from tepat.registry.demo.arrays import (
    date_series,
    days,
    derive_words,
    gather,
    optional_int,
    random_words,
    uuid_strings,
)
from tepat.registry.demo.households import (
    Area,
    assign_identity_numbers,
    build_area,
    draw_families,
    draw_housing,
    draw_programs,
    draw_welfare,
)
from tepat.registry.demo.people import draw_individuals
from tepat.registry.demo.tables import ADDRESSES, CHANNELS, HOUSING, NAMES, OCCUPATIONS, PRESENCE_NOTES

P = c.Presence

DEMO_AS_OF = date(2026, 6, 30)


@dataclass(frozen=True, slots=True)
class VillageInfo:
    """A desa/kelurahan families can be placed in. `code` is the dotted Kemendagri code."""

    code: str
    name: str = ""
    kind: str = "desa"
    district_name: str = ""
    regency_name: str = ""
    province_name: str = ""

    @property
    def district_code(self) -> str:
        return self.code.rsplit(".", 1)[0]

    @property
    def regency_code(self) -> str:
        return self.code[:5]


@dataclass(frozen=True, slots=True)
class DemoData:
    families: pl.DataFrame
    individuals: pl.DataFrame
    programs: pl.DataFrame
    welfare: pl.DataFrame
    seed: int
    as_of: date

    def counts(self) -> dict[str, int]:
        return {"families": self.families.height, "individuals": self.individuals.height,
                "programs": self.programs.height, "welfare": self.welfare.height}


def generate(villages: Sequence[VillageInfo], families: int, seed: int, *,
             birth_districts: Sequence[str] | None = None, as_of: date = DEMO_AS_OF) -> DemoData:
    """Generate `families` synthetic families spread over `villages`.

    `birth_districts` lists other kecamatan codes (dotted) where a few people first got their NIK; only
    those in the villages' own kabupaten are used. `as_of` is the reference date: ages, KK issue dates,
    programme and presence dates are relative to it and never after it.
    """
    if families < 0:
        raise ValueError("families must be zero or more")
    if seed < 0:
        raise ValueError("seed must be zero or more")
    if not villages:
        raise ValueError("at least one village is needed")
    villages = sorted(villages, key=lambda village: village.code)
    key = zlib.crc32("|".join(village.code for village in villages).encode())
    rng = np.random.default_rng([seed, key, 0])
    family_words = random_words(np.random.default_rng([seed, key, 1]), families)
    area = build_area(villages, birth_districts)
    today = days(as_of)
    fam = draw_families(rng, area, families, today)
    ind = draw_individuals(rng, area, fam, today)
    assign_identity_numbers(rng, area, fam, ind, today)
    draw_housing(rng, area, fam)
    programs = draw_programs(rng, fam, ind, today)
    welfare = draw_welfare(rng, fam, ind, today)
    return _frames(villages, area, fam, ind, programs, welfare, family_words, seed, as_of)


def _full_names(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> pl.Series:
    """Names of one to three words; -1 marks a missing word."""
    words = [pl.when(pl.Series(index >= 0)).then(gather(NAMES, np.maximum(index, 0)))
             for index in (first, second, third)]
    return pl.select(pl.concat_str(words, separator=" ", ignore_nulls=True).alias("name")).to_series()


def _frames(villages: Sequence[VillageInfo], area: Area, fam: dict[str, np.ndarray], ind: dict[str, np.ndarray],
            programs: dict[str, np.ndarray], welfare: dict[str, np.ndarray], family_words: np.ndarray, seed: int,
            as_of: date) -> DemoData:
    village = fam["village"]
    family_ids = uuid_strings(family_words)
    hex8 = family_ids.str.slice(0, 8).str.to_uppercase()
    village_digits = pl.Series(area.digits[village]).cast(pl.String)
    family_external = ("DTKS-" + village_digits + "-" + hex8).alias("external_id")

    def village_column(key: str) -> pl.Series:
        return gather([getattr(village, key) for village in villages], village)

    kind_kk_history = np.full(len(village), np.uint64(4) << np.uint64(56), dtype=np.uint64)
    families = pl.DataFrame({
        "id": family_ids,
        "external_id": family_external,
        "kk_number": fam["kk_number"],
        "kk_issued": date_series(fam["kk_issued"]),
        "kk_history_id": uuid_strings(derive_words(family_words, kind_kk_history)),
        "region_code": village_column("code"),
        "province_name": village_column("province_name"),
        "regency_name": village_column("regency_name"),
        "district_name": village_column("district_name"),
        "village_name": village_column("name"),
        "rw": pl.Series(fam["rw"]).cast(pl.String).str.zfill(3),
        "rt": pl.Series(fam["rt"]).cast(pl.String).str.zfill(3),
        "address": gather(ADDRESSES, fam["address"]),
        "members": pl.Series(fam["size"]).cast(pl.Int16),
        **{name: optional_int(fam[name]) for name in (*HOUSING, "land_proof")},
        "floor_area_m2": pl.Series(fam["floor_area_m2"]).cast(pl.Int32),
        **{f"asset_{name}": pl.Series(fam[f"asset_{name}"], dtype=pl.Boolean) for name, _ in c.ASSETS},
        **{f"livestock_{name}": pl.Series(fam[f"livestock_{name}"]).cast(pl.Int16) for name, _ in c.LIVESTOCK},
        "pkh": pl.Series(fam["pkh"], dtype=pl.Boolean),
        "bpnt": pl.Series(fam["bpnt"], dtype=pl.Boolean),
        "pbi_jk": pl.Series(fam["pbi_jk"], dtype=pl.Boolean),
    })

    f, position = ind["family"], ind["position"]
    member_words = derive_words(family_words[f], (np.uint64(1) << np.uint64(56)) | position.astype(np.uint64))
    individual_ids = uuid_strings(member_words)
    individual_external = family_external.gather(f) + "-" + pl.Series(position).cast(pl.String).str.zfill(2)
    individuals = pl.DataFrame({
        "id": individual_ids,
        "family_id": family_ids.gather(f),
        "external_id": individual_external,
        "position": pl.Series(position).cast(pl.Int16),
        "nik": ind["nik"],
        "name": _full_names(ind["first_name"], ind["second_name"], ind["third_name"]),
        "sex": pl.Series(ind["sex"]).cast(pl.Int16),
        "birth_place": gather(area.places, ind["birth_place"]),
        "birth_date": date_series(ind["birth"]),
        "relation": pl.Series(ind["relation"]).cast(pl.Int16),
        "marital_status": pl.Series(ind["marital"]).cast(pl.Int16),
        "education": optional_int(ind["education"]),
        "school_participation": optional_int(ind["school"]),
        "employment_status": optional_int(ind["employment"]),
        "occupation": gather(OCCUPATIONS, ind["occupation"]),
        **{f"difficulty_{name}": optional_int(ind["difficulty"][:, i])
           for i, (name, _) in enumerate(c.DIFFICULTY_DOMAINS)},
        "chronic_illness": pl.Series(ind["chronic"]).cast(pl.Int16),
        "pregnant": pl.Series(ind["pregnant"], dtype=pl.Boolean),
        "presence": pl.Series(ind["presence"]).cast(pl.Int16),
        "presence_note": gather(PRESENCE_NOTES, ind["presence_note"]),
        "presence_date": date_series(ind["presence_date"], missing=ind["presence"] == P.LIVING),
    })

    def linked(rows: dict[str, np.ndarray], kind: int, code_key: str) -> dict[str, pl.Series]:
        member = rows["member"]
        member_position = np.where(member >= 0, position[np.maximum(member, 0)], 0).astype(np.uint64)
        salt = ((np.uint64(kind) << np.uint64(56)) | (rows[code_key].astype(np.uint64) << np.uint64(16))
                | member_position)
        ids = uuid_strings(derive_words(family_words[rows["family"]], salt))
        member_ids = (individual_ids.gather(np.maximum(member, 0)) if len(member)
                      else pl.Series([], dtype=pl.String))
        return {
            "id": ids,
            "family_id": family_ids.gather(rows["family"]),
            "individual_id": member_ids.set(pl.Series(member < 0), None) if len(member) else member_ids,
        }

    program_frame = pl.DataFrame({
        **linked(programs, 2, "program_index"),
        "program": gather(c.Program.values, programs["program_index"]),
        "since": date_series(programs["since"]),
        "channel": gather(CHANNELS, programs["channel"]),
    })
    welfare_frame = pl.DataFrame({
        **linked(welfare, 3, "category_index"),
        "category": gather(c.WelfareCategory.values, welfare["category_index"]),
        "since": date_series(welfare["since"]),
    })
    return DemoData(families=families, individuals=individuals, programs=program_frame, welfare=welfare_frame,
                    seed=seed, as_of=as_of)
