"""Sync of queued field visits with photos (issue 14): one batch upload against one request per visit.

    .venv/bin/python benchmarks/sync_batch.py --visits 200 --photo-kb 30 [--batch 50] [--port 8107]

Steps:
  setup   fresh SQLite file var/bench-sync.sqlite3: migrate, Banten's region master, a facilitator and
          3 × N families, each with one change_data proposal assigned to the facilitator (not timed)
  serve   `tepat runserver` on 127.0.0.1:PORT (DEBUG off, no reloader), a real HTTP server over loopback
  client  standard-library HTTP (docs/api-client-example.py's approach), bearer token:
          baseline: N × POST /api/v1/updates/proposals/{id}/visit (multipart: the visit JSON + one photo),
                    each with an Idempotency-Key, one after the other
          batch:    N more visits as POST /api/v1/sync/visits (multipart: items JSON + photo:<client_id>
                    files), BATCH per request
          replay:   the batch requests again (a device that never saw the answers): nothing is recorded twice
          field app: N more visits sent as the field app (/lapangan/, store.js) sends its queue: 10 a
                    request, multipart, each item with its ETag as if_match (issue 14 item 6)
Time is wall-clock from the first request to the last answer; bytes are the request bodies sent and the
response bodies received (HTTP headers not counted). Results: a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench-sync.sqlite3"
PASSWORD = "bench-pass-123456"
APP_BATCH = 10  # what tepat/updates/static/updates/field/store.js sends a request


def _env() -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{DB}", "DJANGO_SETTINGS_MODULE": "config.django.local",
            "DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TEPAT_SYNC_LAG_SECONDS": "0"}


def setup(families: int) -> None:
    if DB.exists():
        DB.unlink()
    DB.parent.mkdir(exist_ok=True)
    os.environ.update(_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load-regions", province=["36"], verbosity=0)
    from conftest import make_kk, member_data
    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM
    from tepat.registry.services import family_create
    from tepat.updates.services.proposals import proposal_assign, proposal_create

    village = "36.04.05.2001"
    dinsos = user_create(actor=SYSTEM, username="bench.dinsos", password=PASSWORD, role="dinsos_operator",
                         region_codes=["36.04"], full_name="Bench Dinsos")
    operator = user_create(actor=SYSTEM, username="bench.op", password=PASSWORD, role="village_operator",
                           region_codes=[village], full_name="Bench Operator")
    psm = user_create(actor=SYSTEM, username="bench.psm", password=PASSWORD, role="facilitator",
                      region_codes=[village], full_name="Bench PSM")
    for i in range(families):
        family = family_create(actor=dinsos, region_code=village, correction_reason="benchmark fixture",
                               data={"kk_number": make_kk(serial=i + 1), "rw": "1", "rt": "01", "address": f"Kp. {i}"},
                               members=[member_data(name=f"Kepala {i}")])
        proposal = proposal_create(actor=operator, kind="change_data", source="village_operator",
                                   payload={"target": "family", "changes": {"floor": 2}}, family=family, submit=True)
        proposal_assign(actor=operator, proposal=proposal, facilitator=psm)


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Http:
    def __init__(self, base: str):
        self.base, self.token, self.sent, self.received = base + "/api/v1", "", 0, 0

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = "application/json",
             headers: dict | None = None) -> dict:
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if body is not None:
            sent["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, data=body, method=method, headers={**sent, **(headers or {})})
        self.sent += len(body or b"")
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
        self.received += len(raw)
        return json.loads(raw)


def _visit() -> dict:
    return {"visited_on": datetime.now(UTC).date().isoformat(), "household_found": True, "outcome": "confirmed",
            "results": {"changes.floor": {"result": "confirmed"}}, "latitude": -6.05, "longitude": 106.11,
            "notes": "dikunjungi"}


def run(args) -> list[tuple[str, int, float, int, int, int]]:
    http = Http(f"http://127.0.0.1:{args.port}")
    http.token = http.call("POST", "/auth/login", json.dumps({"username": "bench.psm", "password": PASSWORD}).encode())["token"]
    ids, cursor, etags = [], "", {}
    while True:
        page = http.call("GET", f"/sync/changes?limit=500&cursor={cursor}")
        ids += [a["id"] for a in page["assignments"] if a["status"] == "in_verification"]
        etags.update({a["id"]: a["etag"] for a in page["assignments"]})
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert len(ids) >= 3 * args.visits, len(ids)
    photo = b"\xff\xd8\xff\xe0" + os.urandom(args.photo_kb * 1024 - 4)  # incompressible, like a JPEG
    rows = []

    http.sent = http.received = 0
    started = time.perf_counter()
    for proposal_id in ids[: args.visits]:
        body, content_type = _multipart({"data": json.dumps(_visit())}, [("photos", "rumah.jpg", photo)])
        http.call("POST", f"/updates/proposals/{proposal_id}/visit", body, content_type,
                  {"Idempotency-Key": str(uuid.uuid4())})
    rows.append(("baseline: one POST …/visit per visit", args.visits, time.perf_counter() - started,
                 http.sent, http.received, args.visits))

    batches = []
    todo = ids[args.visits: 2 * args.visits]
    for start in range(0, len(todo), args.batch):
        items = [{"client_id": str(uuid.uuid4()), "proposal_id": pid, "visit": _visit()} for pid in todo[start:start + args.batch]]
        batches.append(_multipart({"items": json.dumps(items)},
                                  [(f"photo:{item['client_id']}", "rumah.jpg", photo) for item in items]))
    for label in ("batch: POST /sync/visits", "replay of the same batches"):
        http.sent = http.received = 0
        ok = 0
        started = time.perf_counter()
        for body, content_type in batches:
            answer = http.call("POST", "/sync/visits", body, content_type)
            ok += answer["ok"]
        rows.append((f"{label} ({args.batch} a request)", len(batches), time.perf_counter() - started,
                     http.sent, http.received, ok))

    app_batches = []
    todo = ids[2 * args.visits: 3 * args.visits]
    for start in range(0, len(todo), APP_BATCH):
        items = [{"client_id": str(uuid.uuid4()), "proposal_id": pid, "if_match": etags[pid], "visit": _visit()}
                 for pid in todo[start:start + APP_BATCH]]
        app_batches.append(_multipart({"items": json.dumps(items)},
                                      [(f"photo:{item['client_id']}", "foto-1.jpg", photo) for item in items]))
    http.sent = http.received = 0
    ok = 0
    started = time.perf_counter()
    for body, content_type in app_batches:
        ok += http.call("POST", "/sync/visits", body, content_type)["ok"]
    rows.append((f"field app's queue: POST /sync/visits ({APP_BATCH} a request, with if_match)", len(app_batches),
                 time.perf_counter() - started, http.sent, http.received, ok))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--photo-kb", type=int, default=30)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--step", default="all", choices=["all", "setup"])
    args = parser.parse_args()
    if args.step == "setup":
        setup(3 * args.visits)
        return
    began = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--step", "setup", "--visits", str(args.visits)], check=True, cwd=ROOT)
    setup_s = time.perf_counter() - began
    server = subprocess.Popen([sys.executable, "-m", "tepat", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
                              cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/v1/openapi.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        rows = run(args)
    finally:
        server.terminate()
        server.wait(timeout=20)
    import sqlite3

    with sqlite3.connect(DB) as db:
        recorded = db.execute("SELECT count(*) FROM updates_fieldverification").fetchone()[0]
        photos = db.execute("SELECT count(*) FROM updates_document WHERE verification_id IS NOT NULL").fetchone()[0]
    load = os.getloadavg()[0]
    sys.stdout.write(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
                     f"load {load:.1f}; setup {setup_s:.0f} s; {args.visits} visits, photo {args.photo_kb} KB each\n\n")
    sys.stdout.write(f"Visits in the database afterwards: {recorded} (expected {3 * args.visits}), photos: {photos}\n\n")
    sys.stdout.write("| run | requests | seconds | ms per visit | bytes sent | bytes received | items answered ok |\n")
    sys.stdout.write("|---|---:|---:|---:|---:|---:|---:|\n")
    for label, requests, seconds, sent, received, ok in rows:
        sys.stdout.write(f"| {label} | {requests} | {seconds:.1f} | {seconds * 1000 / args.visits:.0f} | "
                         f"{sent:,} | {received:,} | {ok} |\n")


if __name__ == "__main__":
    main()
