"""JSON API of what follows the main distribution (mounted beside `api.py` under /api/v1/distribution): the
receipt's photo and signature uploads, the susulan batches, the post-distribution check. The same services
as the pages; errors are the project's bilingual error bodies."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from tepat.core.exceptions import ObjectNotFound
from tepat.distribution import selectors as sel
from tepat.distribution.api import ERRORS
from tepat.distribution.models import Receipt
from tepat.distribution.models_followup import PostCheck, PostCheckItem, SusulanEntry
from tepat.distribution.services.common import MANAGE, scoped
from tepat.distribution.services.evidence import access_receipt_file, receipt_files_add
from tepat.distribution.services.postcheck import postcheck_answer, postcheck_create, postcheck_progress
from tepat.distribution.services.susulan import (
    susulan_batch_create,
    susulan_cancel,
    susulan_candidates,
    susulan_discrepancies,
    susulan_pay,
)

router = Router(tags=["distribution"])


def _file(row) -> dict[str, Any]:
    return {"id": str(row.pk), "kind": row.kind, "name": row.original_name, "content_type": row.content_type,
            "size": row.size, "sha256": row.sha256, "url": f"/api/v1/distribution/receipt-files/{row.pk}"}


@router.post("/entries/{kpm_ref}/receipt/files", response={201: list[dict], **ERRORS},
             summary="Upload photos and/or the signature image of a recorded receipt (JPEG/PNG, size capped)")
def post_receipt_files(request: HttpRequest, kpm_ref: str, photos: File[list[UploadedFile]] = None,
                       signature_image: File[UploadedFile] = None):
    entry = sel.entry_by_ref(actor=request.auth, kpm_ref=kpm_ref)
    receipt = Receipt.objects.filter(entry=entry).first()
    if receipt is None:
        raise ObjectNotFound("Tanda terima belum dicatat / No receipt recorded yet")
    rows = receipt_files_add(actor=request.auth, receipt=receipt, photos=photos or [], signature=signature_image)
    return 201, [_file(r) for r in rows]


@router.get("/receipt-files/{file_id}", response={200: None, **ERRORS}, summary="One receipt photo or signature")
def get_receipt_file(request: HttpRequest, file_id: UUID):
    row = access_receipt_file(actor=request.auth, file_id=file_id)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- susulan ------------------------------------------------------------------------------------------


def _susulan(item: SusulanEntry) -> dict[str, Any]:
    return {"id": str(item.pk), "batch": item.batch.number, "kpm_ref": item.kpm_ref, "village": item.region_code,
            "amount": item.amount, "reason": item.reason, "origin": item.origin,
            "origin_reference": item.origin_reference, "status": item.status, "paid_amount": item.paid_amount,
            "paid_on": item.paid_on.isoformat() if item.paid_on else None}


class NoteIn(Schema):
    note: str = ""


class PayIn(Schema):
    amount: int
    paid_on: date | None = None
    reference: str = ""


class CancelIn(Schema):
    reason: str


@router.get("/distributions/{distribution_id}/susulan", response={200: dict, **ERRORS},
            summary="The tahap's susulan entries, the missed KPM still eligible or not (with why), discrepancies")
def get_susulan(request: HttpRequest, distribution_id: UUID):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    found = susulan_candidates(actor=request.auth, dist=dist)
    items = scoped(request.auth, SusulanEntry.objects.filter(distribution=dist).select_related("batch"))
    return {"entries": [_susulan(i) for i in items],
            "eligible": [{"kpm_ref": c["entry"].kpm_ref, "reason": c["reason"], "amount": c["outstanding"]}
                         for c in found["eligible"]],
            "ineligible": [{"kpm_ref": c["entry"].kpm_ref, "reason": c["reason"], "message_id": c["text"],
                            "message_en": c["text_en"]} for c in found["ineligible"]],
            "discrepancies": susulan_discrepancies(actor=request.auth, dist=dist)}


@router.post("/distributions/{distribution_id}/susulan", response={201: dict, **ERRORS},
             summary="Create a susulan batch with every eligible missed KPM")
def post_susulan(request: HttpRequest, distribution_id: UUID, payload: NoteIn):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    batch = susulan_batch_create(actor=request.auth, dist=dist, note=payload.note)
    return 201, {"id": str(batch.pk), "number": batch.number,
                 "entries": [_susulan(i) for i in batch.entries.select_related("batch")]}


def _susulan_item(request: HttpRequest, item_id: UUID) -> SusulanEntry:
    item = (scoped(request.auth, SusulanEntry.objects.select_related("batch", "distribution"))
            .filter(pk=item_id).first())
    if item is None:
        sel.access_distribution(actor=request.auth, distribution_id=None, capability=MANAGE)  # 403 before 404
    return item


@router.post("/susulan/{item_id}/pay", response={200: dict, **ERRORS}, summary="Record a susulan payment (once)")
def post_susulan_pay(request: HttpRequest, item_id: UUID, payload: PayIn):
    item = _susulan_item(request, item_id)
    return _susulan(susulan_pay(actor=request.auth, item=item, amount=payload.amount, paid_on=payload.paid_on,
                                reference=payload.reference))


@router.post("/susulan/{item_id}/cancel", response={200: dict, **ERRORS}, summary="Cancel a pending susulan entry")
def post_susulan_cancel(request: HttpRequest, item_id: UUID, payload: CancelIn):
    item = _susulan_item(request, item_id)
    return _susulan(susulan_cancel(actor=request.auth, item=item, reason=payload.reason))


# ---- post-distribution check ---------------------------------------------------------------------------


class PostCheckIn(Schema):
    village_code: str
    confidence: float = 0.95
    margin: float = 0.10


class AnswerIn(Schema):
    amount: int | None = None
    unreachable: bool = False
    note: str = ""


def _check(check: PostCheck) -> dict[str, Any]:
    return {"id": str(check.pk), "village": check.region_code, "confidence": float(check.confidence),
            "margin": float(check.margin), "population": check.population, "sample_size": check.sample_size,
            "seed": check.seed, "progress": postcheck_progress(check),
            "items": [{"id": str(i.pk), "kpm_ref": i.kpm_ref, "recorded_amount": i.recorded_amount,
                       "status": i.status, "answered_amount": i.answered_amount, "shortfall": i.shortfall,
                       "complaint_reference": i.complaint_reference} for i in check.items.all()]}


@router.post("/distributions/{distribution_id}/postchecks", response={201: dict, **ERRORS},
             summary="Draw a village's post-distribution check sample (size from confidence and margin)")
def post_postcheck(request: HttpRequest, distribution_id: UUID, payload: PostCheckIn):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    return 201, _check(postcheck_create(actor=request.auth, dist=dist, village_code=payload.village_code.strip(),
                                        confidence=payload.confidence, margin=payload.margin))


def _postcheck(request: HttpRequest, check_id: UUID) -> PostCheck:
    check = scoped(request.auth, PostCheck.objects.all()).filter(pk=check_id).first()
    if check is None:
        sel.access_distribution(actor=request.auth, distribution_id=None)  # 403 without view, else 404
    return check


@router.get("/postchecks/{check_id}", response={200: dict, **ERRORS}, summary="A village's check and its answers")
def get_postcheck(request: HttpRequest, check_id: UUID):
    return _check(_postcheck(request, check_id))


@router.post("/postcheck-items/{item_id}/answer", response={200: dict, **ERRORS},
             summary='Record "received how much?" (a shortfall opens a complaint)')
def post_postcheck_answer(request: HttpRequest, item_id: UUID, payload: AnswerIn):
    item = (scoped(request.auth, PostCheckItem.objects.select_related("postcheck"), "postcheck__region_code")
            .filter(pk=item_id).first())
    if item is None:
        sel.access_distribution(actor=request.auth, distribution_id=None)
    item = postcheck_answer(actor=request.auth, item=item, amount=payload.amount, unreachable=payload.unreachable,
                            note=payload.note)
    return {"id": str(item.pk), "kpm_ref": item.kpm_ref, "status": item.status, "shortfall": item.shortfall,
            "complaint_reference": item.complaint_reference}
