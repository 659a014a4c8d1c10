"""The shared setup and driver of the load benchmarks (benchmarks/public_load.py, issue 12; benchmarks/staff_load.py,
issue 15.4). Not a benchmark by itself: one module both import, so the two runs measure the same database, the
same server and the same way of reading locust's figures.

Database  `tepat_bench_loadtest` (`--db`): Kabupaten Serang (36.04), `tepat demo-data --families 300000 --seed 7`
          (994,227 people), the programme part of the demo (`demo-users`, `demo-desil`, `demo-programmes`,
          `demo-public`: approved PKH and Sembako lists), then `setup-step`: SLRT complaints, update proposals over
          every stage, the benchmark's staff users (Dinsos operators of the district, village operators), the
          samples (names, NIKs, family ids, villages) and ANALYZE. `reuse` only migrates an existing database.
Server    `tepat serve` (tepat/ops: migrations check, collectstatic, gunicorn sync workers, the background worker)
          with production settings on 127.0.0.1:`--port`; `--workers` gunicorn workers (default 2 × cores + 1 = 5 on
          this 2-core machine, serve's own default).
Locust    headless, `-u N -r R -t Ns --csv`, on loopback; the figures are read from its `_stats.csv`. In every
          run a BaselineUser (benchmarks/loadbench_users.py) requests /healthz 10 times a second on the same
          server, and before and after locust the driver times a bare SQL round trip (`SELECT 1`, 200 times) and
          reads `uptime`'s load average: the house rule's baseline, in the same command.
"""

from __future__ import annotations

import argparse
import csv
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
BENCH = ROOT / "benchmarks"
REGION = "36.04"
DB = "tepat_bench_loadtest"
SECRET = "bench-only-" + "x" * 60
AUDIT_KEY = "bench:" + "k" * 40
PASSWORD = "bench-pass-123456"
DINSOS_USERS = 30  # bench.dinsos.01 … (the whole district)
VILLAGE_USERS = 20  # bench.desa.01 … (one village each)


def add_common_arguments(parser: argparse.ArgumentParser, *, workdir: str, port: int) -> None:
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="an account that may create databases")
    parser.add_argument("--db", default=DB)
    parser.add_argument("--workdir", default=workdir)
    parser.add_argument("--families", type=int, default=300_000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=30_000)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: tepat serve's 2 × cores + 1)")
    parser.add_argument("--seconds", type=int, default=60, help="the measured window")
    parser.add_argument("--warmup", type=int, default=180,
                        help="at most this many seconds for the users' on_start (sign-in) before the window")


def database_url(args: argparse.Namespace) -> str:
    return args.pg_url.rsplit("/", 1)[0] + f"/{args.db}"


def server_env(args: argparse.Namespace, **settings: str) -> dict[str, str]:
    """Production settings from the environment (config.django.production), plus `settings` overrides."""
    env = {**os.environ, "DATABASE_URL": database_url(args), "DJANGO_SETTINGS_MODULE": "config.django.production",
           "DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
           "TEPAT_AUDIT_KEYS": AUDIT_KEY, "TEPAT_AUDIT_KEY_ID": "bench",
           "TEPAT_AUDIT_CHECKPOINT_DIR": str(Path(args.workdir) / "checkpoints"),
           "TEPAT_SECURE_COOKIES": "false", "TEPAT_SSL_REDIRECT": "false", "TEPAT_HSTS_SECONDS": "0",
           "DJANGO_DEBUG": "false", "TEPAT_TRUSTED_PROXIES": "1",
           "TEPAT_BIND": f"127.0.0.1:{args.port}"}
    for name in ("TEPAT_PUBLIC_LIMIT_IP", "TEPAT_PUBLIC_LIMIT_SUBJECT", "TEPAT_PUBLIC_LIMIT_GLOBAL"):
        env.pop(name, None)
    env.update(settings)
    return env


def _tepat(args: argparse.Namespace, *command: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(args), "DJANGO_SETTINGS_MODULE": "config.django.local"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tepat", *command], cwd=ROOT, env=env, check=True)
    print(f"   {' '.join(command)}: {time.perf_counter() - started:.1f} s", flush=True)


# ---- setup --------------------------------------------------------------------------------------------

def setup(args: argparse.Namespace) -> None:
    """Drop and build the benchmark database (≈ 1M people), then `setup_step` in its own process."""
    import psycopg

    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.db}")
        conn.execute(f"CREATE DATABASE {args.db}")
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _tepat(args, "migrate", "-v0")
    _tepat(args, "load-regions", "--province", "36")
    _tepat(args, "demo-data", "--region", REGION, "--families", str(args.families), "--seed", "7")
    _tepat(args, "demo-users")
    _tepat(args, "demo-desil", "--region", REGION, "--out", str(Path(args.workdir) / "desil.csv"))
    _tepat(args, "demo-programmes", "--region", REGION)
    _tepat(args, "demo-public", "--region", REGION)
    setup_step_process(args)
    print(f"setup: {time.perf_counter() - started:.0f} s", flush=True)


def reuse(args: argparse.Namespace) -> None:
    """An existing benchmark database: bring its schema up to date (and the benchmark's rows if missing)."""
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    _tepat(args, "migrate", "-v0")
    setup_step_process(args)


def setup_step_process(args: argparse.Namespace) -> None:
    subprocess.run([sys.executable, str(BENCH / "loadbench.py"), "setup-step", "--pg-url", args.pg_url,
                    "--db", args.db, "--workdir", args.workdir, "--complaints", str(args.complaints),
                    "--proposals", str(args.proposals)], cwd=ROOT, check=True)


def setup_step(args: argparse.Namespace) -> None:
    """Complaints, proposals, the staff users, the samples, ANALYZE (idempotent: skips what exists)."""
    os.environ.update(DATABASE_URL=database_url(args), DJANGO_SETTINGS_MODULE="config.django.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from tepat.accounts.models import User
    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM
    from tepat.grievances.models import Category, Complaint
    from tepat.programs.models import ListEntry
    from tepat.regions.models import Region
    from tepat.registry.models import Family, Individual
    from tepat.updates.models import Proposal

    started = time.perf_counter()
    rng = random.Random(1)
    villages = sorted(Region.objects.filter(code__startswith=REGION + ".", level=4).values_list("code", flat=True))
    populated = set(Family.objects.filter(region__code__startswith=REGION + ".")
                    .values_list("region_id", flat=True).distinct())
    villages = [code for code in villages if code in populated]
    staff_villages = villages[:: max(1, len(villages) // VILLAGE_USERS)][:VILLAGE_USERS]
    users: list[dict] = []
    for i in range(DINSOS_USERS):
        users.append({"username": f"bench.dinsos.{i + 1:02d}", "role": "dinsos_operator", "region": REGION})
    for i, village in enumerate(staff_villages):
        users.append({"username": f"bench.desa.{i + 1:02d}", "role": "village_operator", "region": village})
    for user in users:
        if not User.objects.filter(username=user["username"]).exists():
            user_create(actor=SYSTEM, username=user["username"], password=PASSWORD, role=user["role"],
                        region_codes=[user["region"]], full_name="Bench " + user["username"])
    operator = User.objects.get(username="bench.dinsos.01")
    now = timezone.now()

    if not Complaint.objects.filter(reference__startswith="ADU-BENCH-").exists():
        leaves = list(Category.objects.filter(parent__isnull=False))
        statuses = ["registered"] * 3 + ["assessed"] * 2 + ["referred", "followed_up", "waiting"] + ["closed"] * 4
        rows = []
        for i in range(args.complaints):
            category = rng.choice(leaves)
            created = now - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 1440))
            status = rng.choice(statuses)
            rows.append(Complaint(
                reference=f"ADU-BENCH-{i:07d}", channel="counter", subject_kind="unregistered",
                subject_name=f"Warga {i}", subject_address="Kp. Bench", category=category, description="bench",
                sensitive=category.sensitive or rng.random() < 0.05, region_id=rng.choice(villages),
                desk=category.desk, status=status, stage_entered_at=created, created_at=created,
                resolved_at=created + timedelta(days=rng.randrange(1, 30)) if status == "closed" else None,
                sla_state=rng.choice(["ok", "ok", "at_risk", "breached", "paused"]), complainant_anonymous=True,
                created_by=operator))
        Complaint.objects.bulk_create(rows, batch_size=5000)
        print(f"   complaints: {len(rows):,}", flush=True)

    if not Proposal.objects.filter(reference__startswith="USL-BENCH-").exists():
        # Every open stage and the closed ones, over the district's villages (change-of-data and programme
        # proposals on existing families): what the queues and the proposal list page through.
        statuses = (["draft"] * 2 + ["submitted"] * 3 + ["in_verification"] * 2 + ["verified"] * 2 + ["accepted"] * 3
                    + ["awaiting_supervisor", "approved", "approved"] + ["applied"] * 6 + ["rejected", "withdrawn"])
        family_rows = list(Family.objects.filter(region__code__startswith=REGION + ".")
                           .values_list("pk", "region_id").order_by("?")[: args.proposals])
        rows = []
        for i, (family_id, region_id) in enumerate(family_rows):
            status = rng.choice(statuses)
            entered = now - timedelta(days=rng.randrange(0, 90), minutes=rng.randrange(0, 1440))
            kind = rng.choice(["change_data", "program"])
            payload = ({"program": "pkh", "member": "", "note": ""} if kind == "program"
                       else {"changes": {"phone": f"08{rng.randrange(10**9, 10**10)}"}})
            rows.append(Proposal(
                reference=f"USL-BENCH-{i:06d}", kind=kind, source="village_operator", region_id=region_id,
                family_id=family_id, payload=payload, status=status, stage_entered_at=entered,
                submitted_at=None if status == "draft" else entered, created_by=operator,
                approved_at=entered if status in ("approved", "applied") else None,
                applied_at=entered if status == "applied" else None))
        Proposal.objects.bulk_create(rows, batch_size=5000)
        print(f"   proposals: {len(rows):,}", flush=True)

    # Samples. Public lookup: recipients' heads by name + village, and absent names. Staff: per scope
    # (the district, each staff village) family ids, head names and head NIKs.
    family_ids = list(ListEntry.objects.filter(status="recipient", list__status="approved")
                      .values_list("family_id", flat=True).distinct()[:5000])
    heads = list(Individual.objects.filter(family_id__in=family_ids, relation=1)
                 .values_list("name", "family__region_id")[:5000])
    absent = [(f"Nama Tidak Ada {i}", rng.choice(villages)) for i in range(5000)]
    staff: dict[str, list] = {}
    for scope in [REGION, *staff_villages]:
        rows = list(Individual.objects.filter(relation=1, family__status="active",
                                              family__region__code__startswith=scope)
                    .order_by("?").values_list("family_id", "name", "nik")[:500])
        staff[scope] = [(str(family_id), name, nik) for family_id, name, nik in rows]
    samples = {"recipients": heads, "absent": absent, "users": users, "staff": staff}
    (Path(args.workdir) / "samples.json").write_text(json.dumps(samples))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"   setup-step {time.perf_counter() - started:.0f} s: {len(users)} staff users, samples: {len(heads)} "
          f"recipients, {len(absent)} absent, {sum(len(v) for v in staff.values())} staff families", flush=True)


# ---- server -------------------------------------------------------------------------------------------

def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    """`tepat serve` (production settings) on 127.0.0.1:port; waits until /healthz answers 200."""
    log = open(Path(args.workdir) / "serve.log", "a")  # noqa: SIM115
    command = [sys.executable, "-m", "tepat", "serve", "--bind", f"127.0.0.1:{args.port}", "--grace", "10"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as response:
                if response.status == 200:
                    time.sleep(2)  # every gunicorn worker booted
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"tepat serve did not answer (see {Path(args.workdir) / 'serve.log'})")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# ---- measuring ----------------------------------------------------------------------------------------

def sql_baseline(args: argparse.Namespace, repeat: int = 200) -> dict[str, float]:
    """A bare SQL round trip on the benchmark database (`SELECT 1`), median and p95 in ms."""
    import psycopg

    times = []
    with psycopg.connect(database_url(args)) as conn:
        for _ in range(repeat):
            started = time.perf_counter()
            conn.execute("SELECT 1").fetchone()
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"sql_p50_ms": round(times[len(times) // 2], 2), "sql_p95_ms": round(times[int(len(times) * 0.95)], 2)}


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run_locust(args: argparse.Namespace, *, locustfile: str, phase: str, users: int, spawn_rate: float,
               env: dict[str, str]) -> dict:
    """One headless locust run on loopback, bounded in time, with the baselines around it. `users` counts the
    baseline user; the figures are reset once the others are ready (loadbench_users.ready)."""
    prefix = Path(args.workdir) / f"locust_{phase}"
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(BENCH / locustfile), "--headless",
               "--host", f"http://127.0.0.1:{args.port}", "-u", str(users), "-r", str(spawn_rate),
               "-t", f"{args.seconds + args.warmup}s", "--csv", str(prefix), "--only-summary", "--stop-timeout", "5"]
    before = {"load_average": load_average(), **sql_baseline(args)}
    started = time.time()
    env = {**os.environ, "BENCH_READY_AT": str(users - 1), "BENCH_SECONDS": str(args.seconds), **env}
    subprocess.run(command, cwd=ROOT, env=env, check=False)
    after = {"load_average": load_average(), **sql_baseline(args)}
    stats = {}
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                  "rps": float(row["Requests/s"]), "p50": row["50%"], "p95": row["95%"],
                                  "p99": row["99%"], "max": round(float(row["Max Response Time"]))}
    counts_file = prefix.with_name(prefix.name + "_counts.json")
    counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    total = stats.get("Aggregated", {})
    window = round(total["requests"] / total["rps"]) if total.get("rps") else 0
    return {"phase": phase, "command": " ".join(command[1:]), "started": started, "window_s": window, "stats": stats,
            "counts": counts, "before": before, "after": after}


def print_table(results: list[dict]) -> None:
    print("| phase | request | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for name, s in result["stats"].items():
            print(f"| {result['phase']} | {name} | {s['requests']:,} | {s['failures']} | {s['rps']:.1f} | {s['p50']} |"
                  f" {s['p95']} | {s['p99']} | {s['max']} |")
    for result in results:
        before, after = result["before"], result["after"]
        print(f"- phase {result['phase']}: measured window ≈ {result['window_s']} s; load average {before['load_average']} → {after['load_average']}; "
              f"bare SQL `SELECT 1` p50 {before['sql_p50_ms']} → {after['sql_p50_ms']} ms, "
              f"p95 {before['sql_p95_ms']} → {after['sql_p95_ms']} ms"
              + (f"; answers {json.dumps(result['counts'])}" if result["counts"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["setup", "reuse", "setup-step"])
    add_common_arguments(parser, workdir="/tmp/bench-loadtest", port=8104)
    args = parser.parse_args()
    {"setup": setup, "reuse": reuse, "setup-step": setup_step}[args.command](args)


if __name__ == "__main__":
    main()
