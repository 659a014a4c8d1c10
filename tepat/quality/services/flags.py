"""Flags: raised in bulk from match results, reviewed one by one.

A flag is raised once per evidence fingerprint: open, confirmed or dismissed, the same evidence never comes
back; new evidence (another date, another pair, another level of agreement) raises a new flag.
Confirming is done by `tepat.updates.services.from_flags`, which creates the proposal and then calls
`flag_mark_confirmed` (and `merge_journal_record` for a merge) in its own transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.services import PendingEvent, audit_record, audit_record_many
from tepat.audit.transitions import lock, transition
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.quality.access import REVIEW, ensure_quality_permission
from tepat.quality.actions import REVIEWED, ensure_flag_action
from tepat.quality.models import Flag, MergeJournal
from tepat.quality.transitions import FLAG_TRANSITIONS  # noqa: F401  (registers the table)
from tepat.registry.models import Individual

MERGE_FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "relation", "marital_status", "education",
                "occupation", "external_id")


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


@dataclass(slots=True)
class FlagDraft:
    kind: str
    region_code: str
    family_id: Any
    fingerprint: str
    summary: str
    evidence: list = field(default_factory=list)
    individual_id: Any = None
    pair_id: Any = None
    civil_match_id: Any = None
    list_match_id: Any = None
    probability: float | None = None
    event_date: date | None = None


def flags_raise(*, actor: Any, drafts: Iterable[FlagDraft], run_id: Any = None) -> int:
    """Insert the drafts whose fingerprint is new; returns how many were raised. Runs in the caller's transaction."""
    drafts = list({d.fingerprint: d for d in drafts}.values())
    if not drafts:
        return 0
    known: set[str] = set()
    prints = [d.fingerprint for d in drafts]
    for start in range(0, len(prints), 5000):
        known |= set(Flag.objects.filter(fingerprint__in=prints[start:start + 5000])
                     .values_list("fingerprint", flat=True))
    new = [
        Flag(kind=d.kind, region_code=d.region_code, family_id=d.family_id, individual_id=d.individual_id,
             pair_id=d.pair_id, civil_match_id=d.civil_match_id, list_match_id=d.list_match_id,
             fingerprint=d.fingerprint, summary=d.summary[:300], evidence=d.evidence, probability=d.probability,
             event_date=d.event_date)
        for d in drafts if d.fingerprint not in known
    ]
    Flag.objects.bulk_create(new, batch_size=2000)
    by_region: dict[str, int] = {}
    for flag in new:
        by_region[flag.region_code] = by_region.get(flag.region_code, 0) + 1
    audit_record_many(actor=actor, events=[
        PendingEvent("quality.flags_raise", "quality.matchrun", str(run_id or ""), region, {"raised": n})
        for region, n in sorted(by_region.items())
    ])
    return len(new)


def _lock_open(*, actor: Any, flag: Flag, name: str = "confirm") -> Flag:
    """The flag locked, once the flag's action rule lets the actor take `name` on it."""
    ensure_flag_action(actor, flag, name)
    locked = lock(flag)
    ensure_flag_action(actor, locked, name)
    return locked


@transaction.atomic
def flag_dismiss(*, actor: Any, flag: Flag, reason: str) -> Flag:
    """Dismiss with a reason: remembered by fingerprint, so the same evidence is not raised again."""
    if not (reason or "").strip():
        raise ValidationFailed([Issue("required", "reason", "alasan wajib diisi", "a reason is required")])
    flag = _lock_open(actor=actor, flag=flag, name="dismiss")
    return transition(flag, "dismiss", actor=actor, region_code=flag.region_code, locked=True, message=REVIEWED,
                      reason=reason.strip(),
                      updates={"dismiss_reason": reason.strip(), "reviewed_by": actor, "reviewed_at": timezone.now()},
                      data={"kind": flag.kind, "fingerprint": flag.fingerprint})


def flag_lock_for_confirm(*, actor: Any, flag: Flag) -> Flag:
    """The open flag, locked, for the caller's transaction (the update workflow's confirm)."""
    return _lock_open(actor=actor, flag=flag)


def flag_mark_confirmed(*, actor: Any, flag: Flag, proposal_reference: str) -> Flag:
    """Record that the flag was confirmed and which proposal carries it. In the caller's transaction."""
    flag = _lock_open(actor=actor, flag=flag)
    return transition(flag, "confirm", actor=actor, region_code=flag.region_code, locked=True, message=REVIEWED,
                      updates={"proposal_reference": proposal_reference, "reviewed_by": actor,
                               "reviewed_at": timezone.now()},
                      data={"kind": flag.kind, "proposal": proposal_reference})


def _value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def merge_conflicts(kept: Individual, dropped: Individual) -> list[dict]:
    return [{"field": name, "kept": _value(getattr(kept, name)), "dropped": _value(getattr(dropped, name))}
            for name in MERGE_FIELDS if getattr(kept, name) != getattr(dropped, name)]


def merge_journal_record(*, actor: Any, flag: Flag, kept: Individual, dropped: Individual) -> MergeJournal:
    """Journal every value on which the two records of one person differ. In the caller's transaction."""
    ensure_quality_permission(actor=actor, capabilities=REVIEW, region_code=flag.region_code)
    if kept.pk == dropped.pk:
        raise ValidationFailed([Issue("same_record", "keep", "catatan yang dipertahankan dan yang dihapus sama",
                                      "the record kept and the record dropped are the same")])
    journal = MergeJournal.objects.create(flag=flag, kept=kept, dropped=dropped,
                                          conflicts=merge_conflicts(kept, dropped), actor=actor)
    audit_record(actor=actor, action="quality.merge_journal", target=journal, region_code=flag.region_code,
                 data={"kept": str(kept.pk), "dropped": str(dropped.pk), "conflicts": journal.conflicts})
    return journal
