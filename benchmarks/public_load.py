"""The public lookup and the staff complaint list under load, with a real server (issue 12, performance).

    .venv/bin/python benchmarks/public_load.py setup [--families 300000]     # once: ≈ 1M people in PostgreSQL
    .venv/bin/python benchmarks/public_load.py run [--seconds 60] [--rate 200] [--workers 4]

setup  drops and creates the database `tepat_bench_grievfin` (`--pg-url`: an account that may create
       databases), migrates it, loads the region master of Banten, generates `--families` demo families in
       Kabupaten Serang (`tepat demo-data`, 300,000 families ≈ 1M people), runs the programme part of the demo
       (`demo-users`, `demo-desil`, `demo-programmes`, `demo-public`: approved PKH and Sembako lists), bulk-inserts
       `--complaints` SLRT cases over the district's villages (5 % sensitive) plus a Dinsos operator for the
       staff run, writes the lookup samples (recipients' heads and absent names, with their villages) to the
       work directory and runs ANALYZE.
run    starts gunicorn (`config.wsgi`, production settings from the environment, `--workers` sync workers)
       on 127.0.0.1:`--port` and drives it with locust, headless, on loopback, bounded in time, in three
       phases, each with its own baseline in the same phase (the static /lacak/ page, same server):
       A  POST /api/v1/public/lookup at `--rate` requests/s, throttling off (the limits set to 0);
       B  the same with the production limits on (per address 30, per subject 5, site 5000 an hour): the
          limits bite, counted as 429 answers;
       C  GET /api/v1/grievances/complaints?status=open and GET /pengaduan/ as the logged-in Dinsos operator
          of the district, `--staff-users` users in a closed loop.
       Results: a markdown table on stdout and results.json in the work directory.

The proof-of-work: the load client cannot spend ~50,000 SHA-256 per request on this machine, so before each
phase the driver mints challenges with the server's key (it knows DJANGO_SECRET_KEY, a benchmark shortcut) at a
lowered difficulty (max number 1,000 instead of 100,000) and solves them. The server's work to verify a solution
does not depend on the difficulty (one HMAC, one SHA-256, one insert into the spent-solutions table), so the
figure is the production server's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "36.04"
DB = "tepat_bench_grievfin"
SECRET = "bench-only-" + "x" * 60
AUDIT_KEY = "bench:" + "k" * 40
STAFF_USER, STAFF_PASSWORD = "bench.dinsos", "bench-pass-123456"


def _url(args: argparse.Namespace) -> str:
    return args.pg_url.rsplit("/", 1)[0] + f"/{DB}"


def _server_env(args: argparse.Namespace, throttled: bool) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": _url(args), "DJANGO_SETTINGS_MODULE": "config.django.production",
           "DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
           "TEPAT_AUDIT_KEYS": AUDIT_KEY, "TEPAT_AUDIT_KEY_ID": "bench",
           "TEPAT_AUDIT_CHECKPOINT_DIR": str(Path(args.workdir) / "checkpoints"),
           "TEPAT_SECURE_COOKIES": "false", "TEPAT_SSL_REDIRECT": "false", "TEPAT_HSTS_SECONDS": "0",
           "DJANGO_DEBUG": "false", "TEPAT_TRUSTED_PROXIES": "1"}
    if not throttled:
        env.update(TEPAT_PUBLIC_LIMIT_IP="0", TEPAT_PUBLIC_LIMIT_SUBJECT="0", TEPAT_PUBLIC_LIMIT_GLOBAL="0")
    else:
        for name in ("TEPAT_PUBLIC_LIMIT_IP", "TEPAT_PUBLIC_LIMIT_SUBJECT", "TEPAT_PUBLIC_LIMIT_GLOBAL"):
            env.pop(name, None)
    return env


def _tepat(args: argparse.Namespace, *command: str) -> None:
    env = {**os.environ, "DATABASE_URL": _url(args), "DJANGO_SETTINGS_MODULE": "config.django.local"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tepat", *command], cwd=ROOT, env=env, check=True)
    print(f"   {' '.join(command)}: {time.perf_counter() - started:.1f} s", flush=True)


# ---- setup --------------------------------------------------------------------------------------------

def setup(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _tepat(args, "migrate", "-v0")
    _tepat(args, "load-regions", "--province", "36")
    _tepat(args, "demo-data", "--region", REGION, "--families", str(args.families), "--seed", "7")
    _tepat(args, "demo-users")
    _tepat(args, "demo-desil", "--region", REGION, "--out", str(Path(args.workdir) / "desil.csv"))
    _tepat(args, "demo-programmes", "--region", REGION)
    _tepat(args, "demo-public", "--region", REGION)
    subprocess.run([sys.executable, __file__, "setup-step", "--pg-url", args.pg_url, "--workdir", args.workdir,
                    "--complaints", str(args.complaints)], cwd=ROOT, check=True)
    print(f"setup: {time.perf_counter() - started:.0f} s", flush=True)


def setup_step(args: argparse.Namespace) -> None:
    """In its own process: complaints, the staff user, the samples, ANALYZE."""
    os.environ.update(DATABASE_URL=_url(args), DJANGO_SETTINGS_MODULE="config.django.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM
    from tepat.grievances.models import Category, Complaint
    from tepat.programs.models import ListEntry
    from tepat.regions.models import Region
    from tepat.registry.models import Individual

    operator = user_create(actor=SYSTEM, username=STAFF_USER, password=STAFF_PASSWORD, role="dinsos_operator",
                           region_codes=[REGION], full_name="Bench")
    villages = list(Region.objects.filter(code__startswith=REGION + ".", level=4).values_list("code", flat=True))
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
    family_ids = list(ListEntry.objects.filter(status="recipient", list__status="approved")
                      .values_list("family_id", flat=True).distinct()[:5000])
    heads = list(Individual.objects.filter(family_id__in=family_ids, relation=1)
                 .values_list("name", "family__region_id")[:5000])
    absent = [(f"Nama Tidak Ada {i}", rng.choice(villages)) for i in range(5000)]
    samples = {"recipients": heads, "absent": absent}
    (Path(args.workdir) / "samples.json").write_text(json.dumps(samples))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"   complaints {args.complaints:,}, samples: {len(heads)} recipients, {len(absent)} absent", flush=True)


# ---- run ----------------------------------------------------------------------------------------------

def mint_solutions(args: argparse.Namespace, count: int) -> Path:
    """Solved challenges signed with the server's key (lowered difficulty; see the module docstring)."""
    env = _server_env(args, throttled=False)
    env["TEPAT_PUBLIC_POW_MAX_NUMBER"] = "1000"
    out = Path(args.workdir) / "solutions.json"
    code = ("import django, json, sys; django.setup();"
            "from tepat.public.challenge import challenge_new, challenge_solve;"
            f"json.dump([challenge_solve(challenge_new()) for _ in range({count})], open(sys.argv[1], 'w'))")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, env=env, check=True)
    print(f"   minted {count:,} solutions in {time.perf_counter() - started:.1f} s", flush=True)
    return out


def start_server(args: argparse.Namespace, throttled: bool) -> subprocess.Popen:
    env = _server_env(args, throttled)
    subprocess.run([sys.executable, "-m", "tepat", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True)
    log = open(Path(args.workdir) / "gunicorn.log", "a")  # noqa: SIM115
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind",
                               f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--worker-class", "sync",
                               "--timeout", "60", "--keep-alive", "5"],
                              cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/lacak/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def locust(args: argparse.Namespace, phase: str, users: int, seconds: int, env: dict[str, str]) -> dict:
    prefix = Path(args.workdir) / f"locust_{phase}"
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "benchmarks" / "public_locust.py"),
               "--headless", "--host", f"http://127.0.0.1:{args.port}", "-u", str(users), "-r", str(users),
               "--run-time", f"{seconds}s", "--csv", str(prefix), "--only-summary", "--stop-timeout", "5"]
    load_before = os.getloadavg()[0]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=False)
    stats = {}
    import csv

    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                  "rps": float(row["Requests/s"]), "p50": row["50%"], "p95": row["95%"],
                                  "p99": row["99%"], "max": row["Max Response Time"]}
    extra = prefix.with_name(prefix.name + "_counts.json")
    counts = json.loads(extra.read_text()) if extra.exists() else {}
    return {"phase": phase, "stats": stats, "counts": counts,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def throttled_since(args: argparse.Namespace, since: float) -> dict[str, int]:
    """`public.throttled` events of the phase by the limit that bit (from the audit trail)."""
    import psycopg

    with psycopg.connect(_url(args)) as conn:
        rows = conn.execute("SELECT data->>'limit', count(*) FROM audit_auditevent WHERE action = 'public.throttled' "
                            "AND occurred_at >= to_timestamp(%s) GROUP BY 1 ORDER BY 1", [since]).fetchall()
    return {f"throttled by {name}": count for name, count in rows}


def run(args: argparse.Namespace) -> None:
    results = []
    samples = str(Path(args.workdir) / "samples.json")
    for phase, throttled in (("A", False), ("B", True)):
        solutions = mint_solutions(args, int(args.rate * args.seconds * 1.3) + 500)
        server = start_server(args, throttled)
        try:
            env = {"BENCH_SCENARIO": "public", "BENCH_RATE": str(args.rate), "BENCH_USERS": str(args.users),
                   "BENCH_SOLUTIONS": str(solutions), "BENCH_SAMPLES": samples,
                   "BENCH_COUNTS": str(Path(args.workdir) / f"locust_{phase}_counts.json")}
            since = time.time()
            result = locust(args, phase, args.users + 1, args.seconds, env)
            result["counts"].update(throttled_since(args, since))
            results.append(result)
        finally:
            stop_server(server)
    server = start_server(args, throttled=False)
    try:
        env = {"BENCH_SCENARIO": "staff", "BENCH_USER": STAFF_USER, "BENCH_PASSWORD": STAFF_PASSWORD}
        results.append(locust(args, "C", args.staff_users + 1, args.seconds, env))
    finally:
        stop_server(server)
    (Path(args.workdir) / "results.json").write_text(json.dumps(results, indent=2))
    print("| phase | endpoint | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms | load avg |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for result in results:
        for name, s in result["stats"].items():
            print(f"| {result['phase']} | {name} | {s['requests']} | {s['failures']} | {s['rps']:.1f} | {s['p50']} |"
                  f" {s['p95']} | {s['p99']} | {s['max']} | {result['load_average'][0]} → {result['load_average'][1]} |")
        if result["counts"]:
            print(f"| {result['phase']} | answers | {json.dumps(result['counts'])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["setup", "setup-step", "run"])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workdir", default="/tmp/bench-grievfin")
    parser.add_argument("--families", type=int, default=300_000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--users", type=int, default=40, help="public lookup users (the rate is shared)")
    parser.add_argument("--staff-users", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    {"setup": setup, "setup-step": setup_step, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
