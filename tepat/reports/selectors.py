"""The regional recap: one row per child region of a region in the actor's scope, with the figures of
every app the actor may see (registry, data age, proposals, data-quality flags, programme coverage,
distribution realisation, relief, complaints). Reads only; each section is shown only with its
capability. Region scope fails closed: a region outside the actor's assignments is answered like absent.

The figures come from the latest finished precomputed run that covers the region (`tepat.reports.
precompute`, ADR 0027), summed per child region, with the run's computed-at time; without such a
run they are computed live (`tepat.reports.figures`, the same computation). Either way the page says which.

`tepat.reports` reads from every app and is read by none (the layers contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tepat.accounts.access import actor_can, actor_in_scope, actor_region_codes
from tepat.accounts.roles import Capability, DistributionCapability
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.programs.models import BeneficiaryList
from tepat.regions.models import Region
from tepat.regions.selectors import ancestor_codes, region_children, region_get, region_path, region_within_q
from tepat.reports.figures import chosen_lists, compute_figures, list_key, relief_period
from tepat.reports.models import RecapFigure, RecapRun


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    section: str
    amount: bool = False  # integer rupiah (hidden with its count when the count is suppressed)
    count_key: str = ""  # the count an amount belongs to


COLUMNS: list[Column] = [
    Column("families_active", _("Active families"), "registry"),
    Column("families_removed", _("Families removed"), "registry"),
    Column("individuals_living", _("Members living with the family"), "registry"),
    Column("individuals_died", _("Members died (still listed)"), "registry"),
    Column("individuals_moved", _("Members moved (still listed)"), "registry"),
    Column("ppks", _("PPKS statuses (current)"), "registry"),
    Column("age_1y", _("Families changed within a year"), "age"),
    Column("age_2y", _("Changed 1–2 years ago"), "age"),
    Column("age_old", _("Not changed for over 2 years"), "age"),
    Column("proposals_open", _("Proposals in progress"), "updates"),
    Column("proposals_overdue", _("Of which older than 30 days"), "updates"),
    Column("flags_open", _("Data-quality flags open"), "quality"),
    Column("flags_resolved", _("Flags resolved"), "quality"),
    Column("complaints_received", _("Complaints received"), "grievances"),
    Column("complaints_resolved", _("Complaints resolved"), "grievances"),
    Column("relief_households", _("Relief: households served this year"), "relief"),
    Column("relief_persons", _("Relief: persons in those households"), "relief"),
    Column("relief_meal_person_days", _("Relief: meal person-days this year"), "relief"),
]
SECTION_CAPABILITY = {
    "registry": Capability.REGISTRY_VIEW, "age": Capability.REGISTRY_VIEW, "updates": Capability.UPDATES_VIEW,
    "quality": Capability.QUALITY_VIEW, "programs": Capability.PROGRAMS_VIEW,
    "distribution": DistributionCapability.VIEW, "grievances": Capability.GRIEVANCES_VIEW,
    "relief": Capability.RELIEF_VIEW,
}


@dataclass
class Recap:
    region: Region
    path: list[Region]
    child_level: int
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    programmes: list[dict[str, Any]] = field(default_factory=list)  # the lists the coverage columns read
    generated_at: Any = None  # when the figures were computed (the run's time when precomputed)
    run: RecapRun | None = None  # the precomputed run the figures come from; None: computed live
    relief_from: Any = None

    @property
    def precomputed(self) -> bool:
        return self.run is not None

    @property
    def age_seconds(self) -> int:
        return int((timezone.now() - self.generated_at).total_seconds()) if self.generated_at else 0


def recap_roots(actor: Any) -> list[Region]:
    """The regions a recap can start from: the actor's assignments."""
    codes = actor_region_codes(actor)
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def _child_regions(region: Region) -> tuple[list[Region], int]:
    children = list(region_children(code=region.code).order_by("code"))
    if not children:  # a village: its own row
        return [region], len(region.code)
    return children, len(children[0].code)


def recap_region(*, actor: Any, region_code: str | None, capability: Any = Capability.REGISTRY_VIEW) -> Region:
    """The region a recap may show to `actor` (default: the first assigned one). 403 without `capability`,
    404 outside the actor's regions (fail closed)."""
    if not actor_can(actor, capability):
        raise PermissionDeniedError()
    codes = actor_region_codes(actor)
    if not codes:
        raise ObjectNotFound()
    code = region_code or codes[0]
    region = region_get(code=code)
    if region is None or not actor_in_scope(actor, code):
        raise ObjectNotFound()
    return region


def current_run(code: str) -> RecapRun | None:
    """The latest finished run whose root is `code` or one of its ancestors."""
    return RecapRun.objects.filter(status=RecapRun.Status.DONE, root_code__in=ancestor_codes(code)) \
        .order_by("-computed_at", "-pk").first()


def run_figures(run: RecapRun, code: str, length: int) -> dict[str, dict[str, int]]:
    """The run's cells under `code`, summed per region-code prefix of `length` characters."""
    figures: dict[str, dict[str, int]] = {}
    rows = RecapFigure.objects.filter(region_within_q(code, "region_code"), run=run) \
        .annotate(_key=Substr("region_code", 1, length)).values("_key", "key").annotate(total=Sum("value")) \
        .order_by()
    for row in rows:
        figures.setdefault(row["_key"], {})[row["key"]] = int(row["total"] or 0)
    return figures


def region_recap(*, actor: Any, region_code: str | None = None, live: bool = False) -> Recap:
    """The recap of `region_code` (default: the actor's first assigned region) per child region; from the
    latest precomputed run covering it unless `live` (or there is none)."""
    region = recap_region(actor=actor, region_code=region_code)
    code = region.code
    children, length = _child_regions(region)
    sections = [s for s, cap in SECTION_CAPABILITY.items() if actor_can(actor, cap)]
    run = None if live else current_run(code)
    if run is not None:
        among = list(BeneficiaryList.objects.filter(pk__in=run.list_ids).select_related("release__programme")
                     .order_by("-approved_at", "-created_at"))
        lists = chosen_lists(code, among=among)
        figures = run_figures(run, code, length)
        generated_at = run.computed_at
    else:
        lists = chosen_lists(code) if "programs" in sections or "distribution" in sections else {}
        generated_at = timezone.now()
        figures = compute_figures(code, length, list(lists.values()), child_codes=[ch.code for ch in children],
                                  now=generated_at)
    columns = [col for col in COLUMNS if col.section in sections]
    programmes, list_columns = _list_columns(lists, sections)
    columns += list_columns
    rows = [{"code": child.code, "name": child.display_name if hasattr(child, "display_name") else child.name,
             "level": child.level, **{col.key: _value(figures, child.code, col) for col in columns}}
            for child in children]
    totals = {col.key: sum(row[col.key] for row in rows) for col in columns}
    return Recap(region=region, path=region_path(region), child_level=children[0].level, columns=columns,
                 rows=rows, totals=totals, programmes=programmes, generated_at=generated_at, run=run,
                 relief_from=relief_period(timezone.localdate(generated_at))[0])


def _value(figures, code: str, col: Column) -> int:
    source = getattr(col, "source", "") or col.key
    return int(figures.get(code, {}).get(source, 0))


@dataclass(frozen=True)
class ListColumn(Column):
    source: str = ""  # the per-list figure key this programme column reads


def _list_columns(lists: dict[str, BeneficiaryList], sections: list[str]) -> tuple[list[dict[str, Any]], list[Column]]:
    """Recipients and tahap amounts of the latest approved list of each programme (coverage), and the
    distribution realisation of that list (entitled, delivered, paid, amount paid)."""
    programmes, columns = [], []
    for programme_code, blist in lists.items():
        name = blist.release.programme.name
        programmes.append({"code": programme_code, "name": name, "tahap": blist.tahap,
                           "year": getattr(blist.release, "year", ""), "list_id": str(blist.pk)})
        if "programs" in sections:
            count_key = f"recipients_{programme_code}"
            columns += [
                ListColumn(count_key, _("%(programme)s recipients (tahap %(tahap)s)")
                           % {"programme": name, "tahap": blist.tahap}, "programs",
                           source=list_key(blist.pk, "recipients")),
                ListColumn(f"amount_{programme_code}", _("%(programme)s amount (Rp)") % {"programme": name},
                           "programs", amount=True, count_key=count_key, source=list_key(blist.pk, "amount"))]
        if "distribution" in sections:
            paid_key = f"paid_{programme_code}"
            columns += [
                ListColumn(f"entitled_{programme_code}", _("%(programme)s: KPM in the distribution")
                           % {"programme": name}, "distribution", source=list_key(blist.pk, "entitled")),
                ListColumn(f"delivered_{programme_code}", _("%(programme)s: delivered (receipt)")
                           % {"programme": name}, "distribution", source=list_key(blist.pk, "delivered")),
                ListColumn(paid_key, _("%(programme)s: paid (channel)") % {"programme": name}, "distribution",
                           source=list_key(blist.pk, "paid")),
                ListColumn(f"paid_amount_{programme_code}", _("%(programme)s: amount paid (Rp)")
                           % {"programme": name}, "distribution", amount=True, count_key=paid_key,
                           source=list_key(blist.pk, "paid_amount"))]
    return programmes, columns
