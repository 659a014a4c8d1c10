"""Invitation pages: the scan page (verify and use once) and a village's printable PDF."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tepat.accounts.access import ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ValidationFailed
from tepat.distribution.invitations.api import job_file_response, pdf_response
from tepat.distribution.invitations.forms import JobForm, PrintForm, ScanForm
from tepat.distribution.invitations.services import (
    invitation_batch_pdf,
    invitation_print_job_get,
    invitation_print_job_start,
    invitation_scan,
    invitation_source,
)

C = Capability


@login_required
@require_http_methods(["GET", "POST"])
def scan_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.INVITATIONS_SCAN)
    verdict = None
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = invitation_scan(actor=request.user, token=form.cleaned_data["token"],
                                  device=form.cleaned_data["device"])
        form = ScanForm(initial={"device": form.cleaned_data["device"]})
    template = "invitations/_verdict.html" if request.htmx and verdict else "invitations/scan.html"
    return render(request, template, {"section": "distribution", "form": form, "verdict": verdict})


@login_required
@require_GET
def print_view(request: HttpRequest, village_code: str) -> HttpResponse:
    ensure_permission(actor=request.user, capability=C.INVITATIONS_PRINT, region_code=village_code)
    form = PrintForm(request.GET or None)
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            items = invitation_source(actor=request.user, village_code=village_code, programme=data["programme"],
                                      tahap=data["tahap"])
            content = invitation_batch_pdf(actor=request.user, village_code=village_code, items=items,
                                           per_page=data["per_page"])
        except ValidationFailed as exc:
            error = exc
        else:
            return pdf_response(content, f"undangan-{data['programme']}-{data['tahap']}-{village_code}.pdf")
    return render(request, "invitations/print.html", {"section": "distribution", "form": form,
                                                      "village_code": village_code, "error": error},
                  status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def job_new_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.INVITATIONS_PRINT)
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = invitation_print_job_start(actor=request.user, region_code=data["region_code"],
                                             programme=data["programme"], tahap=data["tahap"],
                                             per_page=data["per_page"])
        except ValidationFailed as exc:
            for issue in exc.issues:
                form.add_error(issue.field if issue.field in form.fields else None, issue.text)
        else:
            return redirect("invitations:job", pk=job.pk)
    return render(request, "invitations/job_new.html", {"section": "distribution", "form": form})


@login_required
@require_GET
def job_view(request: HttpRequest, pk: Any) -> HttpResponse:
    job = invitation_print_job_get(actor=request.user, job_id=pk)
    template = "invitations/_job.html" if request.htmx else "invitations/job.html"
    return render(request, template, {"section": "distribution", "job": job})


@login_required
@require_GET
def job_file_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return job_file_response(invitation_print_job_get(actor=request.user, job_id=pk))
