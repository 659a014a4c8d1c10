"""The independent population (see the package docstring). Vectorised with numpy; the second listings are
drawn per record in Python (a few per cent of the people)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from tepat.quality.synthetic import names as N

EPOCH = date(1970, 1, 1)
AS_OF = date(2026, 9, 30)


@dataclass(frozen=True, slots=True)
class Population:
    people: pl.DataFrame  # id, family_id, nik ("" missing), name, sex, birth_date, village, person, planted
    families: pl.DataFrame  # id, kk_number, village

    def truth(self) -> set[tuple[str, str]]:
        return truth_pairs(self.people)


def truth_pairs(people: pl.DataFrame) -> set[tuple[str, str]]:
    groups = people.filter(pl.len().over("person") > 1).select("id", "person")
    pairs = groups.join(groups, on="person", suffix="_r").filter(pl.col("id") < pl.col("id_r"))
    return set(zip(pairs["id"], pairs["id_r"], strict=True))


def _zipf(rng: np.random.Generator, words: list[str], k: int, exponent: float = 1.07) -> np.ndarray:
    """k draws from `words` with Zipf-like weights (rank ** -exponent)."""
    weights = np.arange(1, len(words) + 1, dtype=float) ** -exponent
    return np.asarray(words, dtype=object)[rng.choice(len(words), k, p=weights / weights.sum())]


def _villages(regency: str, kecamatan: int, per: int) -> list[str]:
    return [f"{regency}.{k:02d}.{2000 + v:04d}" for k in range(1, kecamatan + 1) for v in range(1, per + 1)]


# the listed names first (the common ones), then the composed ones in a shuffled, fixed order
MALE = N.SUNDA_JAWA_MALE + [w for w in np.random.default_rng(11).permutation(
    N.composed(N.PREFIXES, N.MALE_SUFFIXES)).tolist() if w not in N.SUNDA_JAWA_MALE]
FEMALE = N.SUNDA_JAWA_FEMALE + [w for w in np.random.default_rng(12).permutation(
    N.composed(N.PREFIXES, N.FEMALE_SUFFIXES)).tolist() if w not in N.SUNDA_JAWA_FEMALE]


def _given(rng: np.random.Generator, custom: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """One personal name per person by naming custom: 0 Sunda/Jawa (often one word), 1 Islamic, 2 Batak
    (given name only: the marga is added per family), 3 Christian/Chinese-Indonesian."""
    n = len(sex)
    out = np.empty(n, dtype=object)
    male = sex == 1
    sj_m, sj_f = _zipf(rng, MALE, n, 0.9), _zipf(rng, FEMALE, n, 0.9)
    second = np.where(rng.random(n) < 0.5, _zipf(rng, N.SECOND_WORDS, n, 0.9),
                      np.where(male, _zipf(rng, MALE, n, 0.7), _zipf(rng, FEMALE, n, 0.7)))
    single = rng.random(n) < 0.3
    base = np.where(male, sj_m, sj_f)
    out[:] = np.where(single, base, base + " " + second)
    isl = custom == 1
    first = np.where(male, _zipf(rng, N.ISLAMIC_MALE_FIRST, n, 1.3), _zipf(rng, N.ISLAMIC_FEMALE_FIRST, n, 1.3))
    rest = np.where(male, _zipf(rng, N.ISLAMIC_MALE, n), _zipf(rng, N.ISLAMIC_FEMALE, n))
    # Islamic names: a first word (Muhammad, Siti, …), a name, and for half of them a third word
    third = np.where(rng.random(n) < 0.5, "", " " + np.where(male, _zipf(rng, MALE, n, 0.7),
                                                              _zipf(rng, FEMALE, n, 0.7)))
    out[isl] = (first + " " + rest + third)[isl]
    chr_ = (custom == 2) | (custom == 3)
    christian = np.where(male, _zipf(rng, N.CHRISTIAN_MALE, n), _zipf(rng, N.CHRISTIAN_FEMALE, n))
    out[chr_] = christian[chr_]
    return out


def _days(d: date) -> int:
    return (d - EPOCH).days


def population(*, people: int = 10_000, seed: int = 1, regency: str = "32.05", kecamatan: int = 40,
               villages_per: int = 12, duplicate_share: float = 0.04) -> Population:
    """About `people` listed records (real people plus their second listings)."""
    rng = np.random.default_rng([seed, 7013])
    villages = _villages(regency, kecamatan, villages_per)
    village_weight = rng.lognormal(0, 0.6, len(villages))
    n_fam = max(1, int(people / (1 + duplicate_share) / 3.3))
    fam_village = rng.choice(len(villages), n_fam, p=village_weight / village_weight.sum())
    size = rng.choice(np.arange(1, 9), n_fam, p=[0.09, 0.17, 0.24, 0.24, 0.14, 0.07, 0.03, 0.02])
    custom = rng.choice(4, n_fam, p=[0.62, 0.26, 0.08, 0.04])
    today = _days(AS_OF)
    head_age = rng.integers(20 * 365, 80 * 365, n_fam)
    # members: position 0 head, 1 spouse (when two or more and married), the rest children or a parent
    fam = np.repeat(np.arange(n_fam), size)
    pos = np.arange(len(fam)) - np.repeat(np.cumsum(size) - size, size)
    n = len(fam)
    head_male = rng.random(n_fam) < 0.86
    married = rng.random(n_fam) < 0.88
    role = np.where(pos == 0, 0, np.where((pos == 1) & married[fam], 1, 2))
    grandparent = (role == 2) & (pos == size[fam] - 1) & (size[fam] >= 4) & (rng.random(n) < 0.12)
    role = np.where(grandparent, 3, role)
    sex = np.where(role == 0, np.where(head_male[fam], 1, 2), np.where(role == 1, np.where(head_male[fam], 2, 1),
                                                                           rng.integers(1, 3, n)))
    head_birth = today - head_age[fam]
    birth = np.where(role == 0, head_birth, 0)
    birth = np.where(role == 1, head_birth + rng.integers(-3 * 365, 9 * 365, n), birth)
    birth = np.where(role == 3, head_birth - rng.integers(20 * 365, 35 * 365, n), birth)
    child_gap = rng.integers(19 * 365, 40 * 365, n)
    birth = np.where(role == 2, np.minimum(head_birth + child_gap, today - rng.integers(0, 365, n)), birth)
    # twins: a child born the same day as the previous child of the family
    twin = (role == 2) & (np.roll(role, 1) == 2) & (np.roll(fam, 1) == fam) & (rng.random(n) < 0.03)
    birth = np.where(twin, np.roll(birth, 1), birth)
    # "date unknown": old people registered on 1 January or 31 December, some on 1 July
    old = (today - birth) > 50 * 365
    heaped = old & (rng.random(n) < 0.25)
    years = np.array([(EPOCH + timedelta(days=int(d))).year for d in birth])
    heap_day = np.array([_days(date(int(y), 1, 1)) for y in years])
    pick = rng.random(n)
    heap_day = np.where(pick < 0.4, heap_day, np.where(pick < 0.8, heap_day + 364, heap_day + 181))
    birth = np.where(heaped, heap_day, birth)
    given = _given(rng, custom[fam], sex)
    marga = _zipf(rng, N.BATAK_MARGA, n_fam, 0.8)
    chinese = _zipf(rng, N.CHINESE_SURNAMES, n_fam, 0.8)
    name = np.where(custom[fam] == 2, given + " " + marga[fam], given)
    name = np.where(custom[fam] == 3, given + " " + chinese[fam], name)
    # NIK: kecamatan of first registration (another kecamatan for 7%) + DDMMYY (+40 for women) + serial
    kec = fam_village // villages_per
    first_kec = np.where(rng.random(n) < 0.07, rng.integers(0, kecamatan, n), kec[fam])
    birth_dates = [EPOCH + timedelta(days=int(d)) for d in birth]
    frame = pl.DataFrame({
        "row": np.arange(n), "family": fam, "sex": sex.astype(np.int16), "name": name.astype(str),
        "birth_date": pl.Series(birth_dates, dtype=pl.Date),
        "prefix": [f"{regency.replace('.', '')}{k + 1:02d}" for k in first_kec],
    })
    day = pl.col("birth_date").dt.day() + pl.when(pl.col("sex") == 2).then(40).otherwise(0)
    stem = (pl.col("prefix") + day.cast(pl.String).str.zfill(2)
            + pl.col("birth_date").dt.strftime("%m%y"))
    frame = frame.with_columns(stem.alias("stem")).with_columns(
        (pl.col("row").rank("ordinal").over("stem")).cast(pl.Int64).alias("serial"))
    no_nik = ((today - birth) < 6 * 365) & (rng.random(n) < 0.25) | (rng.random(n) < 0.02)
    frame = frame.with_columns(
        pl.when(pl.Series(no_nik)).then(pl.lit("")).otherwise(
            pl.col("stem") + pl.col("serial").cast(pl.String).str.zfill(4)).alias("nik"))
    family_ids = [f"F{seed}-{i:07d}" for i in range(n_fam)]
    kk = [f"{regency.replace('.', '')}{k + 1:02d}{rng.integers(10, 28):02d}{rng.integers(1, 13):02d}"
          f"{rng.integers(10, 26):02d}{i % 10000:04d}" for i, k in enumerate(kec)]
    families = pl.DataFrame({"id": family_ids, "kk_number": kk, "village": [villages[v] for v in fam_village]})
    people_frame = frame.select(
        pl.format("P{}-{}", pl.lit(seed), pl.col("row").cast(pl.String).str.zfill(8)).alias("id"),
        pl.col("family").map_elements(lambda i: family_ids[i], return_dtype=pl.String).alias("family_id"),
        "nik", "name", "sex", "birth_date",
    )
    people_frame = people_frame.with_columns(
        pl.Series("village", [villages[fam_village[f]] for f in fam]), pl.col("id").alias("person"),
        pl.lit("").alias("planted"))
    # upper case in about half the villages' registers
    upper = pl.Series([zlib.crc32(v.encode()) % 2 == 0 for v in people_frame["village"]])
    people_frame = people_frame.with_columns(
        pl.when(upper).then(pl.col("name").str.to_uppercase()).otherwise(pl.col("name")).alias("name"))
    return _second_listings(rng, people_frame, families, villages, villages_per, duplicate_share)


# --- second listings -----------------------------------------------------------------------------------

_OLD_SPELLING = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"), ("sy", "sj"), ("kh", "ch"))
_WORD_VARIANTS = {"muhammad": ("Moh.", "Muh.", "M.", "Mochamad", "Muhamad"), "ahmad": ("Achmad", "Akhmad"),
                  "achmad": ("Ahmad",), "moh.": ("Muhammad",), "abdul": ("Abd.",), "siti": ("St.", "Sitti"),
                  "nur": ("Noer",), "yusuf": ("Jusuf", "Yoesoef"), "fatimah": ("Fatima",), "aminah": ("Amina",),
                  "khadijah": ("Hadijah", "Chadijah")}


def _variant(name: str, rng: np.random.Generator) -> str:
    """The same name as another enumerator writes it: an old spelling, an abbreviation, a title."""
    words = name.split()
    for i, word in enumerate(words):
        options = _WORD_VARIANTS.get(word.lower())
        if options:
            words[i] = options[int(rng.integers(0, len(options)))]
            return " ".join(words)
    for old, new in _OLD_SPELLING:
        lower = name.lower()
        if old in lower:
            at = lower.index(old)
            return name[:at] + (new.upper() if name[at].isupper() else new) + name[at + len(old):]
    return ("H. " if rng.random() < 0.5 else "Hj. ") + name


def _typo(name: str, rng: np.random.Generator) -> str:
    """One slip in a word of at least four letters, never its first letter."""
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4] or [0]
    i = long[int(rng.integers(0, len(long)))]
    w = words[i]
    if len(w) < 3:
        words[i] = w + w[-1]
        return " ".join(words)
    at = int(rng.integers(1, len(w) - 1))
    kind = int(rng.integers(0, 4))
    letters = "aiueonrst"
    if kind == 0:
        w = w[:at] + w[at + 1:]
    elif kind == 1:
        w = w[:at] + letters[int(rng.integers(0, len(letters)))] + w[at:]
    elif kind == 2:
        c = letters[int(rng.integers(0, len(letters)))]
        w = w[:at] + (c.upper() if w.isupper() else c) + w[at + 1:]
    else:
        w = w[:at - 1] + w[at] + w[at - 1] + w[at + 1:]
    words[i] = w
    return " ".join(words)


def _mistype(nik: str, rng: np.random.Generator) -> str:
    at = int(rng.integers(0, 16))
    return nik[:at] + str((int(nik[at]) + int(rng.integers(1, 10))) % 10) + nik[at + 1:]


def _change(record: dict, rng: np.random.Generator, nik_missing: float) -> tuple[dict, str]:
    out = dict(record)
    kinds = []
    r = rng.random()
    if out["nik"] and r < nik_missing:
        out["nik"], _ = "", kinds.append("nik_missing")
    elif out["nik"] and r < nik_missing + 0.10:
        out["nik"], _ = _mistype(out["nik"], rng), kinds.append("nik_mistyped")
    r = rng.random()
    if r < 0.18:
        out["name"], _ = _variant(out["name"], rng), kinds.append("variant")
    elif r < 0.36:
        out["name"], _ = _typo(out["name"], rng), kinds.append("typo")
    d = out["birth_date"]
    if d.day <= 12 and d.day != d.month and rng.random() < 0.06:
        out["birth_date"], _ = d.replace(day=d.month, month=d.day), kinds.append("swap")
    return out, "+".join(kinds) or "copy"


def _second_listings(rng: np.random.Generator, people: pl.DataFrame, families: pl.DataFrame, villages: list[str],
                     per: int, share: float) -> Population:
    n_dup = int(people.height * share)
    fam_village = dict(zip(families["id"], families["village"], strict=True))
    by_village: dict[str, list[str]] = {}
    for fid, v in fam_village.items():
        by_village.setdefault(v, []).append(fid)
    members: dict[str, list[dict]] = {}
    for record in people.iter_rows(named=True):
        members.setdefault(record["family_id"], []).append(record)
    family_ids = list(members)
    rows: list[dict] = []
    new_families: list[dict] = []
    moved_households = 0
    # a third of the second listings: whole households listed again after a move (new family, new KK)
    while len(rows) < n_dup // 3:
        source = family_ids[int(rng.integers(0, len(family_ids)))]
        here = fam_village[source]
        kec = here[:8]
        other_kec = [v for v in villages if v[:8] != kec] or villages
        same_kec = [v for v in villages if v[:8] == kec and v != here] or villages
        target = (same_kec if rng.random() < 0.35 else other_kec)
        village = target[int(rng.integers(0, len(target)))]
        fid = f"{source}-M{moved_households}"
        moved_households += 1
        new_families.append({"id": fid, "kk_number": f"{int(rng.integers(10**15, 10**16 - 1))}", "village": village})
        for m, record in enumerate(members[source]):
            changed, kind = _change(record, rng, nik_missing=0.35)
            rows.append({**changed, "id": f"{record['id']}-H{moved_households}", "family_id": fid, "village": village,
                         "person": record["person"], "planted": "household:" + kind, "_m": m})
    # the rest: one person listed in a second, existing family (same desa, kecamatan or elsewhere)
    chosen = rng.choice(people.height, max(0, n_dup - len(rows)), replace=False)
    for idx in chosen:
        record = people.row(int(idx), named=True)
        here = record["village"]
        p = rng.random()
        if p < 0.5:
            pool = by_village[here]
        elif p < 0.8:
            pool = [f for v in villages if v[:8] == here[:8] for f in by_village.get(v, [])]
        else:
            pool = family_ids
        target = pool[int(rng.integers(0, len(pool)))]
        if target == record["family_id"]:
            continue
        changed, kind = _change(record, rng, nik_missing=0.3)
        rows.append({**changed, "id": f"{record['id']}-S", "family_id": target, "village": fam_village[target],
                     "person": record["person"], "planted": "single:" + kind, "_m": 0})
    dups = pl.DataFrame(rows, schema={**people.schema, "_m": pl.Int64}).drop("_m") if rows else people.clear()
    people = pl.concat([people, dups.select(people.columns)])
    families = pl.concat([families, pl.DataFrame(new_families, schema=families.schema)]) if new_families \
        else families
    return Population(people=people, families=families)
