"""Conflict claims of open proposals (`tepat.updates.claims` names the keys).

`claims_take` runs inside the service that enters or corrects a proposal: it inserts one row per key,
and the unique key refuses a second open proposal for the same KK, NIK, family or member — also when
two are entered at the same moment (the second insert waits for the first transaction, then fails).
Claims are released by `tepat.updates.workflow.transition` when a proposal leaves the flow.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from tepat.core.exceptions import BusinessRuleViolation
from tepat.updates.claims import claim_keys
from tepat.updates.models import Proposal, ProposalClaim

_WHAT = {"kk": ("No. KK", "KK number"), "nik": ("NIK", "NIK"), "family": ("keluarga", "family"),
         "member": ("anggota", "member"), "program": ("usulan program", "program proposal")}


def proposal_claim_keys(proposal: Proposal, payload: dict | None = None) -> list[str]:
    payload = payload if payload is not None else (proposal.verified_payload or proposal.payload)
    return claim_keys(proposal.kind, payload, family_id=proposal.family_id, individual_id=proposal.individual_id)


def conflict_error(key: str, holder: Proposal | None) -> BusinessRuleViolation:
    kind, _, value = key.partition(":")
    what_id, what_en = _WHAT.get(kind, (kind, kind))
    shown = value if kind in ("kk", "nik") else ""
    ref = holder.reference if holder else "?"
    status = holder.status if holder else ""
    return BusinessRuleViolation(
        f"Sudah ada usulan terbuka {ref} untuk {what_id} {shown} yang sama; selesaikan atau tarik usulan itu "
        f"dulu / An open proposal {ref} already covers the same {what_en} {shown}; finish or withdraw it first"
        .replace("  ", " "),
        extra={"conflict": key, "open_proposal": ref, "open_status": status},
    )


def claims_take(proposal: Proposal, payload: dict | None = None) -> list[str]:
    """Hold the proposal's keys (replacing the ones it held). Refuses (409) naming the open proposal that
    already holds one of them; the caller's transaction then rolls back."""
    keys = proposal_claim_keys(proposal, payload)
    ProposalClaim.objects.filter(proposal=proposal).exclude(key__in=keys).delete()
    held = set(ProposalClaim.objects.filter(proposal=proposal).values_list("key", flat=True))
    taken = ProposalClaim.objects.filter(key__in=[k for k in keys if k not in held]).select_related("proposal").first()
    if taken is not None:
        raise conflict_error(taken.key, taken.proposal)
    for key in keys:
        if key in held:
            continue
        try:
            with transaction.atomic():
                ProposalClaim.objects.create(key=key, proposal=proposal)
        except IntegrityError:  # entered at the same moment by another transaction that committed first
            holder = ProposalClaim.objects.filter(key=key).select_related("proposal").first()
            raise conflict_error(key, holder.proposal if holder else None) from None
    return keys


def claims_release(proposal: Proposal) -> None:
    ProposalClaim.objects.filter(proposal=proposal).delete()
