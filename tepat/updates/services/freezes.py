"""Freeze periods: the supervisor suspends approvals and determinations in a region for a date range."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.core.exceptions import BusinessRuleViolation
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.updates.models import FreezePeriod
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.common import ancestor_codes, raise_if, within_q


def active_freeze(region_code: str, *, on: date | None = None, include_below: bool = False) -> FreezePeriod | None:
    """The freeze in force on `on` (today) over the region: set on it or above it (or below, if asked)."""
    on = on or timezone.localdate()
    where = Q(region_id__in=ancestor_codes(region_code))
    if include_below:
        where |= within_q(region_code)
    return (
        FreezePeriod.objects.filter(where, lifted_at__isnull=True, starts_on__lte=on, ends_on__gte=on)
        .order_by("starts_on").first()
    )


def ensure_not_frozen(region_code: str, *, action: str, include_below: bool = False) -> None:
    """Refuse, and say why and until when, while a freeze covers the region."""
    freeze = active_freeze(region_code, include_below=include_below)
    if freeze is None:
        return
    what_id, what_en = {"approval": ("Persetujuan", "Approvals"),
                        "determination": ("Penetapan", "Determinations")}[action]
    raise BusinessRuleViolation(
        f"{what_id} ditangguhkan di wilayah {freeze.region_id} dari {freeze.starts_on:%d-%m-%Y} sampai "
        f"{freeze.ends_on:%d-%m-%Y}: {freeze.reason} / {what_en} are suspended in region {freeze.region_id} "
        f"from {freeze.starts_on:%d-%m-%Y} to {freeze.ends_on:%d-%m-%Y}: {freeze.reason}",
        extra={"freeze": str(freeze.pk), "region": freeze.region_id, "starts_on": freeze.starts_on.isoformat(),
               "ends_on": freeze.ends_on.isoformat(), "reason": freeze.reason},
    )


@transaction.atomic
def freeze_create(*, actor: Any, region_code: str, starts_on: date, ends_on: date, reason: str) -> FreezePeriod:
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.FREEZE, region_code=region_code)
    issues: list[Issue] = []
    if not Region.objects.filter(code=region_code).exists():
        issues.append(Issue("region", "region", "wilayah tidak dikenal", "unknown region"))
    if not reason.strip():
        issues.append(Issue("required", "reason", "alasan wajib diisi", "a reason is required"))
    if starts_on and ends_on and ends_on < starts_on:
        issues.append(Issue("order", "ends_on", "tanggal akhir sebelum tanggal awal", "the end is before the start"))
    raise_if(issues)
    freeze = FreezePeriod(region_id=region_code, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(),
                          created_by=actor)
    freeze.full_clean()
    freeze.save()
    audit_record(actor=actor, action="freeze.create", target=freeze, region_code=region_code,
                 data={"starts_on": starts_on, "ends_on": ends_on, "reason": freeze.reason})
    return freeze


@transaction.atomic
def freeze_lift(*, actor: Any, freeze: FreezePeriod, reason: str) -> FreezePeriod:
    """End a freeze early (the row stays, with who lifted it and why)."""
    from tepat.updates.actions import ensure_freeze_action  # the actions use this module's freeze rule

    ensure_freeze_action(actor, freeze, "lift")
    freeze = FreezePeriod.objects.select_for_update().get(pk=freeze.pk)
    ensure_freeze_action(actor, freeze, "lift")
    if not reason.strip():
        raise_if([Issue("required", "reason", "alasan wajib diisi", "a reason is required")])
    freeze.lifted_at = timezone.now()
    freeze.lifted_by = actor
    freeze.lift_reason = reason.strip()
    freeze.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "updated_at"])
    audit_record(actor=actor, action="freeze.lift", target=freeze, region_code=freeze.region_id,
                 data={"reason": freeze.lift_reason})
    return freeze
