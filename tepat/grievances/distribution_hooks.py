"""Where the distribution app meets complaints. `tepat.distribution` sits below this app (pyproject layers)
and cannot call it, so the orchestration lives here:

- a shortfall found by the post-distribution check (`tepat.distribution.services.postcheck.postcheck_shortfall`)
  opens a complaint through `complaint_create` ("payment less than due", or "payment not received" when the
  KPM says nothing arrived), the KPM's family as subject, the answering officer recording it at the village's
  Puskesos; the receiver returns the case reference, which the check stores;
- a payment re-issue follow-up calls `tepat.distribution.services.susulan.reissue` (services/follow_ups.py).

Connected from `GrievancesConfig.ready()`."""

from __future__ import annotations

from typing import Any

from tepat.grievances.models import Category, Complaint
from tepat.grievances.services.complaints import complaint_create
from tepat.registry.models import Family


def open_shortfall_complaint(*, item: Any, entry: Any, actor: Any, shortfall: int, **_: Any) -> str:
    dist = entry.list.distribution
    code = "payment-not-received" if not item.answered_amount else "payment-less"
    category = Category.objects.get(code=code)
    family = Family.objects.get(pk=entry.family_id)
    text_id = (f"Pemeriksaan pasca-penyaluran {dist.programme_code} tahap {dist.tahap}: KPM {entry.kpm_ref} "
               f"menyatakan menerima Rp {item.answered_amount:,}, tercatat Rp {item.recorded_amount:,} "
               f"(kurang Rp {shortfall:,}).")
    text_en = (f"Post-distribution check {dist.programme_code} tahap {dist.tahap}: KPM {entry.kpm_ref} says "
               f"Rp {item.answered_amount:,} was received, Rp {item.recorded_amount:,} is recorded "
               f"(Rp {shortfall:,} short).")
    complaint = complaint_create(
        actor=actor, channel=Complaint.Channel.PUSKESOS, category=category,
        description=f"{text_id}\n{text_en}" + (f"\n{item.note}" if item.note else ""),
        subject_kind=Complaint.SubjectKind.FAMILY, family=family,
        complainant_name=(entry.name or entry.kpm_ref)[:150], external_reference=entry.kpm_ref)
    return complaint.reference


def connect() -> None:
    from tepat.distribution.services.postcheck import postcheck_shortfall

    postcheck_shortfall.connect(open_shortfall_complaint, dispatch_uid="grievances.postcheck_shortfall")
