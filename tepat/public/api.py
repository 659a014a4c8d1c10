"""The public JSON API (/api/v1/public/…): no login, the same services (and so the same proof-of-work,
rate limits and audit events) as the pages. Never returns personal data beyond the masked name."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.public import selectors, services
from tepat.public.actions import report_actions
from tepat.public.challenge import challenge_new
from tepat.public.models import CitizenReport

router = Router(tags=["public"], auth=None)

THROTTLED = {"message": "Terlalu banyak permintaan, coba lagi nanti / Too many requests, try again later",
             "code": "throttled"}


class ChallengeOut(Schema):
    algorithm: str
    challenge: str
    maxNumber: int
    salt: str
    signature: str


class LookupIn(Schema):
    name: str = Field(..., max_length=150, description="Full name as on the KTP (exact, case and spaces aside)")
    village: str = Field("", max_length=13, description="Village code (or give the NIK instead)")
    nik: str = Field("", max_length=20)
    altcha: str = Field(..., max_length=2000, description="The solved challenge (GET /challenge)")


class ProgrammeOut(Schema):
    code: str
    name: str
    year: int
    tahap: int
    tahap_label: str


class LookupOut(Schema):
    recipient: bool
    masked_name: str
    programmes: list[ProgrammeOut]


class TrackIn(Schema):
    code: str = Field(..., max_length=20)


class TrackOut(Schema):
    found: bool
    kind: str = ""
    status: str = ""
    workflow_status: str = ""


class VillageRowOut(Schema):
    programme: str
    year: int
    tahap: int
    village_code: str
    village: str
    families: str = Field(..., description='A count, or "< 5" when suppressed')
    tahap_amount: str


@router.get("/challenge", response=ChallengeOut, summary="A proof-of-work challenge (ALTCHA PoW v1, SHA-256)")
def challenge(request: HttpRequest):
    return challenge_new()


@router.post("/lookup", response={200: LookupOut, 429: dict}, summary="Public status lookup (cek bansos)")
def lookup(request: HttpRequest, payload: LookupIn):
    try:
        answer = services.status_lookup(request=request, village_code=payload.village, nik=payload.nik,
                                        name=payload.name, solution=payload.altcha)
    except services.Throttled:
        return 429, THROTTLED
    return 200, {"recipient": answer.recipient, "masked_name": answer.masked_name, "programmes": answer.programmes}


@router.post("/track", response={200: TrackOut, 429: dict}, summary="A citizen report's status by tracking code")
def track(request: HttpRequest, payload: TrackIn):
    try:
        report = services.tracking_status(request=request, code=payload.code)
    except services.Throttled:
        return 429, THROTTLED
    if report is None:
        return 200, {"found": False}
    return 200, {"found": True, "kind": report.kind, "status": report.status,
                 "workflow_status": report.proposal.status if report.proposal_id else ""}


@router.get("/transparency/recipients", response=list[VillageRowOut],
            summary="Recipient families and tahap amounts per village and programme (small cells suppressed)")
def recipients(request: HttpRequest):
    return selectors.open_data_rows()


class ComplaintRowOut(Schema):
    from_month: str = Field(..., description="First month of the period (YYYY-MM)")
    until_month: str = Field(..., description="Last month of the period, to date (YYYY-MM)")
    kecamatan_code: str
    kecamatan: str
    received: str = Field(..., description='Cases received in the period, or "< 5" when suppressed')
    resolved: str = Field(..., description='Of those, closed, rejected or duplicate; or "< 5"')
    median_days: str = Field(..., description='Median calendar days from intake to resolution; "–" when none '
                                              'or when the cell is suppressed')


@router.get("/transparency/complaints", response=list[ComplaintRowOut],
            summary="Complaints received and resolved per kecamatan, with the median days (sensitive cases left "
                    "out, small cells suppressed)")
def complaints(request: HttpRequest):
    return selectors.complaint_open_data_rows()


# ---- staff: the village queue of citizens' reports (/api/v1/citizen-reports/…, login) -------------------
# Mounted separately from the public router (config/api.py) so that the API's default session auth applies.

staff_router = Router(tags=["citizen reports"])


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class ReportOut(Schema):
    id: str
    tracking_code: str
    kind: str
    status: str
    village_code: str
    village: str
    subject_name: str
    rt: str
    identified: bool = Field(..., description="The named family was found in the registry")
    proposal_reference: str
    created_at: str
    actions: list[str] = Field(..., description="What this actor may do on it now")


class ReportDetailOut(ReportOut):
    reason: str
    proposal_for: str
    programme_code: str
    statement: str
    evidence: bool
    proposal_status: str
    handling_note: str


class ForwardIn(Schema):
    proposal_reference: str = Field("", max_length=40,
                                    description="A proposal staff entered for this report (else, for an "
                                                "identified sanggah, an objection is made)")


class AbuseIn(Schema):
    reason: str = Field(..., max_length=500)


class ContactOut(Schema):
    name: str
    contact: str


def _report_row(actor: Any, report: Any) -> dict[str, Any]:
    """Never the objector: their name and contact only through POST …/contact (Dinsos, audited)."""
    return {"id": str(report.pk), "tracking_code": report.tracking_code, "kind": report.kind,
            "status": report.status, "village_code": report.region_id, "village": report.region.name,
            "subject_name": report.subject_name, "rt": report.rt, "identified": report.family_id is not None,
            "proposal_reference": report.proposal.reference if report.proposal_id else "",
            "created_at": report.created_at.isoformat(), "actions": report_actions(actor, report)}


def _report_detail(actor: Any, report: Any) -> dict[str, Any]:
    return {**_report_row(actor, report), "reason": report.reason, "proposal_for": report.proposal_for,
            "programme_code": report.programme_code, "statement": report.statement,
            "evidence": bool(report.evidence),
            "proposal_status": report.proposal.status if report.proposal_id else "",
            "handling_note": report.handling_note}


def _report(request: HttpRequest, report_id: UUID):
    ensure_capability(actor=request.auth, capability=Capability.UPDATES_VIEW)
    return selectors.access_report(actor=request.auth, report_id=report_id)


@staff_router.get("", response={200: list[ReportOut], **ERRORS},
                  summary="The queue of citizens' reports in scope (newest first, at most 200)")
def report_list(request: HttpRequest, status: str = "received"):
    ensure_capability(actor=request.auth, capability=Capability.UPDATES_VIEW)
    if status and status not in CitizenReport.Status.values:
        raise ValidationFailed([Issue("invalid", "status", f"status: salah satu dari {', '.join(CitizenReport.Status.values)}",
                                      f"status: one of {', '.join(CitizenReport.Status.values)}")])
    return [_report_row(request.auth, r) for r in selectors.reports_in_scope(request.auth, status)[:200]]


@staff_router.get("/{report_id}", response={200: ReportDetailOut, **ERRORS}, summary="A citizen's report")
def report_detail(request: HttpRequest, report_id: UUID):
    return _report_detail(request.auth, _report(request, report_id))


@staff_router.post("/{report_id}/forward", response={200: ReportDetailOut, **ERRORS},
                   summary="Enter the report into the update workflow (objection, or a linked proposal)")
def report_forward(request: HttpRequest, report_id: UUID, payload: ForwardIn):
    report = services.citizen_report_forward(actor=request.auth, report=_report(request, report_id),
                                             proposal_reference=payload.proposal_reference)
    return _report_detail(request.auth, report)


@staff_router.post("/{report_id}/mark-abuse", response={200: ReportDetailOut, **ERRORS},
                   summary="Mark the report as abuse (not processed)")
def report_mark_abuse(request: HttpRequest, report_id: UUID, payload: AbuseIn):
    report = services.citizen_report_mark_abuse(actor=request.auth, report=_report(request, report_id),
                                                reason=payload.reason)
    return _report_detail(request.auth, report)


@staff_router.post("/{report_id}/contact", response={200: ContactOut, **ERRORS},
                   summary="The objector's name and contact (Dinas Sosial only; every view is audited)")
def report_contact(request: HttpRequest, report_id: UUID):
    return services.citizen_report_contact(actor=request.auth, report=_report(request, report_id))
