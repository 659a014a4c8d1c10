"""The regional recap: one row per child region of a region in the actor's scope, with the figures of
every app the actor may see (registry, data age, proposals, data-quality flags, programme coverage,
complaints). Reads only; each section is computed in one grouped query and shown only with its
capability. Region scope fails closed: a region outside the actor's assignments is answered like absent.

`tepat.reports` reads from every app and is read by none (the layers contract)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tepat.accounts.access import actor_can, actor_in_scope, actor_region_codes
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.grievances.selectors import complaint_statistics
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.quality.models import Flag
from tepat.regions.models import Region
from tepat.regions.selectors import is_within, region_children, region_get, region_path, region_within_q
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, WelfareStatus
from tepat.updates.models import Proposal

OPEN_PROPOSAL = [Proposal.Status.SUBMITTED, Proposal.Status.IN_VERIFICATION, Proposal.Status.VERIFIED,
                 Proposal.Status.ACCEPTED, Proposal.Status.AWAITING_SUPERVISOR, Proposal.Status.APPROVED]
_LEVEL_OF_LENGTH = {2: 1, 5: 2, 8: 3, 13: 4}


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
]
SECTION_CAPABILITY = {
    "registry": Capability.REGISTRY_VIEW, "age": Capability.REGISTRY_VIEW, "updates": Capability.UPDATES_VIEW,
    "quality": Capability.QUALITY_VIEW, "programs": Capability.PROGRAMS_VIEW,
    "grievances": Capability.GRIEVANCES_VIEW,
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
    generated_at: Any = None


def recap_roots(actor: Any) -> list[Region]:
    """The regions a recap can start from: the actor's assignments."""
    codes = actor_region_codes(actor)
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def _grouped(queryset, source: str, length: int, **aggregates) -> dict[str, dict[str, int]]:
    rows = queryset.annotate(_key=Substr(source, 1, length)).values("_key").annotate(**aggregates).order_by()
    return {row.pop("_key"): row for row in rows}


def _child_regions(region: Region) -> tuple[list[Region], int]:
    children = list(region_children(code=region.code).order_by("code"))
    if not children:  # a village: its own row
        return [region], len(region.code)
    return children, len(children[0].code)


def region_recap(*, actor: Any, region_code: str | None = None) -> Recap:
    """The recap of `region_code` (default: the actor's first assigned region) per child region."""
    if not actor_can(actor, Capability.REGISTRY_VIEW):
        raise PermissionDeniedError()
    codes = actor_region_codes(actor)
    if not codes:
        raise ObjectNotFound()
    code = region_code or codes[0]
    region = region_get(code=code)
    if region is None or not actor_in_scope(actor, code):
        raise ObjectNotFound()
    children, length = _child_regions(region)
    figures: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))

    def merge(grouped: dict[str, dict[str, int]]) -> None:
        for key, values in grouped.items():
            for name, value in values.items():
                figures[key][name] += int(value or 0)

    sections = [s for s, cap in SECTION_CAPABILITY.items() if actor_can(actor, cap)]
    families = Family.objects.filter(region_within_q(code, "region__code"))
    merge(_grouped(families, "region_id", length,
                   families_active=Count("pk", filter=Q(status=c.FamilyStatus.ACTIVE)),
                   families_removed=Count("pk", filter=Q(status=c.FamilyStatus.REMOVED))))
    members = Individual.objects.filter(region_within_q(code, "family__region__code"),
                                        family__status=c.FamilyStatus.ACTIVE)
    merge(_grouped(members, "family__region_id", length,
                   individuals_living=Count("pk", filter=Q(presence__in=c.ACTIVE_PRESENCE)),
                   individuals_died=Count("pk", filter=Q(presence=c.Presence.DIED)),
                   individuals_moved=Count("pk", filter=Q(presence__in=[c.Presence.MOVED_DOMESTIC,
                                                                        c.Presence.MOVED_ABROAD]))))
    today = timezone.localdate()
    current = WelfareStatus.objects.filter(region_within_q(code, "family__region__code"),
                                           family__status=c.FamilyStatus.ACTIVE) \
        .filter(Q(until__isnull=True) | Q(until__gte=today))
    merge(_grouped(current, "family__region_id", length, ppks=Count("pk")))
    now = timezone.now()
    active = families.filter(status=c.FamilyStatus.ACTIVE)
    merge(_grouped(active, "region_id", length,
                   age_1y=Count("pk", filter=Q(updated_at__gte=now - timedelta(days=365))),
                   age_2y=Count("pk", filter=Q(updated_at__lt=now - timedelta(days=365),
                                               updated_at__gte=now - timedelta(days=730))),
                   age_old=Count("pk", filter=Q(updated_at__lt=now - timedelta(days=730)))))
    if "updates" in sections:
        proposals = Proposal.objects.filter(region_within_q(code, "region__code"), status__in=OPEN_PROPOSAL)
        merge(_grouped(proposals, "region_id", length, proposals_open=Count("pk"),
                       proposals_overdue=Count("pk", filter=Q(created_at__lt=now - timedelta(days=30)))))
    if "quality" in sections:
        flags = Flag.objects.filter(region_within_q(code, "region_code"))
        merge(_grouped(flags, "region_code", length,
                       flags_open=Count("pk", filter=Q(status=Flag.Status.OPEN)),
                       flags_resolved=Count("pk", filter=~Q(status=Flag.Status.OPEN))))
    if "grievances" in sections:
        for row in complaint_statistics(region_code=code, level=_LEVEL_OF_LENGTH.get(length, 4)):
            figures[row["region_code"]]["complaints_received"] += row["received"]
            figures[row["region_code"]]["complaints_resolved"] += row["resolved"]
    columns = [col for col in COLUMNS if col.section in sections]
    programmes: list[dict[str, Any]] = []
    if "programs" in sections:
        programmes, coverage_columns = _coverage(code, length, figures)
        columns += coverage_columns
    rows = [{"code": child.code, "name": child.display_name if hasattr(child, "display_name") else child.name,
             "level": child.level, **{col.key: figures[child.code].get(col.key, 0) for col in columns}}
            for child in children]
    totals = {col.key: sum(row[col.key] for row in rows) for col in columns}
    return Recap(region=region, path=region_path(region), child_level=children[0].level, columns=columns,
                 rows=rows, totals=totals, programmes=programmes, generated_at=now)


def _coverage(code: str, length: int, figures) -> tuple[list[dict[str, Any]], list[Column]]:
    """Recipients and tahap amounts of the latest approved list of each programme that covers `code`."""
    lists = BeneficiaryList.objects.filter(status=BeneficiaryList.Status.APPROVED) \
        .select_related("release__programme").order_by("-approved_at", "-created_at")
    chosen: dict[str, BeneficiaryList] = {}
    for blist in lists:
        if not (is_within(code, blist.region_code) or is_within(blist.region_code, code)):
            continue
        chosen.setdefault(blist.release.programme.code, blist)
    programmes, columns = [], []
    for programme_code, blist in sorted(chosen.items()):
        entries = ListEntry.objects.filter(list=blist, status=ListEntry.Status.RECIPIENT) \
            .filter(region_within_q(code, "region_code"))
        count_key, amount_key = f"recipients_{programme_code}", f"amount_{programme_code}"
        for key, values in _grouped(entries, "region_code", length, n=Count("pk"),
                                    amount=Sum("tahap_amount")).items():
            figures[key][count_key] += int(values["n"] or 0)
            figures[key][amount_key] += int(values["amount"] or 0)
        name = blist.release.programme.name
        programmes.append({"code": programme_code, "name": name, "tahap": blist.tahap,
                           "year": getattr(blist.release, "year", ""), "list_id": str(blist.pk)})
        columns += [Column(count_key, _("%(programme)s recipients (tahap %(tahap)s)")
                           % {"programme": name, "tahap": blist.tahap}, "programs"),
                    Column(amount_key, _("%(programme)s amount (Rp)") % {"programme": name}, "programs",
                           amount=True, count_key=count_key)]
    return programmes, columns
