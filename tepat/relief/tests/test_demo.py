"""`tepat demo-relief`: one flood with intake, matching, stock issued FIFO; a rerun changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tepat.relief.models import DisasterEvent, IntakeHousehold, StockBalance, StockMovement

pytestmark = pytest.mark.django_db


def test_demo_relief(family, capsys):
    call_command("demo-users")
    call_command("demo-relief", "--region", "36.04")
    event = DisasterEvent.objects.get()
    statuses = sorted(IntakeHousehold.objects.filter(event=event).values_list("match_status", flat=True))
    assert statuses.count("matched") == 1 and statuses.count("proposed") == 1 and statuses.count("review") == 1
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    kinds = set(StockMovement.objects.values_list("kind", flat=True))
    assert {"receipt_donation", "receipt_purchase", "issue", "transfer_out", "transfer_in", "return"} <= kinds
    # FIFO: seven households × 4 packs came from the PMI lot (earlier expiry); the later purchase is untouched
    assert StockBalance.objects.get(lot__code="PMI-LSS-A").quantity == 2
    assert StockBalance.objects.get(lot__code="SPK-2026-044").quantity == 40
    out = capsys.readouterr().out
    assert event.reference in out
    moves = StockMovement.objects.count()
    call_command("demo-relief", "--region", "36.04")
    assert StockMovement.objects.count() == moves and DisasterEvent.objects.count() == 1
