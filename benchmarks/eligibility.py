"""Eligibility benchmark: PKH, Sembako and PBI-JK lists with their traces over a determined version of F
families, against a bare polars filter on desil.

    .venv/bin/python benchmarks/eligibility.py --families 300000 --database sqlite
    .venv/bin/python benchmarks/eligibility.py --families 300000 --database postgres

Setup (own process, not timed): a fresh database, the region master of Banten, F synthetic families over
Kabupaten Serang's 326 villages (about 3.3 members each: ages, pregnancies, school, severe disability,
civil servants, current PKH/BPNT/PBI-JK participation), frozen as one determined period (`DeterminedFamily`
rows, the JSON the update workflow writes), an official desil release (`FamilyDesil`), and the national
programmes seeded and released through the services.

Timed (a second process, so its peak RSS is the runs' alone): the baseline (`desil_frame` + a polars filter
desil ≤ 4, the floor under any list), then `list_determine` for PKH, Sembako and PBI-JK tahap 1: read the
frozen JSON, evaluate, write the entries with the trace of every clause (two compact columns per family),
the review items, audit. `--repeat N` runs the timed step N times (removing the lists between runs) and
prints the best and the median.

The first list run over a version keeps its facts packed (`VersionFacts`, ADR 0034): the first timed
run after a setup extracts the JSON and packs it (`read_json_s`, `pack_s` in PKH's timings); every later run,
in any process, reads the packed frames (`read_packed_s`). `--step reset` keeps the packed row (the version
did not change); delete it (`DELETE FROM programs_versionfacts`) to measure a first use again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tepat_bench_programs"  # --db-name to run beside another session


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup(url: str, families: int) -> None:
    _django(url)
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from tepat.core.actors import SYSTEM
    from tepat.programs.bulk import insert_rows, uuid_value
    from tepat.programs.seed import programmes_seed
    from tepat.programs.services.releases import release_release
    from tepat.regions.models import Region
    from tepat.regions.services import regions_load
    from tepat.registry.models import Family
    from tepat.targeting.models import DesilRelease, FamilyDesil
    from tepat.updates.models import DeterminationPeriod, DeterminedFamily

    call_command("migrate", verbosity=0)
    regions_load(actor=SYSTEM, provinces={"36"})
    villages = list(Region.objects.filter(code__startswith="36.04.", level=Region.Level.VILLAGE).values_list("code", flat=True))
    rnd = random.Random(2026)
    ref = date(2026, 11, 30)
    now = timezone.now()
    started = time.perf_counter()
    ids = [uuid.uuid4() for _ in range(families)]
    fam_rows, frozen, desil_rows = [], [], []
    people = 0
    for i, fid in enumerate(ids):
        village = villages[i % len(villages)]
        kk = f"{3604}{i % 90 + 10:02d}0101{15 + i % 10:02d}{i % 9999 + 1:04d}"
        members = {}
        size = rnd.choices([1, 2, 3, 4, 5, 6], [8, 17, 25, 28, 15, 7])[0]
        head_age = rnd.randint(22, 85)
        for m in range(size):
            if m == 0:
                age, rel = head_age, 1
            elif m == 1:
                age, rel = max(18, head_age - rnd.randint(0, 8)), 2
            else:
                age, rel = rnd.randint(0, max(0, head_age - 18)), 3
            born = ref - timedelta(days=age * 365 + rnd.randint(0, 364))
            school = 2 if 6 <= age <= 18 and rnd.random() < 0.9 else None
            edu = (3 if age <= 12 else 6 if age <= 15 else 9) if school else None
            severe = rnd.random() < 0.02
            members[str(uuid.uuid4())] = {
                "nik": "", "name": f"A{m}", "birth_place": "", "birth_date": born.isoformat(), "occupation": "",
                "pregnant": rel == 2 and 18 <= age <= 40 and rnd.random() < 0.06, "external_id": "", "sex": 2 if rel == 2 else 1,
                "relation": rel, "marital_status": None, "education": edu, "school_participation": school,
                "employment_status": 5 if rel == 1 and rnd.random() < 0.02 else None, "chronic_illness": None,
                "difficulty_seeing": 1 if severe else None, "difficulty_hearing": None, "difficulty_walking": None,
                "difficulty_hands": None, "difficulty_learning": None, "difficulty_behaviour": None,
                "difficulty_communicating": None, "difficulty_self_care": None, "difficulty_remembering": None,
                "presence": 1,
            }
        people += size
        programs = [p for p, share in (("pkh", 0.14), ("bpnt", 0.2), ("pbi_jk", 0.3)) if rnd.random() < share]
        data = {"region_id": village, "kk_number": kk, "rw": "001", "rt": "001", "address": "", "external_id": "",
                "floor_area_m2": None, "assets": {}, "livestock": {}, "members": members, "programs": programs}
        fam_rows.append(Family(id=fid, kk_number=kk, region_id=village, created_at=now, updated_at=now))
        frozen.append((fid, village, json.dumps(data)))
        if rnd.random() < 0.97:
            desil_rows.append((fid, rnd.randint(1, 10)))
    generated = time.perf_counter() - started
    with transaction.atomic():
        for start in range(0, len(fam_rows), 5000):
            Family.objects.bulk_create(fam_rows[start:start + 5000])
    from tepat.accounts.services import user_create

    op = user_create(actor=SYSTEM, username="bench_op", password="bench-pass-123", role="dinsos_operator",
                     region_codes=["36.04"])
    with transaction.atomic():
        period = DeterminationPeriod.objects.create(
            region_id="36.04", label="2026-11", starts_on=date(2026, 11, 1), ends_on=ref, status="determined",
            decree_number="SK-BENCH", decree_date=date(2026, 12, 1), determined_at=now, family_count=families,
            frozen_count=families, individual_count=people, created_by=op)
        insert_rows(DeterminedFamily._meta.db_table, ["period_id", "family_id", "region_code", "data", "digest"],
                    ((uuid_value(period.pk), uuid_value(f), v, d, "") for f, v, d in frozen))
        release = DesilRelease.objects.create(region_id="36.04", period="2026-T4", source="benchmark",
                                              status="published", imported_at=now, family_count=len(desil_rows))
        insert_rows(FamilyDesil._meta.db_table, ["release_id", "family_id", "desil", "matched_by"],
                    ((uuid_value(release.pk), uuid_value(f), d, "kk") for f, d in desil_rows))
    loaded = time.perf_counter() - started - generated
    drafts = programmes_seed(actor=SYSTEM, region_code="36.04", year=2026)
    t = time.perf_counter()
    for draft in drafts:
        if draft.programme.code in ("PKH", "SEMBAKO", "PBI_JK"):
            release_release(actor=SYSTEM, release=draft, period=period)
    print(json.dumps({"setup": {"families": families, "people": people, "generate_s": round(generated, 1),
                                "load_s": round(loaded, 1), "release_checks_s": round(time.perf_counter() - t, 1)}}))


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process and by its PostgreSQL backend (when the server runs on this
    machine and /proc is readable): the work a run does, which the machine's load does not inflate the way
    it inflates wall time."""
    from django.db import connection

    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    if connection.vendor != "postgresql":
        return own
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return own
    return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(url: str) -> None:
    _django(url)
    import polars as pl

    from tepat.core.actors import SYSTEM
    from tepat.programs.models import ProgrammeRelease
    from tepat.programs.services.lists import list_determine
    from tepat.targeting.selectors import desil_frame, latest_published_release
    from tepat.updates.models import DeterminationPeriod

    period = DeterminationPeriod.objects.get(label="2026-11")
    results = {"load_average_start": [round(x, 2) for x in os.getloadavg()]}
    cpu = _cpu_seconds()
    t = time.perf_counter()
    frame = desil_frame(latest_published_release("36.04"))
    read = time.perf_counter() - t
    t = time.perf_counter()
    poor = frame.filter(pl.col("desil") <= 4).height
    results["baseline"] = {"seconds": round(read + time.perf_counter() - t, 3), "read_s": round(read, 3),
                           "filter_s": round(time.perf_counter() - t, 4), "families_desil_1_4": poor,
                           "cpu_s": round(_cpu_seconds() - cpu, 2)}
    total = 0.0
    for code in ("PKH", "SEMBAKO", "PBI_JK"):
        release = ProgrammeRelease.objects.get(programme__code=code, status="released")
        cpu = _cpu_seconds()
        t = time.perf_counter()
        blist = list_determine(actor=SYSTEM, release=release, period=period, tahap=1)
        seconds = time.perf_counter() - t
        cpu = _cpu_seconds() - cpu
        total += seconds
        assert blist.status == "determined", blist.error
        c = blist.counts
        results[code] = {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "families": c["families"], "recipients": c["recipients"],
                         "traces": c["traces"], "review_items": c["review_items"], "timings": c["timings"]}
    results["all_three_s"] = round(total, 2)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(results))


def reset(url: str) -> None:
    """Remove the lists a timed run made, so the next run starts from the same state (no previous list)."""
    _django(url)
    from django.db import connection, transaction

    from tepat.programs.models import BeneficiaryList, ListEntry, ReviewItem, Substitution

    with transaction.atomic():
        Substitution.objects.all().delete()
        for model in (ReviewItem, ListEntry):
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
        BeneficiaryList.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"reset": True}))


def _summary(runs: list[dict]) -> dict:
    import statistics

    keys = ["baseline", "PKH", "SEMBAKO", "PBI_JK"]
    out = {}
    for key in keys:
        values = [r[key]["seconds"] for r in runs]
        cpu = [r[key]["cpu_s"] for r in runs]
        out[key] = {"best": min(values), "median": round(statistics.median(values), 2), "cpu_best": min(cpu)}
    totals = [r["all_three_s"] for r in runs]
    out["all_three_s"] = {"best": min(totals), "median": round(statistics.median(totals), 2)}
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=300_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--step", choices=["all", "setup", "timed", "reset"], default="all")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs (the lists are removed between runs)")
    parser.add_argument("--db-name", default=DB_NAME)
    parser.add_argument("--url", default="")
    parser.add_argument("--keep-setup", action="store_true",
                        help="reuse the database a previous run set up (its lists are removed first)")
    args = parser.parse_args()
    if args.step == "setup":
        return setup(args.url, args.families)
    if args.step == "timed":
        return timed(args.url)
    if args.step == "reset":
        return reset(args.url)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.database == "sqlite":
        path = work / "eligibility.sqlite3"
        if not args.keep_setup:
            path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        if not args.keep_setup:
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.db_name}")
                conn.execute(f"CREATE DATABASE {args.db_name}")
        url = args.pg_url.rsplit("/", 1)[0] + f"/{args.db_name}"
    me = [sys.executable, __file__, "--url", url, "--families", str(args.families)]
    steps = ["reset" if args.keep_setup else "setup"] + ["timed", "reset"] * args.repeat
    runs = []
    for step in steps[:-1]:
        out = subprocess.run([*me, "--step", step], capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr[-3000:])
        line = out.stdout.strip().splitlines()[-1]
        if step == "timed":
            runs.append(json.loads(line))
            line = json.dumps({**runs[-1], "load_average": [round(x, 2) for x in os.getloadavg()]})
        print(line, flush=True)
    if len(runs) > 1:
        print(json.dumps({"summary": _summary(runs)}))


if __name__ == "__main__":
    main()
