"""Applying one approved proposal to the registry, through the registry's own services, as the actor who
determines. This is the only place the workflow writes the registry; it runs inside determination."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from tepat.registry import services as registry
from tepat.registry.models import Individual
from tepat.updates import kinds
from tepat.updates.models import Proposal

K = Proposal.Kind


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def proposal_apply_to_registry(*, actor: Any, proposal: Proposal) -> dict[str, Any]:
    """Make the change the proposal describes (as verified in the field). Returns ids of what it touched."""
    payload = proposal.verified_payload or proposal.payload
    ref = proposal.reference
    reason = f"usulan {ref}"
    kind = proposal.kind
    if kind in kinds.NEW_FAMILY_KINDS:
        family = registry.family_create(actor=actor, region_code=proposal.region_id, data=payload["family"],
                                        members=payload["members"], proposal=ref)
        return {"family": str(family.pk)}
    if kind == K.ADD_MEMBER:
        individual = registry.individual_add(actor=actor, family=proposal.family, data=payload["member"], proposal=ref)
        return {"family": str(proposal.family_id), "individual": str(individual.pk)}
    if kind == K.CHANGE_DATA:
        if payload.get("target") == "member":
            registry.individual_update(actor=actor, individual=proposal.individual, data=payload["changes"],
                                       proposal=ref)
            return {"family": str(proposal.individual.family_id), "individual": str(proposal.individual_id)}
        registry.family_update(actor=actor, family=proposal.family, data=payload["changes"], proposal=ref)
        return {"family": str(proposal.family_id)}
    if kind == K.REMOVE_MEMBER:
        removal = payload["reason"]
        note = payload.get("note", "")
        if removal == kinds.MemberRemovalReason.DUPLICATE:
            note = f"Data ganda: {note}"
        registry.individual_set_presence(actor=actor, individual=proposal.individual,
                                         presence=kinds.MEMBER_REMOVAL_PRESENCE[removal],
                                         note=f"{note} ({reason})".strip(), on_date=_date(payload.get("on_date")), proposal=ref)
        return {"family": str(proposal.individual.family_id), "individual": str(proposal.individual_id)}
    if kind == K.REMOVE_FAMILY:
        registry.family_remove(actor=actor, family=proposal.family, reason=payload["reason"],
                               note=f"{payload.get('note', '')} ({reason})".strip(),
                               on_date=_date(payload.get("on_date")), proposal=ref)
        return {"family": str(proposal.family_id)}
    if kind == K.PROGRAM:
        member = Individual.objects.get(pk=payload["member"]) if payload.get("member") else None
        participation = registry.program_participation_add(
            actor=actor, family=proposal.family, program=payload["program"], individual=member,
            since=timezone.localdate(), proposal=ref,
        )
        return {"family": str(proposal.family_id), "participation": str(participation.pk)}
    raise ValueError(f"unknown proposal kind {kind}")
