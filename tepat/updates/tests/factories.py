"""Builders for the workflow tests: payloads per kind, and walking a proposal through the stages with the
real services (so every step is checked and audited as in production)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import VILLAGE, make_kk, member_data
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
    return proposal_create(actor=actors.village_operator, kind=kind, payload=payload, submit=True, **kwargs)


def verify(actors: Actors, proposal: Proposal, corrections: dict[str, Any] | None = None,
           outcome: str = "confirmed", reason: str = "") -> Proposal:
    proposal = proposal_assign(actor=actors.village_operator, proposal=proposal, facilitator=actors.facilitator)
    corrections = corrections or {}
    results = {
        fact.path: ({"result": "corrected", "value": corrections[fact.path]} if fact.path in corrections
                    else {"result": "confirmed"})
        for fact in kinds.facts(proposal.kind, proposal.payload)
    }
    verification_record(actor=actors.facilitator, proposal=proposal, visited_on=timezone.localdate(),
                        household_found=True, outcome=outcome, results=results, rejection_reason=reason,
                        latitude="-6.0512", longitude="106.1101")
    return Proposal.objects.get(pk=proposal.pk)


def session(actors: Actors, region_code: str = VILLAGE) -> Deliberation:
    deliberation = deliberation_create(actor=actors.village_operator, region_code=region_code,
                                       held_on=timezone.localdate(), place="Balai Desa",
                                       chair_name="H. Sukarna")
    deliberation_attendee_add(actor=actors.village_operator, deliberation=deliberation, name="H. Sukarna",
                              position="Kepala Desa")
    deliberation_attendee_add(actor=actors.village_operator, deliberation=deliberation, name="Ibu Ratna",
                              position="Ketua BPD")
    return deliberation


def deliberate(actors: Actors, proposals: list[Proposal], decisions: dict[str, str] | None = None,
               sign: bool = True) -> Deliberation:
    """Put the proposals on a new session's agenda, decide (accepted unless told), finalise and sign."""
    deliberation = session(actors, proposals[0].region_id)
    deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=proposals)
    decisions = decisions or {}
    for item in DeliberationItem.objects.filter(deliberation=deliberation).select_related("proposal", "deliberation"):
        decision = decisions.get(item.proposal.reference, "accepted")
        deliberation_decide(actor=actors.village_operator, item=item, decision=decision,
                            reason="" if decision == "accepted" else "alasan musyawarah")
    deliberation = deliberation_finalise(actor=actors.village_head, deliberation=deliberation)
    if sign:
        deliberation = deliberation_sign(actor=actors.village_head, deliberation=deliberation,
                                         signed_scan=pdf_upload())
    return deliberation


def to_approved(actors: Actors, proposal: Proposal) -> Proposal:
    """Walk a submitted proposal through verification, deliberation and district approval."""
    proposal = verify(actors, proposal)
    if proposal.kind != Proposal.Kind.EMERGENCY:
        deliberate(actors, [proposal])
        proposal.refresh_from_db()
    proposal = proposal_approve(actor=actors.dinsos_operator, proposal=proposal)
    if proposal.status == Proposal.Status.AWAITING_SUPERVISOR:
        proposal = proposal_approve(actor=actors.dinsos_supervisor, proposal=proposal)
    return proposal
