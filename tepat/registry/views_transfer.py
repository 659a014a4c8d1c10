"""Registry import and export pages. Thin handlers over `tepat.registry.transfer`: the import services
check REGISTRY_IMPORT and scope, `access_import_job` shows a job to the person who started it only (404
for anyone else), `registry_export` checks REGISTRY_EXPORT and scope, masks and audits.

The import runs in the background worker (`registry_import_task`, enqueued once the job row is
committed); the job page polls a small partial until the job is done or failed.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ValidationFailed
from tepat.registry.forms import apply_service_errors
from tepat.registry.forms_transfer import ExportForm, ImportForm
from tepat.registry.models_transfer import ExportJob, ImportJob
from tepat.registry.tasks import registry_export_task, registry_import_task
from tepat.registry.transfer.export_jobs import (
    access_export_job,
    export_job_download,
    export_jobs_of,
    registry_export_start,
)
from tepat.registry.transfer.importer import import_issue_counts, import_summary, registry_import_start
from tepat.registry.transfer.presets import PRESETS
from tepat.registry.transfer.selectors import (
    access_import_job,
    import_job_issues,
    import_jobs_of,
    import_report_download,
)
from tepat.registry.views import _form_response, _posted

RECENT_JOBS = 10
SHOWN_ISSUES = 50
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _job_context(request: HttpRequest, pk: Any) -> dict[str, Any]:
    job = access_import_job(actor=request.user, job_id=pk)
    finished = job.status in FINISHED
    return {
        "job": job,
        "finished": finished,
        "percent": round(job.progress * 100),
        "summary": import_summary(job) if finished else None,
        "issue_counts": import_issue_counts(job) if finished else None,
        "issues": list(import_job_issues(actor=request.user, job_id=job.pk)[:SHOWN_ISSUES]) if finished else [],
        "shown_issues": SHOWN_ISSUES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_start_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.REGISTRY_IMPORT)
    form = ImportForm(_posted(request), request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = registry_import_start(actor=request.user, **form.start_args())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            # The worker must find the committed job row: enqueue after the commit.
            transaction.on_commit(partial(registry_import_task.enqueue, job_id=str(job.pk), actor_id=request.user.pk))
            return redirect("registry:import_job", pk=job.pk)
    context = {"form": form, "jobs": import_jobs_of(actor=request.user)[:RECENT_JOBS], "presets": preset_columns()}
    return _form_response(request, "registry/transfer/import_start.html", context, form)


def preset_columns() -> list[dict[str, Any]]:
    """Each preset with its column headers, for the import page's column list and template file."""
    return [{"name": preset.name, "label": preset.label, "headers": [column.header for column in preset.columns]}
            for preset in PRESETS.values()]


@login_required
@require_GET
def import_template_view(request: HttpRequest, preset: str) -> HttpResponse:
    """An empty file with the preset's header row, to fill in and import."""
    ensure_capability(actor=request.user, capability=Capability.REGISTRY_IMPORT)
    if preset not in PRESETS:
        raise Http404
    headers = [column.header for column in PRESETS[preset].columns]
    response = HttpResponse("\ufeff" + ",".join(headers) + "\r\n", content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="template-{preset}.csv"'
    return response


@login_required
@require_GET
def import_job_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "registry/transfer/import_job.html", _job_context(request, pk))


@login_required
@require_GET
def import_progress_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """The progress area alone, polled by the job page; it stops polling once the job is finished."""
    return render(request, "registry/transfer/_progress.html", _job_context(request, pk))


@login_required
@require_GET
def import_report_view(request: HttpRequest, pk: Any, fmt: str) -> FileResponse:
    """The job's row-level report (every rejected row and warning), as XLSX or CSV."""
    job, content = import_report_download(actor=request.user, job_id=pk, fmt=fmt)
    name = f"laporan-impor-{Path(job.file_name).stem or job.pk}.{fmt}"
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])


@login_required
@require_http_methods(["GET", "POST"])
def export_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.REGISTRY_EXPORT)
    form = ExportForm(_posted(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        # A district takes ~20 s: the export runs in the background worker and the job page shows progress.
        try:
            job = registry_export_start(actor=request.user, **form.export_args())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            transaction.on_commit(partial(registry_export_task.enqueue, job_id=str(job.pk)))
            return redirect("registry:export_job", pk=job.pk)
    recent = list(export_jobs_of(actor=request.user)[:RECENT_JOBS])
    return _form_response(request, "registry/transfer/export.html", {"form": form, "jobs": recent}, form)


def _export_context(request: HttpRequest, pk: Any) -> dict[str, Any]:
    job = access_export_job(actor=request.user, job_id=pk)
    return {"job": job, "finished": job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED)}


@login_required
@require_GET
def export_job_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "registry/transfer/export_job.html", _export_context(request, pk))


@login_required
@require_GET
def export_progress_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """The progress area alone, polled by the job page until the file is ready (or the job failed)."""
    return render(request, "registry/transfer/_export_progress.html", _export_context(request, pk))


@login_required
@require_GET
def export_download_view(request: HttpRequest, pk: Any) -> FileResponse:
    job, handle = export_job_download(actor=request.user, job_id=pk)
    name = f"dtks-{job.region_code}-{timezone.localtime(job.finished_at):%Y%m%d}.{job.fmt}"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.fmt])
