"""docs/api-client-example.py runs against the live test server, with the standard library only (`-S`: no
site-packages), and does what it says: token, list, create with an idempotency key (the retry is a
replay, one proposal), sync paging, logout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from conftest import PASSWORD, VILLAGE
from tepat.accounts.models import ApiToken
from tepat.updates.models import Proposal
from tepat.updates.tests.factories import new_family_payload

SCRIPT = Path(settings.BASE_DIR) / "docs" / "api-client-example.py"


def _run(base: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-S", str(SCRIPT), "--base", base, *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_the_example_client_creates_once_and_syncs(live_server, regions, village_operator, facilitator, family,
                                                   settings):
    settings.TEPAT_SYNC_LAG_SECONDS = 0
    body = json.dumps({"kind": "new_family", "region_code": VILLAGE, "payload": new_family_payload()})

    created = _run(live_server.url, "--username", "op_desa", "--password", PASSWORD, "--proposal", body)

    assert created["me"] == "op_desa" and created["families_visible"] == 1
    assert created["proposal"]["id"] == created["proposal"]["retry_id"] and created["proposal"]["replayed"]
    assert Proposal.objects.count() == 1
    token = ApiToken.objects.get(prefix=created["token_prefix"])
    assert token.revoked_at is not None  # the script signed out

    from tepat.updates.services.proposals import proposal_assign

    proposal_assign(actor=village_operator, proposal=Proposal.objects.get(), facilitator=facilitator)
    synced = _run(live_server.url, "--username", "psm", "--password", PASSWORD, "--sync", "--limit", "1")
    assert synced["sync"]["assignments"] == 1 and synced["sync"]["pages"] >= 1
    assert synced["bytes"]["received"] > 0
