"""Confirming a data-quality flag: one click creates the right proposal in the update workflow.

The flag (tepat.quality) is locked and checked open; for a merge of two records of one person the quality app
first journals every conflicting value; the proposal is created (source "data-quality flag", the flag as its
reference); the flag is marked confirmed with the proposal's reference. All in one transaction: if the
proposal is refused, the flag stays open and nothing is journalled.

Flag kind → proposal:
  died                  remove_member, reason died, on the death date
  moved                 remove_member, reason moved (domestic), on the move date, destination in the note
  duplicate             remove_member, reason duplicate, on the record to drop (`keep` names the one kept;
                        default: the left record, i.e. the one whose village queue holds the flag)
  duplicate_family      remove_family, reason duplicate, on the family to drop
  nik_in_household      change_data on the member: the corrected NIK (`changes={"nik": ...}`) is required
  nik_not_matched       change_data on the member: `changes`, or the civil registry's name/birth date
  on_list               remove_family, reason not eligible
  not_found             remove_member, reason not found
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.quality.models import Flag
from tepat.quality.services.flags import flag_lock_for_confirm, flag_mark_confirmed, merge_journal_record
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual
from tepat.updates.kinds import MemberRemovalReason
from tepat.updates.models import Proposal
from tepat.updates.services.proposals import proposal_create

K = Proposal.Kind
F = Flag.Kind


def flag_reference(flag: Flag) -> str:
    return f"FLAG-{flag.pk.hex[:12].upper()}"


def _pick(flag: Flag, keep: Any) -> tuple[Any, Any]:
    """(kept, dropped) among the pair's two records (individuals, or families for a KK pair)."""
    pair = flag.pair
    if pair is None:
        raise ValidationFailed([Issue("no_pair", "flag", "tanda ini tidak berisi pasangan catatan",
                                      "this flag holds no pair of records")])
    left, right = (pair.left, pair.right) if pair.left_id else (pair.left_family, pair.right_family)
    if keep in (None, "") or str(keep) == str(left.pk):
        return left, right
    if str(keep) == str(right.pk):
        return right, left
    raise ValidationFailed([Issue("choice", "keep", "catatan yang dipertahankan harus salah satu dari pasangan",
                                  "the record kept must be one of the pair")])


def _changes_from_registry(flag: Flag, changes: dict | None) -> dict:
    if changes:
        return dict(changes)
    values = (flag.civil_match.registry_values if flag.civil_match_id else {}) or {}
    result = flag.civil_match.result if flag.civil_match_id else ""
    if result == "name_differs" and values.get("name"):
        return {"name": values["name"]}
    if result == "birth_date_differs" and values.get("birth_date"):
        return {"birth_date": values["birth_date"]}
    raise ValidationFailed([Issue("required", "changes", "isikan data yang benar (mis. NIK)",
                                  "enter the corrected data (e.g. the NIK)")])


@transaction.atomic
def proposal_create_from_flag(*, actor: Any, flag: Flag, keep: Any = None, changes: dict | None = None,
                              note: str = "") -> Proposal:
    flag = flag_lock_for_confirm(actor=actor, flag=flag)
    family: Family | None = None
    individual: Individual | None = None
    summary = flag.summary
    on_date = flag.event_date.isoformat() if flag.event_date else ""
    if flag.kind in (F.DIED, F.MOVED, F.NOT_FOUND):
        individual = flag.individual
        reason = {F.DIED: MemberRemovalReason.DIED, F.MOVED: MemberRemovalReason.MOVED_DOMESTIC,
                  F.NOT_FOUND: MemberRemovalReason.NOT_FOUND}[flag.kind]
        kind, payload = K.REMOVE_MEMBER, {"reason": reason, "on_date": on_date, "note": note or summary}
    elif flag.kind == F.DUPLICATE:
        kept, dropped = _pick(flag, keep)
        journal = merge_journal_record(actor=actor, flag=flag, kept=kept, dropped=dropped)
        conflicts = ", ".join(f"{c['field']}: {c['kept']} / {c['dropped']}" for c in journal.conflicts) or "-"
        individual = dropped
        kind = K.REMOVE_MEMBER
        payload = {"reason": MemberRemovalReason.DUPLICATE, "on_date": "",
                   "note": (note or f"Data ganda dengan {kept.name} ({kept.external_id or kept.pk}); "
                                    f"beda nilai / conflicts: {conflicts}")[:1000]}
    elif flag.kind == F.DUPLICATE_FAMILY:
        kept, dropped = _pick(flag, keep)
        family = dropped
        kind = K.REMOVE_FAMILY
        payload = {"reason": c.FamilyRemovalReason.DUPLICATE, "on_date": "",
                   "note": note or f"No. KK sama dengan keluarga {kept.external_id or kept.pk}"}
    elif flag.kind in (F.NIK_IN_HOUSEHOLD, F.NIK_NOT_MATCHED):
        individual = flag.individual
        kind = K.CHANGE_DATA
        payload = {"target": "member", "changes": _changes_from_registry(flag, changes)
                   if flag.kind == F.NIK_NOT_MATCHED else _required_nik(changes)}
    elif flag.kind == F.ON_LIST:
        family = flag.family
        kind = K.REMOVE_FAMILY
        payload = {"reason": c.FamilyRemovalReason.NOT_ELIGIBLE, "on_date": "", "note": note or summary}
    else:  # pragma: no cover - every kind is handled above
        raise ValidationFailed([Issue("choice", "kind", "jenis tanda tidak dikenal", "unknown flag kind")])
    proposal = proposal_create(
        actor=actor, kind=kind, source=Proposal.Source.DATA_QUALITY, payload=payload, family=family,
        individual=individual, source_reference=flag_reference(flag), note=note or summary, internal=True,
    )
    flag_mark_confirmed(actor=actor, flag=flag, proposal_reference=proposal.reference)
    return proposal


def _required_nik(changes: dict | None) -> dict:
    if not changes or not str(changes.get("nik") or "").strip():
        raise ValidationFailed([Issue("required", "changes.nik", "NIK yang benar wajib diisi",
                                      "the correct NIK is required")])
    return {"nik": str(changes["nik"]).strip()}
