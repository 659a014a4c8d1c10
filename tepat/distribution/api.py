"""The distribution JSON API (/api/v1/distribution/…): tahap distributions, channels, list versions and
their entries (masked unless the reader may see NIK/KK), export (the file streamed; SHA-256 and the one-time
XLSX password in response headers), the return queue, receipts by KPM reference (the field app builds on
it), realisation and channel-return imports, reconciliation, the two-person close. The same services and
scoped selectors as the pages."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from tepat.accounts.access import ensure_capability
from tepat.core.exceptions import ObjectNotFound
from tepat.distribution import selectors as sel
from tepat.distribution.models import (
    Channel,
    Distribution,
    DistributionList,
    RealisationImport,
    Receipt,
    ReturnItem,
)
from tepat.distribution.services.close import close_approve, close_refuse, close_request
from tepat.distribution.services.common import CLOSE, MANAGE, VIEW, refuse
from tepat.distribution.services.export import list_export
from tepat.distribution.services.lists import distribution_create, list_version_create
from tepat.distribution.services.realisation import (
    realisation_import,
    reconciliation,
    return_resolve,
    returns_import,
)
from tepat.distribution.services.receipts import receipt_record
from tepat.programs.models import BeneficiaryList
from tepat.registry.selectors import personal_data_viewed

router = Router(tags=["distribution"])


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _dist(d: Distribution) -> dict[str, Any]:
    return {"id": str(d.pk), "list_id": str(d.beneficiary_list_id), "region": d.region_code,
            "programme": d.programme_code, "tahap": d.tahap, "starts_on": d.starts_on.isoformat(),
            "ends_on": d.ends_on.isoformat(), "status": d.status,
            "close_requested_by": str(d.close_requested_by_id or ""), "closed_by": str(d.closed_by_id or ""),
            "lists": [_list(x) for x in d.lists.select_related("channel").order_by("channel_id", "-version")]}


def _list(x: DistributionList) -> dict[str, Any]:
    return {"id": str(x.pk), "channel": x.channel_id, "version": x.version, "status": x.status,
            "entries": x.entry_count, "amount": x.total_amount, "held_back": x.held_back, "area": x.area_codes}


def _import(imp: RealisationImport) -> dict[str, Any]:
    return {"id": str(imp.pk), "file": imp.file_name, "sha256": imp.sha256, "rows": imp.rows,
            "applied": imp.applied, "unchanged": imp.unchanged, "rejected": imp.rejected, "errors": imp.errors}


def _item(item: ReturnItem) -> dict[str, Any]:
    return {"id": str(item.pk), "kpm_ref": item.kpm_ref, "village": item.region_code, "source": item.source,
            "reasons": item.reason_codes, "detail": item.detail, "deadline": item.deadline.isoformat(),
            "status": item.status}


class DistributionIn(Schema):
    list_id: UUID
    starts_on: date | None = None
    ends_on: date | None = None
    return_deadline_days: int = 14


class VersionIn(Schema):
    channel: str
    area_codes: list[str] = []
    note: str = ""


class ExportIn(Schema):
    format: str = "csv"
    scope: str = ""


class ReceiptIn(Schema):
    outcome: str
    amount: int | None = None
    collector: str = ""
    collector_name: str = ""
    authority_letter: str = ""
    reason: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    received_at: str | None = None
    signature: str = ""
    photos: list[str] = []
    device: str = ""
    note: str = ""


class NoteIn(Schema):
    note: str = ""


@router.get("/channels", response={200: list[dict], **ERRORS}, summary="The channels and their export layouts")
def channels(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=VIEW)  # channels are not personal data
    return [{"code": c.code, "name": c.name, "kind": c.kind, "mode": c.mode, "columns": c.columns,
             "address_standard": c.address_standard, "password_protected": c.password_protected}
            for c in Channel.objects.filter(active=True)]


@router.get("/distributions", response={200: list[dict], **ERRORS}, summary="Tahap distributions in my regions")
def distributions(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=VIEW)
    return [_dist(d) for d in sel.distributions_visible(request.auth)[:200]]


@router.post("/distributions", response={201: dict, **ERRORS}, summary="Open the distribution of an approved list")
def create_distribution(request: HttpRequest, payload: DistributionIn):
    blist = BeneficiaryList.objects.select_related("release__programme").filter(pk=payload.list_id).first()
    if blist is None:
        raise ObjectNotFound()
    dist = distribution_create(actor=request.auth, blist=blist, starts_on=payload.starts_on, ends_on=payload.ends_on,
                               return_deadline_days=payload.return_deadline_days)
    return 201, _dist(dist)


@router.get("/distributions/{distribution_id}", response={200: dict, **ERRORS}, summary="A tahap distribution")
def get_distribution(request: HttpRequest, distribution_id: UUID):
    return _dist(sel.access_distribution(actor=request.auth, distribution_id=distribution_id))


@router.post("/distributions/{distribution_id}/lists", response={201: dict, **ERRORS},
             summary="A new list version for a channel (pre-flight cleansing; failures to the return queue)")
def create_version(request: HttpRequest, distribution_id: UUID, payload: VersionIn):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    channel = Channel.objects.filter(code=payload.channel).first()
    if channel is None:
        raise ObjectNotFound()
    return 201, _list(list_version_create(actor=request.auth, dist=dist, channel=channel,
                                          area_codes=payload.area_codes, note=payload.note))


@router.get("/lists/{list_id}/entries", response={200: list[dict], **ERRORS},
            summary="The KPM of a list version in my regions (NIK/KK masked unless I may see them)")
def list_entries(request: HttpRequest, list_id: UUID, offset: int = 0, limit: int = 200):
    dlist = sel.access_list(actor=request.auth, list_id=list_id)
    offset, limit = max(offset, 0), min(max(limit, 1), 1000)
    rows = [sel.entry_row(request.auth, e) for e in
            sel.entries_in_scope(request.auth, dlist).select_related("list")[offset:offset + limit]]
    personal_data_viewed(actor=request.auth, kind="distribution_list", count=len(rows),
                         region_code=dlist.distribution.region_code, target=dlist)
    return rows


@router.post("/lists/{list_id}/export", response={200: None, **ERRORS},
             summary="Export the danom/BNBA (CSV or password-protected XLSX); the password is shown once")
def export(request: HttpRequest, list_id: UUID, payload: ExportIn):
    dlist = sel.access_list(actor=request.auth, list_id=list_id)
    result = list_export(actor=request.auth, dlist=dlist, fmt=payload.format, scope_code=payload.scope)
    return _file_response(result)


def _file_response(result) -> FileResponse:
    handle = result.path.open("rb")
    result.path.unlink()  # the open handle keeps the bytes until the response is streamed
    content_type = ("text/csv; charset=utf-8" if result.record.format == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = FileResponse(handle, as_attachment=True, filename=result.record.file_name, content_type=content_type)
    response["X-Tepat-SHA256"] = result.record.sha256
    response["X-Tepat-Count"] = str(result.record.entry_count)
    response["X-Tepat-Amount"] = str(result.record.total_amount)
    if result.password:
        response["X-Tepat-Password"] = result.password
    response["Cache-Control"] = "no-store"
    return response


@router.get("/entries/{kpm_ref}", response={200: dict, **ERRORS}, summary="One KPM by reference (scan or search)")
def get_entry(request: HttpRequest, kpm_ref: str):
    entry = sel.entry_by_ref(actor=request.auth, kpm_ref=kpm_ref)
    personal_data_viewed(actor=request.auth, kind="distribution_entry", count=1, region_code=entry.region_code,
                         target=entry)
    row = sel.entry_row(request.auth, entry)
    receipt = Receipt.objects.filter(entry=entry).first()
    row["receipt"] = ({"outcome": receipt.outcome, "amount": receipt.amount, "reason": receipt.reason,
                       "gps_flag": receipt.gps_flag, "received_at": receipt.received_at.isoformat()}
                      if receipt else None)
    return row


@router.post("/entries/{kpm_ref}/receipt", response={201: dict, **ERRORS}, summary="Record a per-person receipt")
def post_receipt(request: HttpRequest, kpm_ref: str, payload: ReceiptIn):
    entry = sel.entry_by_ref(actor=request.auth, kpm_ref=kpm_ref)
    receipt = receipt_record(actor=request.auth, entry=entry, data=payload.dict())
    return 201, {"id": str(receipt.pk), "kpm_ref": entry.kpm_ref, "outcome": receipt.outcome,
                 "amount": receipt.amount, "gps_flag": receipt.gps_flag}


@router.get("/distributions/{distribution_id}/returns", response={200: list[dict], **ERRORS},
            summary="The 'dikembalikan untuk dilengkapi' queue in my villages")
def returns(request: HttpRequest, distribution_id: UUID, status: str = "open"):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id)
    return [_item(i) for i in sel.queue(request.auth, dist, status=status)[:1000]]


@router.post("/returns/{item_id}/complete", response={200: dict, **ERRORS},
             summary="The village completed the record (it rejoins the next version)")
def complete_return(request: HttpRequest, item_id: UUID, payload: NoteIn):
    item = sel.access_return(actor=request.auth, item_id=item_id)
    return _item(return_resolve(actor=request.auth, item=item, action="complete", note=payload.note))


@router.post("/returns/{item_id}/drop", response={200: dict, **ERRORS}, summary="Drop a record from the tahap")
def drop_return(request: HttpRequest, item_id: UUID, payload: NoteIn):
    item = sel.access_return(actor=request.auth, item_id=item_id)
    return _item(return_resolve(actor=request.auth, item=item, action="drop", note=payload.note))


def _mapping(text: str) -> dict[str, str] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse("mapping", "mapping", "pemetaan kolom bukan JSON", "the column mapping is not JSON") from exc
    if not isinstance(value, dict):
        raise refuse("mapping", "mapping", "pemetaan kolom harus objek JSON", "the column mapping must be a JSON object")
    return {str(k): str(v) for k, v in value.items()}


@router.post("/distributions/{distribution_id}/realisation", response={201: dict, **ERRORS},
             summary="Import a realisation report or bank statement (each bad row reported; a rerun changes nothing)")
def post_realisation(request: HttpRequest, distribution_id: UUID, file: File[UploadedFile],
                     channel: Form[str] = "", mapping: Form[str] = ""):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    ch = Channel.objects.filter(code=channel).first() if channel else None
    imp = realisation_import(actor=request.auth, dist=dist, source=file.read(), file_name=file.name or "upload",
                             channel=ch, mapping=_mapping(mapping))
    return 201, _import(imp)


@router.post("/distributions/{distribution_id}/channel-returns", response={201: dict, **ERRORS},
             summary="Import the channel's returned records into the village queues")
def post_channel_returns(request: HttpRequest, distribution_id: UUID, file: File[UploadedFile],
                         channel: Form[str] = "", mapping: Form[str] = ""):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    ch = Channel.objects.filter(code=channel).first() if channel else None
    return 201, returns_import(actor=request.auth, dist=dist, source=file.read(), file_name=file.name or "upload",
                               channel=ch, mapping=_mapping(mapping))


@router.get("/distributions/{distribution_id}/reconciliation", response={200: dict, **ERRORS},
            summary="Entitled vs delivered vs paid vs returned per village and channel, with discrepancies")
def get_reconciliation(request: HttpRequest, distribution_id: UUID):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id)
    return reconciliation(actor=request.auth, dist=dist)


@router.post("/distributions/{distribution_id}/close-request", response={200: dict, **ERRORS},
             summary="Request the close of the tahap (a second person closes it)")
def post_close_request(request: HttpRequest, distribution_id: UUID, payload: NoteIn):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=MANAGE)
    return _dist(close_request(actor=request.auth, dist=dist, note=payload.note))


@router.post("/distributions/{distribution_id}/close", response={200: dict, **ERRORS},
             summary="Close and lock the tahap (a different user than the requester)")
def post_close(request: HttpRequest, distribution_id: UUID, payload: NoteIn):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=CLOSE)
    return _dist(close_approve(actor=request.auth, dist=dist, note=payload.note))


@router.post("/distributions/{distribution_id}/close-refuse", response={200: dict, **ERRORS},
             summary="Refuse the close request (back to open), with a reason")
def post_close_refuse(request: HttpRequest, distribution_id: UUID, payload: NoteIn):
    dist = sel.access_distribution(actor=request.auth, distribution_id=distribution_id, capability=CLOSE)
    return _dist(close_refuse(actor=request.auth, dist=dist, note=payload.note))
