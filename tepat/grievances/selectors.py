"""Reads of complaints, always through the actor's scope and need-to-know; the intake's registry lookup; the
dashboard; and `complaint_statistics`, the small stable selector other apps (public transparency pages,
Renja planning) call for aggregates without personal data."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from tepat.accounts.access import actor_can
from tepat.accounts.roles import Capability
from tepat.audit.models import AuditEvent
from tepat.grievances.access import complaints_visible
from tepat.grievances.actions import complaint_actions, referral_actions
from tepat.grievances.models import Complaint, Escalation, FollowUp, Referral
from tepat.programs.selectors import family_programmes
from tepat.regions.selectors import region_subtree_q
from tepat.registry import masking
from tepat.registry.models import Family
from tepat.registry.selectors import family_heads, family_search, personal_data_viewed

S = Complaint.Status
OPEN = (S.REGISTERED, S.ASSESSED, S.REFERRED, S.FOLLOWED_UP, S.WAITING)
RESOLVED = (S.CLOSED, S.REJECTED, S.DUPLICATE)
AGE_BUCKETS = ((0, 2, "0–2"), (3, 5, "3–5"), (6, 10, "6–10"), (11, 30, "11–30"), (31, None, "> 30"))


@dataclass(slots=True)
class ComplaintFilters:
    status: str = ""
    category: str = ""
    desk: str = ""
    sla_state: str = ""
    region_code: str = ""
    mine: bool = False
    q: str = ""


def complaint_list(*, actor: Any, filters: ComplaintFilters | None = None) -> QuerySet[Complaint]:
    """Cases in scope that the actor may know of (sensitive ones only on need-to-know), newest first."""
    f = filters or ComplaintFilters()
    cases = complaints_visible(actor).select_related("category", "category__parent", "region", "handler")
    if f.status == "open":
        cases = cases.filter(status__in=OPEN)
    elif f.status:
        cases = cases.filter(status=f.status)
    if f.category:
        cases = cases.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.desk:
        cases = cases.filter(desk=f.desk)
    if f.sla_state:
        cases = cases.filter(sla_state=f.sla_state)
    if f.region_code:
        cases = cases.filter(region_subtree_q([f.region_code], "region__code"))
    if f.mine:
        cases = cases.filter(handler_id=getattr(actor, "pk", None))
    if f.q.strip():
        cases = cases.filter(Q(reference__iexact=f.q.strip()) | Q(external_reference__iexact=f.q.strip()))
    return cases.order_by("-created_at", "id")


def complainant_for(actor: Any, complaint: Complaint) -> dict[str, Any]:
    """The complainant as the reader may see them: masked readers get no name and a masked contact."""
    if complaint.complainant_anonymous:
        return {"anonymous": True, "name": "", "contact": ""}
    policy = masking.policy_for(actor)
    return {"anonymous": False,
            "name": complaint.complainant_name if policy.identity else masking.HIDDEN,
            "contact": masking.identity(actor, complaint.complainant_contact)}


def programme_rows(actor: Any, family: Family) -> list[dict[str, Any]]:
    """What the family receives (tepat.programs' family section data), as plain rows."""
    return [{"code": row["programme"].code, "name": row["programme"].name, "status": row["list"].status,
             "status_label": str(row["list"].get_status_display()),
             "period": f'{row["list"].release.year} tahap {row["list"].tahap}'}
            for row in family_programmes(actor=actor, family=family)]


def subject_for(actor: Any, complaint: Complaint) -> dict[str, Any]:
    """Who the case is about, with their registry status and programmes when they are in the registry."""
    if complaint.family_id:
        family = complaint.family
        head = complaint.individual or family_heads([family]).get(family.pk)
        return {"kind": complaint.subject_kind, "in_registry": True, "family_id": str(family.pk),
                "individual_id": str(complaint.individual_id or ""),
                "name": head.name if head else "", "identity": masking.identity(actor, head.nik if head else ""),
                "kk_number": masking.identity(actor, family.kk_number), "status": family.status,
                "status_label": str(family.get_status_display()),
                "address": f"{family.address} RT {family.rt}/RW {family.rw}".strip(),
                "programmes": programme_rows(actor, family)}
    return {"kind": complaint.subject_kind, "in_registry": False, "name": complaint.subject_name,
            "identity": masking.identity(actor, complaint.subject_nik), "address": complaint.subject_address,
            "programmes": [], "status": "", "status_label": ""}


def complaint_detail(*, actor: Any, complaint: Complaint) -> dict[str, Any]:
    """Everything on a case's page. Viewing it is a view of personal data (always logged; a sensitive case's
    view is marked so in the event)."""
    personal_data_viewed(actor=actor, kind="complaint", count=1, region_code=complaint.region_id, target=complaint,
                         extra={"sensitive": complaint.sensitive})
    referrals = list(complaint.referrals.select_related("institution", "service"))
    events = list(AuditEvent.objects.filter(target_type="grievances.complaint", target_id=str(complaint.pk))
                  .select_related("actor").order_by("seq")[:200])
    return {
        "complaint": complaint,
        "complainant": complainant_for(actor, complaint),
        "subject": subject_for(actor, complaint),
        "follow_ups": list(complaint.follow_ups.select_related("proposal", "objection", "flag", "referral")),
        "referrals": [{"referral": r, "actions": referral_actions(actor, r)} for r in referrals],
        "attachments": list(complaint.attachments.all()),
        "pauses": list(complaint.pauses.all()),
        "events": events,
        "actions": complaint_actions(actor, complaint),
    }


def subject_lookup(*, actor: Any, query: str, region_code: str = "", client_ip: str = "") -> list[dict[str, Any]]:
    """The intake's lookup: families found by the registry's scoped search (NIK/KK or name; the search
    logs itself), each with its status, programmes and the number of this actor's visible open cases."""
    found = family_search(actor=actor, query=query, region_code=region_code, status="", client_ip=client_ip)
    families: list[Family] = list(found.families[:10])
    heads = family_heads(families)
    open_counts = dict(complaints_visible(actor).filter(family_id__in=[f.pk for f in families], status__in=OPEN)
                       .values_list("family_id").annotate(n=Count("id")))
    rows = []
    for family in families:
        head = heads.get(family.pk)
        rows.append({
            "family": family, "family_id": str(family.pk), "head": head.name if head else "",
            "members": list(family.members.order_by("relation", "birth_date")),
            "kk_number": masking.identity(actor, family.kk_number),
            "identity": masking.identity(actor, head.nik if head else ""), "region": family.region,
            "status": family.status, "status_label": str(family.get_status_display()),
            "programmes": programme_rows(actor, family),
            "open_complaints": open_counts.get(family.pk, 0),
        })
    if rows:
        personal_data_viewed(actor=actor, kind="complaint_subject_lookup", count=len(rows), region_code=region_code)
    return rows


def referral_detail(*, actor: Any, referral: Referral) -> dict[str, Any]:
    return {"referral": referral, "actions": referral_actions(actor, referral)}


# ---- dashboard ------------------------------------------------------------------------------------------

def dashboard(*, actor: Any, region_code: str = "", today: date | None = None) -> dict[str, Any]:
    """Open cases in scope by age (calendar days since intake) and SLA state — one grouped SQL query —,
    and the escalations waiting for a supervisor. Counts only what the actor may know of."""
    today = today or timezone.localdate()
    cases = complaints_visible(actor).filter(status__in=OPEN)
    if region_code:
        cases = cases.filter(region_subtree_q([region_code], "region__code"))
    grid: dict[str, dict[str, int]] = {label: defaultdict(int) for *_, label in AGE_BUCKETS}
    totals: dict[str, int] = defaultdict(int)
    midnight = timezone.make_aware(datetime.combine(today, dt_time.min))
    bucket = Case(*[When(created_at__gte=midnight - timedelta(days=high), then=Value(label))
                    for _, high, label in AGE_BUCKETS if high is not None],
                  default=Value(AGE_BUCKETS[-1][2]), output_field=CharField())
    for row in cases.annotate(bucket=bucket).values("bucket", "sla_state").annotate(n=Count("id")).order_by():
        grid[row["bucket"]][row["sla_state"]] += row["n"]
        totals[row["sla_state"]] += row["n"]
    escalations = Escalation.objects.none()
    if actor_can(actor, Capability.GRIEVANCES_DECIDE):
        visible = complaints_visible(actor).filter(status__in=OPEN)
        escalations = (Escalation.objects.filter(acknowledged_at__isnull=True, complaint__in=visible)
                       .select_related("complaint", "complaint__category").order_by("-created_at")[:50])
    return {
        "buckets": [{"label": label, "counts": dict(grid[label]), "total": sum(grid[label].values())}
                    for *_, label in AGE_BUCKETS],
        "totals": dict(totals), "open": sum(totals.values()),
        "escalations": list(escalations),
        "pending_payment": FollowUp.objects.filter(status=FollowUp.Status.PENDING_DISTRIBUTION,
                                                   complaint__in=complaints_visible(actor)).count(),
    }


def payment_reissues_pending(*, actor: Any) -> QuerySet[FollowUp]:
    """The payment re-issues waiting for the distribution desk, in the actor's scope (the hook's queue)."""
    return (FollowUp.objects.filter(status=FollowUp.Status.PENDING_DISTRIBUTION,
                                    complaint__in=complaints_visible(actor))
            .select_related("complaint", "complaint__family").order_by("created_at"))


# ---- for other apps: aggregates without personal data ---------------------------------------------------

def complaint_statistics(*, region_code: str = "", date_from: date | None = None, date_to: date | None = None,
                         level: int = 4, include_sensitive: bool = False) -> list[dict[str, Any]]:
    """STABLE (used by tepat.public and tepat.planning): per region at `level` (4 village, 3 kecamatan,
    2 kabupaten/kota) under `region_code`: cases received in [date_from, date_to] (intake date), how many
    of them are resolved (closed, rejected, duplicate), and the median calendar days from intake to
    resolution (None when none is resolved). No personal data and no actor: callers apply their own
    small-cell suppression. Sensitive cases are left out unless `include_sensitive`.

    Returns [{"region_code", "received", "resolved", "median_days"}], ordered by region code."""
    cases = Complaint.objects.all()
    if region_code:
        cases = cases.filter(region_subtree_q([region_code], "region__code"))
    if not include_sensitive:
        cases = cases.filter(sensitive=False)
    if date_from:
        cases = cases.filter(created_at__date__gte=date_from)
    if date_to:
        cases = cases.filter(created_at__date__lte=date_to)
    parts = {4: 4, 3: 3, 2: 2, 1: 1}[level]
    received: dict[str, int] = defaultdict(int)
    resolved: dict[str, list[int]] = defaultdict(list)
    for code, status, created, done in cases.values_list("region_id", "status", "created_at", "resolved_at") \
            .iterator(chunk_size=5000):
        key = ".".join(code.split(".")[:parts])
        received[key] += 1
        if status in RESOLVED and done is not None:
            resolved[key].append(_days(created, done))
    return [{"region_code": key, "received": received[key], "resolved": len(resolved[key]),
             "median_days": statistics.median(resolved[key]) if resolved[key] else None}
            for key in sorted(received)]


def _days(start: datetime, end: datetime) -> int:
    return (timezone.localdate(end) - timezone.localdate(start)).days

