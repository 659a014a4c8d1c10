"""Distribution (issue 11, performance): export the danom of one tahap per channel; import and reconcile a
1,000,000-row realisation file.

    .venv/bin/python benchmarks/distribution.py --kpm 300000 --xlsx --realisation-rows 1000000

Drops and creates the database `--db` (default `tepat_bench_distperf`; `--pg-url` names an account that may
create databases; `--sqlite FILE` runs on SQLite instead), migrates it, loads the region master of Banten
(36), makes one approved Sembako list row per tahap (ORM, no determination run: that is the programmes
benchmark) and inserts the entries of one PT Pos list version by COPY, spread over the villages of
Kabupaten Serang (36.04). Then, in this process:

  baseline_csv   polars writes the same rows (the layout's columns, from the frame) as CSV
  export_csv     `services.export.list_export` CSV as the system (read, mask policy, write, hash, audit)
  export_xlsx    the same as XLSX (streamed sheet XML, encrypted with msoffcrypto) (with --xlsx)

and, in a fresh child process (so its peak RSS is the import's own, not the set-up's), on a second tahap of
`--realisation-kpm` KPM and a file of `--realisation-rows` rows (every KPM paid once, 1 % of them under an
unknown reference, 10 % reversed and paid again, the rest of the rows paid-twice and amount-differs errors):

  baseline_read  polars reads the realisation CSV (the same file)
  realisation    `services.realisation.realisation_import` of that file (read, match, guards, COPY, audit)
  rerun          the same file again (nothing may change: applied 0)
  reconciliation `services.realisation.reconciliation` of the tahap (every entry, receipts, discrepancies)

Peak RSS is the process's high-water mark (VmHWM from /proc; `resource.getrusage` elsewhere) after each step. The machine is shared:
`os.getloadavg()` is printed before and after; the baselines run in the same command.
"""

# ruff: noqa: B023 - every lambda below runs at once inside step(), in its own loop turn
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"


def rss_mb() -> float:
    """The process's peak RSS: VmHWM (per address space, so a child started by fork + exec starts afresh;
    `getrusage`'s ru_maxrss keeps the parent's high-water mark across exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


def _tahap(n: int, size: int, user, programme, villages: list[str]):
    """One approved list row, its distribution and a PT Pos list version of `size` entries (COPY)."""
    import polars as pl

    from tepat.distribution.models import Channel, Distribution, DistributionList
    from tepat.programs.models import BeneficiaryList, ProgrammeRelease
    from tepat.registry.transfer.bulk import Bulk
    from tepat.updates.models import DeterminationPeriod

    release = ProgrammeRelease.objects.create(programme=programme, region_id="36.04", year=2026, version=n + 1,
                                              status="released", basis="family_month", amount=200_000,
                                              schedule=[{"tahap": t, "share_bp": 2500} for t in (1, 2, 3, 4)])
    period = DeterminationPeriod.objects.create(region_id="36.04", label=f"bench-{n}", starts_on=date(2026, 1, 1 + n),
                                                ends_on=date(2026, 1, 31), status="determined", created_by=user)
    blist = BeneficiaryList.objects.create(release=release, period=period, region_code="36.04", tahap=1,
                                           reference_date=date(2026, 1, 31), status="approved")
    dist = Distribution.objects.create(beneficiary_list=blist, region_code="36.04", programme_code="SEMBAKO",
                                       tahap=1, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    dlist = DistributionList.objects.create(distribution=dist, channel=Channel.objects.get(code="POS_KANTOR"),
                                            entry_count=size, total_amount=size * 600_000)
    started = time.perf_counter()
    i = pl.int_range(0, size, eager=True, dtype=pl.Int64)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    ref = pl.lit("K") + pl.lit(f"{n:02d}")
    for shift in range(40, -1, -5):  # 9 symbols of the index (unique per tahap)
        ref = ref + ((pl.col("i") // (32 ** (shift // 5))) % 32).replace_strict(
            dict(enumerate(alphabet)), return_dtype=pl.String)
    village = pl.Series(villages)
    frame = pl.DataFrame({"i": i}).with_columns(
        pl.lit(dlist.pk.hex).alias("list_id"), ref.str.slice(0, 12).alias("kpm_ref"),
        pl.col("i").map_batches(lambda s: pl.Series([os.urandom(16).hex() for _ in range(len(s))]),
                                return_dtype=pl.String).alias("family_id"),
        (pl.col("i") % len(villages)).map_batches(lambda s: village.gather(s), return_dtype=pl.String)
        .alias("region_code"),
        ((pl.col("i") % 12) + 1).cast(pl.String).str.zfill(3).alias("rt"), pl.lit("001").alias("rw"),
        pl.format("Kp. Uji {}", pl.col("i") % 97).alias("address"),
        (pl.lit("3604") + (pl.col("i") + n * 10_000_000).cast(pl.String).str.zfill(12)).alias("kk_number"),
        (pl.lit("3604") + (pl.col("i") + 7 + n * 10_000_000).cast(pl.String).str.zfill(12)).alias("nik"),
        pl.format("Penerima {}", pl.col("i")).alias("name"), pl.lit(600_000, dtype=pl.Int64).alias("amount"),
        pl.lit("pending").alias("status"), pl.lit(0, dtype=pl.Int64).alias("paid_amount"),
        pl.lit(0, dtype=pl.Int64).alias("returned_amount"), pl.lit("").alias("failed_reason")).drop("i")
    bulk = Bulk()
    bulk.insert("distribution_distributionentry", frame)
    bulk.analyze(["distribution_distributionentry"])
    print(f"[{size}] inserted in {time.perf_counter() - started:.1f}s", flush=True)
    return dist, dlist


def _realisation_file(dlist, rows_target: int, path: Path) -> dict[str, int]:
    """Every KPM paid once (1 % under an unknown reference), 10 % reversed and paid again, then paid-twice and
    amount-differs rows until `rows_target`."""
    import polars as pl

    from tepat.distribution.models import DistributionEntry

    refs = pl.Series("ref", list(DistributionEntry.objects.filter(list=dlist).order_by("id")
                                 .values_list("kpm_ref", flat=True)))
    n = len(refs)
    base = pl.DataFrame({"ref": refs, "i": pl.int_range(0, n, eager=True)})
    salur = base.select(pl.when(pl.col("i") % 100 == 0).then(pl.format("KX{}", pl.col("i").cast(pl.String).str.zfill(10)))
                        .otherwise(pl.col("ref")).alias("ID_KPM"), pl.lit("SALUR").alias("STATUS"),
                        pl.lit("600000").alias("NOMINAL"),
                        pl.format("2026-02-{}", (pl.col("i") % 28 + 1).cast(pl.String).str.zfill(2)).alias("TANGGAL"),
                        pl.format("T{}", pl.col("i")).alias("NO_TRANSAKSI"), pl.col("i").alias("_order"),
                        pl.lit(0).alias("_step"))
    again = base.filter(pl.col("i") % 10 == 5)
    reversal = again.select(pl.col("ref").alias("ID_KPM"), pl.lit("REVERSAL").alias("STATUS"),
                            pl.lit("600000").alias("NOMINAL"), pl.lit("2026-03-01").alias("TANGGAL"),
                            pl.format("R{}", pl.col("i")).alias("NO_TRANSAKSI"), pl.col("i").alias("_order"),
                            pl.lit(1).alias("_step"))
    resalur = again.select(pl.col("ref").alias("ID_KPM"), pl.lit("SALUR").alias("STATUS"),
                           pl.lit("600000").alias("NOMINAL"), pl.lit("2026-03-02").alias("TANGGAL"),
                           pl.format("T2-{}", pl.col("i")).alias("NO_TRANSAKSI"), pl.col("i").alias("_order"),
                           pl.lit(2).alias("_step"))
    rest = max(0, rows_target - salur.height - reversal.height - resalur.height)
    extra = base.head(rest).select(  # paid twice; the KPMs never paid (under their own reference): amount differs
        pl.col("ref").alias("ID_KPM"), pl.lit("SALUR").alias("STATUS"),
        pl.when(pl.col("i") % 100 != 0).then(pl.lit("600000")).otherwise(pl.lit("650000")).alias("NOMINAL"),
        pl.lit("2026-03-10").alias("TANGGAL"), pl.format("T3-{}", pl.col("i")).alias("NO_TRANSAKSI"),
        pl.col("i").alias("_order"), pl.lit(3).alias("_step"))
    data = pl.concat([salur, reversal, resalur, extra]).sort("_step", "_order").drop("_order", "_step")
    data.write_csv(path, separator=";")
    return {"rows": data.height, "kpm": n, "reversed": reversal.height, "extra": extra.height}


def child(args) -> None:
    """The realisation steps in a fresh process (its own peak RSS)."""
    _setup_django(args.database_url)
    import polars as pl

    from tepat.core.actors import SYSTEM
    from tepat.distribution.models import Distribution
    from tepat.distribution.services.realisation import realisation_import, reconciliation

    dist = Distribution.objects.get(pk=args.dist)
    path = Path(args.file)
    rows = int(args.rows)
    results = []

    def step(name, fn):
        t0 = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - t0
        results.append({"step": name, "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
                        "peak_rss_mb": round(rss_mb()), "load": load()})
        print(f"[{rows}] {name}: {seconds:.2f}s, {rows / seconds:,.0f} rows/s, peak RSS {rss_mb():.0f} MB, "
              f"load {load()}", flush=True)
        return out

    step("baseline_read", lambda: pl.read_csv(path, separator=";", infer_schema=False))
    imp = step("realisation", lambda: realisation_import(actor=SYSTEM, dist=dist, source=path, file_name=path.name))
    print(f"   rows {imp.rows}, applied {imp.applied}, unchanged {imp.unchanged}, rejected {imp.rejected}, "
          f"chunks {imp.chunks_total}", flush=True)
    print(f"   where the time went (s): {getattr(imp, 'timings', {})}", flush=True)
    again = step("rerun", lambda: realisation_import(actor=SYSTEM, dist=dist, source=path, file_name=path.name))
    print(f"   rerun: where the time went (s): {getattr(again, 'timings', {})}", flush=True)
    assert again.applied == 0 and again.unchanged >= imp.applied, (again.applied, again.unchanged)
    rec = step("reconciliation", lambda: reconciliation(actor=SYSTEM, dist=dist))
    print(f"   totals {rec['totals']}, discrepancies {len(rec['discrepancies'])}", flush=True)
    results.append({"imported": {"rows": imp.rows, "applied": imp.applied, "unchanged": imp.unchanged,
                                 "rejected": imp.rejected, "chunks": imp.chunks_total,
                                 "timings": getattr(imp, "timings", {}), "rerun_timings": getattr(again, "timings", {}),
                                 "errors": dict(__import__("collections").Counter(e["code"] for e in imp.errors))}})
    Path(args.json).write_text(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kpm", type=int, action="append", help="export tahap size(s); 0 skips the export")
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--realisation-rows", type=int, default=1_000_000, help="0 skips the realisation steps")
    parser.add_argument("--realisation-kpm", type=int, default=800_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="tepat_bench_distperf")
    parser.add_argument("--sqlite", default="", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--dist", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--rows", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = [s for s in (args.kpm or [61_202]) if s]
    print(f"load before: {load()} (2 cores)", flush=True)
    if args.sqlite:
        Path(args.sqlite).unlink(missing_ok=True)
        database_url = f"sqlite:///{Path(args.sqlite).resolve()}"
    else:
        import psycopg

        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.db}")
            conn.execute(f"CREATE DATABASE {args.db}")
        database_url = args.pg_url.rsplit("/", 1)[0] + f"/{args.db}"
    _setup_django(database_url)
    import polars as pl
    from django.core.management import call_command

    from tepat.accounts.models import User
    from tepat.core.actors import SYSTEM
    from tepat.distribution.services.export import frame, list_export
    from tepat.programs.models import Programme
    from tepat.regions.models import Region

    call_command("migrate", verbosity=0)
    call_command("load-regions", province=["36"], verbosity=0)
    villages = list(Region.objects.filter(code__startswith="36.04.", level=Region.Level.VILLAGE)
                    .order_by("code").values_list("code", flat=True))
    user = User.objects.create(username="bench.distribution", role="dinsos_supervisor")
    programme = Programme.objects.create(code="SEMBAKO", name="Sembako", kind="sembako", funding="apbn")
    results = []
    OUT.mkdir(parents=True, exist_ok=True)
    n = 0
    for n, size in enumerate(sizes):
        dist, dlist = _tahap(n, size, user, programme, villages)

        def step(name, fn):
            t0 = time.perf_counter()
            out = fn()
            seconds = time.perf_counter() - t0
            results.append({"step": name, "rows": size, "seconds": round(seconds, 2),
                            "rows_per_s": round(size / seconds), "peak_rss_mb": round(rss_mb()), "load": load()})
            print(f"[{size}] {name}: {seconds:.2f}s, {size / seconds:,.0f} rows/s, peak RSS {rss_mb():.0f} MB, "
                  f"load {load()}", flush=True)
            return out

        data = frame(SYSTEM, dlist, dist.region_code)
        columns = [(h, f) for h, f in dlist.channel.columns]
        step("baseline_csv", lambda: data.select([pl.col(f).cast(pl.String).alias(h) for h, f in columns])
             .write_csv(OUT / "baseline.csv", separator=";"))
        csv_result = step("export_csv", lambda: list_export(actor=SYSTEM, dlist=dlist, fmt="csv"))
        csv_result.path.unlink()
        if args.xlsx:
            xlsx_result = step("export_xlsx", lambda: list_export(actor=SYSTEM, dlist=dlist, fmt="xlsx"))
            print(f"   xlsx {xlsx_result.path.stat().st_size / 1e6:.1f} MB", flush=True)
            xlsx_result.path.unlink()
    if args.realisation_rows:
        dist, dlist = _tahap(n + 1, args.realisation_kpm, user, programme, villages)
        path = OUT / f"realisasi-{args.realisation_rows}.csv"
        shape = _realisation_file(dlist, args.realisation_rows, path)
        print(f"   file {shape}, {path.stat().st_size / 1e6:.0f} MB", flush=True)
        from django.db import connections

        connections.close_all()
        out = OUT / "distribution-child.json"
        subprocess.run([sys.executable, __file__, "--child", "--database-url", database_url, "--dist", str(dist.pk),
                        "--file", str(path), "--rows", str(shape["rows"]), "--json", str(out)], check=True)
        child_results = json.loads(out.read_text())
        results += child_results
        path.unlink()
    print(f"\nload after: {load()}")
    print("\n| rows | step | seconds | rows/s | peak RSS MB | load (1/5/15 min) |\n|---:|---|---:|---:|---:|---|")
    for r in results:
        if "step" in r:
            print(f"| {r['rows']:,} | {r['step']} | {r['seconds']:.2f} | {r['rows_per_s']:,} | {r['peak_rss_mb']} | "
                  f"{r['load']} |")
        else:
            print(json.dumps(r))


if __name__ == "__main__":
    main()
