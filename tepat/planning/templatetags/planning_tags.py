"""Display of the plan's figures: rupiah with Indonesian thousands, n/a with its reason in small print."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{int(value):,}".replace(",", ".")


@register.filter
def capaian(result: Any) -> str:
    """An Achievement: the percentage, or "n/a" with the reason (in the page's language) below it."""
    if result.available:
        return result.display()
    reason = result.reason[1] if (get_language() or "id").startswith("en") else result.reason[0]
    return format_html('n/a<br><span class="muted" data-reason>{}</span>', reason)


@register.filter
def computed_source(code: str) -> bool:
    """The line's indicator is computed from the system's data (`tepat.planning.computed.SOURCES`)."""
    from tepat.planning.computed import SOURCES

    return code in SOURCES
