"""The registry export as a background job (issue 9 item 12) against the plain export it wraps, same run.

    .venv/bin/python benchmarks/export_job.py --families 20000 [--format xlsx --format csv] [--workdir DIR]

Prepares (once per work directory) an SQLite database with the region master and the demo district
(Kabupaten Serang, `tepat demo-data`), then for each format times, alternately, `repeat` times:
  baseline  `registry_export(actor=..., out=tempfile)` — what the page ran inside the request before;
  job       `registry_export_start` + `registry_export_run` — the same export with the job row, its
            transitions and audit events, the progress counter per 5,000-family batch, and the file saved
            to the storage (what the worker now runs; the page only waits for the redirect).
Prints the medians, the job's overhead, how long the page's POST takes now (start only), and how many
progress updates the page could show. Results also in results-export-job.json in the work directory.
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
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "36.04"


def _env(url: str, media: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.django.local"}


def prepare(url: str, media: Path, families: int, marker: Path) -> None:
    if marker.exists():
        return
    env = _env(url, media)
    for args in (["migrate", "--verbosity", "0"], ["load-regions"],
                 ["demo-data", "--region", REGION, "--families", str(families), "--seed", "1"]):
        subprocess.run([sys.executable, "-m", "tepat", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    marker.write_text("ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=20_000)
    parser.add_argument("--format", action="append", choices=["csv", "xlsx"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "out" / "export-job"))
    parser.add_argument("--url", help="Use this database as it is (e.g. the 1M PostgreSQL database "
                                      "benchmarks/import_export.py leaves behind) instead of preparing SQLite")
    args = parser.parse_args()
    formats = args.format or ["xlsx", "csv"]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    media = work / "media"
    if args.url:
        url = args.url
    else:
        url = f"sqlite:///{work / f'bench-{args.families}.sqlite3'}"
        prepare(url, media, args.families, work / f"ready-{args.families}")
    load_before = os.getloadavg()

    os.environ.update(_env(url, media))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = str(media)
    from tepat.accounts.models import RegionAssignment, User
    from tepat.core.actors import SYSTEM
    from tepat.registry.models import ExportJob, Family
    from tepat.registry.transfer.export_jobs import registry_export_run, registry_export_start
    from tepat.registry.transfer.exporter import registry_export

    user, _ = User.objects.get_or_create(username="bench_dinsos", defaults={"role": "dinsos_operator"})
    RegionAssignment.objects.get_or_create(user=user, region_id=REGION)
    families = Family.objects.filter(region__code__startswith=REGION, status="active").count()
    results: dict[str, dict] = {}
    for fmt in formats:
        baseline, job_times, starts = [], [], []
        rows = updates = 0
        for _ in range(args.repeat):
            with tempfile.TemporaryFile() as handle:
                t0 = time.perf_counter()
                result = registry_export(actor=user, region_code=REGION, out=handle, fmt=fmt, preset="siks")
                baseline.append(time.perf_counter() - t0)
                rows = result.rows
            t0 = time.perf_counter()
            job = registry_export_start(actor=user, region_code=REGION, fmt=fmt, preset="siks")
            starts.append(time.perf_counter() - t0)
            with CaptureQueriesContext(connection) as queries:
                registry_export_run(actor=SYSTEM, job_id=job.pk)
            job_times.append(time.perf_counter() - t0)
            updates = sum(1 for q in queries.captured_queries
                          if q["sql"].startswith("UPDATE") and "families_done" in q["sql"])
            assert ExportJob.objects.get(pk=job.pk).status == "done"
        base, run = statistics.median(baseline), statistics.median(job_times)
        results[fmt] = {"rows": rows, "families": families, "baseline_s": round(base, 2), "job_s": round(run, 2),
                        "overhead_s": round(run - base, 2), "overhead_pct": round(100 * (run - base) / base, 1),
                        "page_post_s": round(statistics.median(starts), 3), "progress_updates": updates,
                        "baseline_runs": [round(x, 2) for x in baseline], "job_runs": [round(x, 2) for x in job_times]}
        results[fmt]["peak_rss_mb_so_far"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(f"{fmt}: {rows} rows, {families} families — baseline {base:.2f} s, job {run:.2f} s "
              f"(+{run - base:.2f} s, {100 * (run - base) / base:+.1f} %), page POST {statistics.median(starts):.3f} s, "
              f"{updates} progress updates, peak RSS so far {results[fmt]['peak_rss_mb_so_far']} MB", flush=True)
    meta = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "database": connection.vendor, "load_average_before_after": [load_before, os.getloadavg()],
            "families_generated": args.families, "repeat": args.repeat}
    (work / "results-export-job.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
