"""Registry exports through the JSON API, as the export page: start a background job, poll its progress,
download the file when it is done (each download audited as `personal_data.export`). A job is shown to the
person who started it only (404 for anyone else)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from uuid import UUID

from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from tepat.registry.schemas import ErrorOut
from tepat.registry.tasks import registry_export_task
from tepat.registry.transfer.export_jobs import access_export_job, export_job_download, registry_export_start

router = Router(tags=["registry"])
ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportIn(Schema):
    region_code: str
    format: str = "xlsx"
    preset: str = "siks"


class ExportJobOut(Schema):
    id: UUID
    region_code: str
    format: str
    preset: str
    status: str
    families_total: int
    families_done: int
    percent: int
    rows: int
    masked: bool
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_format(obj) -> str:
        return obj.fmt


@router.post("", response={202: ExportJobOut, **ERRORS},
             summary="Start an export of a region's registry (runs in the background; poll GET /exports/{id})")
def start_export(request: HttpRequest, payload: ExportIn):
    job = registry_export_start(actor=request.auth, region_code=payload.region_code, fmt=payload.format,
                                preset=payload.preset)
    transaction.on_commit(partial(registry_export_task.enqueue, job_id=str(job.pk)))
    return 202, job


@router.get("/{job_id}", response={200: ExportJobOut, **ERRORS}, summary="An export job and its progress")
def get_export(request: HttpRequest, job_id: UUID):
    return access_export_job(actor=request.auth, job_id=job_id)


@router.get("/{job_id}/file", response={200: None, **ERRORS},
            summary="The finished export file; each download is logged as a personal-data export")
def download_export(request: HttpRequest, job_id: UUID):
    job, handle = export_job_download(actor=request.auth, job_id=job_id)
    name = f"dtks-{job.region_code}-{timezone.localtime(job.finished_at):%Y%m%d}.{job.fmt}"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.fmt])
