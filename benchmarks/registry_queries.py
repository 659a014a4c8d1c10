"""The registry's read paths on a loaded database: what the staff and public pages run, timed, with the
PostgreSQL plan and execution time of every query they send (issue 15 item 3: "search and the other
queries no slower" after the index plan of ADR 0030).

    .venv/bin/python benchmarks/registry_queries.py --url postgres://postgres@127.0.0.1:5432/DB [--repeat 7]
        [--out DIR]

Run it on a database the import benchmark left behind (benchmarks/import_export.py, 1M individuals in
Kabupaten Serang), once on the schema before and once after; it records `uptime` before and after.
Operations (a district Dinsos operator, full identity view):
  name_search     family_search(query=<a name in the registry, one letter changed>)
  nik_exact       family_search(query=<a 16-digit NIK>)
  nik_prefix      family_search(query=<the first 10 digits of that NIK>)
  kk_exact        family_search(query=<a 16-digit KK number>)
  family_list     family_search() for the district, first page of 25 and the Paginator's count, heads
  family_page     access_family + family_detail + family_heads for one family
  public_lookup   tepat.public.selectors: living members of a village with a given name (name_key)
Each is run `repeat` times (median wall time of the Python call, audit writes included); then every
SELECT it sent is run again under EXPLAIN ANALYZE and the sum of the execution times is reported.
Plans go to DIR/plans-<label>.txt, figures to DIR/queries-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "36.04"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--label", default="run")
    parser.add_argument("--jit", choices=["server", "off"], default="server",
                        help="off: SET jit = off on the connection (the server default compiles large plans, "
                             "which dominates the timings of the search queries on 1M rows)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tepat.accounts.models import RegionAssignment, User
    from tepat.public import selectors as public
    from tepat.registry.access import access_family
    from tepat.registry.models import Family, Individual
    from tepat.registry.selectors import family_detail, family_heads, family_search

    if args.jit == "off":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    user, _ = User.objects.get_or_create(username="bench_queries", defaults={"role": "dinsos_operator"})
    RegionAssignment.objects.get_or_create(user=user, region_id=REGION)
    # Fixed picks (the same rows in both runs: the data is generated with a fixed seed).
    sample = Individual.objects.filter(nik__gte="3604").order_by("nik")[500:501].get()
    family = Family.objects.get(pk=sample.family_id)
    misspelt = sample.name[:-1] + ("a" if sample.name[-1] != "a" else "e")

    def family_list():
        search = family_search(actor=user, region_code=REGION)
        from django.core.paginator import Paginator

        page = Paginator(search.families, 25).get_page(1)
        return family_heads(list(page.object_list))

    def family_page():
        found = access_family(actor=user, family_id=family.pk)
        family_detail(actor=user, family=found)
        return family_heads([found])

    operations = {
        "name_search": lambda: list(family_search(actor=user, query=misspelt).families),
        "nik_exact": lambda: list(family_search(actor=user, query=sample.nik).families),
        "nik_prefix": lambda: list(family_search(actor=user, query=sample.nik[:10]).families)[:25],
        "kk_exact": lambda: list(family_search(actor=user, query=family.kk_number).families),
        "family_list": family_list,
        "family_page": family_page,
        "public_lookup": lambda: public.lookup_match(name=sample.name, village_code=family.region_id),
    }
    results, plans = {}, []
    for name, operation in operations.items():
        operation()  # warm
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            operation()
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            operation()
        execution = 0.0
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
                   and "registry_" in q["sql"]]
        for sql in selects:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
                lines = [row[0] for row in cursor.fetchall()]
            execution += float(lines[-1].split(":")[1].split()[0]) if lines[-1].startswith("Execution") else 0
            plans.append(f"## {name}\n{sql}\n" + "\n".join(lines) + "\n")
        results[name] = {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
                         "queries": len(captured.captured_queries), "registry_selects": len(selects),
                         "explain_execution_ms": round(execution, 1)}
        print(f"{name:14} median {results[name]['median_ms']:8.1f} ms  min {results[name]['min_ms']:8.1f} ms  "
              f"{len(selects)} registry SELECTs, EXPLAIN ANALYZE execution {execution:8.1f} ms", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, count(*) FROM pg_indexes WHERE tablename IN "
                       "('registry_individual', 'registry_family') GROUP BY 1 ORDER BY 1")
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT pg_size_pretty(pg_indexes_size('registry_individual')), "
                       "pg_size_pretty(pg_indexes_size('registry_family'))")
        sizes = cursor.fetchone()
    uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    report = {"url": args.url.rsplit("/", 1)[-1], "repeat": args.repeat, "jit": args.jit, "uptime_before": uptime_before,
              "uptime_after": uptime_after, "indexes": indexes,
              "index_sizes": {"registry_individual": sizes[0], "registry_family": sizes[1]},
              "individuals": Individual.objects.count(), "operations": results}
    (out / f"queries-{args.label}.json").write_text(json.dumps(report, indent=2))
    (out / f"plans-{args.label}.txt").write_text("\n".join(plans))
    print(json.dumps({k: report[k] for k in ("uptime_before", "uptime_after", "indexes", "index_sizes",
                                              "individuals")}, indent=2))


if __name__ == "__main__":
    main()
