"""Village deliberation (musdes/muskel): the session, its agenda of verified proposals, attendees,
decisions, the minutes (berita acara) and the signed scan that makes the decisions take effect."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.updates.actions import ensure_deliberation_action
from tepat.updates.models import Deliberation, DeliberationAttendee, DeliberationItem, Document, Proposal
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.common import raise_if, region_at_level
from tepat.updates.services.documents import check_upload, store_document
from tepat.updates.workflow import lock, transition

Decision = DeliberationItem.Decision
OPEN_SESSION = (Deliberation.Status.PLANNED, Deliberation.Status.FINALISED)


def _ensure_editable(actor: Any, deliberation: Deliberation) -> Deliberation:
    """Agenda, attendees and decisions change only while the session is planned (the minutes lock them):
    the session's "edit" action, checked on the locked row."""
    ensure_deliberation_action(actor, deliberation, "edit")
    locked = lock(deliberation)
    ensure_deliberation_action(actor, locked, "edit")
    return locked


@transaction.atomic
def deliberation_create(*, actor: Any, region_code: str, held_on: date, place: str, chair_name: str,
                        chair_title: str = "", number: str = "") -> Deliberation:
    """Plan a session for a village. Musdes for a desa, muskel for a kelurahan."""
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.DELIBERATE, region_code=region_code)
    region = region_at_level(region_code, Region.Level.VILLAGE)
    urban = region.kind == Region.Kind.URBAN_VILLAGE
    issues: list[Issue] = []
    if not place.strip():
        issues.append(Issue("required", "place", "tempat wajib diisi", "the place is required"))
    if not chair_name.strip():
        issues.append(Issue("required", "chair_name", "nama pimpinan musyawarah wajib diisi",
                            "the chair's name is required"))
    raise_if(issues)
    deliberation = Deliberation(
        region=region, kind=Deliberation.Kind.MUSKEL if urban else Deliberation.Kind.MUSDES, held_on=held_on,
        place=place.strip(), chair_name=chair_name.strip(),
        chair_title=chair_title.strip() or ("Lurah" if urban else "Kepala Desa"), number=number.strip(),
        created_by=actor,
    )
    deliberation.full_clean()
    deliberation.save()
    audit_record(actor=actor, action="deliberation.create", target=deliberation, region_code=region_code,
                 data={"held_on": held_on, "place": deliberation.place, "chair": deliberation.chair_name})
    return deliberation


@transaction.atomic
def deliberation_attendee_add(*, actor: Any, deliberation: Deliberation, name: str,
                              position: str) -> DeliberationAttendee:
    deliberation = _ensure_editable(actor, deliberation)
    issues: list[Issue] = []
    if not name.strip():
        issues.append(Issue("required", "name", "nama wajib diisi", "the name is required"))
    if not position.strip():
        issues.append(Issue("required", "position", "jabatan/peran wajib diisi", "the position is required"))
    raise_if(issues)
    attendee = DeliberationAttendee(deliberation=deliberation, name=name.strip(), position=position.strip(),
                                    position_order=deliberation.attendees.count() + 1)
    attendee.full_clean()
    attendee.save()
    audit_record(actor=actor, action="deliberation.attendee_add", target=deliberation,
                 region_code=deliberation.region_id, data={"name": attendee.name, "position": attendee.position})
    return attendee


@transaction.atomic
def deliberation_agenda_add(*, actor: Any, deliberation: Deliberation,
                            proposals: list[Proposal]) -> list[DeliberationItem]:
    """Put verified proposals of the session's village on its agenda."""
    deliberation = _ensure_editable(actor, deliberation)
    issues: list[Issue] = []
    items: list[DeliberationItem] = []
    position = deliberation.items.count()
    for proposal in proposals:
        proposal = lock(proposal)
        label = proposal.reference
        if proposal.region_id != deliberation.region_id:
            issues.append(Issue("other_village", "proposals", f"{label}: usulan dari desa lain",
                                f"{label}: proposal from another village"))
        elif proposal.status != Proposal.Status.VERIFIED:
            issues.append(Issue("not_verified", "proposals", f"{label}: belum terverifikasi lapangan",
                                f"{label}: not verified in the field"))
        elif DeliberationItem.objects.filter(proposal=proposal, deliberation__status__in=OPEN_SESSION).exclude(
            decision=Decision.DEFERRED
        ).exists():
            issues.append(Issue("on_agenda", "proposals", f"{label}: sudah ada di agenda musyawarah lain",
                                f"{label}: already on another session's agenda"))
        else:
            position += 1
            items.append(DeliberationItem(deliberation=deliberation, proposal=proposal, position=position))
    raise_if(issues)
    if not items:
        raise ValidationFailed([Issue("required", "proposals", "pilih usulan", "choose proposals")])
    DeliberationItem.objects.bulk_create(items)
    audit_record(actor=actor, action="deliberation.agenda_add", target=deliberation,
                 region_code=deliberation.region_id, data={"proposals": [i.proposal.reference for i in items]})
    return items


@transaction.atomic
def deliberation_decide(*, actor: Any, item: DeliberationItem, decision: str, reason: str = "") -> DeliberationItem:
    """Record the session's decision on one agenda item; a rejection or deferral needs its reason."""
    deliberation = item.deliberation
    _ensure_editable(actor, deliberation)
    issues: list[Issue] = []
    if decision not in (Decision.ACCEPTED, Decision.REJECTED, Decision.DEFERRED):
        issues.append(Issue("choice", "decision", "keputusan wajib dipilih", "a decision is required"))
    if decision in (Decision.REJECTED, Decision.DEFERRED) and not reason.strip():
        issues.append(Issue("required", "reason", "alasan wajib diisi untuk keputusan ini",
                            "a reason is required for this decision"))
    raise_if(issues)
    item = DeliberationItem.objects.select_for_update().get(pk=item.pk)
    before = item.decision
    item.decision, item.reason = decision, reason.strip()
    item.decided_by, item.decided_at = actor, timezone.now()
    item.save(update_fields=["decision", "reason", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, action="deliberation.decide", target=deliberation, region_code=deliberation.region_id,
                 data={"proposal": item.proposal.reference, "from": before, "decision": decision,
                       "reason": item.reason})
    return item


@transaction.atomic
def deliberation_finalise(*, actor: Any, deliberation: Deliberation, number: str = "") -> Deliberation:
    """Close the session: every item decided, attendees listed. The minutes can then be printed and signed."""
    ensure_deliberation_action(actor, deliberation, "finalise")
    deliberation = lock(deliberation)
    ensure_deliberation_action(actor, deliberation, "finalise")
    number = number.strip() or deliberation.number or (
        f"BA/{deliberation.kind.upper()}/{deliberation.region_id}/{deliberation.held_on:%Y%m%d}"
    )
    issues: list[Issue] = []
    items = list(deliberation.items.all())
    if not items:
        issues.append(Issue("empty", "items", "agenda masih kosong", "the agenda is empty"))
    if any(item.decision == Decision.PENDING for item in items):
        issues.append(Issue("undecided", "items", "masih ada usulan tanpa keputusan", "some proposals are undecided"))
    if not deliberation.attendees.exists():
        issues.append(Issue("required", "attendees", "daftar hadir masih kosong", "no attendees are listed"))
    raise_if(issues)
    return transition(deliberation, "finalise", actor=actor, region_code=deliberation.region_id, locked=True,
                      updates={"number": number, "finalised_at": timezone.now()},
                      data={"number": number, "decisions": {i.proposal.reference: i.decision for i in items}})


@transaction.atomic
def deliberation_sign(*, actor: Any, deliberation: Deliberation, signed_scan: Any) -> Deliberation:
    """Upload the signed berita acara: the session locks for good and its decisions take effect.

    Accepted proposals go to the district check, rejected ones close with the session's reason, deferred
    ones stay verified for a later session.
    """
    ensure_deliberation_action(actor, deliberation, "sign")
    deliberation = lock(deliberation)
    ensure_deliberation_action(actor, deliberation, "sign")
    checked = check_upload(signed_scan, field="signed_scan")
    document = store_document(actor=actor, checked=checked, kind=Document.Kind.SIGNED_MINUTES,
                              region_code=deliberation.region_id, deliberation=deliberation)
    deliberation = transition(deliberation, "sign", actor=actor, region_code=deliberation.region_id, locked=True,
                              updates={"signed_at": timezone.now()}, data={"document": str(document.pk)})
    for item in deliberation.items.select_related("proposal"):
        data = {"deliberation": str(deliberation.pk), "minutes": deliberation.number, "decision": item.decision}
        if item.decision == Decision.ACCEPTED:
            transition(item.proposal, "accept_in_deliberation", actor=actor, region_code=deliberation.region_id,
                       reason=item.reason, data=data)
        elif item.decision == Decision.REJECTED:
            transition(item.proposal, "reject_in_deliberation", actor=actor, region_code=deliberation.region_id,
                       reason=item.reason, data=data,
                       updates={"closed_stage": Proposal.Status.VERIFIED, "closed_reason": item.reason})
    return deliberation


@transaction.atomic
def deliberation_cancel(*, actor: Any, deliberation: Deliberation, reason: str) -> Deliberation:
    ensure_deliberation_action(actor, deliberation, "cancel")
    if not reason.strip():
        raise ValidationFailed([Issue("required", "reason", "alasan wajib diisi", "a reason is required")])
    return transition(deliberation, "cancel", actor=actor, region_code=deliberation.region_id,
                      reason=reason.strip())
