from __future__ import annotations

from django.db.models import Q, QuerySet

from tepat.regions.models import Region


def region_subtree_q(codes: list[str] | tuple[str, ...], field: str = "code") -> Q:
    """Rows whose region code is one of `codes` or lies under one. Empty list → matches nothing."""
    if not codes:
        return Q(pk__in=[])
    condition = Q()
    for code in codes:
        condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})
    return condition


def region_get(*, code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_children(*, code: str | None) -> QuerySet[Region]:
    if code is None:
        return Region.objects.filter(level=Region.Level.PROVINCE)
    return Region.objects.filter(parent_id=code)


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors, province first, in one query."""
    parts = region.code.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def is_within(code: str, ancestor: str) -> bool:
    return code == ancestor or code.startswith(f"{ancestor}.")
