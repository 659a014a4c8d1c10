"""The duplicate search on Splink in DuckDB: polars prepares the records (compared columns, capped blocking keys,
household context), Splink blocks, compares and scores in DuckDB with the fixed model of `model.py`, polars
keeps each record's best pair between two families and adds the readable columns."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import polars as pl

from tepat.quality.matching.names import similarities
from tepat.quality.matching.probable.features import block_keys, household_links, prepare, with_household
from tepat.quality.matching.probable.model import (
    DEFAULT_THRESHOLD,
    TYPICAL_DATE_TF,
    TYPICAL_NAME_TF,
    Model,
    estimate,
    splink_settings,
    term_frequencies,
)

logger = logging.getLogger(__name__)

SPLINK_COLUMNS = ["row_id", "family", "nik", "nik_ok", "key", "key_sorted", "birth_date", "bd_swapped",
                  "bd_canon", "sex", "village_code", "kecamatan_code", "b_nik", "b_name", "b_prefix", "b_kec",
                  "b_village", "b_hh", "linked1", "linked2"]


@dataclass(frozen=True, slots=True)
class ProbableOptions:
    threshold: float = DEFAULT_THRESHOLD
    u_pairs: float = 2e5  # random pairs sampled for the u of name similarity
    seed: int = 1
    max_block: int = 2000
    threads: int | None = None  # DuckDB threads (None: DuckDB's default, every core)
    em_iterations: int = 0  # kept for stored run options; nothing is trained


def features(frame: pl.DataFrame, options: ProbableOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The polars pre-step: (records with every column Splink compares or blocks on, linked family pairs)."""
    people = block_keys(prepare(frame), options.max_block)
    links = household_links(people)
    return with_household(people, links), links


def splink_predict(people: pl.DataFrame, model: Model, threshold: float | None,
                   threads: int | None = None) -> pl.DataFrame:
    """Splink's predict in an in-memory DuckDB: (l, r, match_weight, probability) at p >= threshold."""
    from splink import DuckDBAPI, Linker

    for name in ("splink", "sqlglot"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # the comparisons without a null level (NIK with place, sex, household) need none: missing is a level
    logging.getLogger("splink.internals.settings").setLevel(logging.ERROR)
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        db_api = DuckDBAPI(connection=con)
        table = db_api.register(people.select(SPLINK_COLUMNS).to_arrow(), table_name="people")
        linker = Linker(table, splink_settings(model), log_level=logging.WARNING)
        for column, typical in (("key", TYPICAL_NAME_TF), ("birth_date", TYPICAL_DATE_TF)):
            tf = db_api.register(term_frequencies(people, column, typical).to_arrow())
            linker.table_management.register_term_frequency_lookup(tf, column)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        out = con.sql(f"select row_id_l as l, row_id_r as r, match_weight, match_probability as probability "
                      f"from {predictions.physical_name}").pl()
    finally:
        con.close()
    return out.cast({"l": pl.Int64, "r": pl.Int64, "match_weight": pl.Float64, "probability": pl.Float64})


def best_between_families(scored: pl.DataFrame) -> pl.DataFrame:
    """One person is listed at most once in a family: between two families each record keeps its best pair
    (twins of a household listed twice are not each other's second listing)."""
    sides = pl.concat([
        scored.select("l", "r", "match_weight", pl.col("l").alias("record"), pl.col("family_id_r").alias("other")),
        scored.select("l", "r", "match_weight", pl.col("r").alias("record"), pl.col("family_id").alias("other")),
    ])
    beaten = sides.filter(pl.col("match_weight") < pl.col("match_weight").max().over("record", "other"))
    return scored.join(beaten.select("l", "r").unique(), on=["l", "r"], how="anti")


def probable_pairs(frame: pl.DataFrame, options: ProbableOptions | None = None) -> pl.DataFrame:
    """Candidate pairs at p >= threshold, with probability, comparison values and name similarity."""
    options = options or ProbableOptions()
    if frame.height < 2:
        return empty_pairs()
    people, links = features(frame, options)
    model = estimate(people, links, u_pairs=options.u_pairs, seed=options.seed)
    logger.debug("duplicate model %s", model.as_dict())
    found = splink_predict(people, model, options.threshold, options.threads)
    if found.is_empty():
        return empty_pairs()
    cols = ["row_id", "id", "family_id", "family", "nik", "name_key", "key", "key_sorted", "birth_date", "bd_swapped", "sex",
            "village", "kecamatan", "bd_canon"]
    side = people.select(cols)
    found = (found.join(side, left_on="l", right_on="row_id")
             .join(side.rename({c: f"{c}_r" for c in cols}), left_on="r", right_on="row_id_r"))
    found = best_between_families(found)
    # the other members of both families who are the same person (this pair itself not counted)
    strong = ((pl.col("key") == pl.col("key_r")) & (pl.col("bd_canon") == pl.col("bd_canon_r"))) | (
        pl.col("nik") == pl.col("nik_r"))
    found = found.with_columns(pl.min_horizontal("family", "family_r").alias("fa"),
                               pl.max_horizontal("family", "family_r").alias("fb")).join(
        links.select("fa", "fb", "links"), on=["fa", "fb"], how="left").with_columns(
        (pl.col("links").fill_null(0).cast(pl.Int64) - strong.fill_null(False).cast(pl.Int64)).clip(0, None)
        .alias("household"),
        pl.Series("name_similarity", similarities(found["key"], found["key_r"], found["key_sorted"],
                                                  found["key_sorted_r"]), dtype=pl.Float64))
    return found.sort("l", "r").select(
        pl.col("id").alias("left_id"), pl.col("id_r").alias("right_id"),
        pl.col("family_id").alias("left_family_id"), pl.col("family_id_r").alias("right_family_id"),
        "probability", pl.col("nik").alias("nik_l"), "nik_r", pl.col("name_key").alias("name_key_l"),
        "name_key_r", pl.col("birth_date").alias("birth_date_l"), "birth_date_r", "bd_swapped_r",
        pl.col("sex").alias("sex_l"), "sex_r", pl.col("village").alias("village_l"), "village_r",
        pl.col("kecamatan").alias("kecamatan_l"), "kecamatan_r", "name_similarity", "household",
    ).cast(PAIR_SCHEMA)


PAIR_SCHEMA = {"left_id": pl.String, "right_id": pl.String, "left_family_id": pl.String,
               "right_family_id": pl.String, "probability": pl.Float64, "nik_l": pl.String, "nik_r": pl.String,
               "name_key_l": pl.String, "name_key_r": pl.String, "birth_date_l": pl.Int64,
               "birth_date_r": pl.Int64, "bd_swapped_r": pl.Int64, "sex_l": pl.Int16, "sex_r": pl.Int16,
               "village_l": pl.String, "village_r": pl.String, "kecamatan_l": pl.String,
               "kecamatan_r": pl.String, "name_similarity": pl.Float64, "household": pl.Int64}


def empty_pairs() -> pl.DataFrame:
    return pl.DataFrame(schema=PAIR_SCHEMA)
