"""The duplicate search with the same Splink settings on DuckDB and on Spark (local mode), and the pairs
compared: the code path a national run (DTSEN, 286M people) would take on a Spark cluster.

    .venv/bin/pip install -e ".[spark]"          # pyspark 4.x; needs a Java 17+ runtime
    .venv/bin/python benchmarks/spark_duplicates.py --individuals 20000 [--work DIR] [--cores 2]

Steps: the quality benchmark's generator writes a synthetic district with planted second listings
(`benchmarks/quality.py --step generate`); the polars pre-step of `tepat.quality.matching.probable`
prepares the records and sets the model (`features`, `estimate`: m judged, u measured, nothing trained);
then the same `splink_settings(model)` and term-frequency tables are scored by Splink twice: DuckDB
(`engine.splink_predict`, what the app runs) and Spark (`SparkAPI`, `local[N]`). Splink's Spark backend
brings Jaro-Winkler and Damerau-Levenshtein as Scala UDFs from its own jar; DuckDB's `hamming` (the NIK
levels) and `list_contains` (the household level) have no Spark built-in of that name and are registered
here as Spark SQL functions (Python UDFs), so the settings stay the same dictionary. Prints JSON: seconds of each
backend, pairs found by each at p >= threshold, pairs in both / only one, the largest probability
difference on the common pairs, and precision/recall of each against the planted truth.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def spark_session(cores: int, work: Path):
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # local mode: the driver and its executors on loopback only
    session = (SparkSession.builder.master(f"local[{cores}]").appName("tepat-duplicates")
            .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
            .config("spark.driver.memory", "2g").config("spark.ui.enabled", "false")
            .getOrCreate())
    session.sparkContext.setCheckpointDir(str(work / "spark-checkpoints"))  # Splink breaks lineage there
    return session


def register_duckdb_functions(spark) -> None:
    """The two DuckDB functions of the settings that Spark lacks, under their DuckDB names (Python UDFs):
    hamming(a, b), the number of positions that differ (strings of one length), and list_contains(list, x)
    (Spark's own is array_contains). Splink's jar brings jaro_winkler and damerau_levenshtein."""
    from pyspark.sql.types import BooleanType, IntegerType

    def hamming(a, b):
        if a is None or b is None or len(a) != len(b):
            return None
        return sum(1 for x, y in zip(a, b, strict=True) if x != y)

    def list_contains(values, value):
        return None if values is None or value is None else value in values

    spark.udf.register("hamming", hamming, IntegerType())
    spark.udf.register("list_contains", list_contains, BooleanType())


def spark_predict(spark, people, model, threshold: float):
    import polars as pl
    import polars.selectors as cs
    from splink import Linker, SparkAPI

    from tepat.quality.matching.probable.engine import SPLINK_COLUMNS
    from tepat.quality.matching.probable.model import (
        TYPICAL_DATE_TF,
        TYPICAL_NAME_TF,
        splink_settings,
        term_frequencies,
    )

    def arrow(frame):  # Spark's Arrow reader has no unsigned integers: the same bits as signed (keys are
        # only compared for equality)
        return frame.with_columns(cs.unsigned_integer().reinterpret(signed=True)).to_arrow()

    db_api = SparkAPI(spark_session=spark, num_partitions_on_repartition=4)
    register_duckdb_functions(spark)
    table = db_api.register(spark.createDataFrame(arrow(people.select(SPLINK_COLUMNS))), table_name="people")
    linker = Linker(table, splink_settings(model), log_level=logging.WARNING)
    for column, typical in (("key", TYPICAL_NAME_TF), ("birth_date", TYPICAL_DATE_TF)):
        tf = term_frequencies(people, column, typical)
        linker.table_management.register_term_frequency_lookup(
            db_api.register(spark.createDataFrame(arrow(tf))), column)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    frame = predictions.as_spark_dataframe().selectExpr(
        "row_id_l as l", "row_id_r as r", "match_weight", "match_probability as probability").toArrow()
    return pl.from_arrow(frame).cast({"l": pl.Int64, "r": pl.Int64, "match_weight": pl.Float64,
                                       "probability": pl.Float64})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--individuals", type=int, default=20_000)
    parser.add_argument("--work", default=str(ROOT / "benchmarks" / "out" / "spark"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.test"}
    generated = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "quality.py"), "--step", "generate", "--individuals",
         str(args.individuals), "--work", str(work), "--seed", str(args.seed)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import polars as pl

    from tepat.quality.matching.probable.engine import ProbableOptions, features, splink_predict
    from tepat.quality.matching.probable.model import estimate

    people_in = pl.read_parquet(work / "people.parquet")
    options = ProbableOptions(threshold=args.threshold)
    people, links = features(people_in, options)
    model = estimate(people, links, u_pairs=options.u_pairs, seed=options.seed)

    load_before = os.getloadavg()
    started = time.perf_counter()
    duck = splink_predict(people, model, args.threshold)
    duck_seconds = time.perf_counter() - started

    started = time.perf_counter()
    spark = spark_session(args.cores, work)
    session_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sparked = spark_predict(spark, people, model, args.threshold)
    spark_seconds = time.perf_counter() - started
    spark.stop()

    def pairs(frame) -> set:
        return {(min(a, b), max(a, b)) for a, b in zip(frame["l"], frame["r"], strict=True)}

    d, s = pairs(duck), pairs(sparked)
    both = duck.join(sparked, on=["l", "r"], suffix="_spark")
    ids = people.select("row_id", "id")
    person = dict(zip(people_in["id"], people_in["person"], strict=True))
    id_of = dict(zip(ids["row_id"], ids["id"], strict=True))
    groups = people_in.filter(pl.len().over("person") > 1)
    truth = {tuple(sorted(p)) for p in groups.group_by("person").agg(pl.col("id")).get_column("id").to_list()
             if len(p) == 2}

    def score(found: set) -> dict:
        as_ids = {tuple(sorted((id_of[a], id_of[b]))) for a, b in found}
        tp = sum(1 for a, b in as_ids if person.get(a) == person.get(b))
        return {"pairs": len(found), "precision": round(tp / len(found), 4) if found else 0.0,
                "recall_of_planted": round(len(as_ids & truth) / len(truth), 4) if truth else 0.0}

    print(json.dumps({
        "individuals": people.height, "generate": json.loads(generated.stdout.strip().splitlines()[-1])["seconds"],
        "threshold": args.threshold, "cores": args.cores,
        "duckdb": {"seconds": round(duck_seconds, 2), **score(d)},
        "spark": {"seconds": round(spark_seconds, 2), "session_start_seconds": round(session_seconds, 2), **score(s)},
        "pairs_in_both": len(d & s), "only_duckdb": len(d - s), "only_spark": len(s - d),
        "max_probability_difference": round(float((both["probability"] - both["probability_spark"]).abs().max() or 0), 6),
        "max_match_weight_difference": round(float((both["match_weight"] - both["match_weight_spark"]).abs().max() or 0), 6),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
