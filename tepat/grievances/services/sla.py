"""The SLA of open cases on working days: targets per category and stage (SlaTarget), the holiday calendar
(Holiday), pauses while waiting for the citizen (ComplaintPause). `sla_recompute` runs on a schedule (the
task `sla_recompute_task`, the command `tepat grievances-sla`): it stores each case's state and due date and
escalates to the supervisors of its region a case that became at risk or breached (an Escalation row and a
`complaint.escalate` event, once per case, stage and state)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.services import PendingEvent, audit_record, audit_record_many
from tepat.core.actors import SYSTEM, is_system
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.grievances import sla as clock_rules
from tepat.grievances.models import Category, Complaint, ComplaintPause, Escalation, Holiday, SlaTarget

S = Complaint.Status
OPEN = (S.REGISTERED, S.ASSESSED, S.REFERRED, S.FOLLOWED_UP)
BATCH = 2000


def holidays_set() -> frozenset[date]:
    return frozenset(Holiday.objects.values_list("date", flat=True))


@dataclass(slots=True)
class Targets:
    by_key: dict[tuple[Any, str], tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Targets:
        return cls({(t.category_id, t.stage): (t.working_days, t.at_risk_days) for t in SlaTarget.objects.all()})

    def get(self, category_id: Any, stage: str) -> tuple[int, int] | None:
        return self.by_key.get((category_id, stage)) or self.by_key.get((None, stage))


def _local(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def pauses_of(pauses: list[ComplaintPause], since: datetime) -> list[clock_rules.Pause]:
    return [(_local(p.started_at), _local(p.ended_at)) for p in pauses
            if p.ended_at is None or p.ended_at >= since]


def clock_for(complaint: Complaint, *, today: date, holidays: frozenset[date], targets: Targets,
              pauses: list[ComplaintPause]) -> clock_rules.Clock | None:
    stage = complaint.paused_from if complaint.status == S.WAITING else complaint.status
    target = targets.get(complaint.category_id, stage)
    if target is None or stage not in OPEN:
        return None
    return clock_rules.clock(_local(complaint.stage_entered_at), today, target=target[0], at_risk_days=target[1],
                             holidays=holidays, pauses=pauses_of(pauses, complaint.stage_entered_at))


def refresh_clock(complaint: Complaint) -> None:
    """After a move: the case's state and due date now (recorded by the move's own event)."""
    current = clock_for(complaint, today=timezone.localdate(), holidays=holidays_set(), targets=Targets.load(),
                        pauses=list(complaint.pauses.all()))
    state = current.state if current else Complaint.SlaState.NONE
    due = current.due if current else None
    Complaint.objects.filter(pk=complaint.pk).update(sla_state=state, sla_due=due, sla_checked_at=timezone.now())
    complaint.sla_state, complaint.sla_due = state, due


@dataclass(slots=True)
class Recomputed:
    checked: int = 0
    changed: int = 0
    escalated: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def sla_recompute(*, actor: Any = SYSTEM, today: date | None = None) -> Recomputed:
    """Every open or waiting case's clock, in batches by id; changes and escalations audited per batch."""
    today = today or timezone.localdate()
    holidays, targets = holidays_set(), Targets.load()
    result = Recomputed()
    last = None
    while True:
        cases = Complaint.objects.filter(status__in=[*OPEN, S.WAITING]).order_by("id")
        if last is not None:
            cases = cases.filter(id__gt=last)
        batch = list(cases.only("id", "reference", "status", "paused_from", "category_id", "stage_entered_at",
                                "sla_state", "sla_due", "region_id")[:BATCH])
        if not batch:
            return result
        last = batch[-1].id
        _recompute_batch(actor, batch, today, holidays, targets, result)


@transaction.atomic
def _recompute_batch(actor: Any, batch: list[Complaint], today: date, holidays: frozenset[date], targets: Targets,
                     result: Recomputed) -> None:
    pauses: dict[Any, list[ComplaintPause]] = defaultdict(list)
    for pause in ComplaintPause.objects.filter(complaint_id__in=[c.id for c in batch]):
        pauses[pause.complaint_id].append(pause)
    now = timezone.now()
    changed, events, escalations = [], [], []
    for case in batch:
        result.checked += 1
        current = clock_for(case, today=today, holidays=holidays, targets=targets, pauses=pauses[case.id])
        state = current.state if current else Complaint.SlaState.NONE
        due = current.due if current else None
        result.by_state[state] += 1
        if state != case.sla_state or due != case.sla_due:
            events.append(PendingEvent("complaint.sla", "grievances.complaint", str(case.id), case.region_id,
                                       {"reference": case.reference, "from": case.sla_state, "to": state,
                                        "due": due.isoformat() if due else None,
                                        "elapsed": current.elapsed if current else None}))
            case.sla_state, case.sla_due = state, due
            changed.append(case)
        if state in (Complaint.SlaState.AT_RISK, Complaint.SlaState.BREACHED):
            stage = case.paused_from if case.status == S.WAITING else case.status
            escalations.append(Escalation(complaint_id=case.id, stage=stage, state=state, due=due,
                                          region_code=case.region_id))
    for case in batch:
        case.sla_checked_at = now
    Complaint.objects.bulk_update(batch, ["sla_state", "sla_due", "sla_checked_at"], batch_size=500)
    if escalations:
        known = set(Escalation.objects.filter(complaint_id__in=[e.complaint_id for e in escalations])
                    .values_list("complaint_id", "stage", "state"))
        new = [e for e in escalations if (e.complaint_id, e.stage, e.state) not in known]
        Escalation.objects.bulk_create(new, batch_size=500)
        refs = {c.id: c.reference for c in batch}
        events += [PendingEvent("complaint.escalate", "grievances.complaint", str(e.complaint_id), e.region_code,
                                {"reference": refs[e.complaint_id], "stage": e.stage, "state": e.state,
                                 "due": e.due.isoformat() if e.due else None}) for e in new]
        result.escalated += len(new)
    result.changed += len(changed)
    if events:
        audit_record_many(actor=actor, events=events)


@transaction.atomic
def escalation_acknowledge(*, actor: Any, escalation: Escalation) -> Escalation:
    """The supervisor has seen the escalation (it leaves the dashboard's notification list)."""
    ensure_permission(actor=actor, capability=Capability.GRIEVANCES_DECIDE, region_code=escalation.region_code)
    row = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if row.acknowledged_at is None:
        row.acknowledged_by, row.acknowledged_at = actor, timezone.now()
        row.save(update_fields=["acknowledged_by", "acknowledged_at", "updated_at"])
        audit_record(actor=actor, action="escalation.acknowledge", target=row, region_code=row.region_code,
                     data={"complaint": str(row.complaint_id), "stage": row.stage, "state": row.state})
    return row


# ---- the office's settings: holidays and targets ------------------------------------------------------

@transaction.atomic
def holiday_set(*, actor: Any, day: date, name: str) -> Holiday:
    ensure_capability(actor=actor, capability=Capability.GRIEVANCES_CONFIGURE)
    if not (name or "").strip():
        raise ValidationFailed([Issue("required", "name", "nama hari libur wajib diisi", "the holiday's name is required")])
    holiday, created = Holiday.objects.update_or_create(date=day, defaults={"name": name.strip()[:150]})
    audit_record(actor=actor, action="grievances.configure", target_type="grievances.holiday",
                 target_id=day.isoformat(), data={"holiday": day.isoformat(), "name": holiday.name, "created": created})
    return holiday


@transaction.atomic
def holiday_remove(*, actor: Any, day: date) -> None:
    ensure_capability(actor=actor, capability=Capability.GRIEVANCES_CONFIGURE)
    deleted, _ = Holiday.objects.filter(date=day).delete()
    if deleted:
        audit_record(actor=actor, action="grievances.configure", target_type="grievances.holiday",
                     target_id=day.isoformat(), data={"holiday": day.isoformat(), "removed": True})


@transaction.atomic
def holidays_seed(*, actor: Any, year: int) -> int:
    """National holidays of a year from the `holidays` package, added where the calendar has no entry."""
    if not is_system(actor):
        ensure_capability(actor=actor, capability=Capability.GRIEVANCES_CONFIGURE)
    try:
        import holidays as holidays_package
    except ImportError as exc:  # optional: the stored calendar is what counts
        raise ValidationFailed([Issue("unavailable", "year", "paket 'holidays' tidak terpasang",
                                      "the 'holidays' package is not installed")]) from exc
    added = 0
    for day, name in sorted(holidays_package.Indonesia(years=year, language="id").items()):
        _, created = Holiday.objects.get_or_create(date=day, defaults={"name": str(name)[:150]})
        added += created
    audit_record(actor=actor, action="grievances.configure", target_type="grievances.holiday", target_id=str(year),
                 data={"seeded_year": year, "added": added})
    return added


@transaction.atomic
def sla_target_set(*, actor: Any, category: Category | None, stage: str, working_days: int,
                   at_risk_days: int = 1) -> SlaTarget:
    ensure_capability(actor=actor, capability=Capability.GRIEVANCES_CONFIGURE)
    issues = []
    if stage not in OPEN:
        issues.append(Issue("choice", "stage", "tahap tidak dikenal", "unknown stage"))
    if not 0 < working_days <= 120 or not 0 <= at_risk_days < working_days:
        issues.append(Issue("range", "working_days", "hari kerja 1–120, ambang risiko di bawahnya",
                            "working days 1–120, the at-risk threshold below it"))
    if issues:
        raise ValidationFailed(issues)
    target, _ = SlaTarget.objects.update_or_create(category=category, stage=stage, defaults={
        "working_days": working_days, "at_risk_days": at_risk_days})
    audit_record(actor=actor, action="grievances.configure", target=target,
                 data={"category": category.code if category else "", "stage": stage, "working_days": working_days,
                       "at_risk_days": at_risk_days})
    return target
