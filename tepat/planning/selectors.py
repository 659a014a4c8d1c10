"""Reads of the planning app, scoped to the actor's regions (failing closed), and the figures computed from
them: achievement per line and quarter, and the diff between two versions of a plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from tepat.accounts.access import actor_can, actor_in_scope, ensure_capability, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.planning.achievement import Achievement, achievement, aggregate, bands_from_db, predicate
from tepat.planning.models import Plan, PlanLine, PlanVersion, Realisation, SourceDocument

C = Capability


def plans_visible(actor: Any) -> QuerySet[Plan]:
    if not actor_can(actor, C.PLANNING_VIEW):
        return Plan.objects.none()
    return Plan.objects.filter(scope_q(actor, "region__code")).select_related("region", "nomenclature")


def access_plan(*, actor: Any, plan_id: Any, capability: Capability = C.PLANNING_VIEW) -> Plan:
    """403 without the capability; 404 when absent or out of scope."""
    ensure_capability(actor=actor, capability=C.PLANNING_VIEW)
    ensure_capability(actor=actor, capability=capability)
    plan = Plan.objects.select_related("region", "nomenclature").filter(pk=plan_id).first()
    if plan is None or not actor_in_scope(actor, plan.region_id):
        raise ObjectNotFound()
    return plan


def sources_visible(actor: Any) -> QuerySet[SourceDocument]:
    if not actor_can(actor, C.PLANNING_VIEW):
        return SourceDocument.objects.none()
    return SourceDocument.objects.filter(scope_q(actor, "region__code"))


@dataclass(slots=True)
class LineFigures:
    line: PlanLine
    quarters: list[Decimal | None]
    financial_quarters: list[int | None]
    realisation: Decimal | None
    achievement: Achievement
    predicate: tuple[str, str] | None
    financial: int | None
    financial_achievement: Achievement
    statuses: list[str] = field(default_factory=list)


def plan_figures(plan: Plan, version: PlanVersion | None = None) -> list[LineFigures]:
    """Each line of the version (default: the current one) with its quarters, year figure and achievement."""
    version = version or plan.current_version
    lines = list(version.lines.select_related("item").order_by("position", "item__code"))
    entries = Realisation.objects.filter(snapshot__plan=plan).select_related("snapshot")
    by_item: dict[int, dict[int, Realisation]] = {}
    statuses = {s.quarter: s.status for s in plan.snapshots.all()}
    for entry in entries:
        by_item.setdefault(entry.item_id, {})[entry.snapshot.quarter] = entry
    bands = bands_from_db()
    out = []
    for line in lines:
        per = by_item.get(line.item_id, {})
        quarters = [per[q].physical if q in per else None for q in (1, 2, 3, 4)]
        money = [per[q].financial if q in per else None for q in (1, 2, 3, 4)]
        year = aggregate(line.indicator_type, quarters)
        ach = achievement(line.indicator_type, line.target, year)
        spent = sum(m for m in money if m is not None) if any(m is not None for m in money) else None
        out.append(LineFigures(line, quarters, money, year, ach, predicate(ach.percent, bands), spent,
                               achievement("flow", line.pagu, spent),
                               [statuses.get(q, "") for q in (1, 2, 3, 4)]))
    return out


@dataclass(frozen=True, slots=True)
class Change:
    code: str
    name: str
    kind: str  # added, removed, changed
    fields: dict[str, tuple[Any, Any]]
    reason: str

    def explanation(self) -> str:
        if self.kind == "added":
            return "baris baru / new line"
        if self.kind == "removed":
            return "baris dihapus / line removed"
        parts = []
        for name, (old, new) in self.fields.items():
            delta = ""
            if isinstance(old, (int, Decimal)) and isinstance(new, (int, Decimal)):
                delta = f" ({'+' if new >= old else ''}{new - old})"
            parts.append(f"{name}: {old} → {new}{delta}")
        return "; ".join(parts)


DIFF_FIELDS = ("target", "unit", "pagu", "indicator", "location", "fund_source", "outlook_target", "outlook_pagu")


def version_diff(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """Every line added, removed or changed between two versions, with the reason given for the change."""
    before = {line.item.code: line for line in old.lines.select_related("item")}
    after = {line.item.code: line for line in new.lines.select_related("item")}
    changes = []
    for code in sorted(set(before) | set(after), key=lambda c: [int(x) for x in c.split(".")]):
        a, b = before.get(code), after.get(code)
        if a is None:
            changes.append(Change(code, b.item.name, "added", {}, b.change_reason))
        elif b is None:
            changes.append(Change(code, a.item.name, "removed", {}, ""))
        else:
            fields = {f: (getattr(a, f), getattr(b, f)) for f in DIFF_FIELDS if getattr(a, f) != getattr(b, f)}
            if fields:
                changes.append(Change(code, b.item.name, "changed", fields, b.change_reason))
    return changes
