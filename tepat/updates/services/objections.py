"""Objections (sanggah) against a listed family or person: each becomes a removal or change proposal that
goes through the same flow as any other."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tepat.audit.services import audit_record
from tepat.core.messages import Issue
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual
from tepat.updates.kinds import MemberRemovalReason
from tepat.updates.models import Objection, Proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.common import raise_if
from tepat.updates.services.proposals import proposal_create

R = Objection.Reason
K = Proposal.Kind

# What an objection proposes, for a member and for the whole family.
MEMBER_PROPOSALS = {
    R.DIED: (K.REMOVE_MEMBER, MemberRemovalReason.DIED),
    R.MOVED: (K.REMOVE_MEMBER, MemberRemovalReason.MOVED_DOMESTIC),
    R.NOT_FOUND: (K.REMOVE_MEMBER, MemberRemovalReason.NOT_FOUND),
    R.DUPLICATE: (K.REMOVE_MEMBER, MemberRemovalReason.DUPLICATE),
}
FAMILY_PROPOSALS = {
    R.MOVED: (K.REMOVE_FAMILY, c.FamilyRemovalReason.MOVED),
    R.NOT_ELIGIBLE: (K.REMOVE_FAMILY, c.FamilyRemovalReason.NOT_ELIGIBLE),
    R.NOT_FOUND: (K.REMOVE_FAMILY, c.FamilyRemovalReason.NOT_FOUND),
    R.DUPLICATE: (K.REMOVE_FAMILY, c.FamilyRemovalReason.DUPLICATE),
    R.DIED: (K.REMOVE_FAMILY, c.FamilyRemovalReason.ALL_DIED),
}


@transaction.atomic
def objection_create(
    *,
    actor: Any,
    family: Family,
    reason: str,
    statement: str,
    source: str = Objection.Source.OPERATOR,
    individual: Individual | None = None,
    objector_name: str = "",
    objector_contact: str = "",
    changes: dict[str, Any] | None = None,
) -> Objection:
    """Record the objection and submit the proposal it becomes (removal, or a change of data)."""
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.PROPOSE, region_code=family.region_id)
    issues: list[Issue] = []
    if source not in Objection.Source.values:
        issues.append(Issue("choice", "source", "sumber sanggahan tidak dikenal", "unknown objection source"))
    if reason not in R.values:
        issues.append(Issue("choice", "reason", "alasan sanggahan wajib dipilih", "a reason is required"))
    if not statement.strip():
        issues.append(Issue("required", "statement", "pernyataan wajib diisi", "a statement is required"))
    if source == Objection.Source.CITIZEN and not objector_name.strip():
        issues.append(Issue("required", "objector_name", "nama penyanggah wajib diisi",
                            "the objector's name is required"))
    if individual is not None and individual.family_id != family.pk:
        issues.append(Issue("not_member", "individual", "orang ini bukan anggota keluarga ini",
                            "this person is not a member of this family"))
    raise_if(issues)
    if reason == R.WRONG_DATA:
        kind = K.CHANGE_DATA
        payload: dict[str, Any] = {"target": "member" if individual else "family", "changes": changes or {}}
    else:
        table = MEMBER_PROPOSALS if individual is not None else FAMILY_PROPOSALS
        kind, removal = table[reason]
        payload = {"reason": removal, "note": statement.strip()}
    proposal = proposal_create(
        actor=actor, kind=kind, source=Proposal.Source.OBJECTION, payload=payload, family=family,
        individual=individual, reporter_name=objector_name, note=statement.strip(), submit=True, internal=True,
    )
    objection = Objection(region_id=family.region_id, family=family, individual=individual, source=source,
                          objector_name=objector_name.strip(), objector_contact=objector_contact.strip(),
                          reason=reason, statement=statement.strip(), proposal=proposal, created_by=actor)
    objection.full_clean()
    objection.save()
    audit_record(actor=actor, action="objection.create", target=objection, region_code=family.region_id,
                 data={"reason": reason, "source": source, "proposal": proposal.reference})
    return objection
