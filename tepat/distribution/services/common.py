"""Checks every distribution service shares: capability × region (the system actor passes), the locked
tahap, the bilingual refusal."""

from __future__ import annotations

from typing import Any

from tepat.accounts.access import actor_region_codes, ensure_permission
from tepat.accounts.roles import DistributionCapability
from tepat.core.actors import ensure_actor, is_system
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.selectors import region_subtree_q

VIEW = DistributionCapability.VIEW
MANAGE = DistributionCapability.MANAGE
RECEIPT = DistributionCapability.RECEIPT
COMPLETE = DistributionCapability.COMPLETE
CLOSE = DistributionCapability.CLOSE


def ensure(actor: Any, capability: Any, region_code: str) -> None:
    """403 without the capability, 404 outside the actor's regions; the system actor passes."""
    ensure_actor(actor)
    if is_system(actor):
        return
    ensure_permission(actor=actor, capability=capability, region_code=region_code)


def scoped(actor: Any, queryset, field: str = "region_code"):
    """Rows inside the actor's regions only (failing closed: no assignment, no rows)."""
    if is_system(actor):
        return queryset
    return queryset.filter(region_subtree_q(actor_region_codes(actor), field))


def refuse(code: str, field: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, field, id_text, en_text)])


def ensure_open(distribution: Any) -> None:
    if distribution.status == "closed":
        raise BusinessRuleViolation("Tahap sudah ditutup dan dikunci / The tahap is closed and locked",
                                    extra={"code": "tahap_closed"})
