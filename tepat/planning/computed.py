"""Realisation computed from the system's own data, where an indicator maps to it, with a drill-down from the
figure to the records behind it.

Each `Source` names the queryset of records a figure counts (`records(plan, start, end)`); the figure is that
queryset's count, and the drill-down page lists the same queryset (`drilldown`), so the two cannot disagree.
Mapped sub-kegiatan (nomenclature of source 001):

  1.06.04.2.01.09  Layanan Data dan Pengaduan      complaints received in the quarter and resolved (not sensitive)
  1.06.04.2.01.12  Layanan Rujukan (rehab. luar)   referral letters issued in the quarter, not cancelled
  1.06.04.2.02.13  Layanan Rujukan (rehab. dalam)  the same referrals (the plan carries one of the two)
  1.06.05.2.02.03  Fasilitasi Bantuan Sosial KPM   KPM whose receipt (full or in part) is dated in the quarter
  1.06.06.2.01.01  Penyediaan Makanan (bencana)    persons of households served meals from a day in the quarter
  1.06.06.2.01.02  Penyediaan Sandang (bencana)    persons of households issued relief items in the quarter

Records are read within the plan's region; the drill-down masks identity numbers by the registry's policy
(`tepat.registry.masking.identity`), shows no names, and records `realisation.drilldown_view`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tepat.audit.actions import AuditAction as A
from tepat.audit.services import audit_record
from tepat.core.exceptions import ObjectNotFound
from tepat.planning.models import Plan, PlanLine, QuarterSnapshot, Realisation
from tepat.planning.services import C, ensure_planning, person, quarter_end, quarter_started
from tepat.regions.selectors import region_within_q
from tepat.registry.masking import identity


@dataclass(frozen=True)
class Source:
    label: str  # stored with the realisation's audit event ("computed_from")
    title: Any  # the drill-down page's heading
    records: Callable[[Plan, date, date], QuerySet]
    columns: tuple[Any, ...]
    row: Callable[[Any, Any], list[Any]]  # (actor, record) → cells


def _complaints(plan: Plan, start: date, end: date) -> QuerySet:
    from tepat.grievances.models import Complaint
    from tepat.grievances.selectors import RESOLVED

    return Complaint.objects.filter(
        region_within_q(plan.region_id, "region__code"),
        sensitive=False,
        created_at__date__gte=start,
        created_at__date__lte=end,
        status__in=RESOLVED,
        resolved_at__isnull=False,
    ).order_by("created_at", "pk")


def _complaint_row(actor: Any, c: Any) -> list[Any]:
    return [c.reference, c.region_id, c.created_at.date(), c.get_status_display(), c.resolved_at.date()]


def _referrals(plan: Plan, start: date, end: date) -> QuerySet:
    from tepat.grievances.models import Referral

    return (
        Referral.objects.filter(
            region_within_q(plan.region_id, "complaint__region__code"),
            issued_on__gte=start,
            issued_on__lte=end,
        )
        .exclude(status=Referral.Status.CANCELLED)
        .select_related("complaint", "service")
        .order_by("issued_on", "pk")
    )


def _referral_row(actor: Any, r: Any) -> list[Any]:
    return [
        r.letter_number,
        r.complaint.reference,
        r.complaint.region_id,
        r.issued_on,
        r.get_status_display(),
    ]


def _kpm_delivered(plan: Plan, start: date, end: date) -> QuerySet:
    from tepat.distribution.models import DistributionEntry, DistributionList, Receipt

    return (
        DistributionEntry.objects.filter(
            region_within_q(plan.region_id, "region_code"),
            receipt__outcome__in=[Receipt.Outcome.FULL, Receipt.Outcome.PARTLY],
            receipt__received_at__date__gte=start,
            receipt__received_at__date__lte=end,
        )
        .exclude(list__status=DistributionList.Status.SUPERSEDED)
        .select_related("receipt", "list__distribution")
        .order_by("region_code", "kpm_ref")
    )


def _kpm_row(actor: Any, e: Any) -> list[Any]:
    return [
        e.kpm_ref,
        e.region_code,
        identity(actor, e.kk_number),
        e.list.distribution.programme_code,
        e.receipt.get_outcome_display(),
        e.receipt.received_at.date(),
    ]


def _relief_persons(
    households: Callable[[Plan, date, date], QuerySet],
) -> Callable[[Plan, date, date], QuerySet]:
    def records(plan: Plan, start: date, end: date) -> QuerySet:
        from tepat.relief.models import IntakePerson

        return (
            IntakePerson.objects.filter(household_id__in=households(plan, start, end))
            .select_related("household")
            .order_by("household__reference", "pk")
        )

    return records


def _meal_households(plan: Plan, start: date, end: date) -> QuerySet:
    from tepat.relief.models import MealRecord

    return MealRecord.objects.filter(
        region_within_q(plan.region_id, "household__region__code"),
        served_from__gte=start,
        served_from__lte=end,
    ).values("household_id")


def _item_households(plan: Plan, start: date, end: date) -> QuerySet:
    from tepat.relief.models import StockMovement

    return StockMovement.objects.filter(
        region_within_q(plan.region_id, "household__region__code"),
        kind=StockMovement.Kind.ISSUE,
        occurred_on__gte=start,
        occurred_on__lte=end,
    ).values("household_id")


def _person_row(actor: Any, p: Any) -> list[Any]:
    return [
        p.household.reference,
        p.household.region_id,
        identity(actor, p.nik),
        p.age_years or "",
        p.get_match_status_display(),
    ]


COMPLAINT_COLUMNS = (_("Case"), _("Village"), _("Received"), _("Status"), _("Resolved"))
REFERRAL_COLUMNS = (_("Letter"), _("Case"), _("Village"), _("Issued"), _("Status"))
KPM_COLUMNS = (_("KPM reference"), _("Village"), _("KK number"), _("Programme"), _("Receipt"), _("Date"))
PERSON_COLUMNS = (_("Household"), _("Village"), _("NIK"), _("Age"), _("Registry match"))
_REFERRALS = Source(
    "grievances.referrals: issued", _("Referral letters issued"), _referrals, REFERRAL_COLUMNS, _referral_row
)

SOURCES: dict[str, Source] = {
    "1.06.04.2.01.09": Source(
        "grievances.complaint_statistics: resolved",
        _("Complaints received and resolved"),
        _complaints,
        COMPLAINT_COLUMNS,
        _complaint_row,
    ),
    "1.06.04.2.01.12": _REFERRALS,
    "1.06.04.2.02.13": _REFERRALS,
    "1.06.05.2.02.03": Source(
        "distribution.receipts: delivered",
        _("KPM with a receipt (delivered in full or in part)"),
        _kpm_delivered,
        KPM_COLUMNS,
        _kpm_row,
    ),
    "1.06.06.2.01.01": Source(
        "relief.meals: persons",
        _("Persons of households served meals"),
        _relief_persons(_meal_households),
        PERSON_COLUMNS,
        _person_row,
    ),
    "1.06.06.2.01.02": Source(
        "relief.issues: persons",
        _("Persons of households issued relief items"),
        _relief_persons(_item_households),
        PERSON_COLUMNS,
        _person_row,
    ),
}


def quarter_period(year: int, quarter: int) -> tuple[date, date]:
    return date(year, quarter * 3 - 2, 1), quarter_end(year, quarter)


@transaction.atomic
def realisation_compute(*, actor: Any, plan: Plan, quarter: int, today: date | None = None) -> dict[str, int]:
    """Fill the quarter's physical realisation of every mapped line of the plan from the system's data (the
    draft snapshot only; a hand-entered financial figure stays). Returns {code: figure}."""
    ensure_planning(actor=actor, capability=C.PLANNING_EDIT, region_code=plan.region_id)
    if quarter not in (1, 2, 3, 4) or not quarter_started(plan.year, quarter, today):
        return {}
    start, end = quarter_period(plan.year, quarter)
    lines = PlanLine.objects.filter(version=plan.current_version, item__code__in=SOURCES).select_related(
        "item"
    )
    if not lines:
        return {}
    snapshot, _created = QuarterSnapshot.objects.get_or_create(plan=plan, quarter=quarter)
    if snapshot.status == QuarterSnapshot.Status.FINAL:
        return {}
    out = {}
    for line in lines:
        source = SOURCES[line.item.code]
        figure = source.records(plan, start, end).count()
        entry, _created = Realisation.objects.update_or_create(
            snapshot=snapshot, item=line.item, defaults={"physical": figure, "entered_by": person(actor)}
        )
        audit_record(
            actor=actor,
            action=A.REALISATION_SAVE,
            target=entry,
            region_code=plan.region_id,
            data={
                "plan": plan.pk,
                "quarter": quarter,
                "code": line.item.code,
                "physical": str(figure),
                "computed_from": source.label,
                "period": [start.isoformat(), end.isoformat()],
            },
        )
        out[line.item.code] = figure
    return out


@dataclass
class Drilldown:
    plan: Plan
    code: str
    quarter: int
    source: Source
    start: date
    end: date
    columns: tuple[Any, ...]
    rows: list[list[Any]]
    stored: Any  # the realisation figure stored for the quarter (None when not computed yet)

    @property
    def count(self) -> int:
        return len(self.rows)


def drilldown(*, actor: Any, plan: Plan, code: str, quarter: int) -> Drilldown:
    """The records behind a computed figure: the same queryset the figure counts, rows masked for `actor`.
    Needs planning.view in the plan's region (the caller fetched the plan through `access_plan`); records
    `realisation.drilldown_view` (a read of records that may carry identity numbers)."""
    ensure_planning(actor=actor, capability=C.PLANNING_VIEW, region_code=plan.region_id)
    source = SOURCES.get(code)
    if source is None or quarter not in (1, 2, 3, 4):
        raise ObjectNotFound()
    start, end = quarter_period(plan.year, quarter)
    records = list(source.records(plan, start, end))
    stored = (
        Realisation.objects.filter(snapshot__plan=plan, snapshot__quarter=quarter, item__code=code)
        .values_list("physical", flat=True)
        .first()
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=A.REALISATION_DRILLDOWN_VIEW,
            target=plan,
            region_code=plan.region_id,
            data={
                "plan": plan.pk,
                "code": code,
                "quarter": quarter,
                "source": source.label,
                "records": len(records),
            },
        )
    return Drilldown(
        plan=plan,
        code=code,
        quarter=quarter,
        source=source,
        start=start,
        end=end,
        columns=source.columns,
        rows=[source.row(actor, r) for r in records],
        stored=stored,
    )
