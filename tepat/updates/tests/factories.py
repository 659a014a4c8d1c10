"""Builders for the workflow tests: payloads per kind, and walking a proposal through the stages with the
real services (so every step is checked and audited as in production)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import VILLAGE, assert_audited, assert_moved, audit_seq, make_kk, member_data
from tepat.updates import kinds
from tepat.updates.models import Deliberation, DeliberationItem, Proposal
from tepat.updates.services.deliberations import (
    deliberation_agenda_add,
    deliberation_attendee_add,
    deliberation_create,
    deliberation_decide,
    deliberation_finalise,
    deliberation_sign,
)
from tepat.updates.services.proposals import proposal_assign, proposal_create
from tepat.updates.services.reviews import proposal_approve
from tepat.updates.services.verification import verification_record

_names = itertools.count(1)
def _minimal_pdf() -> bytes:
    """A complete one-page PDF (with its xref table), which the active-content check parses."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, text in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{text}\nendobj\n".encode()
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


PDF_BYTES = _minimal_pdf()
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name: str = "berita-acara.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name: str = "rumah.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def json_member(**kwargs: Any) -> dict[str, Any]:
    return kinds.jsonable(member_data(**kwargs))


def new_family_payload(head: str = "Joko Widodo") -> dict[str, Any]:
    return {
        "family": {"kk_number": make_kk(issued=date(2019, 4, 1)), "rw": "3", "rt": "7", "address": "Kp. Baru"},
        "members": [
            json_member(relation=1, sex=1, born=date(1979, 2, 10), name=head),
            json_member(relation=2, sex=2, born=date(1982, 5, 23), name=f"Istri {next(_names)}"),
        ],
    }


@dataclass
class Actors:
    village_operator: Any
    facilitator: Any
    village_head: Any
    dinsos_operator: Any
    dinsos_supervisor: Any


def create(actors: Actors, kind: str, payload: dict[str, Any], **kwargs: Any) -> Proposal:
    kwargs.setdefault("source", Proposal.Source.VILLAGE_OPERATOR)
    if "family" not in kwargs and "individual" not in kwargs:
        kwargs.setdefault("region_code", VILLAGE)
    proposal = proposal_create(actor=actors.village_operator, kind=kind, payload=payload, submit=True, **kwargs)
    assert_audited("proposal.create", actor=actors.village_operator, target=proposal, kind=kind)
    assert_moved(proposal, "submit", actor=actors.village_operator, to_status=Proposal.Status.SUBMITTED)
    return proposal


def verify(actors: Actors, proposal: Proposal, corrections: dict[str, Any] | None = None,
           outcome: str = "confirmed", reason: str = "") -> Proposal:
    proposal = proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)
    assert_moved(proposal, "assign", actor=actors.village_operator, to_status=Proposal.Status.IN_VERIFICATION)
    corrections = corrections or {}
    results = {
        fact.path: ({"result": "corrected", "value": corrections[fact.path]} if fact.path in corrections
                    else {"result": "confirmed"})
        for fact in kinds.facts(proposal.kind, proposal.payload)
    }
    verification_record(actor=actors.facilitator, proposal=proposal, visited_on=timezone.localdate(),
                        household_found=True, outcome=outcome, results=results, rejection_reason=reason,
                        latitude="-6.0512", longitude="106.1101")
    proposal = Proposal.objects.get(pk=proposal.pk)
    name = {Proposal.Status.VERIFIED: "verify", Proposal.Status.ACCEPTED: "verify_emergency",
            Proposal.Status.REJECTED: "reject_in_field"}[proposal.status]
    assert_moved(proposal, name, actor=actors.facilitator, from_status=Proposal.Status.IN_VERIFICATION)
    return proposal


def session(actors: Actors, region_code: str = VILLAGE) -> Deliberation:
    deliberation = deliberation_create(actor=actors.village_operator, region_code=region_code,
                                       held_on=timezone.localdate(), place="Balai Desa",
                                       chair_name="H. Sukarna")
    assert_audited("deliberation.create", actor=actors.village_operator, target=deliberation, place="Balai Desa")
    since = audit_seq()
    deliberation_attendee_add(actor=actors.village_operator, deliberation=deliberation, name="H. Sukarna",
                              position="Kepala Desa")
    assert_audited("deliberation.attendee_add", actor=actors.village_operator, target=deliberation, after=since)
    deliberation_attendee_add(actor=actors.village_operator, deliberation=deliberation, name="Ibu Ratna",
                              position="Ketua BPD")
    return deliberation


def deliberate(actors: Actors, proposals: list[Proposal], decisions: dict[str, str] | None = None,
               sign: bool = True) -> Deliberation:
    """Put the proposals on a new session's agenda, decide (accepted unless told), finalise and sign."""
    deliberation = session(actors, proposals[0].region_id)
    since = audit_seq()
    deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=proposals)
    assert_audited("deliberation.agenda_add", actor=actors.village_operator, target=deliberation, after=since)
    decisions = decisions or {}
    for item in DeliberationItem.objects.filter(deliberation=deliberation).select_related("proposal", "deliberation"):
        decision = decisions.get(item.proposal.reference, "accepted")
        since = audit_seq()
        deliberation_decide(actor=actors.village_operator, item=item, decision=decision,
                            reason="" if decision == "accepted" else "alasan musyawarah")
        assert_audited("deliberation.decide", actor=actors.village_operator, target=deliberation, after=since)
    deliberation = deliberation_finalise(actor=actors.village_head, deliberation=deliberation)
    assert_audited("deliberation.finalise", actor=actors.village_head, target=deliberation, to="finalised")
    if sign:
        deliberation = deliberation_sign(actor=actors.village_head, deliberation=deliberation,
                                         signed_scan=pdf_upload())
        assert_audited("deliberation.sign", actor=actors.village_head, target=deliberation, to="signed")
        for item in DeliberationItem.objects.filter(deliberation=deliberation).select_related("proposal"):
            name = {"accepted": "accept_in_deliberation", "rejected": "reject_in_deliberation"}.get(item.decision)
            if name:  # a deferred item stays verified, for a later session
                assert_moved(item.proposal, name, actor=actors.village_head, from_status=Proposal.Status.VERIFIED)
    return deliberation


def to_approved(actors: Actors, proposal: Proposal) -> Proposal:
    """Walk a submitted proposal through verification, deliberation and district approval."""
    proposal = verify(actors, proposal)
    if proposal.kind != Proposal.Kind.EMERGENCY:
        deliberate(actors, [proposal])
        proposal.refresh_from_db()
    proposal = proposal_approve(actor=actors.dinsos_operator, proposal=proposal)
    if proposal.status == Proposal.Status.AWAITING_SUPERVISOR:
        assert_moved(proposal, "forward_to_supervisor", actor=actors.dinsos_operator)
        proposal = proposal_approve(actor=actors.dinsos_supervisor, proposal=proposal)
        assert_moved(proposal, "approve", actor=actors.dinsos_supervisor, to_status=Proposal.Status.APPROVED)
    else:
        assert_moved(proposal, "approve", actor=actors.dinsos_operator, to_status=Proposal.Status.APPROVED)
    return proposal
