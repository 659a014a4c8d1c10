"""Determination benchmark: N approved proposals on a district of F families, against a plain SQL copy.

    .venv/bin/python benchmarks/determination.py --families 300000 --proposals 2000 --database postgres
    .venv/bin/python benchmarks/determination.py --families 20000 --proposals 2000 --database sqlite

Setup (not timed): a fresh database, region master of Banten, the demo generator's families for
Kabupaten Serang (36.04) loaded set-based (`demo_data_load`: COPY on PostgreSQL), and N approved programme
proposals (PKH) on distinct families, inserted set-based.
Timed: `period_determine` (start + the background run in this process: chunks of 50 proposals, each applied
through the registry services, their audit events written at the end of the chunk; then the freeze in
keyset batches of 2,000 families), split per phase by the run's own `DeterminationStats`: apply (seconds,
ms and queries per proposal), freeze, the longest chunk and batch transaction, and the longest time the
audit chain head was held (from the chunk's event insert to its commit). Meanwhile a probe thread records
a `personal_data.view` event every 50 ms in its own transaction, as a page view does, and reports how long
the longest one took (on SQLite every write waits for the running transaction, on PostgreSQL only for the
head lock). Baseline, in the same run: one `INSERT … SELECT` copying every active member row of the
district into an unindexed table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=20000)
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pg-db", default="tepat_bench_determination", help="database to drop and create")
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "out"))
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.database == "sqlite":
        path = work / "determination.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_db}")
            conn.execute(f"CREATE DATABASE {args.pg_db}")
        url = args.pg_url.rsplit("/", 1)[0] + f"/{args.pg_db}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from tepat.accounts.services import user_create
    from tepat.audit.services import audit_record
    from tepat.core.actors import SYSTEM
    from tepat.regions.services import regions_load
    from tepat.registry.demo import demo_data_load, demo_generate_for_region
    from tepat.registry.models import Family
    from tepat.updates.models import Proposal
    from tepat.updates.services import determination as determination_module
    from tepat.updates.services.determination import DeterminationStats, period_create, period_determine

    call_command("migrate", verbosity=0)
    regions_load(actor=SYSTEM, provinces={"36"})
    started = time.perf_counter()
    data = demo_generate_for_region(region_code="36.04", families=args.families, seed=1)
    loaded = demo_data_load(actor=SYSTEM, data=data, region_code="36.04")
    setup_load = time.perf_counter() - started
    operator = user_create(actor=SYSTEM, username="bench_op", password="bench-pass-123", role="dinsos_operator",
                           region_codes=["36.04"])
    supervisor = user_create(actor=SYSTEM, username="bench_spv", password="bench-pass-123",
                             role="dinsos_supervisor", region_codes=["36.04"])
    now = timezone.now()
    families = list(Family.objects.filter(region__code__startswith="36.04.").exclude(
        programs__program="pkh").values_list("pk", "region_id")[: args.proposals])
    Proposal.objects.bulk_create([
        Proposal(reference=f"USL-BENCH-{i:06d}", kind="program", source="district", region_id=region,
                 family_id=pk, payload={"program": "pkh", "member": "", "note": ""}, status="approved",
                 stage_entered_at=now, approved_at=now, created_by=operator)
        for i, (pk, region) in enumerate(families)
    ], batch_size=2000)
    if connection.vendor == "postgresql":
        # What the importer does after a bulk load (demo_data_load does not): plans made for empty tables
        # would read the whole district per freeze batch.
        with connection.cursor() as cursor:
            for table in ("registry_family", "registry_individual", "registry_programparticipation",
                          "updates_proposal"):
                cursor.execute(f"ANALYZE {table}")
    period = period_create(actor=operator, region_code="36.04", starts_on=date(2025, 7, 1))

    stats = DeterminationStats()
    queries = {"apply": 0, "all": 0}
    phase = {"name": "apply"}

    def count(execute, sql, params, many, context):
        queries["all"] += 1
        if phase["name"] == "apply":
            queries["apply"] += 1
        return execute(sql, params, many, context)

    probe = {"max_s": 0.0, "events": 0, "stop": False}

    def probing():
        try:
            while not probe["stop"]:
                started = time.perf_counter()
                with transaction.atomic():
                    audit_record(actor=operator, action="personal_data.view", region_code="36.04",
                                 data={"kind": "benchmark_probe"})
                probe["max_s"] = max(probe["max_s"], time.perf_counter() - started)
                probe["events"] += 1
                time.sleep(0.05)
        finally:
            connections.close_all()

    real_freeze_step = determination_module._freeze_step

    def freeze_step(*a, **k):
        phase["name"] = "freeze"
        return real_freeze_step(*a, **k)

    determination_module._freeze_step = freeze_step
    thread = threading.Thread(target=probing, daemon=True)
    thread.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        period = period_determine(actor=supervisor, period=period, decree_number="SK-BENCH",
                                  decree_date=timezone.localdate(), stats=stats)
    determination = time.perf_counter() - started
    probe["stop"] = True
    thread.join()
    determination_module._freeze_step = real_freeze_step

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy AS SELECT * FROM registry_individual WHERE 1 = 0")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_copy SELECT i.* FROM registry_individual i JOIN registry_family f ON f.id = i.family_id"
            " WHERE f.status = %s AND i.presence IN (1, 5)", ["active"])
        copied = cursor.rowcount
        baseline = time.perf_counter() - started
    result = {
        "database": args.database, "families_loaded": loaded.families, "individuals_loaded": loaded.individuals,
        "setup_load_s": round(setup_load, 1), "proposals": len(families), "applied": period.applied_count,
        "held": period.held_count, "frozen_families": period.family_count,
        "frozen_individuals": period.individual_count, "determination_s": round(determination, 2),
        "apply_s": round(stats.apply_seconds, 2),
        "apply_ms_per_proposal": round(1000 * stats.apply_seconds / max(len(families), 1), 2),
        "apply_queries_per_proposal": round(queries["apply"] / max(len(families), 1), 1),
        "apply_chunks": stats.chunks, "audit_events_written": stats.events,
        "freeze_s": round(stats.freeze_seconds, 2), "freeze_batches": stats.batches,
        "max_chunk_transaction_s": round(stats.max_chunk_seconds, 3),
        "max_freeze_batch_transaction_s": round(stats.max_batch_seconds, 3),
        "max_audit_head_lock_s": round(stats.max_audit_lock_seconds, 4),
        "probe_page_view_events": probe["events"], "probe_max_wait_s": round(probe["max_s"], 3),
        "baseline_sql_copy_s": round(baseline, 2), "baseline_rows": copied,
        "ratio": round(determination / baseline, 1) if baseline else None,
        "freeze_ratio": round(stats.freeze_seconds / baseline, 1) if baseline else None,
    }
    print(json.dumps(result, indent=2))
    (work / f"determination-{args.database}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
