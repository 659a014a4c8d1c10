"""Probable duplicates: the same person with a typo in the name, day and month swapped, a missing or mistyped
NIK, listed in two families. Splink on DuckDB, trained on the registry itself.

Input: a polars frame with one row per active individual and the columns
  id, family_id, nik ("" when missing), name_key, birth_date (date), sex, village (region code).

The model (ADR 0006):
- NIK is compared exactly or not at all: never fuzzily. NIKs of different people born the same day in the same
  kecamatan differ only in the serial, so "one digit apart" is no evidence of one person.
- Name keys by Jaro-Winkler levels; birth date equal / day and month swapped / same year; sex; same desa /
  same kecamatan / elsewhere.
- Blocking keeps comparisons near-linear: equal NIK; equal name key and birth date up to a day-month swap;
  equal birth date (up to the swap) in the same desa, or in the same kecamatan with the same initial.
- Training, all on the data itself: u by random sampling (pairs scaled to the data, capped), m by
  expectation-maximisation on two blocks (equal NIK; equal name key and birth date), the prior from the
  equal-NIK rule.
- Pairs inside one household that share a NIK are not person matches: they are their own review kind
  (`exact.py`), and are dropped here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import polars as pl

from tepat.quality.matching.names import similarities

# Splink logs every training step at INFO; the engine reports its own counts.
for _name in ("splink", "splink.internals"):
    logging.getLogger(_name).setLevel(logging.WARNING)

DEFAULT_THRESHOLD = 0.9
MIN_RECORDS = 50  # below this there is nothing to train on: exact kinds only


@dataclass(frozen=True, slots=True)
class ProbableOptions:
    threshold: float = DEFAULT_THRESHOLD
    u_pairs: float = 1e5  # random pairs for u; capped by the data's size
    em_iterations: int = 5
    seed: int = 1
    threads: int | None = None


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns Splink compares: text dates, the swapped date, a swap-proof date key, kecamatan."""
    bd = pl.col("birth_date")
    day, month = bd.dt.day(), bd.dt.month()
    return frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row_id"),
        pl.col("id").cast(pl.String),
        pl.col("family_id").cast(pl.String),
        pl.when(pl.col("nik").fill_null("").str.len_chars() == 16).then(pl.col("nik")).otherwise(None).alias("nik"),
        pl.when(pl.col("name_key") != "").then(pl.col("name_key")).otherwise(None).alias("name_key"),
        pl.col("name_key").str.slice(0, 1).alias("initial"),
        # dates as yyyymmdd integers: cheaper to build and compare than text
        (bd.dt.year().cast(pl.Int64) * 10000 + month.cast(pl.Int64) * 100 + day.cast(pl.Int64)).alias("birth_date"),
        pl.when(day <= 12).then(bd.dt.year().cast(pl.Int64) * 10000 + day.cast(pl.Int64) * 100 + month.cast(pl.Int64))
        .otherwise(None).alias("bd_swapped"),
        (bd.dt.year().cast(pl.Int64) * 10000 + pl.min_horizontal(day, month).cast(pl.Int64) * 100
         + pl.max_horizontal(day, month).cast(pl.Int64)).alias("bd_canon"),
        pl.col("sex").cast(pl.Int16),
        pl.col("village").cast(pl.String),
        pl.col("village").cast(pl.String).str.slice(0, 8).alias("kecamatan"),
    )


def _settings(threshold_levels: tuple[float, float] = (0.94, 0.88), nik_u: dict[str, float] | None = None):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    high, low = threshold_levels
    name = cl.CustomComparison(
        output_column_name="name_key",
        comparison_levels=[
            cll.NullLevel("name_key"),
            cll.ExactMatchLevel("name_key", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("name_key", high),
            cll.JaroWinklerLevel("name_key", low),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            # frequent dates (30 June, 31 December: "date unknown") weigh less than rare ones
            cll.ExactMatchLevel("birth_date", term_frequency_adjustments=True),
            cll.CustomLevel("birth_date_l = bd_swapped_r", label_for_charts="day and month swapped"),
            cll.CustomLevel("birth_date_l // 10000 = birth_date_r // 10000", label_for_charts="same year"),
            cll.ElseLevel(),
        ],
    )
    place = cl.CustomComparison(
        output_column_name="village",
        comparison_levels=[
            cll.NullLevel("village"),
            cll.ExactMatchLevel("village"),
            cll.CustomLevel("kecamatan_l = kecamatan_r", label_for_charts="same kecamatan"),
            cll.ElseLevel(),
        ],
    )
    u = nik_u or DEFAULT_NIK_U
    nik = cl.CustomComparison(
        output_column_name="nik",
        comparison_levels=[
            cll.NullLevel("nik"),
            # Random sampling almost never draws two records with one NIK, and Splink then falls back to a
            # default u far too high: a NIK is one person's, so two other records share it about 1 in n.
            cll.ExactMatchLevel("nik").configure(u_probability=u["exact"], fix_u_probability=True),
            # One digit of the encoded birth date mistyped, region and serial equal: a typing slip.
            cll.CustomLevel(
                "hamming(nik_l, nik_r) = 1 and substr(nik_l, 7, 6) <> substr(nik_r, 7, 6)",
                label_for_charts="one digit of the NIK's date mistyped",
            ).configure(u_probability=u["date_digit"], fix_u_probability=True),
            # One digit apart elsewhere: as often two neighbours born the same day (serial 0001 and 0002) as a
            # slip, so its u is what it is among people who share name and birth date, not among random pairs.
            cll.CustomLevel("hamming(nik_l, nik_r) = 1", label_for_charts="one digit apart")
            .configure(u_probability=u["one_digit"], fix_u_probability=True),
            # Two or more digits apart: two NIKs, two people (a slip changes one digit).
            cll.ElseLevel().configure(u_probability=u["other"], fix_u_probability=True),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="row_id",
        comparisons=[nik, name, birth, cl.ExactMatch("sex"), place],
        blocking_rules_to_generate_predictions=[
            block_on("nik"),
            block_on("name_key", "bd_canon"),
            block_on("bd_canon", "village"),
            block_on("bd_canon", "kecamatan", "initial"),
        ],
        retain_matching_columns=True,
        additional_columns_to_retain=["id", "family_id", "bd_swapped", "kecamatan"],
        max_iterations=25,
    )


DEFAULT_NIK_U = {"exact": 1e-4, "date_digit": 0.001, "one_digit": 0.05, "other": 0.95}


def nik_u_given_name_and_birth_date(prepared: pl.DataFrame) -> dict[str, float]:
    """How the NIKs of two different people differ when they share name key and birth date (namesakes born
    the same day): the u of the NIK levels, measured on the registry itself, conditional on the fields that
    are compared alongside. Random pairs would make "one digit apart" look like strong evidence; it is not:
    namesakes born the same day in one kecamatan hold NIKs one serial apart. So "one digit apart" takes its
    u among namesakes of one kecamatan, "two or more digits apart" among all namesakes."""
    people = prepared.filter(pl.col("nik").is_not_null() & pl.col("name_key").is_not_null()).select(
        "row_id", "nik", "name_key", "birth_date", "kecamatan")
    pairs = people.join(people, on=["name_key", "birth_date"], suffix="_r").filter(
        (pl.col("row_id") < pl.col("row_id_r")) & (pl.col("nik") != pl.col("nik_r")))
    exact = 1 / max(prepared.height, 2)
    local = pairs.filter(pl.col("kecamatan") == pl.col("kecamatan_r"))
    if local.height < 20:
        return {**DEFAULT_NIK_U, "exact": exact}
    digits = pl.sum_horizontal([
        (pl.col("nik").str.slice(i, 1) != pl.col("nik_r").str.slice(i, 1)).cast(pl.Int32) for i in range(16)])
    date_differs = pl.col("nik").str.slice(6, 6) != pl.col("nik_r").str.slice(6, 6)

    def shares(frame: pl.DataFrame) -> dict[str, float]:
        row = frame.select(
            ((digits == 1) & date_differs).mean().alias("date_digit"),
            ((digits == 1) & ~date_differs).mean().alias("one_digit"),
            (digits >= 2).mean().alias("other"),
        ).row(0, named=True)
        return {key: max(float(value or 0), 1e-4) for key, value in row.items()}

    near, everywhere = shares(local), shares(pairs)
    return {"exact": exact, "date_digit": everywhere["date_digit"], "one_digit": near["one_digit"],
            "other": everywhere["other"]}


def _connection(threads: int | None):
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def train_and_predict(prepared: pl.DataFrame, options: ProbableOptions) -> pl.DataFrame:
    """Splink: train on `prepared` itself, predict above the threshold; one row per candidate pair."""
    from splink import DuckDBAPI, Linker, block_on

    if prepared.height < 2:
        return pl.DataFrame()
    con = _connection(options.threads)
    db_api = DuckDBAPI(connection=con)
    table = db_api.register(prepared.to_arrow(), table_name="registry_people")
    linker = Linker(table, _settings(nik_u=nik_u_given_name_and_birth_date(prepared)), log_level=logging.WARNING)
    # The prior: how many pairs the equal-NIK rule finds, over all pairs (most duplicates keep their NIK).
    n = prepared.height
    try:
        linker.training.estimate_probability_two_random_records_match([block_on("nik")], recall=0.7)
    except Exception:  # no equal NIK at all: one duplicate per thousand people
        linker._settings_obj._probability_two_random_records_match = min(0.5, 2 / max(n, 2) / 1000)
    u_pairs = min(options.u_pairs, max(1000.0, n * (n - 1) / 2))
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=options.seed)
    linker._settings_obj._max_iterations = options.em_iterations
    for rule in (block_on("nik"), block_on("name_key", "birth_date")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception:  # a tiny or uniform registry has no pairs in a block: keep what was learnt
            logging.getLogger(__name__).info("EM skipped for %s", rule)
    predictions = linker.inference.predict(threshold_match_probability=options.threshold)
    result = pl.from_arrow(con.sql(f"select * from {predictions.physical_name}").arrow())
    con.close()
    return result if isinstance(result, pl.DataFrame) else result.to_frame()


def probable_pairs(frame: pl.DataFrame, options: ProbableOptions | None = None) -> pl.DataFrame:
    """Candidate pairs (id_l < id_r by row) with probability, comparison levels and name similarity."""
    options = options or ProbableOptions()
    if frame.height < MIN_RECORDS:
        return empty_pairs()
    prepared = prepare(frame)
    raw = train_and_predict(prepared, options)
    if raw.is_empty():
        return empty_pairs()
    pairs = raw.select(
        pl.col("id_l").alias("left_id"), pl.col("id_r").alias("right_id"),
        pl.col("family_id_l").alias("left_family_id"), pl.col("family_id_r").alias("right_family_id"),
        pl.col("match_probability").alias("probability"),
        pl.col("nik_l"), pl.col("nik_r"), pl.col("name_key_l"), pl.col("name_key_r"),
        pl.col("birth_date_l"), pl.col("birth_date_r"), pl.col("bd_swapped_r"),
        pl.col("sex_l"), pl.col("sex_r"), pl.col("village_l"), pl.col("village_r"),
        pl.col("kecamatan_l"), pl.col("kecamatan_r"),
    ).filter(
        # one NIK twice in one household: its own review kind, never a person match
        ~((pl.col("left_family_id") == pl.col("right_family_id")) & (pl.col("nik_l") == pl.col("nik_r")))
    )
    return pairs.with_columns(pl.Series("name_similarity", similarities(pairs["name_key_l"], pairs["name_key_r"])))


def empty_pairs() -> pl.DataFrame:
    schema = {"left_id": pl.String, "right_id": pl.String, "left_family_id": pl.String,
              "right_family_id": pl.String, "probability": pl.Float64, "nik_l": pl.String, "nik_r": pl.String,
              "name_key_l": pl.String, "name_key_r": pl.String, "birth_date_l": pl.Int64,
              "birth_date_r": pl.Int64, "bd_swapped_r": pl.Int64, "sex_l": pl.Int16, "sex_r": pl.Int16,
              "village_l": pl.String, "village_r": pl.String, "kecamatan_l": pl.String,
              "kecamatan_r": pl.String, "name_similarity": pl.Float64}
    return pl.DataFrame(schema=schema)


def evidence(row: dict) -> list[dict]:
    """Readable per-field evidence for one pair, in Indonesian and English."""
    items: list[dict] = []
    sim = float(row.get("name_similarity") or 0.0)
    items.append({"field": "name", "similarity": round(sim, 2),
                  "text_id": f"nama {sim:.2f} mirip", "text_en": f"name {sim:.2f} similar"})
    nik_l, nik_r = row.get("nik_l"), row.get("nik_r")
    if not nik_l or not nik_r:
        items.append({"field": "nik", "level": "missing", "text_id": "NIK kosong di salah satu",
                      "text_en": "NIK missing on one side"})
    elif nik_l == nik_r:
        items.append({"field": "nik", "level": "equal", "text_id": "NIK sama", "text_en": "NIK equal"})
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
    return items


def evidence_text(items: list[dict], language: str = "en") -> str:
    key = "text_en" if language.startswith("en") else "text_id"
    return ", ".join(item[key] for item in items)
