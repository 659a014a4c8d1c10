"""The field app's distribution API (mounted under /api/v1/distribution/field): the download of the KPM a
distributor may record receipts for, and the batch upload of receipts recorded offline, reported per item.
See `tepat.distribution.field` and docs/adr/0029-offline-field-app.md."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from tepat.distribution.api import ERRORS
from tepat.distribution.field import field_download, field_receipts_upload
from tepat.updates.api_sync import upload_input

router = Router(tags=["distribution"])

_UPLOAD_DOC = {
    "requestBody": {"content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "items": {"type": "string", "description": "JSON list of {client_id, kpm_ref, token?, receipt: "
                                                       "ReceiptIn}"},
            "photo:<client_id>": {"type": "string", "format": "binary"},
            "signature:<client_id>": {"type": "string", "format": "binary", "description": "PNG"}}}},
    }},
}


@router.get("/field/entries", response={200: dict, **ERRORS},
            summary="The KPM of my open distributions for offline receipts (keyset pages; first page: catalogues)")
def entries(request: HttpRequest, cursor: str = "", limit: int = 500):
    return field_download(actor=request.auth, cursor=cursor, limit=limit)


@router.post("/field/receipts", response={200: dict, **ERRORS}, openapi_extra=_UPLOAD_DOC,
             summary="Upload receipts recorded offline (multipart with photos and signature); per item, idempotent")
def upload(request: HttpRequest):
    items, files = upload_input(request)
    results = field_receipts_upload(actor=request.auth, items=items, files=files)
    count = {name: sum(1 for r in results if r["status"] == name) for name in ("ok", "error", "conflict")}
    return {"results": results, "ok": count["ok"], "errors": count["error"], "conflicts": count["conflict"]}
