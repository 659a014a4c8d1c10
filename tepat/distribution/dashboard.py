"""The realisation dashboard's figures: the reconciliation (`services.realisation.reconciliation`, the one
place these numbers are computed, scoped to the viewer's regions) summed per kecamatan of the tahap's
district, or per village of one kecamatan: KPM entitled, delivered (receipts), paid (realisation), percent
delivered and paid, not delivered, failed, returned to the treasury (retur), discrepancies.

The page and its chart live in `tepat.reports` (which serves charts under their own narrow policy); this
module only reads."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tepat.core.exceptions import ObjectNotFound
from tepat.distribution.models import Distribution
from tepat.distribution.services.realisation import reconciliation
from tepat.regions.models import Region
from tepat.regions.selectors import is_within

SUMS = ("entitled", "entitled_amount", "delivered", "delivered_amount", "not_delivered", "paid", "paid_amount",
        "failed", "returned_amount", "pending")
SORT_KEYS = frozenset({"code", "name", *SUMS, "delivered_pct", "paid_pct", "discrepancies"})


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    row["delivered_pct"] = _pct(row["delivered"], row["entitled"])
    row["paid_pct"] = _pct(row["paid"], row["entitled"])
    return row


def realisation_dashboard(*, actor: Any, dist: Distribution, region_code: str = "", sort: str = "") -> dict[str, Any]:
    """Rows per kecamatan (no `region_code`, or the tahap's own region) or per village of the kecamatan
    `region_code`; 404 for an area outside the tahap. Sorted by `sort` ("-" for descending) when known."""
    area = region_code or dist.region_code
    if not is_within(area, dist.region_code):
        raise ObjectNotFound()
    depth = 4 if len(area.split(".")) >= 3 else 3  # a kecamatan shows its villages; above it, kecamatan
    data = reconciliation(actor=actor, dist=dist)
    groups: dict[str, dict[str, Any]] = {}
    for row in data["rows"]:
        if not is_within(row["village"], area):
            continue
        code = ".".join(row["village"].split(".")[:depth])
        g = groups.setdefault(code, {"code": code, **dict.fromkeys(SUMS, 0), "discrepancies": 0})
        for key in SUMS:
            g[key] += row[key]
    issues = Counter(".".join(d["village"].split(".")[:depth]) for d in data["discrepancies"]
                     if d["village"] and is_within(d["village"], area))
    names = dict(Region.objects.filter(code__in=[*groups, area]).values_list("code", "name"))
    rows = []
    for code, g in groups.items():
        g["discrepancies"] = issues.get(code, 0)
        g["name"] = names.get(code, code)
        rows.append(_finish(g))
    key = sort.lstrip("-")
    if key in SORT_KEYS:
        rows.sort(key=lambda r: r[key], reverse=sort.startswith("-"))
    else:
        rows.sort(key=lambda r: r["code"])
    totals = _finish({**{k: sum(r[k] for r in rows) for k in (*SUMS, "discrepancies")}})
    totals["discrepancies"] += sum(1 for d in data["discrepancies"] if not d["village"])  # file-level ones
    return {"dist": dist, "area": area, "area_name": names.get(area, area), "level": depth, "rows": rows,
            "totals": totals, "drill": depth == 3, "sort": sort if key in SORT_KEYS else ""}
