"""Locust users for benchmarks/staff_load.py (run by it; BENCH_* environment variables).

StaffUser     one per staff account of the benchmark (benchmarks/loadbench.py: 30 Dinsos operators of the
              district, 20 village operators, each their own village), signed in through the login form, then in
              a closed loop with a think time of BENCH_THINK_MIN–BENCH_THINK_MAX seconds, one page at a time,
              chosen evenly among the issue's pages: the family list (first page of the actor's scope), search by
              name (a head's name from the scope), search by NIK (a head's 16-digit NIK), the family page, the
              proposal work queue, the proposal list, the dashboard.
BaselineUser  (benchmarks/loadbench_users.py) GET /healthz at 10 requests/s in the same run.
A page that answers anything but 200 is a failure.
"""

from __future__ import annotations

import itertools
import os
import random
from urllib.parse import quote

from loadbench_users import PASSWORD_ENV, BaselineUser, ready, samples, sign_in  # noqa: F401
from locust import FastHttpUser, between, task

_DATA = samples()
_ACCOUNTS = itertools.cycle(_DATA["users"])


class StaffUser(FastHttpUser):
    wait_time = between(float(os.environ.get("BENCH_THINK_MIN", "1")), float(os.environ.get("BENCH_THINK_MAX", "3")))

    def on_start(self):
        account = next(_ACCOUNTS)
        self.families = _DATA["staff"][account["region"]]
        sign_in(self, account["username"], os.environ[PASSWORD_ENV])
        ready(self)

    def _family(self):
        return random.choice(self.families)

    @task
    def family_list(self):
        self.client.get("/registri/", name="family list")

    @task
    def search_name(self):
        self.client.get(f"/registri/?q={quote(self._family()[1])}", name="search by name")

    @task
    def search_nik(self):
        self.client.get(f"/registri/?q={self._family()[2]}", name="search by NIK")

    @task
    def family_page(self):
        self.client.get(f"/registri/keluarga/{self._family()[0]}/", name="family page")

    @task
    def proposal_queue(self):
        self.client.get("/pemutakhiran/", name="proposal queue")

    @task
    def proposal_list(self):
        self.client.get("/pemutakhiran/usulan/", name="proposal list")

    @task
    def dashboard(self):
        self.client.get("/", name="dashboard")
