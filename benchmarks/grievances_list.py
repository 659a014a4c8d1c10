"""Staff complaint list of a district (issue 12, performance: p95 ≤ 300 ms), on PostgreSQL.

    .venv/bin/python benchmarks/grievances_list.py --complaints 100000 --requests 40

Drops and creates the database `tepat_bench_griev` (`--pg-url`, an account that may create databases),
migrates it, loads the region master of Banten (36), bulk-inserts `--complaints` cases spread over the
villages of Kabupaten Serang (36.04) — 5 % sensitive, a mix of statuses and SLA states — and times, with
Django's test client in this process (no network, no WSGI server: the view, the queries and the rendering):

  baseline  GET /api/v1/grievances/categories (a small fixed answer: the floor of one request here)
  api_list  GET /api/v1/grievances/complaints?status=open (first 500 of the district, a Dinsos operator)
  page_list GET /pengaduan/ (the first page of 25 with its count, as the Dinsos operator)
  dashboard GET /api/v1/grievances/dashboard (age × SLA over every open case of the district)

Reports p50/p95/max per endpoint; the baseline is measured in the same run, alternating, because figures on
the shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS tepat_bench_griev")
        conn.execute("CREATE DATABASE tepat_bench_griev")
    os.environ["DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + "/tepat_bench_griev"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load-regions", province=["36"], verbosity=0)
    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM
    from tepat.grievances.models import Category, Complaint
    from tepat.regions.models import Region

    operator = user_create(actor=SYSTEM, username="bench.dinsos", password="bench-pass-123456", role="dinsos_operator",
                           region_codes=["36.04"], full_name="Bench")
    villages = list(Region.objects.filter(code__startswith="36.04.", level=4).values_list("code", flat=True))
    leaves = list(Category.objects.filter(parent__isnull=False))
    rng = random.Random(1)
    now = timezone.now()
    statuses = ["registered"] * 3 + ["assessed"] * 2 + ["referred", "followed_up", "waiting"] + ["closed"] * 4
    rows = []
    for i in range(args.complaints):
        category = rng.choice(leaves)
        created = now - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 1440))
        status = rng.choice(statuses)
        rows.append(Complaint(
            reference=f"ADU-BENCH-{i:07d}", channel="counter", subject_kind="unregistered",
            subject_name=f"Warga {i}", subject_address="Kp. Bench", category=category, description="bench",
            sensitive=category.sensitive or rng.random() < 0.05, region_id=rng.choice(villages), desk=category.desk,
            status=status, stage_entered_at=created, created_at=created,
            resolved_at=created + timedelta(days=rng.randrange(1, 30)) if status == "closed" else None,
            sla_state=rng.choice(["ok", "ok", "at_risk", "breached", "paused"]), complainant_anonymous=True,
            created_by=operator))
    Complaint.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE grievances_complaint")
    print(f"setup: {args.complaints:,} complaints over {len(villages)} villages in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(operator)
    urls = {"baseline": "/api/v1/grievances/categories", "api_list": "/api/v1/grievances/complaints?status=open",
            "page_list": "/pengaduan/", "dashboard": "/api/v1/grievances/dashboard"}
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for name, url in urls.items():  # warm-up
        assert client.get(url).status_code == 200, name
    for _ in range(args.requests):
        for name, url in urls.items():
            t0 = time.perf_counter()
            response = client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    print("| endpoint | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|")
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"| {name} | {statistics.median(values):.1f} | {p95:.1f} | {values[-1]:.1f} |")


if __name__ == "__main__":
    main()
