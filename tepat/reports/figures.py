"""The recap's figures, computed from each app's data: the one place that says what every figure counts.

`compute_figures(code, length, lists)` returns {region prefix: {key: value}} for the records under `code`,
grouped by the first `length` characters of their region code. The live recap calls it with the length of
the child regions it shows; the precomputed recap (`tepat.reports.precompute`) calls it once with the
village length (13) and stores the cells, which the recap then sums per child region: the same figures
either way, because a prefix of a village code is the code of the kecamatan or district it lies in.

Programme coverage and distribution realisation are keyed per beneficiary list (`list:<id>:<figure>`), so
a precomputed run can hold the candidate lists of every region under its root and the recap still picks
"the latest approved list of each programme" for the region it shows (`chosen_lists`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from tepat.core.actors import SYSTEM
from tepat.grievances.selectors import complaint_statistics
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.quality.models import Flag
from tepat.regions.selectors import is_within, region_within_q
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, WelfareStatus
from tepat.updates.models import Proposal

OPEN_PROPOSAL = [
    Proposal.Status.SUBMITTED,
    Proposal.Status.IN_VERIFICATION,
    Proposal.Status.VERIFIED,
    Proposal.Status.ACCEPTED,
    Proposal.Status.AWAITING_SUPERVISOR,
    Proposal.Status.APPROVED,
]
LEVEL_OF_LENGTH = {2: 1, 5: 2, 8: 3, 13: 4}
VILLAGE_LENGTH = 13
LIST_FIGURES = ("recipients", "amount", "entitled", "delivered", "paid", "paid_amount")

Figures = dict[str, dict[str, int]]


def list_key(list_id: Any, figure: str) -> str:
    return f"list:{list_id}:{figure}"


def _grouped(queryset, source: str, length: int, **aggregates) -> dict[str, dict[str, int]]:
    rows = queryset.annotate(_key=Substr(source, 1, length)).values("_key").annotate(**aggregates).order_by()
    return {row.pop("_key"): row for row in rows}


def approved_lists_related(code: str) -> list[BeneficiaryList]:
    """Approved lists whose region contains `code` or lies under it, newest approval first."""
    lists = (
        BeneficiaryList.objects.filter(status=BeneficiaryList.Status.APPROVED)
        .select_related("release__programme")
        .order_by("-approved_at", "-created_at")
    )
    return [b for b in lists if is_within(code, b.region_code) or is_within(b.region_code, code)]


def chosen_lists(code: str, among: list[BeneficiaryList] | None = None) -> dict[str, BeneficiaryList]:
    """The latest approved list of each programme that covers `code` (or lies under it): the lists the
    coverage columns read. `among`: only these (a precomputed run's lists)."""
    chosen: dict[str, BeneficiaryList] = {}
    for blist in approved_lists_related(code) if among is None else among:
        if is_within(code, blist.region_code) or is_within(blist.region_code, code):
            chosen.setdefault(blist.release.programme.code, blist)
    return dict(sorted(chosen.items()))


def candidate_lists(root: str) -> list[BeneficiaryList]:
    """Every list `chosen_lists` could pick for a region under `root`: the latest approved list of each
    (programme, list region) related to `root` (a list is chosen only if it is the latest of its own region)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for blist in approved_lists_related(root):
        key = (blist.release.programme.code, blist.region_code)
        if key not in seen:
            seen.add(key)
            out.append(blist)
    return out


def relief_period(today: date) -> tuple[date, date]:
    """The relief figures cover the calendar year to date."""
    return date(today.year, 1, 1), today


def compute_figures(
    code: str, length: int, lists: list[BeneficiaryList], *, child_codes: list[str], now=None
) -> Figures:
    """Every figure of the recap under `code`, grouped by region-code prefix of `length` characters.
    `child_codes`: the regions of that length (relief figures are read per region). No actor: counts only;
    callers check capability and scope, and suppress small cells in what leaves the system."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    figures: Figures = defaultdict(lambda: defaultdict(int))

    def merge(grouped: dict[str, dict[str, int]]) -> None:
        for key, values in grouped.items():
            for name, value in values.items():
                figures[key][name] += int(value or 0)

    families = Family.objects.filter(region_within_q(code, "region__code"))
    merge(
        _grouped(
            families,
            "region_id",
            length,
            families_active=Count("pk", filter=Q(status=c.FamilyStatus.ACTIVE)),
            families_removed=Count("pk", filter=Q(status=c.FamilyStatus.REMOVED)),
            age_1y=Count(
                "pk", filter=Q(status=c.FamilyStatus.ACTIVE, updated_at__gte=now - timedelta(days=365))
            ),
            age_2y=Count(
                "pk",
                filter=Q(
                    status=c.FamilyStatus.ACTIVE,
                    updated_at__lt=now - timedelta(days=365),
                    updated_at__gte=now - timedelta(days=730),
                ),
            ),
            age_old=Count(
                "pk", filter=Q(status=c.FamilyStatus.ACTIVE, updated_at__lt=now - timedelta(days=730))
            ),
        )
    )
    members = Individual.objects.filter(
        region_within_q(code, "family__region__code"), family__status=c.FamilyStatus.ACTIVE
    )
    merge(
        _grouped(
            members,
            "family__region_id",
            length,
            individuals_living=Count("pk", filter=Q(presence__in=c.ACTIVE_PRESENCE)),
            individuals_died=Count("pk", filter=Q(presence=c.Presence.DIED)),
            individuals_moved=Count(
                "pk", filter=Q(presence__in=[c.Presence.MOVED_DOMESTIC, c.Presence.MOVED_ABROAD])
            ),
        )
    )
    current = WelfareStatus.objects.filter(
        region_within_q(code, "family__region__code"), family__status=c.FamilyStatus.ACTIVE
    ).filter(Q(until__isnull=True) | Q(until__gte=today))
    merge(_grouped(current, "family__region_id", length, ppks=Count("pk")))
    proposals = Proposal.objects.filter(region_within_q(code, "region__code"), status__in=OPEN_PROPOSAL)
    merge(
        _grouped(
            proposals,
            "region_id",
            length,
            proposals_open=Count("pk"),
            proposals_overdue=Count("pk", filter=Q(created_at__lt=now - timedelta(days=30))),
        )
    )
    flags = Flag.objects.filter(region_within_q(code, "region_code"))
    merge(
        _grouped(
            flags,
            "region_code",
            length,
            flags_open=Count("pk", filter=Q(status=Flag.Status.OPEN)),
            flags_resolved=Count("pk", filter=~Q(status=Flag.Status.OPEN)),
        )
    )
    for row in complaint_statistics(region_code=code, level=LEVEL_OF_LENGTH.get(length, 4)):
        figures[row["region_code"]]["complaints_received"] += row["received"]
        figures[row["region_code"]]["complaints_resolved"] += row["resolved"]
    _relief(figures, child_codes, today)
    for blist in lists:
        _coverage(figures, blist, code, length)
        _distribution(figures, blist, code, length)
    return figures


def _relief(figures: Figures, child_codes: list[str], today: date) -> None:
    from tepat.relief.models import IntakeHousehold
    from tepat.relief.selectors import relief_figures

    start, end = relief_period(today)
    if not child_codes or not IntakeHousehold.objects.exists():
        return
    for code in child_codes:
        f = relief_figures(code, start, end)  # trusted call without an actor: counts only
        if f.households or f.meal_person_days:
            figures[code]["relief_households"] += f.households
            figures[code]["relief_persons"] += f.persons
            figures[code]["relief_meal_person_days"] += f.meal_person_days


def _coverage(figures: Figures, blist: BeneficiaryList, code: str, length: int) -> None:
    entries = ListEntry.objects.filter(list=blist, status=ListEntry.Status.RECIPIENT).filter(
        region_within_q(code, "region_code")
    )
    for key, values in _grouped(
        entries, "region_code", length, n=Count("pk"), amount=Sum("tahap_amount")
    ).items():
        figures[key][list_key(blist.pk, "recipients")] += int(values["n"] or 0)
        figures[key][list_key(blist.pk, "amount")] += int(values["amount"] or 0)


def _distribution(figures: Figures, blist: BeneficiaryList, code: str, length: int) -> None:
    """Entitled, delivered (a receipt, full or in part), paid (the channel's realisation) and the amount
    paid, per village, from the distribution's own reconciliation (one definition of each figure)."""
    from tepat.distribution.models import Distribution
    from tepat.distribution.services.realisation import reconciliation

    dist = Distribution.objects.filter(beneficiary_list=blist).first()
    if dist is None:
        return
    for row in reconciliation(actor=SYSTEM, dist=dist)["rows"]:
        village = row["village"]
        if not is_within(village, code):
            continue
        key = village[:length]
        for figure in ("entitled", "delivered", "paid", "paid_amount"):
            figures[key][list_key(blist.pk, figure)] += int(row[figure])
