"""One public lookup (`POST /cek-bansos/`) profiled, on the load benchmark's database (benchmarks/loadbench.py):
N requests through Django's test client in one process, throttling off, each with a fresh solved challenge
(solved outside the timed part); prints the wall time per request, the queries per request and the time spent
in SQL, then cProfile's top functions by own time and by cumulative time. Issue 12: where a lookup's time goes.

    .venv/bin/python benchmarks/lookup_profile.py --db tepat_bench_loadtest [-n 300] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loadbench.add_common_arguments(parser, workdir="/tmp/bench-loadtest", port=0)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    env = loadbench.server_env(args, TEPAT_PUBLIC_LIMIT_IP="0", TEPAT_PUBLIC_LIMIT_SUBJECT="0",
                               TEPAT_PUBLIC_LIMIT_GLOBAL="0", TEPAT_PUBLIC_POW_MAX_NUMBER="1000",
                               DJANGO_ALLOWED_HOSTS="testserver")
    os.environ.update(env)
    sys.path.insert(0, str(loadbench.ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest storage of production
    from django.test import Client

    from tepat.public.challenge import challenge_new, challenge_solve

    data = json.loads((Path(args.workdir) / "samples.json").read_text())
    samples = list(data["recipients"]) + list(data["absent"])
    rng = random.Random(3)
    solutions = [challenge_solve(challenge_new()) for _ in range(args.n + 20)]
    client = Client(enforce_csrf_checks=False)

    def one(i: int) -> int:
        name, village = rng.choice(samples)
        parts = village.split(".")
        form = {"province": parts[0], "regency": ".".join(parts[:2]), "kecamatan": ".".join(parts[:3]),
                "village": village, "name": name, "nik": "", "altcha": solutions[i]}
        return client.post("/cek-bansos/", form, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR=f"10.1.0.{1 + i % 100}").status_code

    for i in range(20):  # warm
        one(args.n + i - 20 if args.n >= 20 else 0)
    queries = []

    def counter(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    profiler = cProfile.Profile()
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        profiler.enable()
        for i in range(args.n):
            status = one(i)
            statuses[status] = statuses.get(status, 0) + 1
        profiler.disable()
    wall = time.perf_counter() - started
    sql = sum(t for t, _ in queries)
    print(f"{args.n} lookups: {wall / args.n * 1000:.2f} ms each (profiled), {len(queries) / args.n:.1f} queries "
          f"and {sql / args.n * 1000:.2f} ms in SQL each; statuses {statuses}; load {loadbench.load_average()}")
    by_sql: dict[str, list[float]] = {}
    for t, text in queries:
        by_sql.setdefault(text[:110], []).append(t)
    for text, times in sorted(by_sql.items(), key=lambda kv: -sum(kv[1]))[:15]:
        print(f"  {len(times) / args.n:4.1f}/req {sum(times) / args.n * 1000:6.2f} ms/req  {text}")
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.top)
        print(out.getvalue()[-6000:])


if __name__ == "__main__":
    main()
