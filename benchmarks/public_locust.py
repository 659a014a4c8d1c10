"""Locust users for benchmarks/public_load.py (run by it; the environment variables BENCH_* choose the scenario).

public  LookupUser: POST /api/v1/public/lookup (JSON) at BENCH_RATE requests/s shared by BENCH_USERS users,
        half recipients' heads by name + village, half absent names; each request spends one pre-solved
        challenge (BENCH_SOLUTIONS) and comes from one of 200 client addresses (X-Forwarded-For, the server
        trusts one proxy), so the per-address limit bites per address, as behind the office's proxy.
staff   StaffUser: signs in as the district's Dinsos operator, then GET /api/v1/grievances/complaints?status=open
        and GET /pengaduan/ (the first page with its count) in turns, 2 requests/s per user.
Both    BaselineUser (one): GET /lacak/ (a static page with a form: the floor of one request on this server)
        at 10 requests/s in the same run.
Answers are counted (recipient / nobody / 429 / other) into BENCH_COUNTS at the end.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter

from locust import FastHttpUser, constant_throughput, events, task

SCENARIO = os.environ.get("BENCH_SCENARIO", "public")
COUNTS: Counter = Counter()
_SOLUTIONS: list[str] = []
_SAMPLES: list[tuple[str, str, str]] = []

if SCENARIO == "public":
    _SOLUTIONS = json.loads(open(os.environ["BENCH_SOLUTIONS"]).read())  # noqa: SIM115
    samples = json.loads(open(os.environ["BENCH_SAMPLES"]).read())  # noqa: SIM115
    _SAMPLES = [("recipient", n, v) for n, v in samples["recipients"]] + [("absent", n, v) for n, v in samples["absent"]]
    random.Random(3).shuffle(_SAMPLES)


@events.test_stop.add_listener
def _write_counts(environment, **kwargs):
    path = os.environ.get("BENCH_COUNTS")
    if path:
        with open(path, "w") as handle:
            json.dump(dict(COUNTS), handle)


class BaselineUser(FastHttpUser):
    fixed_count = 1
    wait_time = constant_throughput(10)

    @task
    def static_page(self):
        self.client.get("/lacak/", name="baseline GET /lacak/")


if SCENARIO == "public":
    class LookupUser(FastHttpUser):
        wait_time = constant_throughput(float(os.environ.get("BENCH_RATE", "200"))
                                        / int(os.environ.get("BENCH_USERS", "40")))

        @task
        def lookup(self):
            if not _SOLUTIONS:
                COUNTS["no solution left"] += 1
                return
            kind, name, village = _SAMPLES[random.randrange(len(_SAMPLES))]
            address = f"10.{random.randrange(1, 3)}.0.{random.randrange(1, 101)}"
            with self.client.post("/api/v1/public/lookup", json={"name": name, "village": village,
                                                                 "altcha": _SOLUTIONS.pop()},
                                  headers={"X-Forwarded-For": address}, name="POST /api/v1/public/lookup",
                                  catch_response=True) as response:
                if response.status_code == 429:
                    COUNTS["429 throttled"] += 1
                    response.success()  # an expected answer in the throttled run; counted apart
                elif response.status_code == 200:
                    answer = response.json()
                    COUNTS[f"{kind}: {'recipient' if answer['recipient'] else 'nobody'}"] += 1
                else:
                    COUNTS[f"{response.status_code}"] += 1
                    response.failure(f"status {response.status_code}")

if SCENARIO == "staff":
    _CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    class StaffUser(FastHttpUser):
        wait_time = constant_throughput(2)

        def on_start(self):
            page = self.client.get("/masuk/", name="login form")
            token = _CSRF.search(page.text).group(1)
            response = self.client.post("/masuk/", data={"username": os.environ["BENCH_USER"],
                                                         "password": os.environ["BENCH_PASSWORD"],
                                                         "csrfmiddlewaretoken": token},
                                        headers={"Referer": f"{self.host}/masuk/"}, name="login", allow_redirects=False)
            assert response.status_code == 302, response.status_code

        @task
        def api_list(self):
            self.client.get("/api/v1/grievances/complaints?status=open", name="GET /api/v1/grievances/complaints")

        @task
        def page_list(self):
            self.client.get("/pengaduan/", name="GET /pengaduan/")
