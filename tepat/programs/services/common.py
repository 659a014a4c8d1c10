"""Checks every programme service shares: capability × region (the system actor may run the command-line
and background paths), and the bilingual refusal."""

from __future__ import annotations

from typing import Any

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.core.actors import ensure_actor, is_system
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue

VIEW = Capability.PROGRAMS_VIEW
MANAGE = Capability.PROGRAMS_MANAGE
APPROVE = Capability.PROGRAMS_APPROVE


def ensure(actor: Any, capability: Capability, region_code: str) -> None:
    """403 without the capability, 404 outside the actor's regions; the system actor passes."""
    ensure_actor(actor)
    if is_system(actor):
        return
    ensure_permission(actor=actor, capability=capability, region_code=region_code)


def refuse(code: str, field: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, field, id_text, en_text)])
