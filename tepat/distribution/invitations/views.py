"""Invitation pages: the scan page (verify and use once) and a village's printable PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from tepat.accounts.access import ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ValidationFailed
from tepat.distribution.invitations.api import pdf_response
from tepat.distribution.invitations.forms import PrintForm, ScanForm
from tepat.distribution.invitations.services import invitation_batch_pdf, invitation_scan, invitation_source

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
