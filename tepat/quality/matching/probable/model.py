"""The Splink model of the duplicate search, nothing trained: m (how often a level occurs among true second
listings) is judged and fixed; u (among different people) is measured on the registry in polars; the prior is
a fixed share of second listings. Every share is smoothed towards a typical district, so no m or u is 0 or 1 and
no logarithm can fail on any registry (0, 2 or a million people, with or without equal NIKs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from tepat.quality.matching.names import edit_distances, similarities

DEFAULT_THRESHOLD = 0.9
DUPLICATE_RATE = 0.03  # the prior: second listings per person (judged: DTKS districts hold a few per cent)
HIGH, LOW = 0.94, 0.88  # Jaro-Winkler levels of the match key

# m: the share of true duplicates at each level (a second listing keeps its NIK most of the time, is typed
# again with a slip now and then, keeps name and birth date, is in the same desa about half the time).
# NIK: missing more often for a child (a NIK comes with the first KK entry, often years after birth); a typing
# slip in the date digits, in the serial digits, or elsewhere (the region digits)
M_NIK = {"missing_young": 0.5, "missing": 0.3, "equal": 0.55, "slip": 0.05, "serial": 0.035, "one_digit": 0.045,
         "other": 0.002}
YOUNG_YEARS = 6  # "young": born in the registry's last six years of births
M_PLACE = {"village": 0.5, "kecamatan": 0.35, "else": 0.15}
# a second listing whose name is not even close is rare; one NIK on two different names is the exact kind
# `nik_two_families` (exact.py), not a person match
M_NAME = {"exact": 0.73, "one_edit": 0.14, "high": 0.08, "low": 0.04, "else": 0.01}
M_BIRTH = {"exact": 0.85, "swapped": 0.08, "year": 0.04, "else": 0.03}
M_SEX = {"equal": 0.98, "differs": 0.02}
M_HOUSEHOLD = {"support": 0.25, "none": 0.75}
NIK_LEVELS = tuple(M_NIK)
PLACE_LEVELS = tuple(M_PLACE)
# smoothing of the shares measured on the registry, towards what a district holds
PSEUDO_PEOPLE, TYPICAL_NAME_TF, TYPICAL_DATE_TF = 1000, 1e-4, 1 / 30000
PSEUDO_PAIRS, TYPICAL_HOUSEHOLD_U = 1e5, 1e-5


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
    young_from: int  # yyyymmdd: a pair born on or after it is "young" for the NIK-missing levels

    def as_dict(self) -> dict:
        return {"n": self.n, "prior": self.prior, "u_name": self.name, "u_birth": self.birth, "u_sex": self.sex,
                "u_place": self.place, "u_nik_given_place": self.nik_given_place, "u_household": self.household, "m_place": self.m_place,
                "young_from": self.young_from}


def _share(counts: dict[str, float], levels: tuple[str, ...], prior: dict[str, float], weight: float = 20.0
           ) -> dict[str, float]:
    """Smoothed shares: `weight` pseudo-pairs spread as `prior`, so no level is ever 0."""
    total = sum(counts.get(level, 0.0) for level in levels)
    return {level: (counts.get(level, 0.0) + weight * prior[level]) / (total + weight) for level in levels}


def _counts(frame: pl.DataFrame, column: str) -> dict[str, float]:
    return {k: float(v) for k, v in frame.group_by(column).len().iter_rows()} if frame.height else {}


def name_level(similarity: pl.Expr, edits: pl.Expr) -> pl.Expr:
    return (pl.when(pl.col("key").is_null() | pl.col("key_r").is_null()).then(pl.lit("null"))
            .when(pl.col("key") == pl.col("key_r")).then(pl.lit("exact"))
            .when(edits <= 1).then(pl.lit("one_edit"))
            .when(similarity >= HIGH).then(pl.lit("high"))
            .when(similarity >= LOW).then(pl.lit("low"))
            .otherwise(pl.lit("else")))


def birth_level() -> pl.Expr:
    return (pl.when(pl.col("birth_date").is_null() | pl.col("birth_date_r").is_null()).then(pl.lit("null"))
            .when(pl.col("birth_date") == pl.col("birth_date_r")).then(pl.lit("exact"))
            .when(pl.col("birth_date") == pl.col("bd_swapped_r")).then(pl.lit("swapped"))
            .when(pl.col("birth_date") // 10000 == pl.col("birth_date_r") // 10000).then(pl.lit("year"))
            .otherwise(pl.lit("else")))


def nik_level(young_from: int) -> pl.Expr:
    """The NIK levels (see `splink_settings`) in polars, for the u of neighbours born the same day (`nik_int`
    the NIK as a number)."""
    a, b = pl.col("nik_int"), pl.col("nik_int_r")
    digits = pl.sum_horizontal([((a // 10**i) % 10 != (b // 10**i) % 10).cast(pl.Int32) for i in range(16)])
    young = pl.max_horizontal("birth_date", "birth_date_r") >= young_from
    return (pl.when((a.is_null() | b.is_null()) & young).then(pl.lit("missing_young"))
            .when(a.is_null() | b.is_null()).then(pl.lit("missing"))
            .when(a == b).then(pl.lit("equal"))
            .when((digits == 1) & (~pl.col("nik_ok") | ~pl.col("nik_ok_r"))).then(pl.lit("slip"))
            .when((digits == 1) & (a // 10000 == b // 10000)).then(pl.lit("serial"))
            .when(digits == 1).then(pl.lit("one_digit"))
            .otherwise(pl.lit("other")))


def _neighbours_born_the_same_day(people: pl.DataFrame, seed: int, young_from: int) -> pl.DataFrame:
    """Pairs of different people born the same day, per place level: in a random order within each block of
    (date, desa), (date, kecamatan) and (date), each record is paired with the next one; pairs whose names
    start alike (possibly one person listed twice) and pairs of a nearer place level are left out."""
    cols = ["family_id", "nik_int", "nik_ok", "initial", "birth_date", "village", "kecamatan"]
    base = people.drop_nulls(["birth_date", "initial"]).select(
        *cols[:1], pl.col("nik").cast(pl.Int64).alias("nik_int"), *cols[2:],
        pl.col("row_id").hash(seed).alias("_order"))
    out = []
    for level, group in (("village", ["birth_date", "village"]), ("kecamatan", ["birth_date", "kecamatan"]),
                         ("else", ["birth_date"])):
        ordered = base.sort(pl.struct(group).hash(seed), "_order")
        nxt = ordered.select([pl.col(c).shift(-1).alias(f"{c}_r") for c in cols])
        pairs = pl.concat([ordered.select(cols), nxt], how="horizontal").filter(
            pl.all_horizontal([pl.col(g) == pl.col(f"{g}_r") for g in group])
            & (pl.col("family_id") != pl.col("family_id_r")) & (pl.col("initial") != pl.col("initial_r")))
        if level == "kecamatan":
            pairs = pairs.filter(pl.col("village") != pl.col("village_r"))
        elif level == "else":
            pairs = pairs.filter(pl.col("kecamatan") != pl.col("kecamatan_r"))
        out.append(pairs.select(pl.lit(level).alias("place"), nik_level(young_from).alias("nik_cmp"),
                                (pl.col("birth_date") >= young_from).alias("young")))
    return pl.concat(out)


def estimate(people: pl.DataFrame, links: pl.DataFrame, *, u_pairs: float, seed: int) -> Model:
    n = people.height
    total_pairs = max(n * (n - 1) / 2, 1.0)
    # place: exact shares of random pairs in one desa / one kecamatan
    same_village = float((people.group_by("village").len()["len"].cast(pl.Float64) ** 2).sum() - n) / 2
    same_kec = float((people.group_by("kecamatan").len()["len"].cast(pl.Float64) ** 2).sum() - n) / 2
    place = _share({"village": same_village, "kecamatan": same_kec - same_village,
                    "else": total_pairs - same_kec}, PLACE_LEVELS, {"village": 0.01, "kecamatan": 0.09, "else": 0.9})
    # name similarity, birth date and sex among random pairs
    rng = np.random.default_rng(seed)
    k = int(min(u_pairs, total_pairs)) if n >= 2 else 0
    left, right = rng.integers(0, max(n, 1), k), rng.integers(0, max(n, 1), k)
    keep = left != right
    cols = ["key", "key_sorted", "birth_date", "bd_swapped", "sex"]
    sample = pl.concat([people.select(cols)[left[keep]],
                        people.select(cols)[right[keep]].rename({c: f"{c}_r" for c in cols})], how="horizontal")
    sim = pl.Series("sim", similarities(sample["key"], sample["key_r"], sample["key_sorted"],
                                        sample["key_sorted_r"]) if sample.height else [], pl.Float64)
    edits = pl.Series("edits", edit_distances(sample["key"], sample["key_r"]) if sample.height else [], pl.Int64)
    sample = sample.with_columns(sim, edits).with_columns(
        name_level(pl.col("sim"), pl.col("edits")).alias("name"), birth_level().alias("birth"),
        pl.when(pl.col("sex") == pl.col("sex_r")).then(pl.lit("equal")).otherwise(pl.lit("differs")).alias("sex"))
    name = _share(_counts(sample.filter(pl.col("name") != "exact"), "name"), ("one_edit", "high", "low", "else"),
                  {"one_edit": 1e-4, "high": 0.001, "low": 0.01, "else": 0.9889})
    birth = _share(_counts(sample, "birth"), ("swapped", "year", "else"), {"swapped": 1e-4, "year": 0.01,
                                                                          "else": 0.99})
    sex = _share(_counts(sample, "sex"), ("equal", "differs"), {"equal": 0.5, "differs": 0.5})
    # NIK levels per place among different people born the same day (so "one serial apart" is judged against
    # neighbours, not random pairs)
    latest = people["birth_date"].max() if n else None
    young_from = int(latest) - YOUNG_YEARS * 10000 if latest is not None else 0
    neighbours = _neighbours_born_the_same_day(people, seed, young_from) if n >= 2 else pl.DataFrame(
        schema={"place": pl.String, "nik_cmp": pl.String, "young": pl.Boolean})
    nik_given_place = {}
    for level in PLACE_LEVELS:
        rows = neighbours.filter(pl.col("place") == level)
        prior = {"equal": 1e-4, "slip": 1e-3, "serial": 0.03 if level != "else" else 1e-3,
                 "one_digit": 0.02 if level != "else" else 0.01, "other": 0.9, "missing": 0.05}
        counts = _counts(rows.with_columns(pl.col("nik_cmp").replace("missing_young", "missing")), "nik_cmp")
        shares = _share(counts, tuple(k for k in NIK_LEVELS if k != "missing_young"), prior)
        # missing: the share within the pair's age band
        for band, young in (("missing_young", True), ("missing", False)):
            in_band = rows.filter(pl.col("young") == young)
            shares[band] = (float((in_band["nik_cmp"] == band).sum()) + 20 * (0.2 if young else 0.03)) / (
                in_band.height + 20)
        # an equal NIK among different people is about 1 in n whatever the sample says
        shares["equal"] = min(shares["equal"], 1.0 / max(n, 2))
        nik_given_place[level] = shares
    member_pairs = float((links["size_a"] * links["size_b"]).sum()) if links.height else 0.0
    household = (member_pairs + PSEUDO_PAIRS * TYPICAL_HOUSEHOLD_U) / (total_pairs + PSEUDO_PAIRS)
    prior = min(0.5, 2 * DUPLICATE_RATE / max(n - 1, 1))
    return Model(n=n, prior=prior, name=name, birth=birth, sex=sex, place=place, nik_given_place=nik_given_place,
                 household=household, m_place=_m_place(people), young_from=young_from)


def _m_place(people: pl.DataFrame) -> dict[str, float]:
    """m of the place levels, measured on the second listings that kept their NIK (equal NIK in two families,
    names starting alike, the same date up to a day-month swap), smoothed towards `M_PLACE`: with none of them
    (a registry that keeps NIKs unique) the judged values. Only where duplicates are, never how many."""
    cols = ["row_id", "b_nik", "initial", "bd_canon", "village", "kecamatan"]
    sub = people.select(cols).drop_nulls("b_nik")
    kept = sub.join(sub, on="b_nik", suffix="_r").filter(
        (pl.col("row_id") < pl.col("row_id_r")) & (pl.col("initial") == pl.col("initial_r"))
        & (pl.col("bd_canon") == pl.col("bd_canon_r")))
    kept = kept.select(pl.when(pl.col("village") == pl.col("village_r")).then(pl.lit("village"))
                       .when(pl.col("kecamatan") == pl.col("kecamatan_r")).then(pl.lit("kecamatan"))
                       .otherwise(pl.lit("else")).alias("place"))
    return _share(_counts(kept, "place"), PLACE_LEVELS, M_PLACE)


def term_frequencies(people: pl.DataFrame, column: str, typical: float) -> pl.DataFrame:
    """Splink's term-frequency table of `column`, smoothed towards a typical district's (PSEUDO_PEOPLE records
    where a value holds `typical`): a registry of two people says little about how common a name is."""
    n = max(people.height, 1) + PSEUDO_PEOPLE
    return people.drop_nulls(column).group_by(column).len().select(
        column, ((pl.col("len") + PSEUDO_PEOPLE * typical) / n).alias(f"tf_{column}"))


# --- the Splink settings ---------------------------------------------------------------------------------

_JW = "greatest(jaro_winkler_similarity(l.key, r.key), jaro_winkler_similarity(l.key_sorted, r.key_sorted))"
_NIK_SQL = {
    "missing_young": "(l.nik IS NULL OR r.nik IS NULL) AND greatest(l.birth_date, r.birth_date) >= {young_from}",
    "missing": "(l.nik IS NULL OR r.nik IS NULL)",
    "equal": "l.nik = r.nik",
    "slip": "hamming(l.nik, r.nik) = 1 AND (NOT l.nik_ok OR NOT r.nik_ok)",
    "serial": "hamming(l.nik, r.nik) = 1 AND substr(l.nik, 1, 12) = substr(r.nik, 1, 12)",
    "one_digit": "hamming(l.nik, r.nik) = 1",
    "other": "TRUE",
}
_PLACE_SQL = {"village": "l.village_code = r.village_code", "kecamatan": "l.kecamatan_code = r.kecamatan_code",
              "else": "TRUE"}
_STRONG = "coalesce((l.key = r.key AND l.bd_canon = r.bd_canon) OR l.nik = r.nik, FALSE)"
# household support counts for a pair whose names still resemble and whose NIKs do not contradict it
_HOUSEHOLD_SQL = (
    f"((({_STRONG}) AND list_contains(l.linked2, r.family)) "
    f"OR (NOT ({_STRONG}) AND list_contains(l.linked1, r.family))) "
    f"AND l.key IS NOT NULL AND r.key IS NOT NULL "
    f"AND (l.key = r.key OR damerau_levenshtein(l.key, r.key) <= 1 OR {_JW} >= {LOW}) "
    "AND (l.birth_date = r.birth_date OR l.birth_date = r.bd_swapped) "
    "AND (l.nik IS NULL OR r.nik IS NULL OR hamming(l.nik, r.nik) <= 1)"
)


def _level(sql: str, label: str, m: float | None = None, u: float | None = None, **extra) -> dict:
    """A comparison level; `l.x` / `r.x` written as Splink's comparison columns `x_l` / `x_r`."""
    level = {"sql_condition": re.sub(r"\b([lr])\.(\w+)", r"\2_\1", sql), "label_for_charts": label, **extra}
    if m is not None:
        level.update(m_probability=m, u_probability=u)
    return level


def splink_settings(model: Model) -> dict:
    """The comparisons and levels (as the polars engine of ADR 0013 had them), m and u set, nothing to train;
    the blocking rules on the pre-step's capped keys, each between two families."""
    nik_place = []
    for nik in NIK_LEVELS:
        for place in PLACE_LEVELS:
            nik_place.append(_level(
                f"({_NIK_SQL[nik].format(young_from=model.young_from)}) AND ({_PLACE_SQL[place]})", f"nik {nik}, {place}",
                M_NIK[nik] * model.m_place[place], model.place[place] * model.nik_given_place[place][nik]))
    name = [
        _level("l.key IS NULL OR r.key IS NULL", "null", is_null_level=True),
        _level("l.key = r.key", "exact", M_NAME["exact"], 1e-4, tf_adjustment_column="key",
               tf_adjustment_weight=1.0),
        _level("damerau_levenshtein(l.key, r.key) <= 1", "one_edit", M_NAME["one_edit"], model.name["one_edit"]),
        _level(f"{_JW} >= {HIGH}", "high", M_NAME["high"], model.name["high"]),
        _level(f"{_JW} >= {LOW}", "low", M_NAME["low"], model.name["low"]),
        _level("ELSE", "else", M_NAME["else"], model.name["else"]),
    ]
    birth = [
        _level("l.birth_date IS NULL OR r.birth_date IS NULL", "null", is_null_level=True),
        _level("l.birth_date = r.birth_date", "exact", M_BIRTH["exact"], 1 / 30000,
               tf_adjustment_column="birth_date", tf_adjustment_weight=1.0),
        _level("l.birth_date = r.bd_swapped", "swapped", M_BIRTH["swapped"], model.birth["swapped"]),
        _level("floor(l.birth_date / 10000) = floor(r.birth_date / 10000)", "year", M_BIRTH["year"], model.birth["year"]),
        _level("ELSE", "else", M_BIRTH["else"], model.birth["else"]),
    ]
    sex = [_level("l.sex = r.sex", "equal", M_SEX["equal"], model.sex["equal"]),
           _level("ELSE", "differs", M_SEX["differs"], model.sex["differs"])]
    household = [_level(_HOUSEHOLD_SQL, "support", M_HOUSEHOLD["support"], model.household),
                 _level("ELSE", "none", M_HOUSEHOLD["none"], 1 - model.household)]
    different_families = "l.family <> r.family"
    rules = [{"blocking_rule": f"l.{column} = r.{column} AND {different_families}"}
             for column in ("b_nik", "b_name")]
    rules += [{"blocking_rule": f"l.{column} = r.{column} AND {different_families}"}
              for column in ("b_hh", "b_prefix", "b_kec", "b_village")]
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "row_id",
        "probability_two_random_records_match": model.prior,
        "blocking_rules_to_generate_predictions": rules,
        "comparisons": [
            {"output_column_name": "nik_place", "comparison_levels": nik_place},
            {"output_column_name": "name", "comparison_levels": name},
            {"output_column_name": "birth", "comparison_levels": birth},
            {"output_column_name": "sex", "comparison_levels": sex},
            {"output_column_name": "household", "comparison_levels": household},
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }
