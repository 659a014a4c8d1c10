"""Exact duplicate kinds, set-based on polars frames:

- one NIK in two (or more) families → a pair per two families;
- one KK number on two (or more) active families → a pair per two families;
- one NIK used twice inside one household → its own kind (a child given a parent's NIK, a typing slip):
  these are different people more often than not, so they never enter the person-match score.

Input `people`: id, family_id, nik, village; input `families`: id, kk_number, village.
"""

from __future__ import annotations

import polars as pl

PAIR_SCHEMA = {"kind": pl.String, "left_id": pl.String, "right_id": pl.String, "left_family_id": pl.String,
               "right_family_id": pl.String, "left_village": pl.String, "right_village": pl.String,
               "value": pl.String}


def _self_pairs(frame: pl.DataFrame, key: str, id_col: str, family_col: str, village_col: str) -> pl.DataFrame:
    """Every unordered pair of rows sharing `key` (groups are small: a NIK or KK is on a handful of rows)."""
    shared = frame.filter(pl.col(key).is_not_null() & (pl.col(key) != "")).filter(pl.len().over(key) > 1)
    left = shared.select(pl.col(key), pl.col(id_col).alias("left_id"), pl.col(family_col).alias("left_family_id"),
                         pl.col(village_col).alias("left_village"))
    right = shared.select(pl.col(key), pl.col(id_col).alias("right_id"),
                          pl.col(family_col).alias("right_family_id"), pl.col(village_col).alias("right_village"))
    return left.join(right, on=key).filter(pl.col("left_id") < pl.col("right_id")).rename({key: "value"})


def exact_pairs(people: pl.DataFrame, families: pl.DataFrame) -> pl.DataFrame:
    nik = _self_pairs(people.select("id", "family_id", "nik", "village"), "nik", "id", "family_id", "village")
    nik = nik.with_columns(
        pl.when(pl.col("left_family_id") == pl.col("right_family_id"))
        .then(pl.lit("nik_in_household")).otherwise(pl.lit("nik_two_families")).alias("kind")
    )
    kk = _self_pairs(families.select("id", "kk_number", "village").with_columns(pl.col("id").alias("family")),
                     "kk_number", "id", "family", "village")
    kk = kk.with_columns(pl.lit("kk_two_families").alias("kind"), pl.lit(None, pl.String).alias("left_id"),
                         pl.lit(None, pl.String).alias("right_id"))
    frames = [f.select(list(PAIR_SCHEMA)).cast(PAIR_SCHEMA) for f in (nik, kk)]
    return pl.concat(frames) if frames else pl.DataFrame(schema=PAIR_SCHEMA)
