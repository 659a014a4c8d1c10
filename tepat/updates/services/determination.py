"""Determination periods (penetapan): approved changes applied to the registry in one transaction, and
the list frozen as a version that any later version can be compared with."""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.hashing import canonical_json
from tepat.audit.services import audit_record
from tepat.core.exceptions import ApplicationError, BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, ProgramParticipation
from tepat.registry.validation import FAMILY_FIELDS, INDIVIDUAL_FIELDS
from tepat.updates import conf
from tepat.updates.models import DeterminationPeriod, DeterminedFamily, Proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.apply import proposal_apply_to_registry
from tepat.updates.services.common import not_future, raise_if, region_at_level, within_q
from tepat.updates.services.freezes import ensure_not_frozen
from tepat.updates.workflow import ensure_allowed, lock, transition

Cadence = DeterminationPeriod.Cadence
CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.SEMIANNUAL: 6}
SNAPSHOT_MEMBER_FIELDS = (*INDIVIDUAL_FIELDS, "presence")
_BATCH = 2000


def period_bounds(starts_on: date, cadence: str) -> tuple[date, str]:
    """End date and label of a period starting on `starts_on`: 2025-07, 2025-T3 (quarter), 2025-S2."""
    months = CADENCE_MONTHS[cadence]
    month_index = starts_on.month - 1 + months
    year, month = starts_on.year + month_index // 12, month_index % 12 + 1
    day = min(starts_on.day, calendar.monthrange(year, month)[1])
    ends_on = date(year, month, day) - timedelta(days=1)
    if cadence == Cadence.MONTHLY:
        label = f"{starts_on:%Y-%m}"
    elif cadence == Cadence.QUARTERLY:
        label = f"{starts_on.year}-T{(starts_on.month - 1) // 3 + 1}"
    else:
        label = f"{starts_on.year}-S{(starts_on.month - 1) // 6 + 1}"
    return ends_on, label


@transaction.atomic
def period_create(*, actor: Any, region_code: str, starts_on: date, cadence: str = "",
                  label: str = "") -> DeterminationPeriod:
    """Open a period for a regency/city. Monthly unless another cadence is given (or configured)."""
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.PLAN_PERIOD, region_code=region_code)
    region_at_level(region_code, Region.Level.REGENCY)
    cadence = cadence or conf.default_cadence()
    if cadence not in CADENCE_MONTHS:
        raise ValidationFailed([Issue("choice", "cadence", "siklus tidak dikenal", "unknown cadence")])
    ends_on, default_label = period_bounds(starts_on, cadence)
    overlap = DeterminationPeriod.objects.filter(region_id=region_code, starts_on__lte=ends_on,
                                                 ends_on__gte=starts_on)
    if overlap.exists():
        raise ValidationFailed([Issue("overlap", "starts_on", "periode bertumpang tindih dengan periode lain",
                                      "the period overlaps another period")])
    period = DeterminationPeriod(region_id=region_code, starts_on=starts_on, ends_on=ends_on, cadence=cadence,
                                 label=label.strip() or default_label, created_by=actor)
    period.full_clean()
    period.save()
    audit_record(actor=actor, action="determination_period.create", target=period, region_code=region_code,
                 data={"label": period.label, "starts_on": starts_on, "ends_on": ends_on, "cadence": cadence})
    return period


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def freeze_version(period: DeterminationPeriod) -> tuple[int, int]:
    """Store every active family of the period's region as it stands now: set-based, in batches."""
    region = period.region_id
    families = Family.objects.filter(within_q(region), status=c.FamilyStatus.ACTIVE)
    members: dict[Any, dict[str, Any]] = {}
    member_count = 0
    member_rows = Individual.objects.filter(
        within_q(region, "family__region__code"), family__status=c.FamilyStatus.ACTIVE, presence__in=c.ACTIVE_PRESENCE
    ).values("pk", "family_id", *SNAPSHOT_MEMBER_FIELDS)
    for row in member_rows.iterator(chunk_size=_BATCH):
        family_id, pk = row.pop("family_id"), row.pop("pk")
        if row["birth_date"] is not None:
            row["birth_date"] = row["birth_date"].isoformat()
        members.setdefault(family_id, {})[str(pk)] = row
        member_count += 1
    programs: dict[Any, list[str]] = {}
    for family_id, program, individual_id in ProgramParticipation.objects.filter(
        within_q(region, "family__region__code"), until__isnull=True
    ).values_list("family_id", "program", "individual_id"):
        programs.setdefault(family_id, []).append(f"{program}:{individual_id}" if individual_id else program)
    rows: list[DeterminedFamily] = []
    count = 0
    for row in families.values("pk", "region_id", *FAMILY_FIELDS).iterator(chunk_size=_BATCH):
        family_id = row.pop("pk")
        # Plain JSON values already (text, integers, booleans, ISO dates), so no normalising pass is needed.
        data = {**row, "members": members.get(family_id, {}), "programs": sorted(programs.get(family_id, []))}
        rows.append(DeterminedFamily(period=period, family_id=family_id, region_code=row["region_id"], data=data,
                                     digest=_digest(data)))
        count += 1
        if len(rows) >= _BATCH:
            DeterminedFamily.objects.bulk_create(rows, batch_size=_BATCH)
            rows = []
    DeterminedFamily.objects.bulk_create(rows, batch_size=_BATCH)
    return count, member_count


@transaction.atomic
def period_determine(*, actor: Any, period: DeterminationPeriod, decree_number: str,
                     decree_date: date) -> DeterminationPeriod:
    """Apply every approved proposal of the region to the registry, through the registry services and as
    `actor`, then freeze the version. One transaction: if any proposal cannot be applied, nothing is.

    Refused while a freeze covers the region (or part of it), and while an earlier period is still open.
    """
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.DETERMINE, region_code=period.region_id)
    ensure_not_frozen(period.region_id, action="determination", include_below=True)
    period = lock(period)
    ensure_allowed(period, "determine")
    issues: list[Issue] = []
    if not decree_number.strip():
        issues.append(Issue("required", "decree_number", "nomor SK wajib diisi", "the decree number is required"))
    not_future(decree_date, "decree_date", timezone.localdate(), issues)
    raise_if(issues)
    if DeterminationPeriod.objects.filter(region_id=period.region_id, status=DeterminationPeriod.Status.OPEN,
                                          starts_on__lt=period.starts_on).exists():
        raise BusinessRuleViolation("Periode sebelumnya belum ditetapkan / An earlier period is not determined yet")
    proposals = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(within_q(period.region_id), status=Proposal.Status.APPROVED)
        .select_related("family", "individual", "individual__family")
        .order_by("approved_at", "created_at")
    )
    failures: list[Issue] = []
    applied: list[tuple[Proposal, dict[str, Any]]] = []
    for proposal in proposals:
        try:
            with transaction.atomic():
                applied.append((proposal, proposal_apply_to_registry(actor=actor, proposal=proposal)))
        except ValidationFailed as exc:
            failures += [Issue(i.code, f"{proposal.reference}.{i.field}", f"{proposal.reference}: {i.id}",
                               f"{proposal.reference}: {i.en}") for i in exc.issues]
        except ApplicationError as exc:
            failures.append(Issue(exc.code, proposal.reference, f"{proposal.reference}: {exc.message}",
                                  f"{proposal.reference}: {exc.message}"))
    raise_if(failures)
    now = timezone.now()
    for proposal, result in applied:
        updates: dict[str, Any] = {"applied_at": now, "applied_period": period, "applied_result": result}
        if proposal.family_id is None and "family" in result:
            updates["family_id"] = result["family"]
        if proposal.kind == Proposal.Kind.ADD_MEMBER:
            updates["individual_id"] = result["individual"]
        transition(proposal, "apply", actor=actor, region_code=proposal.region_id, locked=True, updates=updates,
                   data={"period": period.label, "decree_number": decree_number.strip(), "result": result})
    families, individuals = freeze_version(period)
    return transition(period, "determine", actor=actor, region_code=period.region_id, locked=True,
                      updates={"decree_number": decree_number.strip(), "decree_date": decree_date,
                               "determined_at": now, "determined_by": actor, "applied_count": len(applied),
                               "family_count": families, "individual_count": individuals},
                      data={"decree_number": decree_number.strip(), "decree_date": decree_date,
                            "applied": [p.reference for p, _ in applied], "families": families,
                            "individuals": individuals})
