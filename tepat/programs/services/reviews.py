"""Inclusion and exclusion errors found by a list: confirming one creates the proposal in the update
workflow (as confirming a data-quality flag does), dismissing one needs a reason.

Kind → proposal:
  deceased, moved, duplicate  remove_family (reason all died / moved / duplicate)
  desil_above, excluded,
  not_eligible                remove_family, reason not eligible (the field visit and the deliberation decide)
  not_receiving               program: propose the family for the programme's registry participation
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.transitions import lock, transition
from tepat.programs.models import ReviewItem
from tepat.programs.services.common import MANAGE, ensure, refuse
from tepat.registry import choices as c
from tepat.registry.models import Family
from tepat.updates.models import Proposal
from tepat.updates.services.proposals import proposal_create

K = ReviewItem.Kind
REMOVAL_REASON = {K.DECEASED: c.FamilyRemovalReason.ALL_DIED, K.MOVED: c.FamilyRemovalReason.MOVED,
                  K.DUPLICATE: c.FamilyRemovalReason.DUPLICATE}


def review_reference(item: ReviewItem) -> str:
    return f"PRG-{item.pk.hex[:12].upper()}"


@transaction.atomic
def review_confirm(*, actor: Any, item: ReviewItem, note: str = "") -> Proposal:
    ensure(actor, MANAGE, item.region_code)
    item = lock(item)
    if item.status != ReviewItem.Status.OPEN:
        transition(item, "confirm", actor=actor, region_code=item.region_code, locked=True)  # refuses, 409
    family = Family.objects.get(pk=item.family_id)
    programme = item.list.release.programme
    summary = f"{programme.code} tahap {item.list.tahap}: {item.get_kind_display()}"
    if item.kind == K.NOT_RECEIVING:
        if not programme.participation_code:
            raise refuse("no_participation", "kind", f"program {programme.code} tidak tercatat di registri",
                         f"programme {programme.code} has no registry participation code")
        kind, payload = Proposal.Kind.PROGRAM, {"program": programme.participation_code, "member": "",
                                                "note": note or summary}
    else:
        kind = Proposal.Kind.REMOVE_FAMILY
        payload = {"reason": REMOVAL_REASON.get(item.kind, c.FamilyRemovalReason.NOT_ELIGIBLE), "on_date": "",
                   "note": note or summary}
    proposal = proposal_create(actor=actor, kind=kind, source=Proposal.Source.DISTRICT, payload=payload,
                               family=family, source_reference=review_reference(item), note=note or summary,
                               internal=True)
    transition(item, "confirm", actor=actor, region_code=item.region_code, locked=True,
               updates={"proposal_reference": proposal.reference, "decided_by": actor, "decided_at": timezone.now(),
                        "note": note},
               data={"proposal": proposal.reference, "kind": item.kind})
    return proposal


@transaction.atomic
def review_dismiss(*, actor: Any, item: ReviewItem, reason: str) -> ReviewItem:
    ensure(actor, MANAGE, item.region_code)
    if not (reason or "").strip():
        raise refuse("required", "reason", "alasan wajib diisi", "a reason is required")
    return transition(item, "dismiss", actor=actor, region_code=item.region_code, reason=reason.strip(),
                      updates={"decided_by": actor, "decided_at": timezone.now(), "note": reason.strip()})
