"""Locust users for benchmarks/public_load.py (run by it; the environment variables BENCH_* choose the scenario).

public  LookupUser: the public status lookup at BENCH_RATE requests/s shared by BENCH_USERS users, half
        recipients' heads by name + village, half absent names. BENCH_TARGET "page": POST /cek-bansos/ (the
        citizen's form: the user first GETs the page for its CSRF cookie and token, then posts the form with
        the region picker's four levels); "api": POST /api/v1/public/lookup (JSON). Each request spends one
        solved challenge (BENCH_SOLUTIONS, see public_load.py) and comes from one of BENCH_ADDRESSES (200) client addresses
        (X-Forwarded-For; the server trusts one proxy), so the per-address limit bites per address, as behind
        the office's reverse proxy.
staff   ComplaintListUser: signs in as one of the district's Dinsos operators, then GET /pengaduan/ (the
        district's complaint list, first page with its count) and GET /api/v1/grievances/complaints?status=open
        in turns, 1 request/s per user.
Both    BaselineUser (benchmarks/loadbench_users.py): GET /healthz at 10 requests/s in the same run.
Answers are counted (recipient / nobody / 429 / other) into BENCH_COUNTS at the end.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from loadbench_users import COUNTS, PASSWORD_ENV, BaselineUser, csrf_token, ready, samples, sign_in  # noqa: F401
from locust import FastHttpUser, constant_throughput, task

SCENARIO = os.environ.get("BENCH_SCENARIO", "public")
TARGET = os.environ.get("BENCH_TARGET", "page")
ADDRESSES = int(os.environ.get("BENCH_ADDRESSES", "200"))

if SCENARIO == "public":
    _SOLUTIONS: list[str] = json.loads(open(os.environ["BENCH_SOLUTIONS"]).read())  # noqa: SIM115
    _DATA = samples()
    _SAMPLES = ([("recipient", n, v) for n, v in _DATA["recipients"]]
                + [("absent", n, v) for n, v in _DATA["absent"]])
    random.Random(3).shuffle(_SAMPLES)

    class LookupUser(FastHttpUser):
        wait_time = constant_throughput(float(os.environ.get("BENCH_RATE", "200"))
                                        / int(os.environ.get("BENCH_USERS", "40")))

        def on_start(self):
            self.token = csrf_token(self, "/cek-bansos/", "GET /cek-bansos/ (form)") if TARGET == "page" else ""
            ready(self)

        def _count(self, response, kind: str) -> None:
            if response.status_code == 429:
                COUNTS["429 throttled"] += 1
                response.success()  # the expected answer once a limit bites; counted apart
            elif response.status_code == 200:
                if TARGET == "page":
                    text = response.text or ""
                    if "lookup-answer" not in text:
                        COUNTS["200 without an answer"] += 1
                        response.failure("no answer on the page")
                        return
                    recipient = "<li><strong>" in text
                else:
                    recipient = bool(response.json()["recipient"])
                COUNTS[f"{kind}: {'recipient' if recipient else 'nobody'}"] += 1
            else:
                COUNTS[f"{response.status_code}"] += 1
                response.failure(f"status {response.status_code}")

        @task
        def lookup(self):
            if not _SOLUTIONS:
                COUNTS["no solution left"] += 1
                return
            kind, name, village = _SAMPLES[random.randrange(len(_SAMPLES))]
            address = random.randrange(ADDRESSES)
            headers = {"X-Forwarded-For": f"10.{1 + address // 100}.0.{1 + address % 100}"}
            if TARGET == "page":
                parts = village.split(".")
                form = {"csrfmiddlewaretoken": self.token, "province": parts[0], "regency": ".".join(parts[:2]),
                        "kecamatan": ".".join(parts[:3]), "village": village, "name": name, "nik": "",
                        "altcha": _SOLUTIONS.pop()}
                headers["Referer"] = f"{self.host}/cek-bansos/"
                with self.client.post("/cek-bansos/", data=form, headers=headers, name="POST /cek-bansos/",
                                      catch_response=True) as response:
                    self._count(response, kind)
            else:
                with self.client.post("/api/v1/public/lookup", json={"name": name, "village": village,
                                                                     "altcha": _SOLUTIONS.pop()},
                                      headers=headers, name="POST /api/v1/public/lookup",
                                      catch_response=True) as response:
                    self._count(response, kind)

if SCENARIO == "staff":
    _OPERATORS = itertools.cycle([u["username"] for u in samples()["users"] if u["role"] == "dinsos_operator"])

    class ComplaintListUser(FastHttpUser):
        wait_time = constant_throughput(1)

        def on_start(self):
            sign_in(self, next(_OPERATORS), os.environ[PASSWORD_ENV])
            ready(self)

        @task
        def page_list(self):
            self.client.get("/pengaduan/", name="GET /pengaduan/ (district list)")

        @task
        def api_list(self):
            self.client.get("/api/v1/grievances/complaints?status=open", name="GET /api/v1/grievances/complaints")
