"""The family page's programme section: everything the family receives across programmes, and why
(registered with the registry's section hook, so the registry never imports this app)."""

from __future__ import annotations

from typing import Any

from tepat.accounts.access import actor_can
from tepat.programs.services.common import VIEW
from tepat.registry.sections import register_family_section


@register_family_section
def programme_section(request: Any, family: Any) -> tuple[str, dict] | None:
    if not actor_can(request.user, VIEW):
        return None
    from tepat.programs.selectors import family_programmes

    return "programs/_family_section.html", {"rows": family_programmes(actor=request.user, family=family)}
