"""Staff pages under load with the production server (issue 15 item 4).

    .venv/bin/python benchmarks/loadbench.py setup            # once: ≈ 1M people in PostgreSQL (or `reuse`)
    .venv/bin/python benchmarks/staff_load.py [--users 50] [--seconds 60] [--think-min 1 --think-max 3]

The database, the staff accounts, the server (`tepat serve`, production settings) and the baselines are
benchmarks/loadbench.py's (the same setup as benchmarks/public_load.py). Locust (benchmarks/staff_locust.py)
runs headless on loopback, bounded in time: `--users` concurrent staff users (one account each: Dinsos operators
of the district, village operators) in a closed loop over the family list, search by name and by NIK, the
family page, the proposal queue and list and the dashboard, plus the /healthz baseline user. Target (issue 15.4):
p95 ≤ 300 ms for each page, no errors. Results: a markdown table on stdout and results_staff.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadbench


def run(args: argparse.Namespace) -> None:
    server = loadbench.start_server(args, loadbench.server_env(args))
    try:
        env = {"BENCH_PASSWORD": loadbench.PASSWORD, "BENCH_SAMPLES": str(Path(args.workdir) / "samples.json"),
               "BENCH_THINK_MIN": str(args.think_min), "BENCH_THINK_MAX": str(args.think_max)}
        result = loadbench.run_locust(args, locustfile="staff_locust.py", phase="staff", users=args.users + 1,
                                      spawn_rate=args.spawn_rate, env=env)
    finally:
        loadbench.stop_server(server)
    (Path(args.workdir) / "results_staff.json").write_text(json.dumps([result], indent=2))
    loadbench.print_table([result])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loadbench.add_common_arguments(parser, workdir="/tmp/bench-loadtest", port=8105)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--think-min", type=float, default=1)
    parser.add_argument("--think-max", type=float, default=3)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
