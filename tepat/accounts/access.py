"""Capability × region scope, in one place, used by services, selectors, pages, API and jobs alike.

Region codes are hierarchical ("36.04" contains "36.04.01.2001"), so scope is a code-prefix match.
No assignment means nothing is visible. Out of scope is answered exactly like not found.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tepat.accounts.roles import Capability, capabilities_of
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.regions.selectors import is_within, region_subtree_q


def actor_region_codes(actor: Any) -> tuple[str, ...]:
    """The actor's assigned region codes, cached on the user object for the request."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return ()
    cached = getattr(actor, "_tepat_region_codes", None)
    if cached is None:
        cached = tuple(actor.region_assignments.values_list("region_id", flat=True).order_by("region_id"))
        actor._tepat_region_codes = cached
    return cached


def actor_can(actor: Any, capability: Capability) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    limit = getattr(actor, "_tepat_capability_limit", None)  # a machine client's allow-list (tokens.py)
    if limit is not None and capability not in limit:
        return False
    return capability in capabilities_of(actor.role)


def actor_in_scope(actor: Any, region_code: str) -> bool:
    return any(is_within(region_code, code) for code in actor_region_codes(actor))


def scope_q(actor: Any, field: str) -> Q:
    """A filter for querysets: `field` holds a region code; rows outside every assignment drop out."""
    return region_subtree_q(actor_region_codes(actor), field=field)


def ensure_capability(*, actor: Any, capability: Capability) -> None:
    if not actor_can(actor, capability):
        raise PermissionDeniedError()


def ensure_permission(*, actor: Any, capability: Capability, region_code: str) -> None:
    """Capability first (403, reveals nothing about the object), then scope (404, like absent)."""
    ensure_capability(actor=actor, capability=capability)
    if not actor_in_scope(actor, region_code):
        raise ObjectNotFound()
