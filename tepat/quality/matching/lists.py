"""An external list against the registry: NIK equal, or (no NIK match) name key and birth date equal.
Names on the list compare tolerantly; the evidence says which rule matched."""

from __future__ import annotations

import polars as pl

from tepat.quality.matching.names import name_key_expr, similarities

LIST_FIELDS = ("nik", "name", "birth_date")


def list_matches(rows: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """rows: row_number, nik, name, birth_date (typed). people: id, nik, name_key, birth_date, village, family_id."""
    rows = rows.with_columns(name_key_expr("name").alias("name_key"))
    by_nik = rows.filter(pl.col("nik").is_not_null() & (pl.col("nik") != "")).join(
        people.select("id", "nik", pl.col("name_key").alias("reg_key"), "village", "family_id"), on="nik"
    ).with_columns(pl.lit("nik").alias("rule"))
    rest = rows.filter(~pl.col("row_number").is_in(by_nik["row_number"].implode()))
    by_name = rest.filter(pl.col("birth_date").is_not_null() & (pl.col("name_key") != "")).join(
        people.select("id", pl.col("name_key"), pl.col("name_key").alias("reg_key"), "birth_date", "village",
                      "family_id"), on=["name_key", "birth_date"]
    ).with_columns(pl.lit("name_birth_date").alias("rule"))
    columns = ["row_number", "id", "village", "family_id", "name_key", "reg_key", "rule"]
    found = pl.concat([by_nik.select(columns), by_name.select(columns)])
    return found.with_columns(pl.Series("similarity", similarities(found["name_key"], found["reg_key"]),
                                        dtype=pl.Float64))
