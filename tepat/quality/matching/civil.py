"""Comparison of registry individuals with a civil-registry (Dukcapil) extract, set-based.

Per individual: matched (padan); not matched because the NIK is unknown, the name differs or the birth
date differs; died; moved. Names compare tolerantly (`names.similarities` on name keys), dates exactly.
Columns of `people`: id, nik, name, birth_date, sex. Columns of `extract` (see `adapters.EXTRACT_COLUMNS`):
nik, name, birth_date, sex, and optionally kk_number, birth_place, address, death_date, move_date,
move_destination.
"""

from __future__ import annotations

import polars as pl

from tepat.quality.matching.names import name_key_expr, similarities

NAME_THRESHOLD = 0.85

RESULT_SCHEMA = {"id": pl.String, "result": pl.String, "name_similarity": pl.Float64,
                 "event_date": pl.Date, "destination": pl.String, "dukcapil_name": pl.String,
                 "dukcapil_birth_date": pl.Date}


def _extract_frame(extract: pl.DataFrame) -> pl.DataFrame:
    for column, dtype in (("death_date", pl.Date), ("move_date", pl.Date), ("move_destination", pl.String)):
        if column not in extract.columns:
            extract = extract.with_columns(pl.lit(None, dtype).alias(column))
    return (
        extract.filter(pl.col("nik").is_not_null() & (pl.col("nik") != ""))
        .unique("nik", keep="first", maintain_order=True)
        .select(pl.col("nik"), pl.col("name").alias("d_name"), pl.col("birth_date").cast(pl.Date).alias("d_birth"),
                pl.col("death_date").cast(pl.Date), pl.col("move_date").cast(pl.Date),
                pl.col("move_destination").cast(pl.String))
    )


def civil_compare(people: pl.DataFrame, extract: pl.DataFrame, *,
                  name_threshold: float = NAME_THRESHOLD) -> pl.DataFrame:
    """One row per person: id, result, name_similarity, event_date, destination, Dukcapil's name and date."""
    if people.is_empty():
        return pl.DataFrame(schema=RESULT_SCHEMA)
    joined = people.select("id", "nik", "name", pl.col("birth_date").cast(pl.Date)).join(
        _extract_frame(extract), on="nik", how="left")
    joined = joined.with_columns(name_key_expr("name").alias("k_l"), name_key_expr("d_name").alias("k_r"))
    joined = joined.with_columns(pl.Series("name_similarity", similarities(joined["k_l"], joined["k_r"])))
    result = (
        pl.when(pl.col("d_name").is_null() & pl.col("d_birth").is_null()).then(pl.lit("nik_unknown"))
        .when(pl.col("death_date").is_not_null()).then(pl.lit("died"))
        .when(pl.col("move_date").is_not_null()).then(pl.lit("moved"))
        .when(pl.col("name_similarity") < name_threshold).then(pl.lit("name_differs"))
        .when(pl.col("birth_date") != pl.col("d_birth")).then(pl.lit("birth_date_differs"))
        .otherwise(pl.lit("matched"))
    )
    return joined.select(
        pl.col("id").cast(pl.String), result.alias("result"),
        pl.when(pl.col("d_name").is_null()).then(None).otherwise(pl.col("name_similarity")).alias("name_similarity"),
        pl.coalesce("death_date", "move_date").alias("event_date"),
        pl.col("move_destination").alias("destination"),
        pl.col("d_name").alias("dukcapil_name"), pl.col("d_birth").alias("dukcapil_birth_date"),
    ).cast(RESULT_SCHEMA)
