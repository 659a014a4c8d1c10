"""Small helpers shared by the workflow services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region


def ancestor_codes(code: str) -> list[str]:
    """'36.04.05.2001' → ['36', '36.04', '36.04.05', '36.04.05.2001']."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def within_q(code: str, field: str = "region__code") -> Q:
    """Rows whose region is `code` or lies under it."""
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


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
