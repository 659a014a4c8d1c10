"""Submission of approved proposals in batches (to the centre or the province) and import of the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from tepat.audit.services import audit_record
from tepat.core.exceptions import BusinessRuleViolation
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.regions.selectors import region_path
from tepat.registry import choices as c
from tepat.registry.models import Individual
from tepat.updates import siks
from tepat.updates.actions import ensure_batch_action
from tepat.updates.kinds import MemberRemovalReason
from tepat.updates.models import Document, Proposal, SubmissionBatch, SubmissionRecord
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.common import raise_if, region_at_level, within_q
from tepat.updates.services.documents import CSV_TYPE, check_upload, store_document
from tepat.updates.workflow import lock, transition

Response = SubmissionRecord.Response


def unsubmitted_proposals(region_code: str, destination: str):
    """Approved or determined proposals of the region for `destination` not yet in a batch (or returned)."""
    return Proposal.objects.filter(
        within_q(region_code), destination=destination,
        status__in=(Proposal.Status.APPROVED, Proposal.Status.APPLIED),
    ).exclude(submission_records__response__in=(Response.PENDING, Response.ACCEPTED))


@transaction.atomic
def submission_batch_create(*, actor: Any, region_code: str, destination: str) -> SubmissionBatch:
    """Put every approved proposal of the regency for this destination, not yet sent, in a new batch."""
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.SUBMIT, region_code=region_code)
    region_at_level(region_code, Region.Level.REGENCY)
    if destination not in SubmissionBatch.Destination.values:
        raise_if([Issue("choice", "destination", "tujuan pengiriman tidak dikenal", "unknown destination")])
    proposals = list(
        unsubmitted_proposals(region_code, destination).select_for_update(of=("self",)).order_by("region_id", "created_at")
    )
    if not proposals:
        raise BusinessRuleViolation("Tidak ada usulan disetujui yang belum dikirim / "
                                    "There are no approved proposals waiting to be sent")
    today = timezone.localdate()
    prefix = "P" if destination == SubmissionBatch.Destination.CENTRAL else "V"
    stem = f"{region_code.replace('.', '')}-{prefix}-{today:%Y%m%d}-"
    # The next free number of the day for this destination (a count would repeat a number after a gap or
    # across destinations, and the unique number would then refuse every new batch).
    used = SubmissionBatch.objects.filter(number__startswith=stem).values_list("number", flat=True)
    sequence = max((int(n[len(stem):]) for n in used if n[len(stem):].isdigit()), default=0) + 1
    number = f"{stem}{sequence:03d}"
    batch = SubmissionBatch(number=number, region_id=region_code, destination=destination, created_by=actor)
    batch.full_clean()
    batch.save()
    SubmissionRecord.objects.bulk_create(
        [SubmissionRecord(batch=batch, proposal=p, line=i) for i, p in enumerate(proposals, start=1)]
    )
    audit_record(actor=actor, action="submission_batch.create", target=batch, region_code=region_code,
                 data={"number": number, "destination": destination, "proposals": [p.reference for p in proposals]})
    return batch


def _people(proposal: Proposal, members_by_id: dict[str, Individual]) -> list[dict[str, Any]]:
    payload = proposal.verified_payload or proposal.payload
    if proposal.kind in ("new_family", "emergency"):
        return payload.get("members", [])
    if proposal.kind == "add_member":
        return [payload.get("member", {})]
    person = proposal.individual
    if proposal.kind == "program" and payload.get("member"):
        person = members_by_id.get(payload["member"])
    if person is None and proposal.family is not None:
        person = proposal.family.members.filter(presence__in=c.ACTIVE_PRESENCE).order_by("relation").first()
    if person is None:
        return [{}]
    return [{"nik": person.nik, "name": person.name, "sex": person.sex, "birth_date": person.birth_date.isoformat(),
             "relation": person.relation}]


def _reason_text(reason: str) -> str:
    """A removal reason as words in Indonesian (the file goes to the centre/province), not its code."""
    labels = {**dict(c.FamilyRemovalReason.choices), **dict(MemberRemovalReason.choices)}
    with translation.override("id"):
        return str(labels.get(reason, reason))


@transaction.atomic
def submission_batch_export(*, actor: Any, batch: SubmissionBatch) -> bytes:
    """The batch as a SIKS-style file. An export of personal data, so it is audited."""
    ensure_batch_action(actor, batch, "download")
    records = list(batch.records.select_related("proposal", "proposal__family", "proposal__individual"))
    member_ids = [r.proposal.payload.get("member") for r in records if r.proposal.kind == "program"]
    members_by_id = {str(m.pk): m for m in Individual.objects.filter(pk__in=[m for m in member_ids if m])}
    paths: dict[str, list[Region]] = {}
    rows: list[dict[str, Any]] = []
    for record in records:
        proposal = record.proposal
        if proposal.region_id not in paths:
            paths[proposal.region_id] = region_path(proposal.region)
        names = [r.name for r in paths[proposal.region_id]] + ["", "", "", ""]
        payload = proposal.verified_payload or proposal.payload
        family = payload.get("family") or {}
        kk = family.get("kk_number") or (proposal.family.kk_number if proposal.family else "")
        rw = family.get("rw") or (proposal.family.rw if proposal.family else "")
        rt = family.get("rt") or (proposal.family.rt if proposal.family else "")
        address = family.get("address") or (proposal.family.address if proposal.family else "")
        for person in _people(proposal, members_by_id):
            rows.append({
                "NO_BATCH": batch.number, "NO": record.line, "ID_USULAN": proposal.reference,
                "JENIS_USULAN": siks.KIND_CODES[proposal.kind], "KODE_WILAYAH": proposal.region_id.replace(".", ""),
                "PROVINSI": names[0], "KABUPATEN_KOTA": names[1], "KECAMATAN": names[2], "DESA_KELURAHAN": names[3],
                "RT": rt, "RW": rw, "ALAMAT": address, "NO_KK": kk, "NIK": person.get("nik", ""),
                "NAMA": person.get("name", ""), "JENIS_KELAMIN": person.get("sex", ""),
                "TANGGAL_LAHIR": person.get("birth_date", ""), "HUBUNGAN_KELUARGA": person.get("relation", ""),
                "PROGRAM": payload.get("program", ""), "KETERANGAN": _reason_text(payload.get("reason", "")),
            })
    audit_record(actor=actor, action="submission_batch.export", target=batch, region_code=batch.region_id,
                 data={"number": batch.number, "rows": len(rows)})
    return siks.write_submission(rows)


@dataclass(slots=True)
class ResponseImport:
    accepted: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    already_determined: list[str] = field(default_factory=list)
    # Returned while no longer approved: pulled back by the supervisor (or rejected after that) since the
    # batch was sent. The answer is recorded; the proposal stays where it is and can be sent again.
    pulled_back: list[str] = field(default_factory=list)


@transaction.atomic
def submission_response_import(*, actor: Any, batch: SubmissionBatch, upload: Any) -> ResponseImport:
    """Import the answer to a batch. Returned proposals that are not yet determined leave the flow with the
    reason; every line must name this batch and one of its proposals, or nothing is imported."""
    ensure_batch_action(actor, batch, "import_response")
    batch = lock(batch)
    ensure_batch_action(actor, batch, "import_response")
    checked = check_upload(upload, allowed=CSV_TYPE)
    lines, issues = siks.read_response(checked.content)
    records = {r.proposal.reference: r for r in batch.records.select_for_update().select_related("proposal")}
    for line in lines:
        if line.batch_number and line.batch_number != batch.number:
            issues.append(Issue("batch", f"line.{line.line}", f"baris {line.line}: nomor batch lain",
                                f"line {line.line}: another batch's number"))
        elif line.reference not in records:
            issues.append(Issue("unknown", f"line.{line.line}",
                                f"baris {line.line}: usulan {line.reference} tidak ada di batch ini",
                                f"line {line.line}: proposal {line.reference} is not in this batch"))
    if not lines and not issues:
        issues.append(Issue("empty", "file", "berkas tidak berisi jawaban", "the file contains no answers"))
    raise_if(issues)
    store_document(actor=actor, checked=checked, kind=Document.Kind.SUBMISSION_RESPONSE, region_code=batch.region_id,
                   batch=batch)
    result = ResponseImport()
    now = timezone.now()
    for line in lines:
        record = records[line.reference]
        record.response = Response.ACCEPTED if line.accepted else Response.RETURNED
        record.response_reason, record.responded_at = line.reason, now
        record.save(update_fields=["response", "response_reason", "responded_at", "updated_at"])
        if line.accepted:
            result.accepted.append(line.reference)
            continue
        proposal = lock(record.proposal)
        if proposal.status == Proposal.Status.APPROVED:
            transition(proposal, "return_from_upstream", actor=actor, region_code=proposal.region_id, locked=True,
                       reason=line.reason, data={"batch": batch.number},
                       updates={"closed_stage": Proposal.Status.APPROVED, "closed_reason": line.reason})
            result.returned.append(line.reference)
        elif proposal.status == Proposal.Status.APPLIED:
            result.already_determined.append(line.reference)
        else:
            result.pulled_back.append(line.reference)
    audit_record(actor=actor, action="submission_batch.response_import", target=batch, region_code=batch.region_id,
                 data={"accepted": result.accepted, "returned": result.returned,
                       "already_determined": result.already_determined, "pulled_back": result.pulled_back})
    if not batch.records.filter(response=Response.PENDING).exists():
        transition(batch, "answer", actor=actor, region_code=batch.region_id, locked=True,
                   updates={"answered_at": now})
    return result
