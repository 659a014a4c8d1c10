"""Probable duplicates: the same person listed twice, with a typo or a spelling variant in the name, day and
month swapped, a missing or mistyped NIK, in another family, desa or kecamatan. A Fellegi–Sunter score on
polars frames (ADR 0013, replacing the trained Splink model of ADR 0006); nothing is trained, so it runs the
same on a registry of 0, 2 or a million people, with or without equal NIKs.

Input: a polars frame with one row per active individual and the columns
  id, family_id, nik ("" when missing), name_key, birth_date (date), sex, village (region code).

- Candidate pairs (blocking, all set-based joins): equal NIK; equal birth date up to a day-month swap with
  the same first three letters of the match key (anywhere in the area), the same initial in one kecamatan, or
  in the same desa (any name); and every pair of
  members of two families that already share a person (equal match key and birth date, or equal NIK): a
  household listed twice brings the members whose names were mistyped. A block larger than `max_block`
  rows (a registry where every date is "unknown") is skipped for that rule; the broad rules stop at
  `BROAD_BLOCK` people.
- Comparison levels: NIK equal / one digit of its date mistyped / one digit apart elsewhere / two or more
  digits apart / missing, measured jointly with the place (same desa / same kecamatan / elsewhere), because
  neighbours born the same day hold NIKs one serial apart while namesakes elsewhere differ in the region
  digits; the match key (exact, term-frequency adjusted: a common single name such as DEWI weighs far less
  than a rare full name; one typing slip (one letter dropped, added, changed or two swapped);
  Jaro-Winkler ≥ 0.94 / ≥ 0.88); birth date (exact, term-frequency adjusted, so the
  heaped "unknown" dates weigh less; swapped; same year); sex; household support (another member of each
  family is the same person).
- m (how often a level occurs among true duplicates) is fixed, from what a second listing looks like; u (among
  different people) is measured on the registry: term frequencies for exact names and dates, the exact
  shares of desa and kecamatan, a random sample of pairs for name similarity, and for the NIK levels the pairs
  born the same day whose names differ (so "one serial apart" is judged against neighbours, not random
  pairs). The prior is `DUPLICATE_RATE` duplicates per person. Every share is smoothed: no level has u = 0.
- Two members of one family are never a person match: twins share surname and birth date, and one NIK used
  twice in a household is its own review kind (`exact.py`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from tepat.quality.matching.names import edit_distances, match_key_expr, similarities, sorted_words_expr

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.9
BROAD_BLOCK = 150  # people per block of a broad blocking rule
DUPLICATE_RATE = 0.02  # the prior: second listings per person
HIGH, LOW = 0.94, 0.88  # Jaro-Winkler levels of the match key

# m: the share of true duplicates at each level (a second listing keeps its NIK most of the time, is typed
# again with a slip now and then, keeps name and birth date, is in the same desa about half the time).
M_NIK = {"equal": 0.55, "slip": 0.05, "one_digit": 0.08, "other": 0.002, "missing": 0.318}
M_PLACE = {"village": 0.5, "kecamatan": 0.35, "else": 0.15}
M_NAME = {"exact": 0.70, "one_edit": 0.14, "high": 0.08, "low": 0.04, "else": 0.04}
M_BIRTH = {"exact": 0.85, "swapped": 0.08, "year": 0.04, "else": 0.03}
M_SEX = {"equal": 0.98, "differs": 0.02}
M_HOUSEHOLD = {"support": 0.25, "none": 0.75}
NIK_LEVELS = tuple(M_NIK)
# smoothing of the shares measured on the registry, towards what a district holds
PSEUDO_PEOPLE, TYPICAL_NAME_TF, TYPICAL_DATE_TF = 1000, 1e-4, 1 / 30000
PSEUDO_PAIRS, TYPICAL_HOUSEHOLD_U = 1e5, 1e-5
PLACE_LEVELS = tuple(M_PLACE)


@dataclass(frozen=True, slots=True)
class ProbableOptions:
    threshold: float = DEFAULT_THRESHOLD
    u_pairs: float = 2e5  # random pairs sampled for the u of name similarity
    seed: int = 1
    max_block: int = 2000
    threads: int | None = None  # kept for stored run options; the engine uses polars' own pool
    em_iterations: int = 0  # kept for stored run options; nothing is trained


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """The compared columns: a valid NIK or null, the match key, dates as yyyymmdd integers (and swapped, and a
    swap-proof key), kecamatan."""
    bd = pl.col("birth_date")
    day, month, year = bd.dt.day().cast(pl.Int64), bd.dt.month().cast(pl.Int64), bd.dt.year().cast(pl.Int64)
    keys = frame.select(pl.col("name_key").fill_null("").unique())
    keys = keys.with_columns(match_key_expr("name_key").alias("key")).with_columns(
        sorted_words_expr("key").alias("key_sorted"))
    nik = pl.col("nik").fill_null("")
    return frame.join(keys, on=pl.col("name_key").fill_null(""), how="left", maintain_order="left").select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row_id"),
        pl.col("id").cast(pl.String),
        pl.col("family_id").cast(pl.String),
        pl.when(nik.str.contains(r"^\d{16}$")).then(nik).otherwise(None).alias("nik"),
        pl.when(pl.col("name_key").fill_null("") != "").then(pl.col("name_key")).otherwise(None).alias("name_key"),
        pl.when(pl.col("key") != "").then(pl.col("key")).otherwise(None).alias("key"),
        "key_sorted",
        pl.col("key").str.slice(0, 1).alias("initial"),
        pl.col("key").str.slice(0, 3).alias("prefix"),
        (year * 10000 + month * 100 + day).alias("birth_date"),
        pl.when(day <= 12).then(year * 10000 + day * 100 + month).otherwise(None).alias("bd_swapped"),
        (year * 10000 + pl.min_horizontal(day, month) * 100 + pl.max_horizontal(day, month)).alias("bd_canon"),
        pl.col("sex").cast(pl.Int16),
        pl.col("village").cast(pl.String),
        pl.col("village").cast(pl.String).str.slice(0, 8).alias("kecamatan"),
    )


# --- candidates ------------------------------------------------------------------------------------------

def _block(people: pl.DataFrame, keys: list[str], max_block: int) -> pl.DataFrame:
    """Pairs (l < r by row) of people in different families sharing every column of `keys`."""
    sub = people.select("row_id", "family_id", *keys).drop_nulls(keys)
    sub = sub.filter((pl.len().over(keys) > 1) & (pl.len().over(keys) <= max_block))
    pairs = sub.join(sub, on=keys, suffix="_r").filter(
        (pl.col("row_id") < pl.col("row_id_r")) & (pl.col("family_id") != pl.col("family_id_r")))
    return pairs.select(pl.col("row_id").alias("l"), pl.col("row_id_r").alias("r"))


def _household_support(people: pl.DataFrame, strong: pl.DataFrame, max_block: int) -> tuple[pl.DataFrame,
                                                                                             pl.DataFrame]:
    """Family pairs linked by strong pairs, with how many; and every member pair of those families."""
    fam = people.select("row_id", "family_id")
    linked = strong.join(fam.rename({"row_id": "l", "family_id": "fl"}), on="l").join(
        fam.rename({"row_id": "r", "family_id": "fr"}), on="r").with_columns(
        pl.min_horizontal("fl", "fr").alias("fa"), pl.max_horizontal("fl", "fr").alias("fb"))
    sizes = fam.group_by("family_id").len()
    links = (linked.group_by("fa", "fb").agg(pl.len().alias("links"))
             .join(sizes.rename({"family_id": "fa", "len": "size_a"}), on="fa")
             .join(sizes.rename({"family_id": "fb", "len": "size_b"}), on="fb"))
    links_small = links.filter((pl.col("size_a") <= 30) & (pl.col("size_b") <= 30))
    members = fam.rename({"family_id": "f"})
    expanded = (links_small.join(members.rename({"row_id": "l"}), left_on="fa", right_on="f")
                .join(members.rename({"row_id": "r"}), left_on="fb", right_on="f")
                .select(pl.min_horizontal("l", "r").alias("l"), pl.max_horizontal("l", "r").alias("r")))
    return links.select("fa", "fb", "links", (pl.col("size_a") * pl.col("size_b")).alias("member_pairs")), expanded


def candidate_pairs(people: pl.DataFrame, max_block: int = 2000) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(pairs l < r, linked family pairs)."""
    by_nik = _block(people, ["nik"], max_block)
    by_name = _block(people, ["key", "bd_canon"], max_block)
    strong = pl.concat([by_nik, by_name]).unique()
    links, household = _household_support(people, strong, max_block)
    # the broad rules stop at `broad_block` people (heaped dates: 1 January, 31 December); the first three
    # letters of the key take over in those blocks
    broad = max(2, min(max_block, BROAD_BLOCK))
    blocks = [strong, household, _block(people, ["bd_canon", "prefix"], broad),
              _block(people, ["bd_canon", "kecamatan", "initial"], broad),
              _block(people, ["bd_canon", "village"], broad)]
    return pl.concat(blocks).unique(), links


# --- u from the registry ---------------------------------------------------------------------------------

def _share(counts: dict[str, float], levels: tuple[str, ...], prior: dict[str, float], weight: float = 20.0
           ) -> dict[str, float]:
    """Smoothed shares: `weight` pseudo-pairs spread as `prior`, so no level is ever 0."""
    total = sum(counts.get(level, 0.0) for level in levels)
    return {level: (counts.get(level, 0.0) + weight * prior[level]) / (total + weight) for level in levels}


def nik_date_expr(birth_date: str = "birth_date", sex: str = "sex") -> pl.Expr:
    """The DDMMYY a NIK encodes for a birth date (yyyymmdd integer) and sex (women: day + 40)."""
    bd = pl.col(birth_date)
    day = bd % 100 + pl.when(pl.col(sex) == 2).then(40).otherwise(0)
    return (day.cast(pl.String).str.zfill(2) + (bd // 100 % 100).cast(pl.String).str.zfill(2)
            + (bd // 10000 % 100).cast(pl.String).str.zfill(2))


def _nik_level(left: str = "nik", right: str = "nik_r") -> pl.Expr:
    """NIK levels. A "slip" is one digit apart where one of the two NIKs does not encode its own record's birth
    date and sex: a typing slip shows; two people's NIKs one serial apart both encode their dates."""
    a, b = pl.col("nik_int"), pl.col("nik_int_r")
    digits = pl.sum_horizontal([((a // 10**i) % 10 != (b // 10**i) % 10).cast(pl.Int32) for i in range(16)])
    inconsistent = ~pl.col("nik_ok") | ~pl.col("nik_ok_r")
    return (pl.when(pl.col(left).is_null() | pl.col(right).is_null()).then(pl.lit("missing"))
            .when(pl.col(left) == pl.col(right)).then(pl.lit("equal"))
            .when((digits == 1) & inconsistent).then(pl.lit("slip"))
            .when(digits == 1).then(pl.lit("one_digit"))
            .otherwise(pl.lit("other")))


def _place_level(left: str = "village", right: str = "village_r") -> pl.Expr:
    return (pl.when(pl.col(left) == pl.col(right)).then(pl.lit("village"))
            .when(pl.col(left).str.slice(0, 8) == pl.col(right).str.slice(0, 8)).then(pl.lit("kecamatan"))
            .otherwise(pl.lit("else")))


def _name_level(similarity: pl.Expr, edits: pl.Expr) -> pl.Expr:
    return (pl.when(pl.col("key").is_null() | pl.col("key_r").is_null()).then(pl.lit("null"))
            .when(pl.col("key") == pl.col("key_r")).then(pl.lit("exact"))
            .when(edits <= 1).then(pl.lit("one_edit"))
            .when(similarity >= HIGH).then(pl.lit("high"))
            .when(similarity >= LOW).then(pl.lit("low"))
            .otherwise(pl.lit("else")))


def _birth_level() -> pl.Expr:
    return (pl.when(pl.col("birth_date").is_null() | pl.col("birth_date_r").is_null()).then(pl.lit("null"))
            .when(pl.col("birth_date") == pl.col("birth_date_r")).then(pl.lit("exact"))
            .when(pl.col("birth_date") == pl.col("bd_swapped_r")).then(pl.lit("swapped"))
            .when(pl.col("birth_date") // 10000 == pl.col("birth_date_r") // 10000).then(pl.lit("year"))
            .otherwise(pl.lit("else")))


def _counts(frame: pl.DataFrame, column: str) -> dict[str, float]:
    return {k: float(v) for k, v in frame.group_by(column).len().iter_rows()} if frame.height else {}


@dataclass(frozen=True, slots=True)
class Model:
    n: int
    prior: float
    name: dict[str, float]  # u of the similarity levels; exact uses term frequencies
    birth: dict[str, float]
    sex: dict[str, float]
    place: dict[str, float]
    nik_given_place: dict[str, dict[str, float]]
    household: float  # u of "another member of each family is the same person"
    m_place: dict[str, float]
    duplicate_rate: float

    def as_dict(self) -> dict:
        return {"n": self.n, "prior": self.prior, "u_name": self.name, "u_birth": self.birth, "u_sex": self.sex,
                "u_place": self.place, "u_nik_given_place": self.nik_given_place, "u_household": self.household,
                "m_place": self.m_place, "duplicate_rate": self.duplicate_rate}


def estimate(people: pl.DataFrame, pairs: pl.DataFrame, links: pl.DataFrame, options: ProbableOptions) -> Model:
    n = people.height
    total_pairs = max(n * (n - 1) / 2, 1.0)
    # place: exact shares of random pairs in one desa / one kecamatan
    same_village = float((people.group_by("village").len()["len"].cast(pl.Float64) ** 2).sum() - n) / 2
    same_kec = float((people.group_by("kecamatan").len()["len"].cast(pl.Float64) ** 2).sum() - n) / 2
    place = _share({"village": same_village, "kecamatan": same_kec - same_village,
                    "else": total_pairs - same_kec}, PLACE_LEVELS, {"village": 0.01, "kecamatan": 0.09, "else": 0.9})
    # name similarity, birth date and sex among random pairs
    rng = np.random.default_rng(options.seed)
    k = int(min(options.u_pairs, total_pairs)) if n >= 2 else 0
    left, right = rng.integers(0, max(n, 1), k), rng.integers(0, max(n, 1), k)
    keep = left != right
    cols = ["key", "key_sorted", "birth_date", "bd_swapped", "sex"]
    sample = pl.concat([people.select(cols)[left[keep]],
                        people.select(cols)[right[keep]].rename({c: f"{c}_r" for c in cols})], how="horizontal")
    sim = pl.Series("sim", similarities(sample["key"], sample["key_r"], sample["key_sorted"],
                                        sample["key_sorted_r"]) if sample.height else [], pl.Float64)
    edits = pl.Series("edits", edit_distances(sample["key"], sample["key_r"]) if sample.height else [], pl.Int64)
    sample = sample.with_columns(sim, edits).with_columns(
        _name_level(pl.col("sim"), pl.col("edits")).alias("name"), _birth_level().alias("birth"),
        pl.when(pl.col("sex") == pl.col("sex_r")).then(pl.lit("equal")).otherwise(pl.lit("differs")).alias("sex"))
    name = _share(_counts(sample.filter(pl.col("name") != "exact"), "name"), ("one_edit", "high", "low", "else"),
                  {"one_edit": 1e-4, "high": 0.001, "low": 0.01, "else": 0.9889})
    birth = _share(_counts(sample, "birth"), ("swapped", "year", "else"), {"swapped": 1e-4, "year": 0.01,
                                                                          "else": 0.99})
    sex = _share(_counts(sample, "sex"), ("equal", "differs"), {"equal": 0.5, "differs": 0.5})
    # NIK levels per place among people born the same day whose names differ: almost all different people
    same_day = pairs.filter((pl.col("birth") == "exact") & (pl.col("name") == "else"))
    nik_given_place = {}
    for level in PLACE_LEVELS:
        rows = same_day.filter(pl.col("place") == level)
        counts = _counts(rows, "nik_cmp")
        prior = {"equal": 1e-4, "slip": 1e-3, "one_digit": 0.05 if level != "else" else 0.01,
                 "other": 0.9, "missing": 0.05}
        nik_given_place[level] = _share(counts, NIK_LEVELS, prior)
        # an equal NIK among different people is about 1 in n whatever the sample says
        nik_given_place[level]["equal"] = min(nik_given_place[level]["equal"], 1.0 / max(n, 2))
    member_pairs = float(links["member_pairs"].sum()) if links.height else 0.0
    household = (member_pairs + PSEUDO_PAIRS * TYPICAL_HOUSEHOLD_U) / (total_pairs + PSEUDO_PAIRS)
    # the second listings that kept their NIK: how many there are (the prior, over m of "NIK equal") and where
    # they are (m of the place levels); too few of them (a registry that keeps NIKs unique), the defaults
    kept = pairs.filter((pl.col("nik_cmp") == "equal") & (pl.col("name") != "else")
                        & pl.col("birth").is_in(["exact", "swapped"]))
    rate = DUPLICATE_RATE if kept.height < 5 else min(max(kept.height / n / M_NIK["equal"], 0.002), 0.2)
    m_place = _share(_counts(kept, "place"), PLACE_LEVELS, M_PLACE)
    prior = min(0.5, 2 * rate / max(n - 1, 1))
    return Model(n=n, prior=prior, name=name, birth=birth, sex=sex, place=place, nik_given_place=nik_given_place,
                 household=household, m_place=m_place, duplicate_rate=rate)


# --- scoring ---------------------------------------------------------------------------------------------

def _log2(x: pl.Expr) -> pl.Expr:
    return x.clip(1e-12, None).log(2)


def score(pairs: pl.DataFrame, people: pl.DataFrame, model: Model) -> pl.DataFrame:
    """Match weight (log2 Bayes factor + prior) and probability per candidate pair."""
    # term frequencies, smoothed towards a typical district's (PSEUDO_PEOPLE records where a name holds
    # TYPICAL_NAME_TF and a date TYPICAL_DATE_TF): a registry of two people says little about how common a name is
    n = max(model.n, 1) + PSEUDO_PEOPLE
    tf_name = people.group_by("key").len().select(
        "key", ((pl.col("len") + PSEUDO_PEOPLE * TYPICAL_NAME_TF) / n).alias("tf_name"))
    tf_birth = people.group_by("birth_date").len().select(
        "birth_date", ((pl.col("len") + PSEUDO_PEOPLE * TYPICAL_DATE_TF) / n).alias("tf_birth"))
    scored = pairs.join(tf_name, on="key", how="left").join(tf_birth, on="birth_date", how="left")

    def weight(column: str, m: dict[str, float], u: dict[str, float]) -> pl.Expr:
        expr = pl.lit(0.0)
        for level, m_value in m.items():
            if level in u:
                expr = pl.when(pl.col(column) == level).then(pl.lit(math.log2(m_value / u[level]))).otherwise(expr)
        return expr

    # exact name and exact date: u is the value's own frequency (Splink's term-frequency adjustment)
    w_name = pl.when(pl.col("name") == "exact").then(math.log2(M_NAME["exact"]) - _log2(pl.col("tf_name"))) \
        .otherwise(weight("name", M_NAME, model.name))
    w_birth = pl.when(pl.col("birth") == "exact").then(math.log2(M_BIRTH["exact"]) - _log2(pl.col("tf_birth"))) \
        .otherwise(weight("birth", M_BIRTH, model.birth))
    w_place_nik = pl.lit(0.0)
    for place in PLACE_LEVELS:
        for nik in NIK_LEVELS:
            value = math.log2(model.m_place[place] * M_NIK[nik] / (model.place[place] * model.nik_given_place[place][nik]))
            w_place_nik = pl.when((pl.col("place") == place) & (pl.col("nik_cmp") == nik)).then(value) \
                .otherwise(w_place_nik)
    # household support counts for a pair whose names still resemble and whose NIKs do not contradict it
    w_household = pl.when((pl.col("household") > 0) & pl.col("name").is_in(["exact", "one_edit", "high", "low"])
                          & pl.col("birth").is_in(["exact", "swapped"]) & (pl.col("nik_cmp") != "other")).then(math.log2(M_HOUSEHOLD["support"] / model.household)) \
        .otherwise(math.log2(M_HOUSEHOLD["none"] / (1 - model.household)))
    prior = math.log2(model.prior / (1 - model.prior))
    return scored.with_columns(
        (prior + w_name + w_birth + weight("sex_cmp", M_SEX, model.sex) + w_place_nik + w_household)
        .alias("match_weight")
    ).with_columns((1 / (1 + (2.0 ** -pl.col("match_weight")))).alias("probability"))


def compare(prepared: pl.DataFrame, options: ProbableOptions) -> tuple[pl.DataFrame, Model]:
    """Every candidate pair with its levels, weight and probability (no threshold)."""
    pairs, links = candidate_pairs(prepared, options.max_block)
    cols = ["row_id", "id", "family_id", "nik", "name_key", "key", "key_sorted", "birth_date", "bd_swapped", "bd_canon", "sex",
            "village", "kecamatan", "nik_int", "nik_ok"]
    # per person once: the NIK as a number, and whether it encodes the record's own birth date and sex
    side = prepared.with_columns(pl.col("nik").cast(pl.Int64, strict=False).alias("nik_int"),
                                 (pl.col("nik").str.slice(6, 6) == nik_date_expr()).fill_null(True).alias("nik_ok"),
                                 ).select(cols)
    frame = (pairs.join(side, left_on="l", right_on="row_id")
             .join(side.rename({c: f"{c}_r" for c in cols}), left_on="r", right_on="row_id_r"))
    sim = similarities(frame["key"], frame["key_r"], frame["key_sorted"], frame["key_sorted_r"]) \
        if frame.height else np.zeros(0)
    edits = edit_distances(frame["key"], frame["key_r"]) if frame.height else np.zeros(0)
    fam_pair = [pl.min_horizontal("family_id", "family_id_r").alias("fa"),
                pl.max_horizontal("family_id", "family_id_r").alias("fb")]
    # the blocking rules' strong pairs (equal key and swap-proof date, or equal NIK): what `links` counted
    strong = ((pl.col("key") == pl.col("key_r")) & (pl.col("bd_canon") == pl.col("bd_canon_r"))) | (
        pl.col("nik") == pl.col("nik_r"))
    frame = frame.with_columns(pl.Series("name_similarity", sim, dtype=pl.Float64),
                               pl.Series("name_edits", edits, dtype=pl.Int64), *fam_pair).with_columns(
        _name_level(pl.col("name_similarity"), pl.col("name_edits")).alias("name"), _birth_level().alias("birth"),
        _nik_level().alias("nik_cmp"), _place_level().alias("place"),
        pl.when(pl.col("sex") == pl.col("sex_r")).then(pl.lit("equal")).otherwise(pl.lit("differs")).alias("sex_cmp"),
    ).join(links.select("fa", "fb", "links"), on=["fa", "fb"], how="left").with_columns(
        # the other members of both families who are the same person (this pair itself not counted)
        (pl.col("links").fill_null(0) - strong.fill_null(False).cast(pl.UInt32)).clip(0, None).alias("household"),
    )
    model = estimate(prepared, frame.select("birth", "name", "place", "nik_cmp"), links, options)
    return score(frame, prepared, model), model


def probable_pairs(frame: pl.DataFrame, options: ProbableOptions | None = None) -> pl.DataFrame:
    """Candidate pairs at p >= threshold, with probability, comparison values and name similarity."""
    options = options or ProbableOptions()
    if frame.height < 2:
        return empty_pairs()
    scored, model = compare(prepare(frame), options)
    logger.info("duplicate model %s", model.as_dict())
    # one person is listed at most once in a family: between two families each record keeps its best pair
    # (twins of a household listed twice are not each other's second listing)
    best = (pl.col("match_weight") == pl.col("match_weight").max().over("l", "family_id_r")) & (
        pl.col("match_weight") == pl.col("match_weight").max().over("r", "family_id"))
    found = scored.filter(pl.col("probability") >= options.threshold).filter(best)
    if found.is_empty():
        return empty_pairs()
    return found.select(
        pl.col("id").alias("left_id"), pl.col("id_r").alias("right_id"),
        pl.col("family_id").alias("left_family_id"), pl.col("family_id_r").alias("right_family_id"),
        "probability", pl.col("nik").alias("nik_l"), "nik_r", pl.col("name_key").alias("name_key_l"),
        "name_key_r", pl.col("birth_date").alias("birth_date_l"), "birth_date_r", "bd_swapped_r",
        pl.col("sex").alias("sex_l"), "sex_r", pl.col("village").alias("village_l"), "village_r",
        pl.col("kecamatan").alias("kecamatan_l"), "kecamatan_r", "name_similarity",
        pl.col("household").cast(pl.Int64),
    ).cast(PAIR_SCHEMA)


PAIR_SCHEMA = {"left_id": pl.String, "right_id": pl.String, "left_family_id": pl.String,
               "right_family_id": pl.String, "probability": pl.Float64, "nik_l": pl.String, "nik_r": pl.String,
               "name_key_l": pl.String, "name_key_r": pl.String, "birth_date_l": pl.Int64,
               "birth_date_r": pl.Int64, "bd_swapped_r": pl.Int64, "sex_l": pl.Int16, "sex_r": pl.Int16,
               "village_l": pl.String, "village_r": pl.String, "kecamatan_l": pl.String,
               "kecamatan_r": pl.String, "name_similarity": pl.Float64, "household": pl.Int64}


def empty_pairs() -> pl.DataFrame:
    return pl.DataFrame(schema=PAIR_SCHEMA)


def evidence(row: dict) -> list[dict]:
    """Readable per-field evidence for one pair, in Indonesian and English."""
    items: list[dict] = []
    sim = float(row.get("name_similarity") or 0.0)
    if row.get("name_key_l") and row.get("name_key_l") == row.get("name_key_r"):
        items.append({"field": "name", "similarity": 1.0, "level": "equal", "text_id": "nama sama",
                      "text_en": "name equal"})
    else:
        items.append({"field": "name", "similarity": round(sim, 2),
                      "text_id": f"nama {sim:.2f} mirip", "text_en": f"name {sim:.2f} similar"})
    nik_l, nik_r = row.get("nik_l"), row.get("nik_r")
    if not nik_l or not nik_r:
        items.append({"field": "nik", "level": "missing", "text_id": "NIK kosong di salah satu",
                      "text_en": "NIK missing on one side"})
    elif nik_l == nik_r:
        items.append({"field": "nik", "level": "equal", "text_id": "NIK sama", "text_en": "NIK equal"})
    elif sum(a != b for a, b in zip(nik_l, nik_r, strict=False)) == 1:
        items.append({"field": "nik", "level": "one_digit", "text_id": "NIK beda satu angka",
                      "text_en": "NIK one digit apart"})
    else:
        items.append({"field": "nik", "level": "different", "text_id": "NIK berbeda", "text_en": "NIK differs"})
    if row.get("birth_date_l") == row.get("birth_date_r"):
        items.append({"field": "birth_date", "level": "equal", "text_id": "tanggal lahir sama",
                      "text_en": "birth date equal"})
    elif row.get("birth_date_l") == row.get("bd_swapped_r"):
        items.append({"field": "birth_date", "level": "swapped", "text_id": "tanggal dan bulan lahir tertukar",
                      "text_en": "birth day and month swapped"})
    elif row.get("birth_date_l") and row.get("birth_date_r") and \
            int(row["birth_date_l"]) // 10000 == int(row["birth_date_r"]) // 10000:
        items.append({"field": "birth_date", "level": "same_year", "text_id": "tahun lahir sama",
                      "text_en": "same birth year"})
    else:
        items.append({"field": "birth_date", "level": "different", "text_id": "tanggal lahir berbeda",
                      "text_en": "birth date differs"})
    if row.get("sex_l") != row.get("sex_r"):
        items.append({"field": "sex", "level": "different", "text_id": "jenis kelamin berbeda",
                      "text_en": "sex differs"})
    if row.get("village_l") == row.get("village_r"):
        items.append({"field": "village", "level": "equal", "text_id": "desa sama", "text_en": "same desa"})
    elif row.get("kecamatan_l") == row.get("kecamatan_r"):
        items.append({"field": "village", "level": "kecamatan", "text_id": "kecamatan sama",
                      "text_en": "same kecamatan"})
    else:
        items.append({"field": "village", "level": "different", "text_id": "wilayah berbeda",
                      "text_en": "different area"})
    household = int(row.get("household") or 0)
    if household:
        items.append({"field": "household", "level": str(household),
                      "text_id": f"{household} anggota keluarga lain juga sama",
                      "text_en": f"{household} other family member(s) also match"})
    return items


def evidence_text(items: list[dict], language: str = "en") -> str:
    key = "text_en" if language.startswith("en") else "text_id"
    return ", ".join(item[key] for item in items)
