"""Closing a tahap: the Dinsos operator (or supervisor) requests the close with the reconciliation
frozen; a second, different user with the close capability closes it (locked: no export, version,
receipt, import or queue change after it) or refuses it (back to open)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.transitions import lock, transition
from tepat.core.exceptions import BusinessRuleViolation
from tepat.distribution.models import Distribution
from tepat.distribution.services.common import CLOSE, MANAGE, ensure
from tepat.distribution.services.realisation import reconciliation


@transaction.atomic
def close_request(*, actor: Any, dist: Distribution, note: str = "") -> Distribution:
    ensure(actor, MANAGE, dist.region_code)
    summary = reconciliation(actor=actor, dist=dist)
    return transition(dist, "request_close", actor=actor, region_code=dist.region_code, reason=note.strip()[:500],
                      updates={"close_requested_by": actor if getattr(actor, "pk", None) else None,
                               "close_requested_at": timezone.now(), "close_note": note.strip(),
                               "summary": {"totals": summary["totals"],
                                           "discrepancies": len(summary["discrepancies"])}},
                      data={"totals": summary["totals"], "discrepancies": len(summary["discrepancies"])})


def _second_person(actor: Any, dist: Distribution) -> None:
    if dist.close_requested_by_id is not None and dist.close_requested_by_id == getattr(actor, "pk", None):
        raise BusinessRuleViolation(
            "Penutupan tahap wajib disetujui orang kedua, bukan yang mengajukan / "
            "Closing a tahap needs a second approver, not the one who requested it",
            extra={"code": "second_approver_required"})


@transaction.atomic
def close_approve(*, actor: Any, dist: Distribution, note: str = "") -> Distribution:
    ensure(actor, CLOSE, dist.region_code)
    dist = lock(dist)
    _second_person(actor, dist)
    return transition(dist, "close", actor=actor, region_code=dist.region_code, locked=True,
                      reason=note.strip()[:500],
                      updates={"closed_by": actor if getattr(actor, "pk", None) else None, "closed_at": timezone.now()},
                      data={"requested_by": str(dist.close_requested_by_id or ""), **dist.summary})


@transaction.atomic
def close_refuse(*, actor: Any, dist: Distribution, note: str) -> Distribution:
    ensure(actor, CLOSE, dist.region_code)
    dist = lock(dist)
    _second_person(actor, dist)
    if not note.strip():
        from tepat.distribution.services.common import refuse

        raise refuse("required", "note", "alasan penolakan wajib diisi", "a reason is required")
    return transition(dist, "reopen", actor=actor, region_code=dist.region_code, locked=True, reason=note.strip()[:500],
                      updates={"close_requested_by": None, "close_requested_at": None})
