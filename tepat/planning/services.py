"""Every write of the planning app: a service that checks capability × scope and records its audit event in
the same transaction. Codes are picked from the plan's nomenclature version: a code that is not in that
version is refused (Indonesian and English)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction as A
from tepat.audit.services import audit_record
from tepat.audit.transitions import lock, transition
from tepat.core.actors import is_system
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.planning.achievement import TYPES
from tepat.planning.models import (
    NomenclatureItem,
    NomenclatureVersion,
    Plan,
    PlanLine,
    PlanVersion,
    QuarterSnapshot,
    Realisation,
)
from tepat.planning.transitions import NEXT_STEP
from tepat.regions.models import Region

C = Capability
LINE_FIELDS = ("indicator", "indicator_type", "target", "unit", "location", "pagu", "fund_source",
               "outlook_target", "outlook_pagu", "note")


def ensure_planning(*, actor: Any, capability: Capability, region_code: str) -> None:
    """Capability × scope for a person; the command line (SYSTEM) acts on its own authority."""
    if is_system(actor):
        return
    ensure_permission(actor=actor, capability=capability, region_code=region_code)


def person(actor: Any) -> Any:
    """The user to store on a row (None for the system actor)."""
    return None if is_system(actor) else actor


def _invalid(field: str, id_text: str, en_text: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([Issue(code, field, id_text, en_text)])


def resolve_code(version: NomenclatureVersion, code: str) -> NomenclatureItem:
    """The item of `code` in `version`; refused when the version has no such code."""
    item = NomenclatureItem.objects.filter(version=version, code=(code or "").strip()).first()
    if item is None:
        raise _invalid("code", f"kode '{code}' tidak ada dalam nomenklatur versi {version.code}",
                       f"code '{code}' is not in nomenclature version {version.code}", "unknown_code")
    return item


def parse_volume(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise _invalid(field, f"'{value}' bukan angka", f"'{value}' is not a number") from None
    if number < 0 or not number.is_finite():
        raise _invalid(field, "tidak boleh negatif", "must not be negative")
    return number


def parse_rupiah(value: Any, field: str) -> int | None:
    """Integer rupiah: '1.250.000' or 1250000; refuses fractions and negatives."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _invalid(field, "bukan jumlah rupiah", "not an amount of rupiah")
    if isinstance(value, int):
        amount = value
    else:
        text = str(value).strip().replace("Rp", "").replace(" ", "")
        if text.count(".") >= 1 and all(len(p) == 3 for p in text.split(".")[1:]):
            text = text.replace(".", "")
        if not text.isdigit():
            raise _invalid(field, f"'{value}' bukan jumlah rupiah bulat", f"'{value}' is not a whole rupiah amount")
        amount = int(text)
    if amount < 0:
        raise _invalid(field, "tidak boleh negatif", "must not be negative")
    return amount


def _ensure_current(plan: Plan, version: PlanVersion) -> None:
    if version.pk != plan.current_version.pk:
        raise BusinessRuleViolation("Hanya versi terakhir rencana yang dapat diubah / "
                                    "Only the latest version of a plan can be changed")


@transaction.atomic
def plan_create(*, actor: Any, region_code: str, year: int, organisation: str,
                nomenclature: NomenclatureVersion) -> Plan:
    ensure_planning(actor=actor, capability=C.PLANNING_EDIT, region_code=region_code)
    region = Region.objects.get(code=region_code)
    if Plan.objects.filter(region=region, year=year, organisation=organisation).exists():
        raise _invalid("year", f"Renja {organisation} {year} sudah ada", f"the Renja {organisation} {year} exists",
                       "duplicate")
    plan = Plan.objects.create(region=region, year=year, organisation=organisation, nomenclature=nomenclature)
    PlanVersion.objects.create(plan=plan, number=1, stage=plan.status)
    audit_record(actor=actor, action=A.PLAN_CREATE, target=plan, region_code=region_code,
                 data={"year": year, "organisation": organisation, "nomenclature": nomenclature.code})
    return plan


@transaction.atomic
def line_save(*, actor: Any, plan: Plan, code: str, position: int | None = None, change_reason: str = "",
              **values: Any) -> PlanLine:
    """Add or change the line of `code` in the plan's current version."""
    ensure_planning(actor=actor, capability=C.PLANNING_EDIT, region_code=plan.region_id)
    plan = lock(plan)
    version = plan.current_version
    item = resolve_code(plan.nomenclature, code)
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"unknown line fields {sorted(unknown)}")
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("target", "outlook_target"):
            clean[key] = parse_volume(value, key)
        elif key in ("pagu", "outlook_pagu"):
            clean[key] = parse_rupiah(value, key)
        elif key == "indicator_type":
            if value not in TYPES:
                raise _invalid(key, f"jenis indikator '{value}' tidak dikenal", f"unknown indicator type '{value}'")
            clean[key] = value
        else:
            clean[key] = (value or "").strip()
    line = PlanLine.objects.filter(version=version, item=item).first()
    before: dict[str, Any] = {}
    if line is None:
        defaults = {"indicator": item.indicator, "indicator_type": item.indicator_type, "unit": item.unit}
        line = PlanLine(version=version, item=item, **{**defaults, **clean})
        if position is None:
            position = version.lines.count() + 1
    else:
        before = {k: getattr(line, k) for k in ("target", "pagu")}
        for key, value in clean.items():
            setattr(line, key, value)
    if not line.indicator:
        raise _invalid("indicator", "indikator wajib diisi", "the indicator is required", "required")
    previous = _previous_line(version, item)
    changed = previous is not None and (previous.target != line.target or previous.pagu != line.pagu)
    if changed and not (change_reason or line.change_reason).strip():
        raise _invalid("change_reason", "perubahan target atau pagu dari versi sebelumnya wajib diberi alasan",
                       "a change of target or budget from the previous version needs a reason", "required")
    if change_reason:
        line.change_reason = change_reason.strip()
    if position is not None:
        line.position = position
    line.save()
    audit_record(actor=actor, action=A.PLAN_LINE_SAVE, target=line, region_code=plan.region_id, data={
        "plan": plan.pk, "version": version.number, "code": item.code,
        "target": _text(line.target), "pagu": line.pagu,
        **({"before": {k: _text(v) for k, v in before.items()}} if before else {}),
        **({"reason": line.change_reason} if changed else {})})
    return line


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _previous_line(version: PlanVersion, item: NomenclatureItem) -> PlanLine | None:
    if version.number <= 1:
        return None
    return PlanLine.objects.filter(version__plan_id=version.plan_id, version__number=version.number - 1,
                                   item=item).first()


@transaction.atomic
def line_delete(*, actor: Any, plan: Plan, code: str, reason: str) -> None:
    ensure_planning(actor=actor, capability=C.PLANNING_EDIT, region_code=plan.region_id)
    plan = lock(plan)
    version = plan.current_version
    item = resolve_code(plan.nomenclature, code)
    line = PlanLine.objects.filter(version=version, item=item).first()
    if line is None:
        raise _invalid("code", f"kode '{code}' tidak ada di rencana ini", f"code '{code}' is not in this plan")
    if version.number > 1 and not (reason or "").strip():
        raise _invalid("reason", "alasan wajib diisi", "a reason is required", "required")
    line.delete()
    audit_record(actor=actor, action=A.PLAN_LINE_DELETE, target=plan, region_code=plan.region_id,
                 data={"version": version.number, "code": item.code, "reason": reason})


@transaction.atomic
def plan_advance(*, actor: Any, plan: Plan, reason: str = "") -> Plan:
    """Move the plan to its next stage; the current lines stay frozen in their version and are copied into a
    new version of the new stage (perubahan after perubahan adds another amendment)."""
    ensure_planning(actor=actor, capability=C.PLANNING_APPROVE, region_code=plan.region_id)
    plan = lock(plan)
    current = plan.current_version
    if not current.lines.exists():
        raise BusinessRuleViolation("Rencana tanpa baris tidak dapat dilanjutkan / A plan without lines cannot move on")
    plan = transition(plan, NEXT_STEP[plan.status], actor=actor, region_code=plan.region_id, reason=reason,
                      data={"version": current.number + 1}, locked=True)
    new = PlanVersion.objects.create(plan=plan, number=current.number + 1, stage=plan.status)
    PlanLine.objects.bulk_create([
        PlanLine(version=new, item_id=line.item_id, indicator=line.indicator, indicator_type=line.indicator_type,
                 target=line.target, unit=line.unit, location=line.location, pagu=line.pagu,
                 fund_source=line.fund_source, outlook_target=line.outlook_target, outlook_pagu=line.outlook_pagu,
                 note=line.note, position=line.position) for line in current.lines.all()])
    return plan


def quarter_end(year: int, quarter: int) -> date:
    return date(year, quarter * 3, 30 if quarter in (2, 3) else 31)


def quarter_started(year: int, quarter: int, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return date(year, quarter * 3 - 2, 1) <= today


@transaction.atomic
def realisation_save(*, actor: Any, plan: Plan, quarter: int, code: str, physical: Any = None,
                     financial: Any = None, today: date | None = None) -> Realisation:
    """Enter what one quarter achieved for one line (physical volume in the line's unit; money spent)."""
    ensure_planning(actor=actor, capability=C.PLANNING_EDIT, region_code=plan.region_id)
    if quarter not in (1, 2, 3, 4):
        raise _invalid("quarter", "triwulan harus 1–4", "the quarter must be 1–4")
    if not quarter_started(plan.year, quarter, today):
        raise _invalid("quarter", f"triwulan {quarter} {plan.year} belum dimulai: realisasi belum dapat diisi",
                       f"quarter {quarter} of {plan.year} has not started: no realisation yet", "future_period")
    item = resolve_code(plan.nomenclature, code)
    if not PlanLine.objects.filter(version=plan.current_version, item=item).exists():
        raise _invalid("code", f"kode '{code}' tidak ada di rencana ini", f"code '{code}' is not in this plan")
    snapshot, _ = QuarterSnapshot.objects.get_or_create(plan=plan, quarter=quarter)
    snapshot = lock(snapshot)
    if snapshot.status == QuarterSnapshot.Status.FINAL:
        raise BusinessRuleViolation(f"Realisasi triwulan {quarter} sudah final / "
                                    f"The realisation of quarter {quarter} is final")
    physical_value = parse_volume(physical, "physical")
    financial_value = parse_rupiah(financial, "financial")
    entry, _ = Realisation.objects.update_or_create(
        snapshot=snapshot, item=item,
        defaults={"physical": physical_value, "financial": financial_value, "entered_by": person(actor)})
    audit_record(actor=actor, action=A.REALISATION_SAVE, target=entry, region_code=plan.region_id, data={
        "plan": plan.pk, "quarter": quarter, "code": item.code, "physical": _text(physical_value),
        "financial": financial_value})
    return entry


@transaction.atomic
def snapshot_finalise(*, actor: Any, plan: Plan, quarter: int) -> QuarterSnapshot:
    ensure_planning(actor=actor, capability=C.PLANNING_APPROVE, region_code=plan.region_id)
    snapshot = QuarterSnapshot.objects.filter(plan=plan, quarter=quarter).first()
    if snapshot is None:
        raise _invalid("quarter", f"triwulan {quarter} belum berisi realisasi", f"quarter {quarter} has no realisation")
    return transition(snapshot, "finalise", actor=actor, region_code=plan.region_id,
                      data={"plan": plan.pk, "quarter": quarter, "entries": snapshot.entries.count()})
