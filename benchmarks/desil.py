"""Official desil import benchmark: a desil file for a 300,000-family district, against a polars read baseline.

One command:

    .venv/bin/python benchmarks/desil.py --families 300000 --database sqlite [--database postgres]

Steps, each in a fresh Python process (so the peak RSS reported is that step's own):
  setup      fresh database (SQLite file in the work directory; PostgreSQL database `tepat_target_bench`),
             migrate, Banten's region master, `demo-data --region 36.04 --families N` (not compared)
  file       the demo desil file (`tepat.targeting.demo.demo_desil_frame`: the local estimate with noise,
             ~96% coverage, 80% by KK and 20% by the head's NIK) written as CSV — this runs the PMT estimate
             over the whole district, timed on its own as `pmt`
  baseline   polars reads the CSV as text (the floor under any import of it)
  import     `tepat import-desil FILE --region 36.04 --period P --json` (read, check, match against the
             registry, bulk insert, audit)
  reimport   the same command again: must say `changed: false`
Results: a Markdown table on stdout and results.json in the work directory.
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
REGION = "36.04"
PERIOD = "BENCH-1"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.django.local"}


def _django(url: str) -> None:
    os.environ.update(_env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _tepat(url: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "tepat", *args], cwd=ROOT, env=_env(url), check=True,
                            capture_output=True, text=True)
    return result.stdout


def step_setup(args) -> dict:
    started = time.perf_counter()
    _tepat(args.url, "migrate", "--noinput")
    _tepat(args.url, "load-regions", "--province", "36")
    _tepat(args.url, "demo-data", "--region", REGION, "--families", str(args.families), "--seed", "7")
    return {"seconds": time.perf_counter() - started}


def step_file(args) -> dict:
    _django(args.url)
    from tepat.targeting.demo import demo_weight_set
    from tepat.targeting.pmt import estimate

    weight_set = demo_weight_set(REGION)
    started = time.perf_counter()
    families = estimate(weight_set).frame.height
    pmt_seconds = time.perf_counter() - started
    from tepat.targeting.demo import demo_desil_frame

    started = time.perf_counter()
    frame = demo_desil_frame(REGION, seed=7)
    frame.write_csv(args.file, separator=";")
    return {"seconds": time.perf_counter() - started, "pmt_seconds": pmt_seconds, "families": families,
            "rows": frame.height}


def step_baseline(args) -> dict:
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_csv(args.file, separator=";", infer_schema=False)
    return {"seconds": time.perf_counter() - started, "rows": frame.height}


def step_import(args) -> dict:
    started = time.perf_counter()
    _django(args.url)
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import-desil", args.file, "--region", REGION, "--period", PERIOD, "--source", "bench", "--json",
                 stdout=out)
    summary = json.loads(out.getvalue())
    return {"seconds": time.perf_counter() - started, "summary": summary}


STEPS = {"setup": step_setup, "file": step_file, "baseline": step_baseline, "import": step_import,
         "reimport": step_import}


def run_step(name: str, args, url: str) -> dict:
    command = [sys.executable, __file__, "--step", name, "--url", url, "--file", str(args.file),
               "--families", str(args.families)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall"] = time.perf_counter() - started
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=300_000)
    parser.add_argument("--database", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--reuse", action="store_true",
                        help="keep the databases of the last run (skip setup; their desil releases are deleted)")
    parser.add_argument("--step")
    parser.add_argument("--url")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.step:
        data = STEPS[args.step](args)
        data["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(data, default=str))
        return
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "load": os.getloadavg(), "date": datetime.now(UTC).isoformat(timespec="minutes"),
               "families": args.families, "runs": {}}
    for database in args.database or ["sqlite"]:
        reuse = False
        if database == "sqlite":
            db = work / "desil-bench.sqlite3"
            reuse = args.reuse and db.exists()
            if reuse:
                import sqlite3

                with sqlite3.connect(db) as conn:
                    for table in ("targeting_familydesil", "targeting_desilissue", "targeting_desilrelease"):
                        conn.execute(f"DELETE FROM {table}")
            for suffix in ("", "-wal", "-shm") if not reuse else ():
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{db}"
        else:
            base = args.pg_url.rsplit("/", 1)[0]
            url = f"{base}/tepat_target_bench"
            exists = subprocess.run(["psql", url, "-tAc", "SELECT count(*) FROM registry_family"],
                                    capture_output=True, text=True)
            reuse = args.reuse and exists.returncode == 0 and exists.stdout.strip() not in ("", "0")
            if reuse:
                subprocess.run(["psql", url, "-qc", "DELETE FROM targeting_familydesil; DELETE FROM targeting_desilissue; "
                                "DELETE FROM targeting_desilrelease"], check=True)
            else:
                subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", "tepat_target_bench"],
                               check=True)
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "tepat_target_bench"], check=True)
        args.file = work / f"desil-{database}.csv"
        run = {}
        for name in ("file", "baseline", "import", "reimport") if reuse else ("setup", "file", "baseline", "import", "reimport"):
            run[name] = run_step(name, args, url)
            print(f"{database} {name}: {run[name]['wall']:.1f} s wall, {run[name]['peak_rss_mb']:.0f} MB", flush=True)
        results["runs"][database] = run
    (work / "desil-results.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n| database | families in file | baseline (polars read) | import | ratio | peak RSS import | reimport |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for database, run in results["runs"].items():
        base, imp, again = run["baseline"], run["import"], run["reimport"]
        print(f"| {database} | {imp['summary'].get('families', 0):,} | {base['seconds']:.2f} s | {imp['seconds']:.1f} s "
              f"| {imp['seconds'] / max(base['seconds'], 1e-6):.0f}× | {imp['peak_rss_mb']:.0f} MB "
              f"| {again['seconds']:.1f} s (changed: {again['summary'].get('changed')}) |")
        if "setup" not in run:
            print("  (setup skipped: --reuse)")
        print(f"  PMT estimate over {run['file']['families']:,} families: {run['file']['pmt_seconds']:.1f} s; "
              f"import summary: {json.dumps(imp['summary'])}")


if __name__ == "__main__":
    main()
