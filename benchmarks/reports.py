"""Regional recap (issue 13, reports: a page on a 1M-person district in ≤ 2 s p95; the PDF of a district
recap ≤ 10 s), on PostgreSQL.

    .venv/bin/python benchmarks/reports.py --families 300000 --repeat 10

Drops and creates the database `tepat_bench_reports` (`--db-name`; `--pg-url`, an account that may create databases),
migrates it, loads the region master of Banten (36), and COPYs `--families` families of Kabupaten Serang
(36.04) with about 3.3 members each (some died or moved, a share with a PPKS status, last-change dates
spread over three years), then ANALYZE. Times, with Django's test client in this process (the view, its
queries and the rendering; no network):

  baseline   SELECT count(*) of the district's active families (one indexed aggregate: the floor)
  district   GET /laporan/?region=36.04 (one row per kecamatan)
  kecamatan  GET /laporan/?region=<the largest kecamatan> (one row per village)
  village    GET /laporan/?region=<a village>
  pdf        GET /laporan/unduh.pdf?region=36.04

Alternating, so the baseline sees the same machine. Reports p50/p95/max.

With `--precompute` (issue 13, ADR 0027) a precomputed run of 36.04 is computed first (its time
printed: what the background job costs), so the pages read its cells; without it they compute live.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--precompute", action="store_true")
    parser.add_argument("--db-name", default="tepat_bench_reports")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db_name}"')
        conn.execute(f'CREATE DATABASE "{args.db_name}"')
    os.environ["DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + f"/{args.db_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load-regions", province=["36"], verbosity=0)
    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM
    from tepat.programs.bulk import insert_rows
    from tepat.regions.models import Region

    operator = user_create(actor=SYSTEM, username="bench.dinsos", password="bench-pass-123456",
                           role="dinsos_operator", region_codes=["36.04"], full_name="Bench")
    villages = list(Region.objects.filter(code__startswith="36.04.", level=4).values_list("code", flat=True))
    rng = random.Random(13)
    now = timezone.now()
    families, members, statuses = [], [], []
    for i in range(args.families):
        fid = uuid.uuid4()
        changed = now - timedelta(days=rng.randrange(0, 3 * 365))
        families.append((str(fid), f"3604{i:012d}"[:16], rng.choice(villages), "001", "001", "", "", "active", "",
                         "", None, "{}", "{}", "[]", now, changed))
        for m in range(rng.choices([1, 2, 3, 4, 5, 6], [8, 17, 25, 28, 15, 7])[0]):
            presence = rng.choices([1, 2, 3, 4], [95, 2, 2, 1])[0]
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 27000))
            members.append((str(uuid.uuid4()), str(fid), f"36040{i:07d}{m:02d}"[:16], f"A{i}-{m}", f"a{i}-{m}",
                            1 + m % 2, "", born, 1 if m == 0 else 3, "", False, presence, "", "", "[]", now, now))
        if rng.random() < 0.08:
            statuses.append((str(uuid.uuid4()), str(fid), "poor", None, None, now, now))
    fam_cols = ["id", "kk_number", "region_id", "rw", "rt", "address", "external_id", "status", "status_reason",
                "status_note", "status_date", "assets", "livestock", "validation_warnings", "created_at", "updated_at"]
    ind_cols = ["id", "family_id", "nik", "name", "name_key", "sex", "birth_place", "birth_date", "relation",
                "occupation", "pregnant", "presence", "presence_note", "external_id", "validation_warnings",
                "created_at", "updated_at"]
    ws_cols = ["id", "family_id", "category", "since", "until", "created_at", "updated_at"]
    with transaction.atomic():
        insert_rows("registry_family", fam_cols, families)
        insert_rows("registry_individual", ind_cols, members)
        insert_rows("registry_welfarestatus", ws_cols, statuses)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"setup: {len(families):,} families, {len(members):,} individuals, {len(statuses):,} PPKS statuses "
          f"in {time.perf_counter() - started:.1f} s")

    print("load average:", os.getloadavg())
    if args.precompute:
        from tepat.core.actors import SYSTEM
        from tepat.reports.precompute import recap_refresh_request, recap_refresh_run

        t0 = time.perf_counter()
        run = recap_refresh_run(run_id=recap_refresh_request(actor=SYSTEM, region_code="36.04").pk)
        print(f"precompute 36.04: {run.status}, {run.cells:,} cells in {time.perf_counter() - t0:.1f} s")
        assert run.status == "done", run.error
    kecamatan = max(Region.objects.filter(parent_id="36.04"), key=lambda r: r.children.count()).code
    client = Client()
    client.force_login(operator)
    urls = {"district": "/laporan/?region=36.04", "kecamatan": f"/laporan/?region={kecamatan}",
            "village": f"/laporan/?region={villages[0]}", "pdf": "/laporan/unduh.pdf?region=36.04"}

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_family WHERE region_id LIKE '36.04.%%' AND status = 'active'")
            cursor.fetchone()

    timings: dict[str, list[float]] = {"baseline": [], **{name: [] for name in urls}}
    for url in urls.values():  # warm-up
        assert client.get(url).status_code == 200, url
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        baseline()
        timings["baseline"].append((time.perf_counter() - t0) * 1000)
        for name, url in urls.items():
            t0 = time.perf_counter()
            response = client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    print("load average:", os.getloadavg())
    print(f"| request | p50 ms | p95 ms | max ms |   ({args.repeat} runs, {len(members):,} individuals)")
    print("|---|---:|---:|---:|")
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"| {name} | {statistics.median(values):.0f} | {p95:.0f} | {values[-1]:.0f} |")


if __name__ == "__main__":
    main()
