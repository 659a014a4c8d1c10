"""Invitation writes: print a village's invitations (audited), and scan one at the distribution point
(single use, audited, whether accepted or refused)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import django.dispatch
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tepat.accounts.access import actor_in_scope, ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.core.exceptions import BusinessRuleViolation, ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.data import CODE_RE, InvitationData
from tepat.distribution.invitations.models import InvitationScan
from tepat.regions.selectors import is_within

C = Capability

# Sent inside the scan's transaction when an invitation is accepted (kwargs: scan, payload, actor): the receipt
# of the distribution can attach to it.
invitation_scanned = django.dispatch.Signal()

ACCEPTED, ALREADY_USED, INVALID = "accepted", "already_used", "invalid"


@dataclass(frozen=True, slots=True)
class ScanVerdict:
    verdict: str  # accepted | already_used | invalid
    reason: str  # "" | already_used | malformed | bad_signature | unknown_key | expired
    message_id: str
    message_en: str
    payload: signing.InvitationPayload | None = None
    scan: InvitationScan | None = None  # the accepting scan (this one, or the earlier one when already used)
    extra: dict = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.verdict == ACCEPTED

    def as_dict(self) -> dict[str, Any]:
        scan = None
        if self.scan is not None:
            by = self.scan.scanned_by
            scan = {"id": str(self.scan.pk), "scanned_at": self.scan.scanned_at.isoformat(),
                    "scanned_by": by.get_username(), "scanned_by_name": by.get_full_name(),
                    "device": self.scan.device}
        return {"verdict": self.verdict, "accepted": self.accepted, "reason": self.reason,
                "message_id": self.message_id, "message_en": self.message_en,
                "payload": self.payload.as_dict() if self.payload else None, "scan": scan}


def _who(user: Any) -> str:
    name = user.get_full_name().strip()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def invitation_scan(*, actor: Any, token: str, device: str = "", today: date | None = None,
                    now: datetime | None = None, offline_at: datetime | None = None) -> ScanVerdict:
    """Verify `token` and, when genuine, unexpired, in the actor's regions and not yet used, record its
    single scan. Every verdict is audited; only an accepted one writes a scan. A valid invitation of a
    village outside the actor's regions is answered like one that does not exist (404)."""
    ensure_capability(actor=actor, capability=C.INVITATIONS_SCAN)
    device = (device or "")[:100]
    if offline_at is not None:  # a scan made offline, synced now: its own time and day count
        if timezone.is_naive(offline_at):
            offline_at = timezone.make_aware(offline_at)
        if offline_at > timezone.now() + timedelta(minutes=5):
            raise ValidationFailed([Issue("invitation_scanned_at", "scanned_at", "waktu pindai di masa depan",
                                          "the scan time is in the future")])
        now, today = offline_at, timezone.localdate(offline_at)
    try:
        payload = signing.verify(token, today=today)
    except signing.InvitationTokenError as error:
        with transaction.atomic():
            audit_record(actor=actor, action=AuditAction.INVITATION_SCAN_REFUSED, target_type="invitation",
                         data={"reason": error.code, "device": device})
        return ScanVerdict(INVALID, error.code, error.id_text, error.en_text)
    if not actor_in_scope(actor, payload.village_code):
        raise ObjectNotFound()
    now = now or timezone.now()
    with transaction.atomic():
        existing = InvitationScan.objects.select_related("scanned_by").filter(token_id=payload.token_id).first()
        if existing is None:
            try:
                with transaction.atomic():
                    scan = InvitationScan.objects.create(
                        token_id=payload.token_id, key_id=payload.key_id, kpm_ref=payload.kpm_ref,
                        programme=payload.programme, tahap=payload.tahap, amount=payload.amount,
                        expires_on=payload.expires_on, region_code=payload.village_code, scanned_at=now,
                        scanned_by=actor, device=device)
            except IntegrityError:  # scanned at the same moment on another device
                existing = InvitationScan.objects.select_related("scanned_by").get(token_id=payload.token_id)
            else:
                audit_record(actor=actor, action=AuditAction.INVITATION_SCAN, target=scan,
                             region_code=payload.village_code,
                             data={"token_id": payload.token_id, "kpm_ref": payload.kpm_ref,
                                   "programme": payload.programme, "tahap": payload.tahap,
                                   "amount": payload.amount, "key_id": payload.key_id, "device": device})
                invitation_scanned.send(sender=InvitationScan, scan=scan, payload=payload, actor=actor)
                return ScanVerdict(ACCEPTED, "", "Undangan sah: silakan salurkan bantuan.",
                                   "Valid invitation: proceed with the distribution.", payload, scan)
        when = timezone.localtime(existing.scanned_at).strftime("%d-%m-%Y %H:%M")
        who = _who(existing.scanned_by)
        audit_record(actor=actor, action=AuditAction.INVITATION_SCAN_REFUSED, target=existing,
                     region_code=payload.village_code,
                     data={"reason": ALREADY_USED, "token_id": payload.token_id, "kpm_ref": payload.kpm_ref,
                           "device": device})
    return ScanVerdict(ALREADY_USED, ALREADY_USED, f"Undangan sudah dipakai pada {when} oleh {who}.",
                       f"Invitation already used on {when} by {who}.", payload, existing)


# ---- printing --------------------------------------------------------------------------------------------


def invitation_source(*, actor: Any, village_code: str, programme: str, tahap: int) -> list[InvitationData]:
    """The invitations of one village for one programme tahap, from the configured source
    (settings.TEPAT_INVITATION_SOURCE, wired to the distribution lists)."""
    ensure_permission(actor=actor, capability=C.INVITATIONS_PRINT, region_code=village_code)
    path = getattr(settings, "TEPAT_INVITATION_SOURCE", "") or ""
    if not path:
        raise BusinessRuleViolation("Sumber daftar undangan belum disambungkan / The invitation list source is not "
                                    "wired yet (TEPAT_INVITATION_SOURCE)")
    return list(import_string(path)(actor=actor, village_code=village_code, programme=programme, tahap=tahap))


def invitation_batch_pdf(*, actor: Any, village_code: str, items: Sequence[InvitationData], per_page: int = 4) -> bytes:
    """Sign and print the invitations of one village (A4, 1 or 4 per page). All or nothing: any invalid
    item, or one of another village, refuses the batch with every problem listed."""
    from tepat.distribution.invitations.pdf import PER_PAGE_CHOICES, invitations_pdf

    ensure_permission(actor=actor, capability=C.INVITATIONS_PRINT, region_code=village_code)
    issues: list[Issue] = []
    if per_page not in PER_PAGE_CHOICES:
        issues.append(Issue("invitation_per_page", "per_page", "jumlah per halaman harus 1 atau 4",
                            "invitations per page must be 1 or 4"))
    if not items:
        issues.append(Issue("invitation_empty", "items", "tidak ada undangan untuk desa ini",
                            "there are no invitations for this village"))
    for item in items:
        issues.extend(item.issues())
        if not is_within(item.village_code or "", village_code):
            issues.append(Issue("invitation_other_village", "village_code",
                                f"{item.kpm_ref}: bukan KPM desa {village_code}",
                                f"{item.kpm_ref}: not a KPM of village {village_code}"))
    if issues:
        raise ValidationFailed(issues)
    key_id = signing.current_key_id()
    tokens = [signing.sign(item, key_id=key_id) for item in items]
    content = invitations_pdf(list(zip(items, tokens, strict=True)), per_page=per_page)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.INVITATION_PRINT, target_type="invitation",
                     region_code=village_code,
                     data={"count": len(items), "per_page": per_page, "key_id": key_id,
                           "programmes": sorted({f"{i.programme}/{i.tahap}" for i in items})})
    return content


def invitation_region_zip(*, actor: Any, region_code: str, programme: str, tahap: int, per_page: int = 4,
                          progress: Any = None) -> tuple[bytes, dict[str, int]]:
    """Every village of `region_code` (a kecamatan or the whole district) printed in one ZIP, one PDF per
    village (each printing audited as its own `invitation.print`). `progress(done, total)` after each village,
    for the background job that runs this. Villages without invitations are skipped and counted."""
    import io
    import zipfile

    from tepat.regions.models import Region
    from tepat.regions.selectors import region_within_q

    ensure_permission(actor=actor, capability=C.INVITATIONS_PRINT, region_code=region_code)
    villages = list(Region.objects.filter(region_within_q(region_code), level=Region.Level.VILLAGE)
                    .order_by("code").values_list("code", flat=True))
    stats = {"villages": len(villages), "printed": 0, "empty": 0, "invitations": 0}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for done, village in enumerate(villages, start=1):
            items = invitation_source(actor=actor, village_code=village, programme=programme, tahap=tahap)
            if items:
                content = invitation_batch_pdf(actor=actor, village_code=village, items=items, per_page=per_page)
                archive.writestr(f"undangan-{programme}-{tahap}-{village}.pdf", content)
                stats["printed"] += 1
                stats["invitations"] += len(items)
            else:
                stats["empty"] += 1
            if progress is not None:
                progress(done, len(villages))
    return buffer.getvalue(), stats


# ---- the background print job of a region ------------------------------------------------------------------


def invitation_print_job_start(*, actor: Any, region_code: str, programme: str, tahap: int,
                               per_page: int = 4) -> Any:
    """Create the job (audited) and enqueue its task once the transaction commits."""
    from tepat.distribution.invitations.models import InvitationPrintJob

    ensure_permission(actor=actor, capability=C.INVITATIONS_PRINT, region_code=region_code)
    issues = []
    if not CODE_RE.match(programme or ""):
        issues.append(Issue("invitation_programme", "programme", "kode program tidak sah", "invalid programme code"))
    if not 1 <= int(tahap) <= 99:
        issues.append(Issue("invitation_tahap", "tahap", "tahap harus 1–99", "tahap must be 1–99"))
    if per_page not in (1, 4):
        issues.append(Issue("invitation_per_page", "per_page", "jumlah per halaman harus 1 atau 4",
                            "invitations per page must be 1 or 4"))
    if issues:
        raise ValidationFailed(issues)
    with transaction.atomic():
        job = InvitationPrintJob.objects.create(region_code=region_code, programme=programme, tahap=tahap,
                                                per_page=per_page, created_by=actor)
        audit_record(actor=actor, action=AuditAction.INVITATION_PRINT_JOB_START, target=job, region_code=region_code,
                     data={"programme": programme, "tahap": tahap, "per_page": per_page})

        def enqueue() -> None:
            from tepat.distribution.invitations.tasks import invitation_print_task

            invitation_print_task.enqueue(job_id=str(job.pk))

        transaction.on_commit(enqueue)
    return job


def invitation_print_job_run(*, job_id: str) -> Any:
    """The task's body: print every village of the job's region as its creator, the progress saved after each
    village; the ZIP saved to the default storage; done or failed through the job's transitions."""
    from django.core.files.base import ContentFile

    from tepat.audit.transitions import transition
    from tepat.distribution.invitations.models import InvitationPrintJob

    job = InvitationPrintJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != InvitationPrintJob.Status.RUNNING:
        return job

    def progress(done: int, total: int) -> None:
        InvitationPrintJob.objects.filter(pk=job.pk).update(done=done, total=total, updated_at=timezone.now())

    try:
        content, stats = invitation_region_zip(actor=job.created_by, region_code=job.region_code,
                                               programme=job.programme, tahap=job.tahap, per_page=job.per_page,
                                               progress=progress)
    except Exception as exc:  # recorded on the job, then re-raised for the task runner's log
        with transaction.atomic():
            transition(job, "fail", actor=job.created_by, region_code=job.region_code,
                       updates={"error": str(exc)[:2000], "finished_at": timezone.now()},
                       data={"error": type(exc).__name__})
        raise
    name = job.file.storage.save(f"invitations/undangan-{job.programme}-{job.tahap}-{job.region_code}-{job.pk}.zip",
                                 ContentFile(content))
    with transaction.atomic():
        return transition(job, "finish", actor=job.created_by, region_code=job.region_code,
                          updates={"file": name, "invitations": stats["invitations"], "done": stats["villages"],
                                   "total": stats["villages"], "finished_at": timezone.now()},
                          data=stats)


def invitation_print_job_get(*, actor: Any, job_id: Any) -> Any:
    """A job in the actor's scope (print capability), else 403/404."""
    from tepat.distribution.invitations.models import InvitationPrintJob

    ensure_capability(actor=actor, capability=C.INVITATIONS_PRINT)
    job = InvitationPrintJob.objects.filter(pk=job_id).first()
    if job is None or not actor_in_scope(actor, job.region_code):
        raise ObjectNotFound()
    return job
