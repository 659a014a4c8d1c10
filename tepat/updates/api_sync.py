"""/sync: the field device's download of its assignments and upload of visits (issue 14 item 3).

Thin handlers over `tepat.updates.sync`; the registry's own schemas (and so its masking) render families
and members.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.registry.schemas import FamilyOut, MemberOut
from tepat.updates import schemas as s
from tepat.updates.forms import correction_input
from tepat.updates.sync import sync_changes, visits_upload

router = Router(tags=["sync"])
ERRORS = dict.fromkeys((401, 403, 404, 409, 422), s.ErrorOut)


class ChangesQuery(Schema):
    cursor: str = Field("", max_length=2000, description="The `cursor` of the previous page; empty: from the start")
    limit: int = Field(100, ge=1, le=500, description="At most this many rows per stream")


class SyncFactOut(s.FactRowOut):
    raw: Any = Field(None, description="The proposed value as stored (a code, a date, text)")
    input: dict[str, Any] = Field(..., description="How to correct it: choice (with its codes), date or text")

    @staticmethod
    def resolve_input(obj) -> dict[str, Any]:
        return correction_input(obj)


class AssignmentOut(Schema):
    id: UUID = Field(..., alias="proposal.id")
    reference: str = Field(..., alias="proposal.reference")
    kind: str = Field(..., alias="proposal.kind")
    kind_label: str = Field(..., alias="proposal.get_kind_display")
    status: str = Field(..., alias="proposal.status")
    region_code: str = Field(..., alias="proposal.region_id")
    family_id: UUID | None = Field(None, alias="proposal.family_id")
    individual_id: UUID | None = Field(None, alias="proposal.individual_id")
    subject_name: str = Field(..., alias="proposal.subject_name")
    updated_at: dt.datetime = Field(..., alias="proposal.updated_at")
    etag: str = Field(..., description="Send back as `if_match` with the visit: a changed proposal is a conflict")
    facts: list[SyncFactOut] = Field(..., description="Each proposed fact to confirm or correct (open only)")
    family: FamilyOut | None = Field(None, description="The family as it is now (open assignments only)")
    members: list[MemberOut] = []


class ChangesOut(Schema):
    assignments: list[AssignmentOut]
    families: list[FamilyOut]
    members: list[MemberOut]
    reference: dict[str, Any] | None = Field(None, description="Regions and code lists, when they changed")
    cursor: str
    has_more: bool = Field(..., description="Ask again with `cursor` until false; keep the last cursor")


class ItemResultOut(Schema):
    client_id: str | None
    status: str = Field(..., description="ok, error or conflict")
    code: str | None = None
    field: str | None = None
    message: dict[str, str] | None = None
    errors: list[dict[str, Any]] | None = None
    verification_id: str | None = None
    proposal_status: str | None = None
    etag: str | None = None
    current: dict[str, Any] | None = Field(None, description="conflict: the proposal as it is now")
    sent: dict[str, Any] | None = Field(None, description="conflict: the item as sent (without photos)")
    replayed: bool = False


class UploadOut(Schema):
    results: list[ItemResultOut]
    ok: int
    errors: int
    conflicts: int


@router.get("/changes", response={200: ChangesOut, **ERRORS},
            summary="My assignments, their families and members, and reference lists changed since a cursor")
def changes(request: HttpRequest, filters: Query[ChangesQuery]):
    return sync_changes(actor=request.auth, cursor=filters.cursor, limit=filters.limit)


_UPLOAD_DOC = {
    "requestBody": {"content": {
        "application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {
            "type": "object", "required": ["client_id", "proposal_id", "visit"],
            "properties": {"client_id": {"type": "string"}, "proposal_id": {"type": "string", "format": "uuid"},
                           "if_match": {"type": "string"}, "visit": {"$ref": "#/components/schemas/VerificationIn"},
                           "photos": {"type": "array", "items": {"type": "object"}}}}}}}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "items": {"type": "string", "description": "the items as JSON"},
            "photo:<client_id>": {"type": "string", "format": "binary"}}}},
    }},
}


def upload_input(request: HttpRequest) -> tuple[list[Any], dict[str, list[Any]]]:
    try:
        if request.content_type == "multipart/form-data":
            items = json.loads(request.POST.get("items", ""))
            files = {name: request.FILES.getlist(name) for name in request.FILES}
        else:
            items, files = json.loads(request.body or b"{}").get("items"), {}
    except (ValueError, AttributeError):
        items = None
    if not isinstance(items, list):
        raise ValidationFailed([Issue("list_type", "items", "items harus berupa daftar (array)",
                                      "items must be a list (array)")])
    return items, files


@router.post("/visits", response={200: UploadOut, **ERRORS}, openapi_extra=_UPLOAD_DOC,
             summary="Upload queued visits (JSON, or multipart with photos); reported per item, each idempotent")
def upload_visits(request: HttpRequest):
    from tepat.updates.api import _detail

    items, files = upload_input(request)
    results = visits_upload(actor=request.auth, items=items, files=files,
                            current=lambda proposal: s.ProposalDetailOut.model_validate(
                                _detail(request, proposal), context={"request": request}).model_dump(mode="json"))
    count = {name: sum(1 for r in results if r["status"] == name) for name in ("ok", "error", "conflict")}
    return {"results": results, "ok": count["ok"], "errors": count["error"], "conflicts": count["conflict"]}
