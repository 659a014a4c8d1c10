"""Realisation computed from the system's own data, where an indicator maps to it.

One mapping so far: sub-kegiatan 1.06.04.2.01.09 "Pemberian Layanan Data dan Pengaduan" (persons served by
the data and complaints service) ← complaints received in the quarter in the plan's region and resolved,
through the grievances app's STABLE selector `complaint_statistics` (counts only, no personal data). Other
indicators (families verified, KPM facilitated, referrals, emergency services, relief person-days) wait for
their own stable selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction

from tepat.audit.actions import AuditAction as A
from tepat.audit.services import audit_record
from tepat.planning.models import Plan, PlanLine, QuarterSnapshot, Realisation
from tepat.planning.services import C, ensure_planning, person, quarter_end, quarter_started


def _complaints_resolved(plan: Plan, start: date, end: date) -> int:
    from tepat.grievances.selectors import complaint_statistics

    rows = complaint_statistics(region_code=plan.region_id, date_from=start, date_to=end, level=2)
    return sum(r["resolved"] for r in rows)


SOURCES: dict[str, tuple[str, Callable[[Plan, date, date], int]]] = {
    "1.06.04.2.01.09": ("grievances.complaint_statistics: resolved", _complaints_resolved),
}


@transaction.atomic
def realisation_compute(*, actor: Any, plan: Plan, quarter: int, today: date | None = None) -> dict[str, int]:
    """Fill the quarter's physical realisation of every mapped line of the plan from the system's data (the
    draft snapshot only; a hand-entered financial figure stays). Returns {code: figure}."""
    ensure_planning(actor=actor, capability=C.PLANNING_EDIT, region_code=plan.region_id)
    if quarter not in (1, 2, 3, 4) or not quarter_started(plan.year, quarter, today):
        return {}
    start, end = date(plan.year, quarter * 3 - 2, 1), quarter_end(plan.year, quarter)
    lines = PlanLine.objects.filter(version=plan.current_version, item__code__in=SOURCES).select_related("item")
    if not lines:
        return {}
    snapshot, _ = QuarterSnapshot.objects.get_or_create(plan=plan, quarter=quarter)
    if snapshot.status == QuarterSnapshot.Status.FINAL:
        return {}
    out = {}
    for line in lines:
        source, compute = SOURCES[line.item.code]
        figure = compute(plan, start, end)
        entry, _ = Realisation.objects.update_or_create(snapshot=snapshot, item=line.item,
                                                        defaults={"physical": figure, "entered_by": person(actor)})
        audit_record(actor=actor, action=A.REALISATION_SAVE, target=entry, region_code=plan.region_id, data={
            "plan": plan.pk, "quarter": quarter, "code": line.item.code, "physical": str(figure),
            "computed_from": source, "period": [start.isoformat(), end.isoformat()]})
        out[line.item.code] = figure
    return out
