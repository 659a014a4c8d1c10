"""The follow-up object a case's category makes it into, created through the owning app's own services
(never a copy of them):

- data change → a proposal in the update workflow (`tepat.updates.services.proposals.proposal_create`,
  source "complaint", the case reference as the source reference; a draft the village completes and submits);
- objection review → an objection (`tepat.updates.services.objections.objection_create`), which files its
  removal or change proposal;
- duplicate review → a data-quality flag in the village's review queue (`tepat.quality.services.flags.flags_raise`);
- payment re-issue → `tepat.distribution.services.susulan.reissue`: a susulan (follow-up) entry of the
  programme tahap's open distribution for what the main list left outstanding, guarded there against double
  payment; the follow-up keeps its id (status open). When the distribution desk's service refuses (no open
  tahap holds the KPM, paid in full, already in a susulan entry, the actor cannot manage distribution) the
  follow-up waits for the desk (status `pending_distribution`, listed by `payment_reissues_pending()`) with
  the refusal in `distribution_note`; the case is followed up either way.
- referral → `services.referrals.referral_create` (its own action, with the letter).

Creating the object moves the case to "followed up".
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tepat.audit.services import audit_record
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.distribution.services.susulan import reissue
from tepat.grievances.actions import ensure_complaint_action
from tepat.grievances.models import Complaint, FollowUp, FollowUpKind
from tepat.grievances.services.common import move
from tepat.quality.models import Flag
from tepat.quality.services.flags import FlagDraft, fingerprint, flags_raise
from tepat.updates.models import Proposal
from tepat.updates.services.objections import objection_create
from tepat.updates.services.proposals import proposal_create

F = FollowUpKind


def _need_family(complaint: Complaint) -> None:
    if complaint.family_id is None:
        raise ValidationFailed([Issue("subject", "family", "tindak lanjut ini memerlukan keluarga yang terdaftar",
                                      "this follow-up needs a family in the registry")])


def _data_change(actor: Any, complaint: Complaint, *, proposal_kind: str, payload: dict, note: str) -> dict:
    kind = proposal_kind or complaint.category.proposal_kind
    proposal = proposal_create(
        actor=actor, kind=kind, source=Proposal.Source.COMPLAINT, payload=payload or {},
        region_code=complaint.region_id, family=complaint.family, individual=complaint.individual,
        source_reference=complaint.reference, note=note or complaint.description[:500], internal=True,
    )
    return {"proposal": proposal}


def _objection(actor: Any, complaint: Complaint, *, reason: str, note: str, changes: dict | None) -> dict:
    _need_family(complaint)
    objection = objection_create(
        actor=actor, family=complaint.family, individual=complaint.individual, reason=reason,
        statement=note or complaint.description, objector_name=complaint.complainant_name,
        objector_contact=complaint.complainant_contact, changes=changes,
    )
    return {"objection": objection, "proposal": objection.proposal}


def _duplicate_review(actor: Any, complaint: Complaint, *, note: str) -> dict:
    _need_family(complaint)
    print_ = fingerprint("complaint", complaint.pk)
    text = note or complaint.description[:200]
    flags_raise(actor=actor, drafts=[FlagDraft(
        kind=Flag.Kind.DUPLICATE if complaint.individual_id else Flag.Kind.DUPLICATE_FAMILY,
        region_code=complaint.region_id, family_id=complaint.family_id, individual_id=complaint.individual_id,
        fingerprint=print_, summary=f"Pengaduan {complaint.reference}: {text}"[:300],
        evidence=[{"text_id": f"pengaduan {complaint.reference}: {text}",
                   "text_en": f"complaint {complaint.reference}: {text}"}],
    )])
    return {"flag": Flag.objects.get(fingerprint=print_)}


def _payment_reissue(actor: Any, complaint: Complaint, *, programme_code: str, period: str) -> dict:
    if not programme_code.strip():
        raise ValidationFailed([Issue("required", "programme_code", "program bantuan wajib diisi",
                                      "the programme is required")])
    links = {"programme_code": programme_code.strip()[:30], "period": period.strip()[:30]}
    if complaint.family_id is None:
        return {**links, "status": FollowUp.Status.PENDING_DISTRIBUTION,
                "distribution_note": "Pengadu tidak terdaftar: dicocokkan oleh meja penyaluran / Not in the registry: "
                                     "for the distribution desk to match"}
    try:
        entry = reissue(actor=actor, family=complaint.family, programme_code=links["programme_code"],
                        period=links["period"], reference=complaint.reference, note=complaint.description[:500])
    except ApplicationError as exc:  # the desk's own refusal, kept for the desk
        text = "; ".join(f"{i.id} / {i.en}" for i in exc.issues) if isinstance(exc, ValidationFailed) else exc.message
        return {**links, "status": FollowUp.Status.PENDING_DISTRIBUTION, "distribution_note": str(text)[:300]}
    return {**links, "status": FollowUp.Status.OPEN, "susulan_entry": entry}


@transaction.atomic
def complaint_follow_up_create(
    *,
    actor: Any,
    complaint: Complaint,
    note: str = "",
    proposal_kind: str = "",
    payload: dict[str, Any] | None = None,
    objection_reason: str = "",
    changes: dict[str, Any] | None = None,
    programme_code: str = "",
    period: str = "",
) -> FollowUp:
    """Create the category's follow-up object and move the case to "followed up"."""
    ensure_complaint_action(actor, complaint, "follow_up")
    kind = complaint.category.follow_up
    note = (note or "").strip()
    if kind == F.DATA_CHANGE:
        links = _data_change(actor, complaint, proposal_kind=proposal_kind, payload=payload or {}, note=note)
    elif kind == F.OBJECTION:
        links = _objection(actor, complaint, reason=objection_reason, note=note, changes=changes)
    elif kind == F.DUPLICATE_REVIEW:
        links = _duplicate_review(actor, complaint, note=note)
    else:  # F.PAYMENT_REISSUE (the action rule admits nothing else)
        links = _payment_reissue(actor, complaint, programme_code=programme_code, period=period)
    follow_up = FollowUp.objects.create(complaint=complaint, kind=kind, note=note, created_by=actor, **links)
    audit_record(actor=actor, action="complaint.follow_up_create", target=complaint, region_code=complaint.region_id,
                 data={"reference": complaint.reference, "kind": kind, "follow_up": str(follow_up.pk),
                       **{key: str(getattr(value, "reference", getattr(value, "pk", value)))
                          for key, value in links.items() if key in ("proposal", "objection", "flag")},
                       **({"susulan_entry": str(links["susulan_entry"].pk)} if links.get("susulan_entry") else {}),
                       **({"distribution_note": links["distribution_note"]} if links.get("distribution_note") else {})})
    move(complaint, "follow_up", actor=actor, data={"kind": kind})
    return follow_up
