"""The public JSON API (/api/v1/public/…): no login, the same services (and so the same proof-of-work,
rate limits and audit events) as the pages. Never returns personal data beyond the masked name."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tepat.public import selectors, services
from tepat.public.challenge import challenge_new

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
