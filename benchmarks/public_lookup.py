"""The public status lookup through the Django test client, on an existing database (e.g. the demo's):
median and p95 of N lookups (half recipients by name, half absent names), throttling off, each with a
fresh proof-of-work solved outside the timed part; baseline: the static /lacak/ page in the same run.

    DJANGO_SETTINGS_MODULE=config.django.local DATABASE_URL=sqlite:////path/db.sqlite3 \
    DJANGO_ALLOWED_HOSTS=testserver .venv/bin/python benchmarks/public_lookup.py 200
"""

from __future__ import annotations

import statistics
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from tepat.programs.models import ListEntry  # noqa: E402
from tepat.public.challenge import challenge_new, challenge_solve  # noqa: E402
from tepat.registry.models import Individual  # noqa: E402


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main(n: int) -> None:
    settings.TEPAT_PUBLIC_LIMIT_IP = settings.TEPAT_PUBLIC_LIMIT_SUBJECT = settings.TEPAT_PUBLIC_LIMIT_GLOBAL = 0
    family_ids = list(ListEntry.objects.filter(status="recipient", list__status="approved")
                      .values_list("family_id", flat=True)[: n // 2])
    heads = list(Individual.objects.filter(family_id__in=family_ids, relation=1).select_related("family")[: n // 2])
    client = Client()
    base, lookups = [], []
    for i in range(n):
        started = time.perf_counter()
        client.get("/lacak/")
        base.append(time.perf_counter() - started)
        head = heads[i % len(heads)]
        name = head.name if i % 2 == 0 else f"Tidak Ada {i}"
        body = {"name": name, "village": head.family.region_id, "altcha": challenge_solve(challenge_new())}
        started = time.perf_counter()
        response = client.post("/api/v1/public/lookup", body, content_type="application/json")
        lookups.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(f"baseline GET /lacak/: {_stats(base)}")
    print(f"POST /api/v1/public/lookup ({n}): {_stats(lookups)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
