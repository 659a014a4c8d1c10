"""Distribution (issue 11, performance): export the danom of one tahap per channel, import and apply its
realisation, on PostgreSQL.

    .venv/bin/python benchmarks/distribution.py --kpm 61202 [--kpm 300000] [--xlsx]

Drops and creates the database `tepat_bench_distrib` (`--pg-url`, an account that may create databases),
migrates it, loads the region master of Banten (36), makes one approved Sembako list row (ORM, no
determination run: that is the programmes benchmark) and bulk-inserts `--kpm` entries of one PT Pos list
version spread over the villages of Kabupaten Serang (36.04). Then times, in this process:

  baseline_csv   polars writes the same rows (the layout's columns, from a list of tuples) as CSV
  export_csv     `services.export.list_export` CSV as the system (read, mask policy, write, hash, audit)
  export_xlsx    the same as XLSX, constant memory, encrypted with msoffcrypto (with --xlsx)
  baseline_read  polars reads the realisation CSV (every KPM salur, 1 % bad rows)
  realisation    `services.realisation.realisation_import` of that file (match, guards, ledger, audit)
  rerun          the same file again (nothing may change: applied 0)

Peak RSS is the process's high-water mark after each step (one process: it only grows). The machine is
shared; the baseline is measured in the same run.
"""

# ruff: noqa: B023 - every lambda below runs at once inside step(), in its own loop turn
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kpm", type=int, action="append")
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    sizes = args.kpm or [61_202]

    import psycopg

    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS tepat_bench_distrib")
        conn.execute("CREATE DATABASE tepat_bench_distrib")
    os.environ["DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + "/tepat_bench_distrib"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command

    from tepat.core.actors import SYSTEM
    from tepat.distribution.models import Channel, Distribution, DistributionEntry, DistributionList
    from tepat.distribution.services.export import list_export
    from tepat.distribution.services.realisation import realisation_import
    from tepat.programs.models import BeneficiaryList, Programme, ProgrammeRelease
    from tepat.regions.models import Region
    from tepat.updates.models import DeterminationPeriod

    call_command("migrate", verbosity=0)
    call_command("load-regions", province=["36"], verbosity=0)
    villages = list(Region.objects.filter(code__startswith="36.04.", level=Region.Level.VILLAGE)
                    .values_list("code", flat=True))
    from tepat.accounts.models import User

    user = User.objects.create(username="bench.distribution", role="dinsos_supervisor")
    programme = Programme.objects.create(code="SEMBAKO", name="Sembako", kind="sembako", funding="apbn")
    results = []
    for n, size in enumerate(sizes):
        release = ProgrammeRelease.objects.create(programme=programme, region_id="36.04", year=2026, version=n + 1,
                                                  status="released", basis="family_month", amount=200_000,
                                                  schedule=[{"tahap": t, "share_bp": 2500} for t in (1, 2, 3, 4)])
        period = DeterminationPeriod.objects.create(region_id="36.04", label=f"bench-{n}", starts_on=date(2026, 1, 1),
                                                    ends_on=date(2026, 1, 31), status="determined",
                                                    created_by=user)
        blist = BeneficiaryList.objects.create(release=release, period=period, region_code="36.04", tahap=1,
                                               reference_date=date(2026, 1, 31), status="approved")
        dist = Distribution.objects.create(beneficiary_list=blist, region_code="36.04", programme_code="SEMBAKO",
                                           tahap=1, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
        dlist = DistributionList.objects.create(distribution=dist, channel=Channel.objects.get(code="POS_KANTOR"),
                                                entry_count=size, total_amount=size * 600_000)
        started = time.perf_counter()
        batch = []
        for i in range(size):
            village = villages[i % len(villages)]
            batch.append(DistributionEntry(
                list=dlist, family_id=uuid.uuid4(), region_code=village, rt=f"{i % 12 + 1:03d}", rw="001",
                address=f"Kp. Uji {i % 97}", kk_number=f"3604{i:012d}", nik=f"3604{(i + 7):012d}",
                name=f"Penerima {i}", amount=600_000))
            if len(batch) == 10_000:
                DistributionEntry.objects.bulk_create(batch)
                batch = []
        DistributionEntry.objects.bulk_create(batch)
        print(f"[{size}] inserted in {time.perf_counter() - started:.1f}s", flush=True)
        rows = list(DistributionEntry.objects.filter(list=dlist).values_list(
            "kpm_ref", "nik", "kk_number", "name", "address", "rt", "rw", "region_code", "amount"))

        def step(name, fn):
            t0 = time.perf_counter()
            out = fn()
            seconds = time.perf_counter() - t0
            results.append((size, name, seconds, size / seconds if seconds else 0, rss_mb()))
            print(f"[{size}] {name}: {seconds:.2f}s, {size / seconds:,.0f} rows/s, peak RSS {rss_mb():.0f} MB",
                  flush=True)
            return out

        out_dir = ROOT / "benchmarks" / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        step("baseline_csv", lambda: pl.DataFrame(rows, orient="row").write_csv(out_dir / "baseline.csv"))
        csv_result = step("export_csv", lambda: list_export(actor=SYSTEM, dlist=dlist, fmt="csv"))
        csv_result.path.unlink()
        if args.xlsx:
            xlsx_result = step("export_xlsx", lambda: list_export(actor=SYSTEM, dlist=dlist, fmt="xlsx"))
            xlsx_result.path.unlink()
        lines = ["ID_KPM;STATUS;NOMINAL;TANGGAL;NO_TRANSAKSI"]
        for i, r in enumerate(rows):
            ref = r[0] if i % 100 else "KUNKNOWN" + f"{i:04d}"[-4:]
            lines.append(f"{ref};SALUR;{r[8]};2026-02-{i % 28 + 1:02d};T{i}")
        path = out_dir / f"realisasi-{size}.csv"
        path.write_text("\n".join(lines) + "\n")
        step("baseline_read", lambda: pl.read_csv(path, separator=";", infer_schema=False))
        imp = step("realisation", lambda: realisation_import(actor=SYSTEM, dist=dist, source=path,
                                                             file_name=path.name))
        print(f"   applied {imp.applied}, rejected {imp.rejected}", flush=True)
        again = step("rerun", lambda: realisation_import(actor=SYSTEM, dist=dist, source=path, file_name=path.name))
        assert again.applied == 0 and again.unchanged == imp.applied, (again.applied, again.unchanged)
    print("\n| KPM | step | seconds | rows/s | peak RSS MB |\n| --- | --- | ---: | ---: | ---: |")
    for size, name, seconds, rate, rss in results:
        print(f"| {size:,} | {name} | {seconds:.2f} | {rate:,.0f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
