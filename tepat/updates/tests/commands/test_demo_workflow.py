"""`tepat demo-workflow`: every stage of the update workflow in the demo district, made through the services
(audited), the PSM's field app has work to download, and a rerun creates nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import KECAMATAN
from tepat.accounts.demo import DEMO_PASSWORD, DEMO_VILLAGE, demo_users_ensure
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.quality.models import Flag
from tepat.registry.demo import demo_data_load, demo_generate_for_region
from tepat.updates.models import (
    Deliberation,
    DeterminationPeriod,
    FieldVerification,
    Proposal,
    ProposalTransition,
)

pytestmark = pytest.mark.django_db
FAMILIES = 400  # about 25 in the demo village, enough for every stage

EVERY_STATUS = {"draft", "submitted", "in_verification", "verified", "accepted", "awaiting_supervisor", "approved",
                "applied", "rejected", "withdrawn"}


@pytest.fixture
def demo_district(tmp_path):
    """A small demo kecamatan, the demo users and a civil-registry match (the `make demo` steps before)."""
    quiet = StringIO()
    demo_data_load(actor=SYSTEM, region_code=KECAMATAN,
                   data=demo_generate_for_region(region_code=KECAMATAN, families=FAMILIES, seed=2025))
    demo_users_ensure()
    extract = tmp_path / "dukcapil.csv"
    call_command("demo-civil-extract", "--region", KECAMATAN, "--out", str(extract), stdout=quiet)
    call_command("match-civil-registry", "--region", KECAMATAN, "--file", str(extract), stdout=quiet)


def _counts() -> dict[str, int]:
    return {"proposals": Proposal.objects.count(), "moves": ProposalTransition.objects.count(),
            "visits": FieldVerification.objects.count(), "sessions": Deliberation.objects.count(),
            "periods": DeterminationPeriod.objects.count(), "events": AuditEvent.objects.count()}


def test_demo_workflow_shows_every_stage_and_a_rerun_creates_nothing(demo_district):
    out = StringIO()
    call_command("demo-workflow", "--region", "36.04", stdout=out)
    text = out.getvalue()

    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses >= EVERY_STATUS, EVERY_STATUS - statuses
    village = Proposal.objects.filter(region_id=DEMO_VILLAGE)
    assert set(village.values_list("kind", flat=True)) >= {"new_family", "change_data", "remove_member",
                                                          "remove_family", "add_member"}
    assert Proposal.objects.filter(region__code__startswith=KECAMATAN).exclude(region_id=DEMO_VILLAGE).exists()
    # civil-registry flags became proposals through the flag service
    from_flags = Proposal.objects.filter(source="data_quality")
    assert from_flags.exists()
    assert Flag.objects.filter(status="confirmed", proposal_reference__in=from_flags.values("reference")).exists()
    # the PSM's open field work, visits with GPS, sessions with minutes and attendance, a pulled-back one
    open_work = Proposal.objects.filter(status="in_verification", assigned_to__username="psm")
    assert open_work.count() >= 4
    assert FieldVerification.objects.filter(latitude__isnull=False, longitude__isnull=False).count() >= 5
    signed = Deliberation.objects.get(status="signed")
    assert signed.attendees.count() >= 3 and signed.documents.exists()
    planned = Deliberation.objects.get(status="planned")
    assert planned.items.filter(decision="accepted").exists() and planned.items.filter(decision="pending").exists()
    assert ProposalTransition.objects.filter(name="pull_back").exists()
    assert Proposal.objects.filter(status="rejected").exclude(closed_reason="").count() >= 3
    period = DeterminationPeriod.objects.get(status="determined")
    assert period.applied_count >= 3 and DeterminationPeriod.objects.filter(status="open").exists()
    # audited, by the demo users
    for action in ("proposal.create", "proposal.submit", "proposal.assign", "proposal.verify",
                   "proposal.accept_in_deliberation", "proposal.approve", "proposal.reject_by_district",
                   "proposal.pull_back", "proposal.withdraw", "deliberation.sign", "quality.flag_confirm",
                   "determination_period.determine"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    assert AuditEvent.objects.filter(action="proposal.verify", actor__username="psm").exists()
    assert "in_verification" in text and "psm" in text

    before = _counts()
    again = StringIO()
    call_command("demo-workflow", "--region", "36.04", stdout=again)
    assert _counts() == before
    assert "0 usulan baru" in again.getvalue()


def test_psm_field_app_downloads_the_demo_assignments(demo_district, settings):
    settings.TEPAT_SYNC_LAG_SECONDS = 0
    call_command("demo-workflow", "--region", "36.04", stdout=StringIO())
    login = Client().post("/api/v1/auth/login", json.dumps({"username": "psm", "password": DEMO_PASSWORD}),
                          content_type="application/json")
    client = Client(headers={"Authorization": f"Bearer {login.json()['token']}"})
    response = client.get("/api/v1/sync/changes", {"limit": 500})
    assert response.status_code == 200, response.content[:300]
    open_ids = {a["id"] for a in response.json()["assignments"] if a["status"] == "in_verification"}
    expected = {str(pk) for pk in Proposal.objects.filter(status="in_verification", assigned_to__username="psm")
                .values_list("pk", flat=True)}
    assert open_ids == expected and len(expected) >= 4


def test_demo_workflow_without_the_demo_users_refuses_and_changes_nothing():
    from django.core.management.base import CommandError

    before = _counts()
    with pytest.raises(CommandError, match="demo-users"):
        call_command("demo-workflow", "--region", "36.04", stdout=StringIO())
    assert _counts() == before
