"""The data-quality JSON API: the review queue, dismissal, runs and list uploads, through the same services
and scoped fetches as the pages. Confirming a flag creates a proposal: that endpoint is the update workflow's
(`POST /api/v1/updates/flags/{id}/confirm`)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.quality import schemas as s
from tepat.quality.access import access_flag, access_run
from tepat.quality.adapters import HttpAdapter
from tepat.quality.models import MatchRun
from tepat.quality.selectors import FlagFilters, flag_detail, flag_list
from tepat.quality.services.flags import flag_dismiss
from tepat.quality.services.lists import external_list_upload
from tepat.quality.services.runs import run_create
from tepat.quality.tasks import civil_match_task, duplicates_task, external_list_task

router = Router(tags=["quality"])
ERRORS = dict.fromkeys((401, 403, 404, 409, 422), s.ErrorOut)


class FlagQuery(Schema):
    status: str = "open"
    kind: str = ""
    region: str = ""


@router.get("/flags", response={200: list[s.FlagOut], **ERRORS}, summary="Flags waiting for review in my regions")
def list_flags(request: HttpRequest, filters: Query[FlagQuery]):
    flags = flag_list(actor=request.auth, filters=FlagFilters(status=filters.status, kind=filters.kind,
                                                              region_code=filters.region))[:500]
    return [s.FlagOut.build(flag) for flag in flags]


def _detail(request: HttpRequest, flag) -> dict:
    detail = flag_detail(actor=request.auth, flag=flag)
    return {**s.FlagOut.build(flag), "records": detail["records"], "actions": detail["actions"],
            "merges": [{**m, "kept_id": str(m["kept_id"]), "dropped_id": str(m["dropped_id"]),
                        "created_at": m["created_at"].isoformat()} for m in detail["merges"]]}


@router.get("/flags/{flag_id}", response={200: s.FlagDetailOut, **ERRORS},
            summary="A flag with the records concerned and the evidence")
def get_flag(request: HttpRequest, flag_id: UUID):
    return _detail(request, access_flag(actor=request.auth, flag_id=flag_id))


@router.post("/flags/{flag_id}/dismiss", response={200: s.FlagDetailOut, **ERRORS},
             summary="Dismiss with a reason (the same evidence is not raised again)")
def dismiss_flag(request: HttpRequest, flag_id: UUID, payload: s.ReasonIn):
    flag = access_flag(actor=request.auth, flag_id=flag_id)
    return _detail(request, flag_dismiss(actor=request.auth, flag=flag, reason=payload.reason))


@router.post("/runs", response={202: s.RunOut, **ERRORS},
             summary="Start civil-registry matching (configured web service) or the duplicate search")
def start_run(request: HttpRequest, payload: s.RunIn):
    if payload.kind == MatchRun.Kind.CIVIL_REGISTRY:
        adapter = HttpAdapter.from_settings()
        run = run_create(actor=request.auth, kind=payload.kind, region_code=payload.region_code,
                         source=adapter.source)
        civil_match_task.enqueue(str(run.pk))
    elif payload.kind == MatchRun.Kind.DUPLICATES:
        options = {"threshold": payload.threshold} if payload.threshold else {}
        run = run_create(actor=request.auth, kind=payload.kind, region_code=payload.region_code, options=options)
        duplicates_task.enqueue(str(run.pk))
    else:
        raise ValidationFailed([Issue("choice", "kind", "jenis proses tidak dikenal", "unknown kind of run")])
    run.refresh_from_db()
    return 202, run


@router.get("/runs/{run_id}", response={200: s.RunOut, **ERRORS}, summary="A run and its progress")
def get_run(request: HttpRequest, run_id: UUID):
    return access_run(actor=request.auth, run_id=run_id)


@router.post("/lists", response={202: s.RunOut, **ERRORS},
             summary="Upload an external list with a column mapping; it is matched against the registry in the "
                     "background (poll GET /runs/{id}; counts.list_id names the list when done)")
def upload_list(request: HttpRequest, name: Form[str], kind: Form[str], region_code: Form[str], mapping: Form[str],
                file: File[UploadedFile]):
    columns = s.column_mapping(mapping)
    run = external_list_upload(actor=request.auth, region_code=region_code, name=name, kind=kind, upload=file,
                               mapping=columns)
    external_list_task.enqueue(str(run.pk))
    run.refresh_from_db()
    return 202, run
