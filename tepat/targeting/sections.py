"""The family page's targeting section: the official desil (newest published release holding the family)
and, clearly labelled, the local estimate of the newest estimated weights version (registered with the
registry's section hook, so the registry never imports this app)."""

from __future__ import annotations

from typing import Any

from tepat.accounts.access import actor_can
from tepat.accounts.roles import Capability
from tepat.registry.sections import register_family_section


@register_family_section
def desil_section(request: Any, family: Any) -> tuple[str, dict] | None:
    if not actor_can(request.user, Capability.TARGETING_VIEW):
        return None
    from tepat.targeting.selectors import family_desil, family_estimate

    return "targeting/_family_section.html", {"desil": family_desil(family=family),
                                              "estimate": family_estimate(family=family)}
