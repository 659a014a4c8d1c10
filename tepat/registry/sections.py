"""Sections that apps above the registry add to the family page, without the registry importing them.

An app registers a callable in its `ready()`: `register_family_section(fn)`, where
`fn(request, family) -> (template name, context) | None`. The family page renders each in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FamilySection = Callable[[Any, Any], tuple[str, dict] | None]
_SECTIONS: list[FamilySection] = []


def register_family_section(section: FamilySection) -> FamilySection:
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def family_sections(request: Any, family: Any) -> list[tuple[str, dict]]:
    return [part for part in (section(request, family) for section in _SECTIONS) if part is not None]
