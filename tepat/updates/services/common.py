"""Small helpers shared by the workflow services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.regions.selectors import ancestor_codes, region_within_q

__all__ = ["ancestor_codes", "raise_if", "region_at_level", "require", "within_q"]


def within_q(code: str, field: str = "region__code") -> Q:
    """Rows whose region is `code` or lies under it (the regions helper, with this app's usual field)."""
    return region_within_q(code, field)


def require(condition: Any, field: str, code: str, id_text: str, en_text: str, issues: list[Issue]) -> None:
    if not condition:
        issues.append(Issue(code, field, id_text, en_text))


def raise_if(issues: list[Issue]) -> None:
    if issues:
        raise ValidationFailed(issues)


def region_at_level(code: str, level: int, field: str = "region") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None or region.level != level:
        names = {1: ("provinsi", "province"), 2: ("kabupaten/kota", "regency/city"), 3: ("kecamatan", "district"),
                 4: ("desa/kelurahan", "village")}
        id_name, en_name = names[level]
        raise ValidationFailed([Issue("region", field, f"wilayah '{code}' bukan {id_name} yang dikenal",
                                      f"region '{code}' is not a known {en_name}")])
    return region


def not_future(value: date | None, field: str, today: date, issues: list[Issue]) -> None:
    if value is not None and value > today:
        issues.append(Issue("future", field, "tanggal tidak boleh di masa depan", "the date cannot be in the future"))
