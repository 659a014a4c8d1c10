"""Locust pieces shared by the locustfiles of benchmarks/public_locust.py and benchmarks/staff_locust.py.

BaselineUser  one user, GET /healthz 10 times a second (a request that reads the database once): the floor of
              one request on this server, measured in the same run.
StaffSession  signs a user in through the login form (/akun/masuk/, CSRF token and cookie) and keeps the session.
COUNTS        answers counted by kind, written to BENCH_COUNTS when the run stops.
ready()       a user calls it when its on_start (sign-in, CSRF form) is done; when BENCH_READY_AT users are
              ready, the statistics and COUNTS are reset, so the figures cover the steady state only (the
              sign-ins' password hashing and the workers' first requests are warm-up, not the pages' cost), and
              the run stops BENCH_SECONDS later: the measured window. locust's `-t` stays as the outer bound
              (the window plus at most `--warmup` seconds).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter

import gevent
from locust import FastHttpUser, constant_throughput, events, task

COUNTS: Counter = Counter()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN = "/akun/masuk/"
PASSWORD_ENV = "BENCH_PASSWORD"


def samples() -> dict:
    with open(os.environ["BENCH_SAMPLES"]) as handle:
        return json.load(handle)


@events.test_stop.add_listener
def _write_counts(environment, **kwargs):
    path = os.environ.get("BENCH_COUNTS")
    if path:
        with open(path, "w") as handle:
            json.dump(dict(COUNTS), handle)


_READY = {"count": 0}


def ready(user: FastHttpUser) -> None:
    _READY["count"] += 1
    if _READY["count"] == int(os.environ.get("BENCH_READY_AT", "0") or 0):
        user.environment.stats.reset_all()
        COUNTS.clear()
        seconds = float(os.environ.get("BENCH_SECONDS", "60"))
        gevent.spawn_later(seconds, user.environment.runner.quit)
        print(f"loadbench: {_READY['count']} users ready, statistics reset; measuring {seconds:.0f} s", flush=True)


def csrf_token(user: FastHttpUser, path: str, name: str) -> str:
    page = user.client.get(path, name=name)
    match = CSRF.search(page.text or "")
    if not match:
        raise RuntimeError(f"no CSRF token on {path} (status {page.status_code})")
    return match.group(1)


def sign_in(user: FastHttpUser, username: str, password: str) -> None:
    token = csrf_token(user, LOGIN, "login form")
    response = user.client.post(LOGIN, data={"username": username, "password": password,
                                             "csrfmiddlewaretoken": token},
                                headers={"Referer": f"{user.host}{LOGIN}"}, name="login", allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} answered {response.status_code}")


class BaselineUser(FastHttpUser):
    fixed_count = 1
    wait_time = constant_throughput(10)

    @task
    def healthz(self):
        self.client.get("/healthz", name="baseline GET /healthz")
