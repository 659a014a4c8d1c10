from __future__ import annotations

from django.db.models import Q, QuerySet

from tepat.regions.models import Region


def region_subtree_q(codes: list[str] | tuple[str, ...], field: str = "code") -> Q:
    """Rows whose region code is one of `codes` or lies under one. Empty list → matches nothing."""
    if not codes:
        return Q(pk__in=[])
    condition = Q()
    for code in codes:  # the one place the region-prefix match is written as a filter
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
    codes = ancestor_codes(region.code)
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def is_within(code: str, ancestor: str) -> bool:
    """`code` is `ancestor` or lies under it (region codes are dotted: "36.04.05.2001" is within "36.04")."""
    return code == ancestor or code.startswith(f"{ancestor}.")


def is_within_any(code: str, ancestors) -> bool:
    return any(is_within(code, ancestor) for ancestor in ancestors)


def region_within_q(code: str, field: str = "code") -> Q:
    """Rows whose region is `code` or lies under it."""
    return region_subtree_q([code], field)


def ancestor_codes(code: str, *, include_self: bool = True) -> list[str]:
    """'36.04.05.2001' → ['36', '36.04', '36.04.05', '36.04.05.2001'] (without the last if not include_self)."""
    parts = code.split(".") if code else []
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return codes if include_self else codes[:-1]


def common_region(codes) -> str:
    """The deepest region containing all the given ones ("36.04.05.2001", "36.04.07.2003" → "36.04"; "" when
    they span provinces or there are none)."""
    parts = [code.split(".") for code in codes]
    if not parts:
        return ""
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    return ".".join(common)
