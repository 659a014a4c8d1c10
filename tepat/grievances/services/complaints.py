"""Intake and handling of complaints: record, attach, assign, assess, decide the service, wait for the citizen
and resume, close, reject, mark as duplicate. All audited, capability × region × need-to-know."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import actor_can, actor_in_scope, ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.audit.transitions import lock
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import ensure_upload_size
from tepat.grievances.actions import ensure_complaint_action
from tepat.grievances.models import Attachment, Category, Complaint, ComplaintPause
from tepat.grievances.services.common import move, raise_if, required
from tepat.regions.models import Region
from tepat.registry import masking
from tepat.registry.identity import validate_nik
from tepat.registry.models import Family, Individual
from tepat.updates.services.documents import check_upload

S = Complaint.Status
K = Complaint.SubjectKind
MAX_ATTACHMENTS = 5
_PHONE = re.compile(r"^[0-9+()\-\s]{6,20}$")


def _reference() -> str:
    return f"ADU-{timezone.localdate():%y%m}-{uuid.uuid4().hex[:6].upper()}"


def _village(code: str, field: str, issues: list[Issue]) -> Region | None:
    region = Region.objects.filter(code=code).first() if code else None
    if code and (region is None or region.level != Region.Level.VILLAGE):
        issues.append(Issue("region", field, f"wilayah '{code}' bukan desa/kelurahan yang dikenal",
                            f"region '{code}' is not a known village"))
        return None
    return region


@transaction.atomic
def complaint_create(
    *,
    actor: Any,
    channel: str,
    category: Category | None,
    description: str,
    subject_kind: str,
    family: Family | None = None,
    individual: Individual | None = None,
    subject_name: str = "",
    subject_nik: str = "",
    subject_address: str = "",
    subject_region_code: str = "",
    complainant_anonymous: bool = False,
    complainant_name: str = "",
    complainant_contact: str = "",
    complainant_region_code: str = "",
    external_reference: str = "",
    attachments: list[Any] | tuple[Any, ...] = (),
) -> Complaint:
    """Register a case. Its region is the subject's village (the family's, or the profile's for a person not
    in the registry), else the complainant's. The category gives the desk it is routed to and whether it is
    sensitive. Registry subjects are passed as rows the caller fetched through the registry's scoped access."""
    ensure_capability(actor=actor, capability=Capability.GRIEVANCES_INTAKE)
    issues: list[Issue] = []
    if channel not in Complaint.Channel.values:
        issues.append(Issue("choice", "channel", "saluran pengaduan tidak dikenal", "unknown channel"))
    if category is None or category.parent_id is None or not category.active:
        issues.append(Issue("choice", "category", "pilih sub-kategori pengaduan", "choose a complaint sub-category"))
    description = required(description, "description", "uraian pengaduan", "the description", issues)
    external_reference = (external_reference or "").strip()
    if channel == Complaint.Channel.LAPOR and not external_reference:
        issues.append(Issue("required", "external_reference", "nomor tiket LAPOR! wajib diisi",
                            "the LAPOR! ticket number is required"))
    if individual is not None:
        family = individual.family
    subject_region = None
    subject_name, subject_address = subject_name.strip(), subject_address.strip()
    nik = re.sub(r"\D", "", subject_nik or "")
    if subject_kind == K.FAMILY and family is None:
        issues.append(Issue("required", "family", "pilih keluarga dari registri", "choose a family from the registry"))
    elif subject_kind == K.INDIVIDUAL and individual is None:
        issues.append(Issue("required", "individual", "pilih orang dari registri", "choose a person from the registry"))
    elif subject_kind == K.UNREGISTERED:
        family = individual = None
        required(subject_name, "subject_name", "nama orang yang diadukan", "the person's name", issues)
        required(subject_address, "subject_address", "alamat", "the address", issues)
        subject_region = _village(subject_region_code, "subject_region", issues)
        if not subject_region_code and not complainant_region_code:
            issues.append(Issue("required", "subject_region", "desa/kelurahan orang ini (atau pengadu) wajib dipilih",
                                "the person's (or the complainant's) village is required"))
        if nik:
            result = validate_nik(nik, field_name="subject_nik")
            issues += result.errors
    elif subject_kind not in K.values:
        issues.append(Issue("choice", "subject_kind", "jenis subjek tidak dikenal", "unknown kind of subject"))
    complainant_region = _village(complainant_region_code, "complainant_region", issues)
    if complainant_anonymous:
        complainant_name = complainant_contact = ""
    else:
        complainant_name = required(complainant_name, "complainant_name", "nama pengadu (atau pilih anonim)",
                                    "the complainant's name (or choose anonymous)", issues)
        complainant_contact = (complainant_contact or "").strip()
        if complainant_contact and not _PHONE.match(complainant_contact) and "@" not in complainant_contact:
            issues.append(Issue("format", "complainant_contact", "kontak harus nomor telepon atau e-mail",
                                "the contact must be a phone number or an e-mail address"))
    if len(attachments) > MAX_ATTACHMENTS:
        issues.append(Issue("too_many", "attachments", f"paling banyak {MAX_ATTACHMENTS} lampiran",
                            f"at most {MAX_ATTACHMENTS} attachments"))
    region_code = (family.region_id if family is not None
                   else subject_region.code if subject_region is not None
                   else complainant_region.code if complainant_region is not None else "")
    if not region_code:
        raise_if(issues or [Issue("required", "subject_region", "desa/kelurahan kasus tidak dapat ditentukan",
                                  "the case's village cannot be determined")])
    # The case's region (404 outside scope): an officer records cases of their own villages.
    ensure_permission(actor=actor, capability=Capability.GRIEVANCES_INTAKE, region_code=region_code)
    checked = []
    for upload in attachments:
        try:
            ensure_upload_size("document", getattr(upload, "size", 0) or 0, field="attachments")
            checked.append(check_upload(upload, field="attachments"))
        except ValidationFailed as exc:
            issues += exc.issues
    raise_if(issues)
    now = timezone.now()
    complaint = Complaint(
        reference=_reference(), channel=channel, external_reference=external_reference[:60],
        complainant_anonymous=complainant_anonymous, complainant_name=complainant_name[:150],
        complainant_contact=complainant_contact[:100], complainant_region=complainant_region,
        subject_kind=subject_kind, family=family, individual=individual,
        subject_name=subject_name[:150], subject_nik=nik, subject_address=subject_address[:250],
        category=category, description=description, sensitive=category.sensitive, region_id=region_code,
        desk=category.desk, status=S.REGISTERED, stage_entered_at=now, created_by=actor,
    )
    complaint.save()
    from tepat.grievances.services.sla import refresh_clock

    refresh_clock(complaint)
    audit_record(actor=actor, action="complaint.create", target=complaint, region_code=region_code,
                 data=masking.audit_payload({
                     "reference": complaint.reference, "category": category.code, "channel": channel,
                     "subject_kind": subject_kind, "sensitive": complaint.sensitive, "desk": complaint.desk,
                     "anonymous": complainant_anonymous, "external_reference": external_reference,
                     **({"family": str(family.pk)} if family else {}),
                     **({"individual": str(individual.pk)} if individual else {}),
                 }))
    for item in checked:
        _store(actor=actor, complaint=complaint, checked=item)
    return complaint


def _store(*, actor: Any, complaint: Complaint, checked: Any) -> Attachment:
    attachment = Attachment(complaint=complaint, original_name=checked.name, content_type=checked.content_type,
                            size=len(checked.content), sha256=checked.sha256, uploaded_by=actor)
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content), save=False)
    attachment.save()
    audit_record(actor=actor, action="complaint.attachment_add", target=complaint, region_code=complaint.region_id,
                 data={"attachment": str(attachment.pk), "size": attachment.size, "sha256": checked.sha256,
                       "content_type": checked.content_type})
    return attachment


@transaction.atomic
def attachment_add(*, actor: Any, complaint: Complaint, upload: Any) -> Attachment:
    ensure_complaint_action(actor, complaint, "add_attachment")
    if complaint.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationFailed([Issue("too_many", "file", f"paling banyak {MAX_ATTACHMENTS} lampiran",
                                      f"at most {MAX_ATTACHMENTS} attachments")])
    ensure_upload_size("document", getattr(upload, "size", 0) or 0)
    return _store(actor=actor, complaint=lock(complaint), checked=check_upload(upload))


@transaction.atomic
def complaint_assign(*, actor: Any, complaint: Complaint, handler: Any) -> Complaint:
    """Route the case to one officer (who then has need-to-know of a sensitive case)."""
    ensure_complaint_action(actor, complaint, "assign")
    if handler is None or not actor_can(handler, Capability.GRIEVANCES_HANDLE) \
            or not actor_in_scope(handler, complaint.region_id):
        raise ValidationFailed([Issue("handler", "handler", "petugas ini tidak dapat menangani pengaduan di wilayah ini",
                                      "this officer cannot handle complaints in this region")])
    row = lock(complaint)
    ensure_complaint_action(actor, row, "assign")
    previous = row.handler_id
    row.handler = handler
    row.save(update_fields=["handler", "updated_at"])
    audit_record(actor=actor, action="complaint.assign", target=row, region_code=row.region_id,
                 data={"reference": row.reference, "handler": str(handler.pk),
                       "previous": str(previous) if previous else ""})
    return row


@transaction.atomic
def complaint_assess(*, actor: Any, complaint: Complaint, assessment: str, recommendation: str) -> Complaint:
    """Back office: the assessment of the case and the recommended service."""
    ensure_complaint_action(actor, complaint, "assess")
    issues: list[Issue] = []
    assessment = required(assessment, "assessment", "hasil asesmen", "the assessment", issues)
    recommendation = required(recommendation, "recommendation", "rekomendasi", "the recommendation", issues)
    raise_if(issues)
    return move(complaint, "assess", actor=actor, updates={"assessment": assessment, "recommendation": recommendation})


@transaction.atomic
def complaint_decide(*, actor: Any, complaint: Complaint, decision: str) -> Complaint:
    """The decision of the service (penetapan layanan) by the coordinator or manager."""
    ensure_complaint_action(actor, complaint, "decide")
    issues: list[Issue] = []
    decision = required(decision, "decision", "penetapan layanan", "the decision", issues)
    raise_if(issues)
    return move(complaint, "decide", actor=actor, data={"decision": decision[:500]},
                updates={"decision": decision, "decided_by": actor, "decided_at": timezone.now()})


@transaction.atomic
def complaint_wait(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    """Pause the clock while the citizen has to bring something (a document, a visit)."""
    ensure_complaint_action(actor, complaint, "wait")
    issues: list[Issue] = []
    reason = required(reason, "reason", "alasan", "the reason", issues)
    raise_if(issues)
    row = lock(complaint)
    ensure_complaint_action(actor, row, "wait")
    ComplaintPause.objects.create(complaint=row, started_at=timezone.now(), reason=reason[:250])
    return move(row, "wait", actor=actor, reason=reason, updates={"paused_from": row.status})


@transaction.atomic
def complaint_resume(*, actor: Any, complaint: Complaint) -> Complaint:
    ensure_complaint_action(actor, complaint, "resume")
    row = lock(complaint)
    ensure_complaint_action(actor, row, "resume")
    ComplaintPause.objects.filter(complaint=row, ended_at__isnull=True).update(ended_at=timezone.now())
    return move(row, f"resume_{row.paused_from}", actor=actor, updates={"paused_from": ""})


@transaction.atomic
def complaint_close(*, actor: Any, complaint: Complaint, note: str) -> Complaint:
    ensure_complaint_action(actor, complaint, "close")
    issues: list[Issue] = []
    note = required(note, "note", "catatan penutupan", "the closing note", issues)
    raise_if(issues)
    return move(complaint, "close", actor=actor, reason=note,
                updates={"closing_note": note, "resolved_at": timezone.now()})


@transaction.atomic
def complaint_reject(*, actor: Any, complaint: Complaint, reason: str) -> Complaint:
    ensure_complaint_action(actor, complaint, "reject")
    issues: list[Issue] = []
    reason = required(reason, "reason", "alasan penolakan", "the reason", issues)
    raise_if(issues)
    ComplaintPause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=timezone.now())
    return move(complaint, "reject", actor=actor, reason=reason,
                updates={"closing_note": reason, "resolved_at": timezone.now()})


@transaction.atomic
def complaint_mark_duplicate(*, actor: Any, complaint: Complaint, original: Complaint) -> Complaint:
    """The same case was recorded before: this one closes pointing to the original (same village)."""
    ensure_complaint_action(actor, complaint, "mark_duplicate")
    if original.pk == complaint.pk or original.region_id != complaint.region_id:
        raise ValidationFailed([Issue("duplicate_of", "original", "pengaduan asal harus pengaduan lain di desa yang sama",
                                      "the original must be another complaint of the same village")])
    return move(complaint, "mark_duplicate", actor=actor, data={"original": original.reference},
                updates={"duplicate_of": original, "resolved_at": timezone.now()})


def complaint_create_from_input(*, actor: Any, data: dict[str, Any], attachments: list[Any] | tuple = ()) -> Complaint:
    """The intake form's and the API's entry: ids of the category and the registry subject resolved through
    the scoped accesses (a family outside the actor's scope is not found), then `complaint_create`."""
    from tepat.registry.access import access_family, access_individual

    category = Category.objects.filter(code=data.get("category") or "", active=True).first()
    family = individual = None
    kind = data.get("subject_kind") or ""
    if kind == K.INDIVIDUAL and data.get("individual_id"):
        individual = access_individual(actor=actor, individual_id=data["individual_id"])
    elif kind in (K.FAMILY, K.INDIVIDUAL) and data.get("family_id"):
        family = access_family(actor=actor, family_id=data["family_id"])
    fields = ("channel", "description", "subject_name", "subject_nik", "subject_address", "subject_region_code",
              "complainant_name", "complainant_contact", "complainant_region_code", "external_reference")
    return complaint_create(
        actor=actor, category=category, subject_kind=kind, family=family, individual=individual,
        complainant_anonymous=bool(data.get("complainant_anonymous")), attachments=attachments,
        **{name: str(data.get(name) or "") for name in fields})
