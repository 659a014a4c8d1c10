"""The public lookup and the staff complaint list under load, with the production server (issue 12, performance).

    .venv/bin/python benchmarks/loadbench.py setup            # once: ≈ 1M people in PostgreSQL (or `reuse`)
    .venv/bin/python benchmarks/public_load.py [--seconds 60] [--rate 200] [--target page|api] [--phases BAC]

The database, the server (`tepat serve`, production settings) and the baselines are benchmarks/loadbench.py's.
Locust (benchmarks/public_locust.py) runs headless on loopback, bounded in time, in three phases, each a
server start of its own with its settings, in the order B, A, C (the limits count the lookups of the last
hour: A's 12,000 would throttle all of B at the site-wide limit; the driver records how many were already in
the window before B):
  A  the lookup at `--rate` requests/s, throttling off (TEPAT_PUBLIC_LIMIT_IP/SUBJECT/GLOBAL = 0);
  B  the same with the production limits on (per address 30, per subject 5, site 5000 an hour): the limits
     bite, counted as 429 answers (the share of throttled answers) and as `public.throttled` audit events;
  C  the staff complaint list of the district (GET /pengaduan/ and the API list) as the district's Dinsos
     operators, `--staff-users` users, 1 request/s each.
`--target page` (default) posts the citizen's form /cek-bansos/; `api` posts /api/v1/public/lookup.
Results: a markdown table on stdout and results_public.json in the work directory.

The proof-of-work is not switched off (there is no setting for that): every request carries a solved challenge
and the server verifies and spends it as in production. The load client cannot spend ~50,000 SHA-256 per request
at 200 requests/s on this machine, so before each phase the driver mints challenges with the server's key (it
knows DJANGO_SECRET_KEY, a benchmark shortcut) at a lowered difficulty (max number 1,000 instead of 100,000) and
solves them; they are not fetched from /publik/tantangan/. The server's work to verify a solution does not
depend on the difficulty (one HMAC, one SHA-256, one insert into the spent-solutions table), so the figure is
the production server's cost; the citizen's browser's work (≈ 0.1–1 s) is not in it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadbench


def mint_solutions(args: argparse.Namespace, count: int) -> Path:
    """Solved challenges signed with the server's key (lowered difficulty; see the module docstring)."""
    import subprocess

    env = loadbench.server_env(args, TEPAT_PUBLIC_POW_MAX_NUMBER="1000")
    out = Path(args.workdir) / "solutions.json"
    code = ("import django, json, sys; django.setup();"
            "from tepat.public.challenge import challenge_new, challenge_solve;"
            f"json.dump([challenge_solve(challenge_new()) for _ in range({count})], open(sys.argv[1], 'w'))")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(out)], cwd=loadbench.ROOT, env=env, check=True)
    print(f"   minted {count:,} solutions in {time.perf_counter() - started:.1f} s", flush=True)
    return out


def throttled_since(args: argparse.Namespace, since: float) -> dict[str, int]:
    """`public.throttled` events of the phase by the limit that bit (from the audit trail)."""
    import psycopg

    with psycopg.connect(loadbench.database_url(args)) as conn:
        rows = conn.execute("SELECT data->>'limit', count(*) FROM audit_auditevent WHERE action = 'public.throttled' "
                            "AND occurred_at >= to_timestamp(%s) GROUP BY 1 ORDER BY 1", [since]).fetchall()
    return {f"audit: throttled by {name}": count for name, count in rows}


def lookups_in_window(args: argparse.Namespace) -> int:
    """`public.lookup` events of the last hour (the limits' window): they count towards the site-wide limit."""
    import psycopg

    with psycopg.connect(loadbench.database_url(args)) as conn:
        return conn.execute("SELECT count(*) FROM audit_auditevent WHERE action = 'public.lookup' "
                            "AND occurred_at >= now() - interval '1 hour'").fetchone()[0]


def _staff_list(args: argparse.Namespace, samples: str) -> dict:
    env = {"BENCH_SCENARIO": "staff", "BENCH_PASSWORD": loadbench.PASSWORD, "BENCH_SAMPLES": samples}
    return loadbench.run_locust(args, locustfile="public_locust.py", phase="public_C", users=args.staff_users + 1,
                                spawn_rate=args.staff_users + 1, env=env)


def run(args: argparse.Namespace) -> None:
    """Phases in the order of `--phases`; C runs on the production-settings server of B when both are asked
    for (C needs the production settings too; one server start fewer on a slow machine)."""
    results = []
    samples = str(Path(args.workdir) / "samples.json")
    off = {"TEPAT_PUBLIC_LIMIT_IP": "0", "TEPAT_PUBLIC_LIMIT_SUBJECT": "0", "TEPAT_PUBLIC_LIMIT_GLOBAL": "0"}
    for phase in [p for p in args.phases if p in "AB"]:
        settings = off if phase == "A" else {}
        prior = lookups_in_window(args) if phase == "B" else None
        solutions = mint_solutions(args, int(args.rate * args.seconds * 1.3) + 500)
        server = loadbench.start_server(args, loadbench.server_env(args, **settings))
        try:
            env = {"BENCH_SCENARIO": "public", "BENCH_TARGET": args.target, "BENCH_RATE": str(args.rate),
                   "BENCH_USERS": str(args.users), "BENCH_ADDRESSES": str(args.addresses), "BENCH_SOLUTIONS": str(solutions), "BENCH_SAMPLES": samples,
                   "BENCH_COUNTS": str(Path(args.workdir) / f"locust_public_{phase}_counts.json")}
            result = loadbench.run_locust(args, locustfile="public_locust.py", phase=f"public_{phase}",
                                          users=args.users + 1, spawn_rate=args.users + 1, env=env)
            result["counts"].update(throttled_since(args, result["started"]))
            if prior is not None:
                result["counts"]["lookups already in the window before the phase"] = prior
            results.append(result)
            if phase == "B" and "C" in args.phases:
                results.append(_staff_list(args, samples))
        finally:
            loadbench.stop_server(server)
    if "C" in args.phases and "B" not in args.phases:
        server = loadbench.start_server(args, loadbench.server_env(args))
        try:
            results.append(_staff_list(args, samples))
        finally:
            loadbench.stop_server(server)
    (Path(args.workdir) / "results_public.json").write_text(json.dumps(results, indent=2))
    loadbench.print_table(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loadbench.add_common_arguments(parser, workdir="/tmp/bench-loadtest", port=8104)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--users", type=int, default=40, help="public lookup users (the rate is shared)")
    parser.add_argument("--target", choices=["page", "api"], default="page")
    parser.add_argument("--staff-users", type=int, default=10)
    parser.add_argument("--addresses", type=int, default=200, help="client addresses the lookups come from")
    parser.add_argument("--phases", default="BAC", help="in this order; B first, so that A's lookups do not fill "
                                                            "the site-wide limit's hour before B")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
