"""Family-level draws: village, size and composition, head and spouse ages, NIK and KK numbers, housing
and assets, programme participation and welfare categories."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tepat.registry import choices as c
from tepat.registry.demo import vocabulary as v
from tepat.registry.demo.arrays import (
    date_parts,
    days,
    identity_numbers,
    logit,
    month_start,
    pick,
    sigmoid,
    table_pick,
    tilted_pick,
    top_share,
    years,
)
from tepat.registry.demo.tables import (
    ASSET_SHARE,
    HOUSING,
    KK_EARLIEST,
    LAND_PROOF_OTHER,
    LAND_PROOF_OWNED,
    LIVESTOCK_SHARE,
    PROGRAM_SHARE,
    PROGRAM_START,
    SEWAGE_WITHOUT_TOILET,
    SIZE_PROBABILITIES,
)

if TYPE_CHECKING:
    from tepat.registry.demo.generate import VillageInfo

R = c.Relation
S = c.Sex
SP = c.SchoolParticipation


@dataclass(slots=True)
class Area:
    """Village arrays used by the generator."""

    codes: np.ndarray  # dotted village codes
    digits: np.ndarray  # village code as int (10 digits)
    district6: np.ndarray  # kecamatan prefix as int (6 digits)
    regency_index: np.ndarray
    birth_district6: np.ndarray  # all kecamatan prefixes people may be registered in, sorted by regency
    regency_start: np.ndarray
    regency_count: np.ndarray
    places: list[str]  # short kabupaten/kota names of the villages, then other cities
    place_index: np.ndarray  # per village, index into places
    other_place_start: int
    is_kelurahan: np.ndarray
    hashes: np.ndarray  # stable per village, for kampung names


def _short_regency(name: str) -> str:
    for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def build_area(villages: Sequence[VillageInfo], birth_districts: Sequence[str] | None) -> Area:
    regencies = sorted({village.regency_code for village in villages})
    regency_of = {code: index for index, code in enumerate(regencies)}
    districts = {village.district_code for village in villages}
    districts.update(code for code in (birth_districts or ()) if code[:5] in regency_of)
    ordered = sorted(districts)
    birth_district6 = np.array([int(code.replace(".", "")) for code in ordered], dtype=np.int64)
    district_regency = np.array([regency_of[code[:5]] for code in ordered])
    regency_start = np.searchsorted(district_regency, np.arange(len(regencies)), side="left")
    regency_count = np.bincount(district_regency, minlength=len(regencies))
    home_places = [_short_regency(village.regency_name) or "Serang" for village in villages]
    home = sorted(set(home_places))
    places = home + list(v.OTHER_BIRTH_PLACES)
    return Area(
        codes=np.array([village.code for village in villages]),
        digits=np.array([int(village.code.replace(".", "")) for village in villages], dtype=np.int64),
        district6=np.array([int(village.district_code.replace(".", "")) for village in villages], dtype=np.int64),
        regency_index=np.array([regency_of[village.regency_code] for village in villages]),
        birth_district6=birth_district6,
        regency_start=regency_start,
        regency_count=regency_count,
        places=places,
        place_index=np.array([places.index(name) for name in home_places]),
        other_place_start=len(home),
        is_kelurahan=np.array([village.kind == "kelurahan" for village in villages]),
        hashes=np.array([zlib.crc32(village.code.encode()) for village in villages], dtype=np.int64),
    )


def draw_families(rng: np.random.Generator, area: Area, n: int, today: int) -> dict[str, np.ndarray]:
    """Village, size and composition (spouse, children, in-law, grandchildren, parent, other) per family,
    the head's and spouse's birth dates, and a latent wealth score that the housing and programme draws
    lean on (poorer families: worse housing, more programmes)."""
    weights = rng.gamma(4.0, 1.0, len(area.codes))
    village = pick(rng, n, weights / weights.sum())
    size = pick(rng, n, SIZE_PROBABILITIES) + 1
    u = rng.random((n, 9))
    single = size == 1
    head_female = np.where(single, u[:, 0] < 0.55, u[:, 0] < 0.12)
    spouse = ~single & ~head_female & (u[:, 1] < 0.95)

    young_single = single & (u[:, 2] < 0.45)
    single_age = np.where(young_single, 20 + 38 * u[:, 3], 58 + 22 * u[:, 3])
    low = 20 + 1.5 * (size - 2)
    family_age = np.clip(rng.normal(44 + 7 * head_female, 12, n), low, 80)
    head_age = np.where(single, single_age, family_age)

    room = size - 1 - spouse
    parent = (size >= 3) & (room >= 2) & (head_age <= 60) & (u[:, 4] < 0.10)
    avail = room - parent
    three_gen = (head_age >= 48) & (avail >= 2) & (u[:, 5] < 0.40)
    in_law = three_gen & (avail >= 3) & (u[:, 6] < 0.60)
    grandchildren = np.where(three_gen, np.minimum(1 + rng.binomial(2, 0.35, n), avail - 1 - in_law), 0)
    other = (avail - three_gen - in_law - grandchildren >= 1) & (u[:, 7] < 0.03)
    children = avail - in_law - grandchildren - other

    spouse_age = np.clip(head_age - rng.normal(4, 4, n), np.maximum(18, head_age - 15),
                         np.minimum(80, head_age + 3))
    spouse_age = np.where(three_gen, np.maximum(spouse_age, 40), spouse_age)
    head_birth = today - years(head_age)
    spouse_birth = today - years(spouse_age)
    # The mother of the head's children: the wife, the head herself, or (widower) someone two years younger.
    mother_birth = np.where(spouse, spouse_birth, np.where(head_female, head_birth, head_birth + years(2)))
    youngest_father = np.where(head_female, mother_birth, head_birth + years(18))
    return {
        "village": village, "size": size, "single": single, "young_single": young_single,
        "head_female": head_female, "spouse": spouse, "parent": parent, "three_gen": three_gen,
        "in_law": in_law, "grandchildren": grandchildren, "other": other, "children": children,
        "head_birth": head_birth, "spouse_birth": spouse_birth, "mother_birth": mother_birth,
        "youngest_father": youngest_father, "wealth": rng.normal(0, 1, n),
    }


def assign_identity_numbers(rng: np.random.Generator, area: Area, fam: dict[str, np.ndarray],
                            ind: dict[str, np.ndarray], today: int) -> None:
    """NIK and birth place per member; KK number and issue date per family (FACTS §1)."""
    f, relation, sex, birth = ind["family"], ind["relation"], ind["sex"], ind["birth"]
    total = len(f)
    village = fam["village"]
    home = area.district6[village][f]
    regency = area.regency_index[village][f]
    p_elsewhere = np.where(np.isin(relation, (R.SPOUSE, R.CHILD_IN_LAW, R.PARENT)), 0.15,
                           np.where(relation == R.HEAD, 0.06, 0.02))
    other = area.regency_start[regency] + (rng.random(total) * area.regency_count[regency]).astype(np.int64)
    registered = np.where(rng.random(total) < p_elsewhere, area.birth_district6[other], home)
    year, month, day = date_parts(birth)
    ind["nik"] = identity_numbers(registered, day + 40 * (sex == S.FEMALE), month, year)

    # Index into area.places: the home kabupaten's short name, or for a few in-marrying members another city.
    birth_place = area.place_index[village][f]
    migrant = np.isin(relation, (R.SPOUSE, R.CHILD_IN_LAW, R.PARENT, R.OTHER)) & (rng.random(total) < 0.08)
    other_place = area.other_place_start + rng.integers(0, len(v.OTHER_BIRTH_PLACES), total)
    ind["birth_place"] = np.where(migrant, other_place, birth_place)

    # KK issued after the head was 17, the wife 17 (marriage) and the youngest member's birth; since 2005.
    n = len(village)
    starts = np.cumsum(fam["size"]) - fam["size"]
    youngest = np.maximum.reduceat(birth, starts) if total else np.zeros(0, np.int64)
    lower = np.maximum.reduce([fam["head_birth"] + years(17), youngest,
                               np.where(fam["spouse"], fam["spouse_birth"] + years(17), 0),
                               np.full(n, days(KK_EARLIEST))])
    lower = np.minimum(lower, today)
    issued = lower + (rng.random(n) * (today - lower + 1)).astype(np.int64)
    issued = np.minimum(issued, today)
    y, m, d = date_parts(issued)
    fam["kk_issued"] = issued
    fam["kk_number"] = identity_numbers(area.district6[village], d, m, y)


def draw_housing(rng: np.random.Generator, area: Area, fam: dict[str, np.ndarray]) -> None:
    """Housing (Blok 3), assets, livestock, floor area and address (RW, RT, kampung)."""
    wealth, village, size = fam["wealth"], fam["village"], fam["size"]
    n = len(wealth)
    for name, table in HOUSING.items():
        fam[name] = tilted_pick(rng, wealth, table)
    owned = fam["building_tenure"] == c.BuildingTenure.OWNED
    fam["land_proof"] = np.where(owned, tilted_pick(rng, wealth, LAND_PROOF_OWNED),
                                 tilted_pick(rng, wealth, LAND_PROOF_OTHER))
    fam["power_capacity"] = np.where(fam["lighting"] == c.Lighting.PLN_METERED, fam["power_capacity"], -1)
    no_toilet = fam["toilet_facility"] == c.ToiletFacility.NONE
    fam["toilet_type"] = np.where(no_toilet, -1, fam["toilet_type"])
    fam["sewage_disposal"] = np.where(no_toilet, table_pick(rng, n, SEWAGE_WITHOUT_TOILET), fam["sewage_disposal"])
    area_m2 = 36 * (1 + 0.08 * (size - 3)) * np.exp(0.25 * wealth + 0.35 * rng.normal(0, 1, n))
    fam["floor_area_m2"] = np.clip(np.rint(area_m2), 9, 250).astype(np.int64)
    for asset, share in ASSET_SHARE.items():
        fam[f"asset_{asset}"] = rng.random(n) < sigmoid(logit(share) + wealth)
    for animal, (share, mean_extra) in LIVESTOCK_SHARE.items():
        keeps = rng.random(n) < (sigmoid(logit(share) + 0.3 * wealth) if share else 0.0)
        fam[f"livestock_{animal}"] = np.where(keeps, np.minimum(1 + rng.poisson(mean_extra, n), 15), 0)

    # RW 001–010 (3–10 per village), RT 001–015 (3–15 per RW), kampung by (village, RW), stable across seeds.
    rw_count = 3 + area.hashes % 8
    rw = 1 + (rng.random(n) * rw_count[village]).astype(np.int64)
    rt_count = 3 + (area.hashes[village] // 7 + rw * 5) % 13
    rt = 1 + (rng.random(n) * rt_count).astype(np.int64)
    kampung = (area.hashes[village] + rw * 7919) % len(v.KAMPUNG)
    fam["rw"], fam["rt"] = rw, rt
    fam["address"] = kampung + len(v.KAMPUNG) * area.is_kelurahan[village]  # index into ADDRESSES


def _since(rng: np.random.Generator, start: np.ndarray | int, today: int, n: int) -> np.ndarray:
    start = np.minimum(np.broadcast_to(np.asarray(start, dtype=np.int64), (n,)), today - 90)
    return month_start(start + (rng.random(n) * (today - 90 - start)).astype(np.int64))


def _worst_difficulty(difficulty: np.ndarray) -> np.ndarray:
    """The most severe level per person (1 = cannot at all); 9 when nobody asked (under 2)."""
    return np.where(difficulty < 1, 9, difficulty).min(axis=1)


def draw_programs(rng: np.random.Generator, fam: dict[str, np.ndarray], ind: dict[str, np.ndarray],
              today: int) -> dict[str, np.ndarray]:
    n, f, age = len(fam["size"]), ind["family"], ind["age"]
    active = np.isin(ind["presence"], c.ACTIVE_PRESENCE)
    severe = _worst_difficulty(ind["difficulty"]) <= c.Difficulty.A_LOT
    component = active & ((age < 18) | ind["pregnant"] | (age >= 60) | severe)
    has_component = np.bincount(f, weights=component, minlength=n) > 0
    need = -fam["wealth"] + rng.normal(0, 0.7, n)
    pkh = top_share(np.where(has_component, need + rng.normal(0, 0.5, n), -np.inf), PROGRAM_SHARE[c.Program.PKH])
    bpnt = top_share(need + rng.normal(0, 0.6, n) + 2.0 * pkh, PROGRAM_SHARE[c.Program.BPNT])
    pbi = top_share(need + rng.normal(0, 0.8, n) + 1.5 * bpnt, PROGRAM_SHARE[c.Program.PBI_JK])
    fam["pkh"], fam["bpnt"], fam["pbi_jk"] = pkh, bpnt, pbi

    families, members, codes, since, channel = [], [], [], [], []
    program_codes = list(c.Program.values)
    for program, chosen in ((c.Program.PKH, pkh), (c.Program.BPNT, bpnt), (c.Program.PBI_JK, pbi)):
        index = np.flatnonzero(chosen)
        families.append(index)
        members.append(np.full(len(index), -1))
        codes.append(np.full(len(index), program_codes.index(program)))
        since.append(_since(rng, days(PROGRAM_START[program]), today, len(index)))
        via = np.where(rng.random(len(index)) < 0.85, 1, 2) if program != c.Program.PBI_JK else 0
        channel.append(np.broadcast_to(np.asarray(via, dtype=np.int64), (len(index),)))
    student = active & (ind["school"] == SP.ATTENDING) & (age >= 6) & (age < 22)
    pip = student & (rng.random(len(f)) < np.where(bpnt[f], 0.35, 0.08))
    index = np.flatnonzero(pip)
    families.append(f[index])
    members.append(index)
    codes.append(np.full(len(index), program_codes.index(c.Program.PIP)))
    start = np.maximum(days(PROGRAM_START[c.Program.PIP]), ind["birth"][index] + years(6))
    since.append(_since(rng, start, today, len(index)))
    channel.append(np.ones(len(index), dtype=np.int64))
    return {"family": np.concatenate(families), "member": np.concatenate(members),
            "program_index": np.concatenate(codes).astype(np.int64), "since": np.concatenate(since),
            "channel": np.concatenate(channel)}


def draw_welfare(rng: np.random.Generator, fam: dict[str, np.ndarray], ind: dict[str, np.ndarray],
             today: int) -> dict[str, np.ndarray]:
    n, f, age = len(fam["size"]), ind["family"], ind["age"]
    W = c.WelfareCategory
    score = -fam["wealth"] + rng.normal(0, 0.5, n)
    poor = top_share(score, 0.30)
    unable = top_share(np.where(poor, -np.inf, score), 0.25)
    alone = fam["size"][f] == 1
    elderly = (age >= 60) & ((alone & (rng.random(len(f)) < 0.5)) | ((age >= 70) & (rng.random(len(f)) < 0.06)))
    disabled = (_worst_difficulty(ind["difficulty"]) <= c.Difficulty.A_LOT) & (rng.random(len(f)) < 0.85)
    category_codes = list(W.values)
    rows = [
        (np.flatnonzero(poor), None, W.POOR),
        (np.flatnonzero(unable), None, W.UNABLE),
        (None, np.flatnonzero(elderly), W.NEGLECTED_ELDERLY),
        (None, np.flatnonzero(disabled & (age >= 18)), W.PERSON_WITH_DISABILITY),
        (None, np.flatnonzero(disabled & (age < 18)), W.CHILD_WITH_DISABILITY),
    ]
    families, members, codes, since = [], [], [], []
    for family_index, member_index, category in rows:
        if member_index is None:
            families.append(family_index)
            members.append(np.full(len(family_index), -1))
            since.append(_since(rng, today - years(8), today, len(family_index)))
        else:
            families.append(f[member_index])
            members.append(member_index)
            start = np.maximum(today - years(6), ind["birth"][member_index])
            since.append(_since(rng, start, today, len(member_index)))
        codes.append(np.full(len(families[-1]), category_codes.index(category)))
    return {"family": np.concatenate(families), "member": np.concatenate(members),
            "category_index": np.concatenate(codes).astype(np.int64), "since": np.concatenate(since)}
