"""Builders for the invitation tests: InvitationData of the conftest village, and signed tokens."""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import VILLAGE
from tepat.distribution.invitations.data import InvitationData

TODAY = date(2026, 12, 3)


def invitation(n: int = 1, **kwargs: Any) -> InvitationData:
    base = {"kpm_ref": f"KPM-{n:07d}", "programme": "BPNT", "tahap": 4, "amount": 600_000,
            "expires_on": date(2026, 12, 31), "recipient_name": "Ahmad S. P.", "village_code": VILLAGE,
            "village_name": "Kramatwatu", "rt": "002", "rw": "001", "place": "Balai Desa Kramatwatu",
            "when": "Senin, 7 Desember 2026, 08.00–12.00 WIB"}
    return InvitationData(**{**base, **kwargs})


def village_batch(count: int, **kwargs: Any) -> list[InvitationData]:
    return [invitation(n, **kwargs) for n in range(1, count + 1)]


def source(*, actor: Any, village_code: str, programme: str, tahap: int) -> list[InvitationData]:
    """A stand-in for the distribution lists (settings.TEPAT_INVITATION_SOURCE in the tests)."""
    return [invitation(n, village_code=village_code, programme=programme, tahap=tahap) for n in range(1, 6)]


def source_two_villages(*, actor: Any, village_code: str, programme: str, tahap: int) -> list[InvitationData]:
    from conftest import OTHER_VILLAGE

    return source(actor=actor, village_code=village_code, programme=programme, tahap=tahap) \
        if village_code in (VILLAGE, OTHER_VILLAGE) else []
