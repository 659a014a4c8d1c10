"""Trends over determination periods (issue 13 item 8): per determined period, the inclusion and exclusion
indicators of the version it froze, under a region in the actor's scope.

  listed         families in the frozen version
  deceased       of them, families with a death flag (not dismissed) whose event is on or before the period's end
  moved          likewise with a moved flag
  duplicates     likewise with a duplicate person / family / NIK-in-household flag
  not_receiving  eligible families of the period's approved lists that are not recipients (reserve, left)

Counts only; capability and scope are checked like the recap (`selectors.recap_region`), and each indicator
is shown only with its section's capability (quality.view for flags, programs.view for lists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tepat.accounts.access import actor_can
from tepat.accounts.roles import Capability
from tepat.core.recent import recent
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.quality.models import Flag
from tepat.regions.models import Region
from tepat.regions.selectors import ancestor_codes, region_within_q
from tepat.reports.selectors import recap_region
from tepat.updates.models import DeterminationPeriod, DeterminedFamily

FLAG_KINDS = {
    "deceased": [Flag.Kind.DIED],
    "moved": [Flag.Kind.MOVED],
    "duplicates": [Flag.Kind.DUPLICATE, Flag.Kind.DUPLICATE_FAMILY, Flag.Kind.NIK_IN_HOUSEHOLD],
}
INDICATORS = [
    ("listed", _("Families in the determined version"), Capability.REGISTRY_VIEW),
    ("deceased", _("Listed although deceased (flag)"), Capability.QUALITY_VIEW),
    ("moved", _("Listed although moved (flag)"), Capability.QUALITY_VIEW),
    ("duplicates", _("Listed as a duplicate (flag)"), Capability.QUALITY_VIEW),
    ("not_receiving", _("Eligible, not receiving"), Capability.PROGRAMS_VIEW),
]
MAX_PERIODS = 8


@dataclass
class Trends:
    region: Region
    indicators: list[tuple[str, Any]]  # (key, label) the actor may see
    periods: list[dict[str, Any]]  # oldest first: {"id", "label", "ends_on", key: count, ...}


def determined_periods(code: str) -> list[DeterminationPeriod]:
    """The latest determined periods whose region contains `code` or lies under it, oldest first."""
    periods = (
        DeterminationPeriod.objects.filter(status=DeterminationPeriod.Status.DETERMINED)
        .filter(Q(region_id__in=ancestor_codes(code)) | region_within_q(code, "region__code"))
        .order_by("-starts_on")[:MAX_PERIODS]
    )
    return sorted(periods, key=lambda p: p.starts_on)


def period_trends_recent(*, actor: Any) -> Trends:
    """`period_trends` of the actor's first region as of at most TEPAT_DASHBOARD_COUNTS_SECONDS ago (the start
    page, ADR 0033: its per-period counts read every determined family of a district, ~0.3 s a view).
    Capability and scope are checked first; the key holds the region and the indicators the actor may see."""
    region = recap_region(actor=actor, region_code=None)
    keys = ",".join(key for key, _label, cap in INDICATORS if actor_can(actor, cap))
    trends, _counted_at = recent(f"reports:trends:{region.code}:{keys}",
                                 int(getattr(settings, "TEPAT_DASHBOARD_COUNTS_SECONDS", 0) or 0),
                                 lambda: period_trends(actor=actor, region_code=region.code))
    return trends


def period_trends(*, actor: Any, region_code: str | None = None) -> Trends:
    region = recap_region(actor=actor, region_code=region_code)
    code = region.code
    indicators = [(key, label) for key, label, cap in INDICATORS if actor_can(actor, cap)]
    keys = {key for key, _label in indicators}
    out = []
    for period in determined_periods(code):
        frozen = DeterminedFamily.objects.filter(region_within_q(code, "region_code"), period=period)
        row: dict[str, Any] = {
            "id": str(period.pk),
            "label": period.label,
            "ends_on": period.ends_on,
            "listed": frozen.count(),
        }
        for key, kinds in FLAG_KINDS.items():
            if key in keys:
                row[key] = (
                    Flag.objects.filter(kind__in=kinds, family_id__in=frozen.values("family_id"))
                    .exclude(status=Flag.Status.DISMISSED)
                    .filter(Q(event_date__isnull=True) | Q(event_date__lte=period.ends_on))
                    .values("family_id")
                    .distinct()
                    .count()
                )
        if "not_receiving" in keys:
            row["not_receiving"] = (
                ListEntry.objects.filter(
                    region_within_q(code, "region_code"),
                    list__period=period,
                    eligible=True,
                    list__status=BeneficiaryList.Status.APPROVED,
                )
                .exclude(status=ListEntry.Status.RECIPIENT)
                .values("family_id")
                .distinct()
                .count()
            )
        out.append(row)
    return Trends(region=region, indicators=indicators, periods=out)
