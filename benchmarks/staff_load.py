"""Staff pages under load with the production server (issue 15 item 4).

    .venv/bin/python benchmarks/loadbench.py setup            # once: ≈ 1M people in PostgreSQL (or `reuse`)
    .venv/bin/python benchmarks/staff_load.py [--users 50] [--seconds 60] [--think-min 1 --think-max 3]

The database, the staff accounts, the server (`tepat serve`, production settings) and the baselines are
benchmarks/loadbench.py's (the same setup as benchmarks/public_load.py). Locust (benchmarks/staff_locust.py)
runs headless on loopback, bounded in time: `--users` concurrent staff users (one account each: Dinsos operators
of the district, village operators) in a closed loop over the family list, search by name and by NIK, the
family page, the proposal queue and list and the dashboard, plus the /healthz baseline user. Target (issue 15.4):
p95 ≤ 300 ms for each page, no errors. Results: a markdown table on stdout and results_staff.json.

    .venv/bin/python benchmarks/staff_load.py queries [--user bench.dinsos.01] [--top 3]

requests each page once in one process (Django's test client, signed in as the user, on the same database),
lists its queries by time and prints EXPLAIN (ANALYZE, BUFFERS) of the slowest: the queries behind a page that
misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadbench


def run(args: argparse.Namespace) -> None:
    server = loadbench.start_server(args, loadbench.server_env(args))
    try:
        env = {"BENCH_PASSWORD": loadbench.PASSWORD, "BENCH_SAMPLES": str(Path(args.workdir) / "samples.json"),
               "BENCH_THINK_MIN": str(args.think_min), "BENCH_THINK_MAX": str(args.think_max)}
        result = loadbench.run_locust(args, locustfile="staff_locust.py", phase="staff", users=args.users + 1,
                                      spawn_rate=args.spawn_rate, env=env)
    finally:
        loadbench.stop_server(server)
    (Path(args.workdir) / "results_staff.json").write_text(json.dumps([result], indent=2))
    loadbench.print_table([result])


def queries(args: argparse.Namespace) -> None:
    import os
    import random
    import time

    os.environ.update(DATABASE_URL=loadbench.database_url(args), DJANGO_SETTINGS_MODULE="config.django.local")
    sys.path.insert(0, str(loadbench.ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tepat.accounts.models import User

    data = json.loads((Path(args.workdir) / "samples.json").read_text())
    user = User.objects.get(username=args.user)
    region = next(u["region"] for u in data["users"] if u["username"] == args.user)
    family_id, name, nik = random.Random(5).choice(data["staff"][region])
    pages = {"family list": "/registri/", "search by name": f"/registri/?q={name}",
             "search by NIK": f"/registri/?q={nik}", "family page": f"/registri/keluarga/{family_id}/",
             "proposal queue": "/pemutakhiran/", "proposal list": "/pemutakhiran/usulan/", "dashboard": "/"}
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    client.get("/")  # warm
    for label, url in pages.items():
        if args.page and label not in args.page:
            continue
        timed = []

        def timer(execute, sql, params, many, context, timed=timed):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timed.append(((time.perf_counter() - started) * 1000, sql, params))

        with CaptureQueriesContext(connection), connection.execute_wrapper(timer):
            started = time.perf_counter()
            status = client.get(url).status_code
            total = (time.perf_counter() - started) * 1000
        print(f"\n## {label} {url}: {status}, {total:.0f} ms, {len(timed)} queries, "
              f"{sum(t for t, _s, _p in timed):.0f} ms in SQL")
        for ms, sql, params in sorted(timed, key=lambda row: -row[0])[: args.top]:
            print(f"\n-- {ms:.1f} ms\n{sql[:1500]}")
            if sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=["run", "queries"], default="run")
    parser.add_argument("--user", default="bench.dinsos.01")
    parser.add_argument("--page", action="append", help="queries: only this page (repeatable)")
    parser.add_argument("--top", type=int, default=3)
    loadbench.add_common_arguments(parser, workdir="/tmp/bench-loadtest", port=8105)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--think-min", type=float, default=1)
    parser.add_argument("--think-max", type=float, default=3)
    args = parser.parse_args()
    {"run": run, "queries": queries}[args.command](args)


if __name__ == "__main__":
    main()
