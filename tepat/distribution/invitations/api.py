"""The invitations JSON API (/api/v1/invitations/…): the public keys for offline verification, the scan
(verify + single use), and a village's printable PDF — through the same services as the pages."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from tepat.core.exceptions import BusinessRuleViolation
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.services import (
    invitation_batch_pdf,
    invitation_print_job_get,
    invitation_print_job_start,
    invitation_scan,
    invitation_source,
)

router = Router(tags=["invitations"])


class KeyOut(Schema):
    key_id: str
    public_key: str  # base64url of the raw 32-byte Ed25519 public key
    current: bool


class KeysOut(Schema):
    algorithm: str
    token_format: str
    keys: list[KeyOut]


class ScanIn(Schema):
    token: str
    device: str = ""
    # when a device scanned offline and syncs later: its scan time (the expiry is checked on that day)
    scanned_at: datetime | None = None


class PayloadOut(Schema):
    key_id: str
    kpm_ref: str
    programme: str
    tahap: int
    amount: int
    expires_on: str
    village_code: str
    token_id: str


class ScanRecordOut(Schema):
    id: str
    scanned_at: str
    scanned_by: str
    scanned_by_name: str
    device: str


class VerdictOut(Schema):
    verdict: str  # accepted | already_used | invalid
    accepted: bool
    reason: str
    message_id: str
    message_en: str
    payload: PayloadOut | None = None
    scan: ScanRecordOut | None = None


class ErrorOut(Schema):
    message: str
    code: str


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)

TOKEN_FORMAT = ("base64url(payload) '.' base64url(Ed25519 signature over b'tepat-invitation:' + payload); payload "
                "'1|key id|kpm_ref|programme|tahap|amount|YYYYMMDD expiry|10-digit village code' (UTF-8). Valid "
                "through the expiry day; single use is checked online at POST /api/v1/invitations/scan.")


@router.get("/keys", response={200: KeysOut, **ERRORS}, summary="Public keys that verify invitations (offline devices)")
def keys(request: HttpRequest):
    """Not secret and not personal, but behind the session like the rest of the staff API (only
    /api/v1/public/ is open): a signed-in field device downloads it, then verifies without a connection."""
    try:
        current = signing.current_key_id()
    except ImproperlyConfigured:  # no signing key configured: still publish the verifying ones
        current = ""
    return {"algorithm": signing.ALGORITHM, "token_format": TOKEN_FORMAT,
            "keys": [{"key_id": kid, "public_key": key, "current": kid == current}
                     for kid, key in sorted(signing.public_keys().items())]}


@router.post("/scan", response={200: VerdictOut, **ERRORS}, summary="Scan an invitation (verify and use it once)")
def scan(request: HttpRequest, payload: ScanIn):
    """200 with the verdict: accepted (recorded), already_used (when and by whom), invalid (the reason:
    malformed, bad_signature, unknown_key, expired). 403 without the scan capability; 404 for a valid
    invitation of a village outside the actor's regions."""
    return invitation_scan(actor=request.auth, token=payload.token, device=payload.device,
                           offline_at=payload.scanned_at).as_dict()


class PdfQuery(Schema):
    programme: str
    tahap: int
    per_page: int = 4


@router.get("/villages/{village_code}/pdf", response={200: None, **ERRORS},
            summary="The invitations of one village for one programme tahap (PDF, A4)")
def village_pdf(request: HttpRequest, village_code: str, query: Query[PdfQuery]):
    items = invitation_source(actor=request.auth, village_code=village_code, programme=query.programme,
                              tahap=query.tahap)
    content = invitation_batch_pdf(actor=request.auth, village_code=village_code, items=items,
                                   per_page=query.per_page)
    return pdf_response(content, f"undangan-{query.programme}-{query.tahap}-{village_code}.pdf")


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class JobIn(Schema):
    region_code: str
    programme: str
    tahap: int
    per_page: int = 4


class JobOut(Schema):
    id: str
    region_code: str
    programme: str
    tahap: int
    per_page: int
    status: str
    done: int
    total: int
    percent: int
    invitations: int
    error: str
    file_url: str


def job_out(job) -> dict:
    return {"id": str(job.pk), "region_code": job.region_code, "programme": job.programme, "tahap": job.tahap,
            "per_page": job.per_page, "status": job.status, "done": job.done, "total": job.total,
            "percent": job.percent, "invitations": job.invitations, "error": job.error,
            "file_url": f"/api/v1/invitations/jobs/{job.pk}/file" if job.status == "done" else ""}


@router.post("/jobs", response={202: JobOut, **ERRORS}, summary="Print a kecamatan's or the district's invitations "
             "in the background (one PDF per village, in a ZIP)")
def start_job(request: HttpRequest, payload: JobIn):
    job = invitation_print_job_start(actor=request.auth, region_code=payload.region_code, programme=payload.programme,
                                     tahap=payload.tahap, per_page=payload.per_page)
    job.refresh_from_db()
    return 202, job_out(job)


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="A print job's progress")
def get_job(request: HttpRequest, job_id: UUID):
    return job_out(invitation_print_job_get(actor=request.auth, job_id=job_id))


@router.get("/jobs/{job_id}/file", response={200: None, **ERRORS}, summary="The ZIP of a finished print job")
def job_file(request: HttpRequest, job_id: UUID):
    return job_file_response(invitation_print_job_get(actor=request.auth, job_id=job_id))


def job_file_response(job) -> HttpResponse:
    if job.status != "done" or not job.file:
        raise BusinessRuleViolation("Pencetakan belum selesai / The printing has not finished")
    with job.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{job.file.name.rsplit("/", 1)[-1]}"'
    response["Cache-Control"] = "no-store"
    return response
