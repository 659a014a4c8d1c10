"""Referrals (rujukan): the letter with its yearly number, the receiver's acknowledgement and the outcome
that closes the loop (the case moves to "followed up")."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.transitions import transition
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.grievances.actions import ensure_complaint_action, ensure_referral_action
from tepat.grievances.models import (
    Complaint,
    FollowUp,
    FollowUpKind,
    LetterSequence,
    Referral,
    ReferralService,
)
from tepat.grievances.services.common import move, raise_if, required


def next_letter_number(year: int, region_code: str) -> tuple[int, str]:
    """The next number of the year, with the sequence row locked (numbers never repeat, even in parallel)."""
    LetterSequence.objects.get_or_create(year=year)
    row = LetterSequence.objects.select_for_update().get(year=year)
    row.last += 1
    row.save(update_fields=["last"])
    district = ".".join(region_code.split(".")[:2])
    return row.last, f"{row.last:04d}/RJK-SLRT/{district}/{year}"


@transaction.atomic
def referral_create(*, actor: Any, complaint: Complaint, service: ReferralService | None, note: str = "") -> Referral:
    """Issue the referral letter for the decided service; the case moves to "referred"."""
    ensure_complaint_action(actor, complaint, "refer")
    if service is None or not service.active or not service.institution.active:
        raise ValidationFailed([Issue("choice", "service", "pilih layanan rujukan yang aktif",
                                      "choose an active referral service")])
    today = timezone.localdate()
    sequence, number = next_letter_number(today.year, complaint.region_id)
    referral = Referral.objects.create(
        complaint=complaint, institution=service.institution, service=service, year=today.year, sequence=sequence,
        letter_number=number, issued_on=today, note=(note or "").strip(), created_by=actor)
    FollowUp.objects.create(complaint=complaint, kind=FollowUpKind.REFERRAL, referral=referral, note=referral.note,
                            created_by=actor)
    move(complaint, "refer", actor=actor, data={"referral": str(referral.pk), "letter_number": number,
                                                "institution": service.institution.code, "service": service.code})
    from tepat.audit.services import audit_record

    audit_record(actor=actor, action="referral.create", target=referral, region_code=complaint.region_id,
                 data={"letter_number": number, "complaint": complaint.reference,
                       "institution": service.institution.code, "service": service.code})
    return referral


def _move(referral: Referral, name: str, *, actor: Any, updates: dict, data: dict | None = None) -> Referral:
    return transition(referral, name, actor=actor, region_code=referral.complaint.region_id, updates=updates,
                      data={"letter_number": referral.letter_number, **(data or {})})


@transaction.atomic
def referral_acknowledge(*, actor: Any, referral: Referral, received_by: str) -> Referral:
    """The institution received the person / the letter (name of the receiving officer)."""
    ensure_referral_action(actor, referral, "acknowledge")
    issues: list[Issue] = []
    received_by = required(received_by, "received_by", "nama penerima", "the receiver's name", issues)
    raise_if(issues)
    return _move(referral, "acknowledge", actor=actor,
                 updates={"acknowledged_by_name": received_by[:150], "acknowledged_at": timezone.now()})


@transaction.atomic
def referral_complete(*, actor: Any, referral: Referral, outcome: str) -> Referral:
    """The outcome of the service as the institution reported it; the case moves on to "followed up"."""
    ensure_referral_action(actor, referral, "complete")
    issues: list[Issue] = []
    outcome = required(outcome, "outcome", "hasil layanan", "the outcome", issues)
    raise_if(issues)
    row = _move(referral, "complete", actor=actor, updates={"outcome": outcome, "outcome_at": timezone.now()})
    FollowUp.objects.filter(referral=row).update(status=FollowUp.Status.DONE)
    complaint = Complaint.objects.get(pk=row.complaint_id)
    if complaint.status == Complaint.Status.REFERRED and not complaint.referrals.filter(
            status__in=[Referral.Status.ISSUED, Referral.Status.ACKNOWLEDGED]).exists():
        move(complaint, "follow_up", actor=actor, data={"referral": str(row.pk)})
    return row


@transaction.atomic
def referral_cancel(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """Withdraw a letter issued by mistake: it no longer verifies."""
    ensure_referral_action(actor, referral, "cancel")
    issues: list[Issue] = []
    reason = required(reason, "reason", "alasan", "the reason", issues)
    raise_if(issues)
    return _move(referral, "cancel", actor=actor, updates={}, data={"reason": reason})
