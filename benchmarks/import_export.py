"""Registry import/export benchmark: 1M individuals in the siks layout, against a plain baseline.

One command:

    .venv/bin/python benchmarks/import_export.py --individuals 1000000 --database postgres [--database sqlite]

Steps, each in a fresh Python process (so peak RSS is that step's own):
  generate   demo data (tepat.registry.demo) for Kabupaten Serang → the siks CSV (active members, whole families)
  baseline   polars read of the CSV + PostgreSQL COPY of its raw text columns into an unindexed table
  import     `tepat import-registry FILE --json` into a fresh, migrated database (PostgreSQL and/or SQLite)
  reimport   the same command again: must report zero changes
  export     `tepat export-registry --region 36.04 OUT.csv`
Results: a table on stdout (wall time, rows/s, peak RSS, ratio to the baseline) and results.json in the
work directory. Needs a PostgreSQL server (--pg-url) where it may create and drop the database `tepat_bench`
(or --bench-db).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "36.04"  # Kabupaten Serang
MEAN_ACTIVE_MEMBERS = 3.1  # active members per generated family (the generator's mean size is ≈ 3.3)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The 1M-row siks file is ~212 MB, over the default upload limit (200 MB) the import also applies to files.
UPLOAD_LIMIT_ENV = {"TEPAT_UPLOAD_MAX_IMPORT_MB": "1024"}


def _django(database_url: str) -> None:
    os.environ.update(UPLOAD_LIMIT_ENV)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.django.local"}
    result = subprocess.run([sys.executable, "-m", "tepat", *args], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout


# --- steps (run in their own process) --------------------------------------------------------------

def step_generate(args: argparse.Namespace) -> dict:
    """Demo data → the siks CSV. Uses the database only to read the villages."""
    _django(args.url)
    import polars as pl

    from tepat.registry import choices as c
    from tepat.registry.demo import demo_generate_for_region
    from tepat.registry.transfer.presets import SIKS, SIKS_LABELS

    started = time.perf_counter()
    families = int(args.individuals / MEAN_ACTIVE_MEMBERS) + 1000
    data = demo_generate_for_region(region_code=REGION, families=families, seed=args.seed)
    active = data.individuals.filter(pl.col("presence").is_in([int(p) for p in c.ACTIVE_PRESENCE]))
    # Whole families, in order, until there are enough rows.
    sizes = active.group_by("family_id", maintain_order=True).len().with_columns(pl.col("len").cum_sum().alias("upto"))
    keep = sizes.filter(pl.col("upto") - pl.col("len") < args.individuals).get_column("family_id")
    active = active.filter(pl.col("family_id").is_in(keep.implode()))
    programs = data.programs.group_by("family_id").agg(
        *(pl.col("program").is_in([p]).any().alias(p) for p in ("pkh", "bpnt", "pbi_jk")))
    fam = data.families.rename({"id": "family_id"}).join(programs, on="family_id", how="left")
    frame = active.join(fam.select("family_id", "kk_number", "region_code", "province_name", "regency_name",
                                   "district_name", "village_name", "address", "rt", "rw",
                                   *(pl.col(p).fill_null(False).alias(f"prog_{p}") for p in ("pkh", "bpnt", "pbi_jk"))),
                        on="family_id", how="inner")
    yes_no = {True: "Y", False: "T"}

    def label(name: str) -> pl.Expr:
        return pl.col(name).replace_strict(SIKS_LABELS[name], default=None, return_dtype=pl.String)

    values = {
        "external_id": pl.col("external_id"), "province_name": pl.col("province_name").str.to_uppercase(),
        "regency_name": pl.col("regency_name").str.to_uppercase(),
        "district_name": pl.col("district_name").str.to_uppercase(),
        "village_name": pl.col("village_name").str.to_uppercase(), "region_code": pl.col("region_code"),
        "address": pl.col("address"), "rt": pl.col("rt"), "rw": pl.col("rw"), "kk_number": pl.col("kk_number"),
        "nik": pl.col("nik"), "name": pl.col("name"), "sex": label("sex"), "birth_place": pl.col("birth_place"),
        "birth_date": pl.col("birth_date").dt.strftime("%d-%m-%Y"), "relation": label("relation"),
        "marital_status": label("marital_status"), "occupation": pl.col("occupation"),
        "program_pkh": pl.col("prog_pkh").replace_strict(yes_no, return_dtype=pl.String),
        "program_bpnt": pl.col("prog_bpnt").replace_strict(yes_no, return_dtype=pl.String),
        "program_pbi_jk": pl.col("prog_pbi_jk").replace_strict(yes_no, return_dtype=pl.String),
    }
    out = frame.select([values[col.field].alias(col.header) for col in SIKS.columns])
    path = Path(args.workdir) / "dtks_siks.csv"
    out.write_csv(path, separator=";")
    return {"seconds": time.perf_counter() - started, "rows": out.height,
            "families": int(frame.get_column("family_id").n_unique()), "bytes": path.stat().st_size,
            "peak_rss_mb": peak_rss_mb()}


def step_baseline(args: argparse.Namespace) -> dict:
    """The floor under any import: read the file with polars, COPY its raw columns into a bare table."""
    import io

    import polars as pl
    import psycopg

    path = Path(args.workdir) / "dtks_siks.csv"
    started = time.perf_counter()
    frame = pl.read_csv(path, separator=";", infer_schema=False)
    read_seconds = time.perf_counter() - started
    columns = [f"c{i}" for i in range(frame.width)]
    with psycopg.connect(args.url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute(f"CREATE TABLE bench_raw ({', '.join(f'{c} text' for c in columns)})")
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        data = buffer.getvalue()
        with conn.cursor() as cur, cur.copy(f"COPY bench_raw ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start:start + (1 << 20)])
        conn.commit()
        rows = conn.execute("SELECT count(*) FROM bench_raw").fetchone()[0]
        conn.execute("DROP TABLE bench_raw")
    return {"seconds": time.perf_counter() - started, "read_seconds": read_seconds, "rows": rows,
            "peak_rss_mb": peak_rss_mb()}


def step_import(args: argparse.Namespace) -> dict:
    _django(args.url)
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    # The registry-import size limit (200 MB, tepat.core.uploads) is below a 3M-person file (~630 MB):
    # lifted here, as an office importing a province would set TEPAT_UPLOAD_LIMITS.
    settings.TEPAT_UPLOAD_LIMITS = {**getattr(settings, "TEPAT_UPLOAD_LIMITS", {}), "registry_import": 8 << 30}
    path = Path(args.workdir) / "dtks_siks.csv"
    out = StringIO()
    started = time.perf_counter()
    call_command("import-registry", str(path), "--json", stdout=out)
    seconds = time.perf_counter() - started
    summary = json.loads(out.getvalue())
    return {"seconds": seconds, "rows": summary["rows_read"], "summary": summary, "peak_rss_mb": peak_rss_mb()}


def step_export(args: argparse.Namespace) -> dict:
    _django(args.url)
    from tepat.core.actors import SYSTEM
    from tepat.registry.transfer.exporter import registry_export

    path = Path(args.workdir) / f"export_{args.label}.{args.format}"
    started = time.perf_counter()
    result = registry_export(actor=SYSTEM, region_code=REGION, out=path, fmt=args.format, preset="siks")
    return {"seconds": time.perf_counter() - started, "rows": result.rows, "families": result.families,
            "bytes": path.stat().st_size, "peak_rss_mb": peak_rss_mb()}


STEPS = {"generate": step_generate, "baseline": step_baseline, "import": step_import, "export": step_export}


# --- driver ------------------------------------------------------------------------------------------

def run_step(name: str, args: argparse.Namespace, url: str, **extra: str) -> dict:
    """Run one step in a fresh process; its JSON result, with the machine's load average around it
    (other work on the machine shows up there)."""
    command = [sys.executable, __file__, "--step", name, "--url", url, "--workdir", str(args.workdir),
               "--individuals", str(args.individuals), "--seed", str(args.seed)]
    for key, value in extra.items():
        command += [f"--{key}", value]
    print(f"== {name} {extra or ''}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"step {name} failed:\n{result.stderr[-4000:]}\n{result.stdout[-2000:]}")
    step = json.loads(result.stdout.strip().splitlines()[-1])
    step["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return step


def fresh_postgres(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def prepare_database(url: str) -> None:
    _manage(url, "migrate", "-v0")
    _manage(url, "load-regions", "--province", REGION[:2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--database", action="append", choices=["postgres", "sqlite"])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="An admin connection; the benchmark creates and drops the database --bench-db")
    parser.add_argument("--bench-db", "--pg-db", dest="bench_db", default="tepat_bench",
                        help="The PostgreSQL database the benchmark (re)creates")
    parser.add_argument("--import-only", action="store_true",
                        help="generate, baseline and import only (no re-import, no export): the growth runs")
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--xlsx", action="store_true", help="Also time an XLSX export (slow: cell by cell)")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="pg", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir = Path(args.workdir)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.step:
        print(json.dumps(STEPS[args.step](args), default=str))
        return

    databases = args.database or ["postgres"]
    results: dict = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "individuals": args.individuals, "steps": {},
    }
    pg_url = fresh_postgres(args.pg_url, args.bench_db)
    prepare_database(pg_url)
    steps = results["steps"]
    steps["generate"] = run_step("generate", args, pg_url)
    steps["baseline"] = run_step("baseline", args, pg_url)
    if "postgres" in databases:
        steps["import_postgres"] = run_step("import", args, pg_url)
        if not args.import_only:
            steps["reimport_postgres"] = run_step("import", args, pg_url)
            steps["export_postgres"] = run_step("export", args, pg_url, label="pg", format="csv")
        if args.xlsx and not args.import_only:
            steps["export_postgres_xlsx"] = run_step("export", args, pg_url, label="pg", format="xlsx")
    if "sqlite" in databases:
        db = args.workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        sqlite_url = f"sqlite:///{db}"
        prepare_database(sqlite_url)
        steps["import_sqlite"] = run_step("import", args, sqlite_url)
        steps["reimport_sqlite"] = run_step("import", args, sqlite_url)
        steps["export_sqlite"] = run_step("export", args, sqlite_url, label="sqlite", format="csv")
    baseline = steps["baseline"]["seconds"]
    for step in steps.values():
        step["rows_per_second"] = round(step["rows"] / step["seconds"]) if step.get("seconds") else None
        step["ratio_to_baseline"] = round(step["seconds"] / baseline, 2)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"\n{results['command']}\n{results['date']} · {results['machine']}\n")
    print("| step | rows | wall time (s) | rows/s | peak RSS (MB) | × baseline | load avg before → after |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, step in steps.items():
        before, after = step["load_average"]
        print(f"| {name} | {step['rows']:,} | {step['seconds']:.1f} | {step['rows_per_second'] or 0:,} | "
              f"{step['peak_rss_mb']:.0f} | {step['ratio_to_baseline']} | {before} → {after} |")
    for name in ("import_postgres", "reimport_postgres", "import_sqlite", "reimport_sqlite"):
        if name in steps:
            summary = steps[name]["summary"]
            print(f"\n{name}: " + ", ".join(f"{k}={summary[k]}" for k in (
                "rows_read", "rows_accepted", "rows_rejected", "warnings", "families_created", "families_updated",
                "families_unchanged", "individuals_created", "individuals_updated", "individuals_unchanged",
                "programs_added")))
            print(f"  timings (s): {summary.get('timings')}")


if __name__ == "__main__":
    main()
