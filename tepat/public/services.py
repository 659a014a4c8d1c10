"""Writes of the public pages, each audited in its own transaction: the status lookup (its keyed-hash
event is also the rate-limit counter), citizens' objections and proposals (received from an anonymous
visitor), and the staff actions of the village queue (forward into the update workflow, mark abuse, view
the objector's contact)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.db import commit_without_flush_wait
from tepat.core.exceptions import ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.public import conf, selectors, throttle
from tepat.public.actions import ensure_report_action
from tepat.public.challenge import challenge_spend
from tepat.public.models import CitizenReport
from tepat.registry.identity import normalise_name
from tepat.registry.masking import search_digest
from tepat.registry.validation import normalise_rt_rw
from tepat.updates.models import Objection, Proposal
from tepat.updates.services.documents import check_upload, store_document
from tepat.updates.services.objections import objection_create

ANONYMOUS = AnonymousUser()
CONFIDENTIAL = "Warga (identitas dirahasiakan)"  # what the workflow records as the objector / reporter
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


class Throttled(Exception):
    """A public request past one of its rate limits (answered 429, whatever the data)."""

    def __init__(self, limit: str):
        super().__init__(limit)
        self.limit = limit


@dataclass(slots=True)
class LookupAnswer:
    """The lookup's answer. "Not found" and "found but receives nothing" are the same empty answer."""

    masked_name: str = ""
    programmes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recipient(self) -> bool:
        return bool(self.programmes)


def _nik_clean(nik: str) -> str:
    return "".join(ch for ch in str(nik or "") if not ch.isspace())


def _lookup_issues(village_code: str, nik: str, name: str) -> list[Issue]:
    issues = []
    if not normalise_name(name):
        issues.append(Issue("required", "name", "nama lengkap sesuai KTP wajib diisi", "the full name as on the KTP is required"))
    if nik:
        if len(nik) != 16 or not nik.isdigit():
            issues.append(Issue("nik", "nik", "NIK harus 16 digit angka", "the NIK must be 16 digits"))
    elif not selectors.is_village(village_code):
        issues.append(Issue("required", "village", "pilih desa/kelurahan, atau isi NIK",
                            "choose a village, or enter a NIK"))
    return issues


def status_lookup(*, request: Any, village_code: str = "", nik: str = "", name: str = "",
                  solution: str = "") -> LookupAnswer:
    """The public status lookup (cek bansos): exact name (normalised) in a village, or NIK + name.

    Refuses bad input first (no event: nothing was looked up), then spends the proof-of-work, records the
    `public.lookup` event with keyed hashes of the address and the query (never the NIK or name), counts
    the limits (per address, per NIK or village + name, site-wide) and only then reads the registry."""
    nik = _nik_clean(nik)
    village_code = "" if nik else (village_code or "").strip()
    issues = _lookup_issues(village_code, nik, name)
    if issues:
        raise ValidationFailed(issues)
    subject = search_digest("public-nik", nik) if nik else search_digest(
        "public-name", f"{village_code}:{selectors.name_key(name)}")
    ip = throttle.ip_hash(request)
    # One transaction for the spent solution, the event and the limits' count (one commit, not two), committed
    # without waiting for the disk: every audited write of the system queues behind the chain head's lock,
    # which is held until COMMIT returns, so a flush per lookup (≈ 8 ms on the benchmark machine) capped the
    # whole system's audited writes at ~1/flush a second (ADR 0033). A crash of the database server
    # may lose the last few lookups' events and spent solutions, whole and in order; nothing else.
    with transaction.atomic():
        commit_without_flush_wait()
        challenge_spend(solution)
        audit_record(actor=ANONYMOUS, action=AuditAction.PUBLIC_LOOKUP,
                             region_code=village_code,
                             data={"kind": throttle.LOOKUP, "by": "nik" if nik else "name", "ip_hash": ip,
                                   "subject_hash": subject})
        passed = throttle.lookup_passed(actor=ANONYMOUS, ip=ip, subject=subject)
    if passed:
        raise Throttled(passed)
    families, masked = selectors.lookup_match(village_code=village_code, nik=nik, name=name)
    programmes = selectors.recipient_programmes(families)
    answer = LookupAnswer(masked, programmes) if programmes else LookupAnswer()
    return answer


# ---- citizens' reports ------------------------------------------------------------------------------


def tracking_code_new() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def tracking_code_clean(code: str) -> str:
    raw = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else ""


def _evidence(upload: Any) -> Any:
    if not upload:
        return None
    size = getattr(upload, "size", 0) or 0
    if size > conf.evidence_max_bytes():
        limit = conf.evidence_max_bytes() // 1024
        raise ValidationFailed([Issue("file_size", "evidence", f"bukti lebih dari {limit} KB",
                                      f"the evidence is over {limit} KB")])
    return check_upload(upload, field="evidence")


def _report_issues(kind: str, village_code: str, data: dict[str, Any]) -> list[Issue]:
    issues = []
    if not selectors.is_village(village_code):
        issues.append(Issue("required", "village", "pilih desa/kelurahan", "choose a village"))
    if not (data.get("statement") or "").strip():
        issues.append(Issue("required", "statement", "keterangan wajib diisi", "a statement is required"))
    if len(data.get("statement") or "") > 2000:
        issues.append(Issue("too_long", "statement", "keterangan paling banyak 2000 karakter",
                            "the statement is at most 2000 characters"))
    if kind == CitizenReport.Kind.OBJECTION:
        if data.get("reason") not in Objection.Reason.values:
            issues.append(Issue("choice", "reason", "pilih alasan sanggahan", "choose a reason"))
        if not data.get("entry") and not normalise_name(data.get("subject_name", "")):
            issues.append(Issue("required", "subject_name", "nama penerima wajib diisi", "the recipient's name is required"))
    else:
        if data.get("proposal_for") not in CitizenReport.ProposalFor.values:
            issues.append(Issue("choice", "proposal_for", "pilih siapa yang diusulkan", "choose whom you propose"))
        if not normalise_name(data.get("subject_name", "")):
            issues.append(Issue("required", "subject_name", "nama kepala keluarga wajib diisi",
                                "the head of family's name is required"))
    return issues


def citizen_report_create(*, request: Any, kind: str, village_code: str, data: dict[str, Any],
                          evidence: Any = None, solution: str = "") -> CitizenReport:
    """Receive a sanggah or usul from the public site. The answer never says whether the person named is
    a recipient or exists (the tracking code is given in every case); the report waits in the village
    queue. Rate-limited per address and site-wide, behind the proof-of-work."""
    if kind not in CitizenReport.Kind.values:
        raise ObjectNotFound("Tidak ditemukan / Not found")
    issues = _report_issues(kind, village_code, data)
    rt_issues: list[Issue] = []
    rt = normalise_rt_rw(data.get("rt", ""), "rt", rt_issues)
    if issues or rt_issues:
        raise ValidationFailed(issues + rt_issues)
    if data.get("entry") and selectors.published_entry(village_code, data.get("entry")) is None:
        raise ValidationFailed([Issue("choice", "entry", "pilih penerima dari daftar desa ini",
                                      "choose a recipient from this village's list")])
    if data.get("programme_code") and data["programme_code"] not in selectors.programme_codes():
        raise ValidationFailed([Issue("choice", "programme_code", "program tidak dikenal", "unknown programme")])
    checked = _evidence(evidence)
    challenge_spend(solution)
    ip = throttle.ip_hash(request)
    with transaction.atomic():
        audit_record(actor=ANONYMOUS, action=AuditAction.PUBLIC_LOOKUP, region_code=village_code,
                     data={"kind": throttle.REPORT, "ip_hash": ip})
        passed = throttle.report_passed(actor=ANONYMOUS, ip=ip, region_code=village_code)
    if passed:
        raise Throttled(passed)
    entry = selectors.published_entry(village_code, data.get("entry")) if data.get("entry") else None
    family_id = entry.family_id if entry else None
    subject_name = normalise_name(data.get("subject_name", ""))
    if entry is not None:
        subject_name = selectors.published_name_of(entry)
    if kind == CitizenReport.Kind.OBJECTION and family_id is None:
        found = selectors.families_in_village_by_name(village_code, subject_name, rt)
        family_id = found[0] if len(found) == 1 else None
    with transaction.atomic():
        report = CitizenReport(
            kind=kind, region_id=village_code, list_entry=entry, family_id=family_id,
            subject_name=subject_name[:150], rt=rt,
            reason=data.get("reason", "") if kind == CitizenReport.Kind.OBJECTION else "",
            proposal_for=data.get("proposal_for", "") if kind == CitizenReport.Kind.PROPOSAL else "",
            programme_code=(data.get("programme_code") or "")[:30],
            statement=(data.get("statement") or "").strip(),
            objector_name=normalise_name(data.get("objector_name", ""))[:150],
            objector_contact=(data.get("objector_contact") or "").strip()[:100],
        )
        if checked is not None:
            report.evidence.save(checked.name, ContentFile(checked.content), save=False)
            report.evidence_type = checked.content_type
        for _attempt in range(5):
            report.tracking_code = tracking_code_new()
            try:
                with transaction.atomic():
                    report.save()
                break
            except IntegrityError:
                continue
        audit_record(actor=ANONYMOUS, action=AuditAction.CITIZEN_REPORT_CREATE, target=report,
                     region_code=village_code,
                     data={"kind": kind, "reason": report.reason, "proposal_for": report.proposal_for,
                           "identified": family_id is not None, "evidence": bool(checked)})
    return report


def tracking_status(*, request: Any, code: str) -> CitizenReport | None:
    """The report of a tracking code (status only), or None; rate-limited per address."""
    ip = throttle.ip_hash(request)
    with transaction.atomic():
        audit_record(actor=ANONYMOUS, action=AuditAction.PUBLIC_LOOKUP,
                     data={"kind": throttle.TRACKING, "ip_hash": ip})
        passed = throttle.tracking_passed(actor=ANONYMOUS, ip=ip)
    if passed:
        raise Throttled(passed)
    clean = tracking_code_clean(code)
    if not clean:
        return None
    return CitizenReport.objects.select_related("region", "proposal").filter(tracking_code=clean).first()


# ---- staff ------------------------------------------------------------------------------------------


@transaction.atomic
def citizen_report_forward(*, actor: Any, report: CitizenReport, proposal_reference: str = "") -> CitizenReport:
    """Enter the report into the update workflow. A sanggah whose recipient is identified becomes an
    objection of source citizen (`objection_create`: a removal proposal, submitted), with the objector
    recorded only as "identity withheld"; otherwise staff enter the proposal through the update pages and
    link it here by its reference (an usul of a new family needs the KK and NIKs found in the field)."""
    ensure_report_action(actor, report, "forward")
    objection = None
    if proposal_reference.strip():
        proposal = Proposal.objects.filter(reference=proposal_reference.strip(), region_id=report.region_id).first()
        if proposal is None:
            raise ValidationFailed([Issue("not_found", "proposal_reference",
                                          "usulan dengan nomor ini tidak ada di desa ini",
                                          "no proposal with this reference in this village")])
    elif report.kind == CitizenReport.Kind.OBJECTION and report.family_id:
        objection = objection_create(actor=actor, family=report.family, reason=report.reason,
                                     statement=report.statement, source=Objection.Source.CITIZEN,
                                     objector_name=CONFIDENTIAL, objector_contact="")
        proposal = objection.proposal
        if report.evidence:
            report.evidence.open("rb")
            try:
                checked = check_upload(report.evidence, field="evidence")
            finally:
                report.evidence.close()
            store_document(actor=actor, checked=checked, kind="other", region_code=report.region_id,
                           proposal=proposal)
    else:
        raise ValidationFailed([Issue("required", "proposal_reference",
                                      "isi nomor usulan yang dibuat untuk laporan ini",
                                      "enter the reference of the proposal made for this report")])
    return transition(report, "forward", actor=actor, region_code=report.region_id,
                      updates={"objection": objection, "proposal": proposal, "handled_by": actor,
                               "handled_at": timezone.now()},
                      data={"tracking_code": report.tracking_code, "proposal": proposal.reference})


@transaction.atomic
def citizen_report_mark_abuse(*, actor: Any, report: CitizenReport, reason: str) -> CitizenReport:
    ensure_report_action(actor, report, "mark_abuse")
    if not (reason or "").strip():
        raise ValidationFailed([Issue("required", "reason", "alasan wajib diisi", "a reason is required")])
    return transition(report, "mark_abuse", actor=actor, region_code=report.region_id, reason=reason.strip(),
                      updates={"handled_by": actor, "handled_at": timezone.now(), "handling_note": reason.strip()},
                      data={"tracking_code": report.tracking_code})


@transaction.atomic
def citizen_report_contact(*, actor: Any, report: CitizenReport) -> dict[str, str]:
    """The objector's name and contact, for Dinsos only; each view is an audit event."""
    ensure_report_action(actor, report, "view_contact")
    audit_record(actor=actor, action=AuditAction.CITIZEN_REPORT_CONTACT_VIEW, target=report,
                 region_code=report.region_id, data={"tracking_code": report.tracking_code})
    return {"name": report.objector_name, "contact": report.objector_contact}
