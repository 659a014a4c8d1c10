"""Data-quality benchmark: duplicate candidates and stale-record flags on a synthetic district with planted
ground truth, side by side with Splink's default pipeline on the same data.

One command per population:

    .venv/bin/python benchmarks/quality.py --individuals 1000000 --repeat 3 --generator demo
    .venv/bin/python benchmarks/quality.py --individuals 1000000 --repeat 3 --generator independent

Steps, each in a fresh Python process (so peak RSS is that step's own):
  generate  demo district (`tepat.registry.demo.generate`, Kabupaten Serang codes), then planted on top:
            duplicates (a second listing of a person in another family — 55% in the same desa, 40% in another
            desa of the same kecamatan, 5% elsewhere in the district — with a name typo, day and month swapped,
            the NIK missing, the NIK mistyped by one digit, a title/spelling variant, or nothing changed) and
            stale records (alive in the registry, died or moved in the civil-registry extract); ground truth
            kept beside the data (parquet files in the work directory).
            `--generator independent`: instead, the population written independently of the demo one
            (`tepat.quality.synthetic`: other name sources, Zipf-like name frequencies, twins, namesakes,
            heaped dates, households listed again after a move, second listings in another family)
  tepat     this app's engine: exact kinds (polars) + probable pairs (Splink on DuckDB with m judged and u
            measured on the data in polars, nothing trained; `tepat.quality.matching.probable`, ADR 0016) +
            civil-registry comparison (`matching.civil`) → flags
  splink    Splink's default pipeline on the same people: u by random sampling (max_pairs 1e6), EM on equal
            NIK and on equal name + birth date, predict at p ≥ threshold, cluster at the threshold
Results: a table on stdout and results.json in the work directory. Pairwise precision/recall/F1 count a
candidate pair as true when both records are listings of one planted person. No database is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUPLICATE_SHARE = 0.05
DIED_SHARE = 0.02
MOVED_SHARE = 0.02
NOT_IN_EXTRACT_SHARE = 0.005
MEAN_MEMBERS = 3.15  # active members per generated family
AS_OF = date(2026, 6, 30)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def villages():
    from tepat.registry.demo import VillageInfo

    return [VillageInfo(code=f"36.04.{k:02d}.{2000 + j:04d}", name=f"Desa {k}-{j}", district_name=f"Kecamatan {k}",
                        regency_name="Serang", province_name="Banten")
            for k in range(1, 30) for j in range(1, 12)]


# --- generate ------------------------------------------------------------------------------------------

def _typo(names, rng):
    """One keyboard slip per name: a letter dropped, doubled into a neighbour, or two letters swapped."""
    out = []
    for name, kind, where in zip(names, rng.integers(0, 3, len(names)), rng.random(len(names)), strict=True):
        if len(name) < 4:
            out.append(name + "h")
            continue
        i = 1 + int(where * (len(name) - 2))
        if kind == 0:
            out.append(name[:i] + name[i + 1:])
        elif kind == 1:
            out.append(name[:i] + ("a" if name[i] != "a" else "e") + name[i + 1:])
        else:
            out.append(name[:i - 1] + name[i] + name[i - 1] + name[i + 1:])
    return out


def _variant(names, sexes):
    """A title and an old spelling: still the same name for a tolerant comparison."""
    out = []
    for name, sex in zip(names, sexes, strict=True):
        spelled = name.replace("u", "oe", 1) if "u" in name else name.upper()
        out.append(("Hj. " if sex == 2 else "H. ") + spelled)
    return out


def _mistype_nik(niks, rng):
    out = []
    for nik, pos, step in zip(niks, rng.integers(0, 16, len(niks)), rng.integers(1, 10, len(niks)), strict=True):
        digit = (int(nik[pos]) + int(step)) % 10
        out.append(nik[:pos] + str(digit) + nik[pos + 1:])
    return out


def step_generate(args: argparse.Namespace) -> dict:
    import numpy as np
    import polars as pl

    from tepat.quality.matching.names import name_key_expr
    from tepat.registry import choices as c
    from tepat.registry.demo import generate

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    if args.generator == "independent":
        return _generate_independent(args, work, rng, started)
    families_wanted = int(args.individuals / (1 + DUPLICATE_SHARE) / MEAN_MEMBERS)
    data = generate(villages(), families_wanted, args.seed, as_of=AS_OF)
    fam = data.families.select("id", "kk_number", pl.col("region_code").alias("village"))
    people = (
        data.individuals.filter(pl.col("presence").is_in([int(p) for p in c.ACTIVE_PRESENCE]))
        .join(fam.select(pl.col("id").alias("family_id"), "village"), on="family_id")
        .select("id", "family_id", "external_id", "nik", "name", "sex", "birth_date", "birth_place", "village")
        .with_columns(pl.col("id").alias("person"))
    )
    n = people.height
    n_dup = int(n * DUPLICATE_SHARE / (1 + DUPLICATE_SHARE))
    source_rows = rng.choice(n, n_dup, replace=False)
    src = people[source_rows]
    # where the second listing is: a family of the same desa, of the same kecamatan, or anywhere
    fam_v = fam.with_columns(pl.col("village").str.slice(0, 8).alias("kec"))
    by_village = fam_v.group_by("village").agg(pl.col("id")).to_dict(as_series=False)
    by_kec = fam_v.group_by("kec").agg(pl.col("id")).to_dict(as_series=False)
    village_families = dict(zip(by_village["village"], by_village["id"], strict=True))
    kec_families = dict(zip(by_kec["kec"], by_kec["id"], strict=True))
    all_families = fam["id"].to_list()
    place = rng.random(n_dup)
    target_family = []
    for village, own, p in zip(src["village"], src["family_id"], place, strict=True):
        pool = village_families[village] if p < 0.55 else kec_families[village[:8]] if p < 0.95 else all_families
        choice = pool[int(rng.integers(0, len(pool)))]
        target_family.append(choice if choice != own else pool[(pool.index(choice) + 1) % len(pool)])
    # one change per duplicate (the share of each)
    kind = rng.choice(["typo", "swap", "nik_missing", "nik_mistyped", "variant", "copy", "typo_nik_missing"],
                      n_dup, p=[0.25, 0.15, 0.15, 0.15, 0.10, 0.10, 0.10])
    bd = src["birth_date"]
    swappable = (bd.dt.day() <= 12) & (bd.dt.day() != bd.dt.month())
    kind = np.where((kind == "swap") & ~swappable.to_numpy(), "typo", kind)
    names = src["name"].to_list()
    typos = _typo(names, rng)
    variants = _variant(names, src["sex"].to_list())
    mistyped = _mistype_nik(src["nik"].to_list(), rng)
    new_name = [t if k in ("typo", "typo_nik_missing") else v if k == "variant" else nm
                for k, nm, t, v in zip(kind, names, typos, variants, strict=True)]
    new_nik = ["" if k in ("nik_missing", "typo_nik_missing") else m if k == "nik_mistyped" else s
               for k, s, m in zip(kind, src["nik"], mistyped, strict=True)]
    swapped = pl.Series([d.replace(day=d.month, month=d.day) if d.day <= 12 and d.day != d.month else d
                         for d in bd.to_list()])
    new_bd = pl.Series("birth_date", np.where(kind == "swap", swapped.to_numpy(), bd.to_numpy()))
    fam_village = dict(zip(fam["id"], fam["village"], strict=True))
    dups = pl.DataFrame({
        "id": [f"dup-{i:07d}" for i in range(n_dup)],
        "family_id": target_family,
        "external_id": [f"DTKS-DUP-{i:07d}" for i in range(n_dup)],
        "nik": new_nik,
        "name": new_name,
        "sex": src["sex"],
        "birth_date": new_bd.cast(pl.Date),
        "birth_place": src["birth_place"],
        "village": [fam_village[f] for f in target_family],
        "person": src["person"],
    }).with_columns(pl.Series("planted", kind))
    people = pl.concat([people.with_columns(pl.lit("").alias("planted")), dups.select([*people.columns, "planted"])])
    people = people.with_columns(name_key_expr("name").alias("name_key"))
    out = _write_with_stale(work, rng, people, fam, src["person"])
    return {"seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": round(peak_rss_mb()),
            "individuals": people.height, "families": fam.height, "planted_duplicates": n_dup,
            "planted_kinds": {k: int((kind == k).sum()) for k in sorted(set(kind))}, **out}


def _generate_independent(args, work, rng, started) -> dict:
    """The population written independently of the demo generator (`tepat.quality.synthetic`)."""
    import polars as pl

    from tepat.quality.matching.names import name_key_expr
    from tepat.quality.synthetic import population

    pop = population(people=args.individuals, seed=args.seed)
    people = pop.people.with_columns(name_key_expr("name").alias("name_key"), pl.col("id").alias("external_id"),
                                     pl.lit("").alias("birth_place"))
    listed_twice = people.filter(pl.col("planted") != "")["person"]
    out = _write_with_stale(work, rng, people, pop.families, listed_twice)
    return {"seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": round(peak_rss_mb()),
            "individuals": people.height, "families": pop.families.height,
            "planted_duplicates": int((people["planted"] != "").sum()),
            "planted_kinds": {k: int(v) for k, v in people.filter(pl.col("planted") != "")
                              .select(pl.col("planted").str.split(":").list.first()).to_series()
                              .value_counts().iter_rows()}, **out}


def _write_with_stale(work, rng, people, fam, listed_twice) -> dict:
    import numpy as np
    import polars as pl

    # stale records among people listed once: died or moved according to the civil registry
    once = people.filter((pl.col("planted") == "") & (pl.col("nik") != "")).filter(
        ~pl.col("person").is_in(listed_twice.implode()))
    stale_rows = rng.choice(once.height, int(people.height * (DIED_SHARE + MOVED_SHARE)), replace=False)
    stale = once[stale_rows].select("id", "nik").with_columns(
        pl.Series("stale", np.where(rng.random(len(stale_rows)) < DIED_SHARE / (DIED_SHARE + MOVED_SHARE),
                                    "died", "moved")))
    # the civil-registry extract: every real person (by original record), names as Dukcapil writes them
    originals = people.filter((pl.col("planted") == "") & (pl.col("nik") != ""))
    keep = rng.random(originals.height) >= NOT_IN_EXTRACT_SHARE
    extract = originals.filter(pl.Series(keep)).select(
        "nik", pl.col("name").str.to_uppercase().alias("name"), "birth_date", "sex", "birth_place",
        pl.col("village").alias("address"),
    ).join(stale.select("nik", "stale"), on="nik", how="left").with_columns(
        pl.when(pl.col("stale") == "died").then(pl.lit(date(2026, 2, 1))).otherwise(None).alias("death_date"),
        pl.when(pl.col("stale") == "moved").then(pl.lit(date(2026, 3, 1))).otherwise(None).alias("move_date"),
        pl.when(pl.col("stale") == "moved").then(pl.lit("Kota Tangerang")).otherwise(None).alias("move_destination"),
    ).drop("stale")
    people.write_parquet(work / "people.parquet")
    fam.write_parquet(work / "families.parquet")
    stale.write_parquet(work / "stale.parquet")
    extract.write_parquet(work / "extract.parquet")
    return {"stale": {"died": int((stale["stale"] == "died").sum()), "moved": int((stale["stale"] == "moved").sum())},
            "extract_rows": extract.height}


# --- the two pipelines ---------------------------------------------------------------------------------

def _truth_pairs(people):
    import polars as pl

    groups = people.filter(pl.len().over("person") > 1).select("id", "person")
    pairs = groups.join(groups, on="person", suffix="_r").filter(pl.col("id") < pl.col("id_r"))
    return set(zip(pairs["id"], pairs["id_r"], strict=True))


def _score(found: set, truth: set) -> dict:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"candidates": len(found), "true_pairs": len(truth), "tp": tp, "fp": len(found) - tp,
            "fn": len(truth) - tp, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _ordered(a, b):
    return (a, b) if a < b else (b, a)


def step_tepat(args: argparse.Namespace) -> dict:
    import polars as pl

    from tepat.quality.matching.civil import civil_compare
    from tepat.quality.matching.exact import exact_pairs
    from tepat.quality.matching.probable import ProbableOptions, probable_pairs

    work = Path(args.work)
    people = pl.read_parquet(work / "people.parquet")
    families = pl.read_parquet(work / "families.parquet")
    truth = _truth_pairs(people)
    started = time.perf_counter()
    exact = exact_pairs(people, families)
    t_exact = time.perf_counter() - started
    probable = probable_pairs(people, ProbableOptions(threshold=args.threshold))
    t_probable = time.perf_counter() - started - t_exact
    # person-match candidates are the scored pairs (the equal-NIK block is one of their blocking rules);
    # exact kinds are separate review kinds and counted apart
    found = {_ordered(a, b) for a, b in zip(probable["left_id"], probable["right_id"], strict=True)}
    seconds_duplicates = time.perf_counter() - started
    # stale records: the civil-registry comparison over the registry as listed
    extract = pl.read_parquet(work / "extract.parquet")
    stale = pl.read_parquet(work / "stale.parquet")
    t0 = time.perf_counter()
    results = civil_compare(people.select("id", "nik", "name", "birth_date", "sex"), extract)
    t_civil = time.perf_counter() - t0
    flagged = results.filter(pl.col("result").is_in(["died", "moved"]))
    planted = dict(zip(stale["id"], stale["stale"], strict=True))
    right = sum(1 for i, r in zip(flagged["id"], flagged["result"], strict=True) if planted.get(i) == r)
    return {
        "seconds": round(seconds_duplicates, 2), "seconds_exact": round(t_exact, 2),
        "seconds_probable": round(t_probable, 2), "peak_rss_mb": round(peak_rss_mb()),
        "exact_pairs": {k: int(v) for k, v in exact.group_by("kind").len().iter_rows()},
        "probable_pairs": probable.height, **_score(found, truth),
        "stale": {"seconds": round(t_civil, 2), "planted": len(planted), "flagged": flagged.height,
                  "found": right, "found_share": round(right / len(planted), 4) if planted else 0,
                  "false_flags": flagged.height - right,
                  "false_share": round((flagged.height - right) / flagged.height, 4) if flagged.height else 0,
                  "results": {k: int(v) for k, v in results.group_by("result").len().iter_rows()}},
    }


def step_splink(args: argparse.Namespace) -> dict:
    """Splink's default pipeline (as in its documentation's deduplication example)."""
    import logging

    import duckdb
    import polars as pl
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from tepat.quality.matching.probable import prepare

    logging.getLogger("splink").setLevel(logging.WARNING)
    work = Path(args.work)
    people = pl.read_parquet(work / "people.parquet")
    truth = _truth_pairs(people)
    started = time.perf_counter()
    # the same columns, birth date as ISO text (what DateOfBirthComparison expects)
    prepared = prepare(people).with_columns(people["birth_date"].dt.strftime("%Y-%m-%d").alias("birth_date"))
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    table = db_api.register(prepared.to_arrow(), table_name="people")
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="row_id",
        comparisons=[cl.ExactMatch("nik"), cl.NameComparison("name_key"), cl.DateOfBirthComparison(
            "birth_date", input_is_string=True), cl.ExactMatch("sex"), cl.ExactMatch("village")],
        blocking_rules_to_generate_predictions=[block_on("nik"), block_on("name_key", "birth_date"),
                                                block_on("birth_date", "village")],
        additional_columns_to_retain=["id"],
    )
    linker = Linker(table, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("nik")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("nik"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key", "birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, args.threshold)
    seconds = time.perf_counter() - started
    frame = pl.from_arrow(con.sql(f"select id_l, id_r from {predictions.physical_name}").arrow())
    found = {_ordered(a, b) for a, b in zip(frame["id_l"], frame["id_r"], strict=True)}
    n_clusters = con.sql(f"select count(distinct cluster_id) from {clusters.physical_name}").fetchall()[0][0]
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_rss_mb()), "clusters": int(n_clusters),
            **_score(found, truth)}


STEPS = {"generate": step_generate, "tepat": step_tepat, "splink": step_splink}


def run_step(name: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--step", name, "--work", args.work, "--individuals", str(args.individuals),
               "--seed", str(args.seed), "--threshold", str(args.threshold), "--generator", args.generator]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.test"})
    out = json.loads(result.stdout.strip().splitlines()[-1])
    out["process_seconds"] = round(time.perf_counter() - started, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--work", default=str(ROOT / "var" / "bench-quality"))
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--generator", choices=("demo", "independent"), default="demo",
                        help="the population: the demo generator with planted duplicates, or the one written "
                             "independently of it (tepat.quality.synthetic)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run both pipelines this many times, alternately; report the median wall time")
    args = parser.parse_args()
    if args.step:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.test")
        django.setup()
        print(json.dumps(STEPS[args.step](args), default=str))
        return
    results = {"command": " ".join(["python", "benchmarks/quality.py", *sys.argv[1:]]),
               "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python "
                          f"{platform.python_version()}",
               "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")}
    results["generate"] = run_step("generate", args)
    print("generate", json.dumps(results["generate"]), flush=True)
    runs: dict[str, list[dict]] = {}
    for _ in range(max(1, args.repeat)):
        for name in ("tepat", *(() if args.skip_splink else ("splink",))):
            runs.setdefault(name, []).append(run_step(name, args))
            print(name, json.dumps(runs[name][-1]), flush=True)
    for name, outs in runs.items():
        results[name] = {**outs[0], "seconds": statistics.median(o["seconds"] for o in outs),
                         "seconds_all": [o["seconds"] for o in outs],
                         "peak_rss_mb": max(o["peak_rss_mb"] for o in outs)}
    results["load_average"] = os.getloadavg()
    Path(args.work, "results.json").write_text(json.dumps(results, indent=2))
    t, s = results["tepat"], results.get("splink")
    print(f"\n{'pipeline':<10} {'seconds':>8} {'peak MiB':>9} {'precision':>9} {'recall':>7} {'F1':>6}")
    for label, r in (("tepat", t), ("splink", s)):
        if r:
            print(f"{label:<10} {r['seconds']:>8} {r['peak_rss_mb']:>9} {r['precision']:>9} {r['recall']:>7} {r['f1']:>6}")
    print("stale flags:", json.dumps(t["stale"]))


if __name__ == "__main__":
    main()
