"""The public pages (no login) and the village queue of citizens' reports (staff). Handlers are thin:
parse, call one service or selector, render."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tepat.core.exceptions import ValidationFailed
from tepat.public import selectors, services
from tepat.public.actions import report_actions
from tepat.public.challenge import FIELD, challenge_new
from tepat.public.models import CitizenReport
from tepat.updates.models import Objection


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _errors(exc: ValidationFailed) -> list[str]:
    english = _english()
    return [issue.en if english else issue.id for issue in exc.issues]


def _throttled(request: HttpRequest) -> HttpResponse:
    return render(request, "public/throttled.html", status=429)


def _picker(data) -> dict:
    """The region picker's state from the request: each level only if it lies inside the level above."""
    province = (data.get("province") or "").strip()
    regency = (data.get("regency") or "").strip()
    kecamatan = (data.get("kecamatan") or "").strip()
    village = (data.get("village") or "").strip()
    regency = regency if province and regency.startswith(province + ".") else ""
    kecamatan = kecamatan if regency and kecamatan.startswith(regency + ".") else ""
    village = village if kecamatan and village.startswith(kecamatan + ".") else ""
    return {"levels": [
        ("province", _("Province"), selectors.region_options(None), province),
        ("regency", _("Regency / city"), selectors.region_options(province) if province else [], regency),
        ("kecamatan", _("Kecamatan"), selectors.region_options(regency) if regency else [], kecamatan),
        ("village", _("Village / kelurahan"), selectors.region_options(kecamatan) if kecamatan else [], village),
    ], "village": village}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/index.html")


@require_GET
def challenge(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(challenge_new())
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def region_picker(request: HttpRequest) -> HttpResponse:
    return render(request, "public/_region_picker.html", {"picker": _picker(request.GET)})


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    context = {"picker": _picker(request.POST or request.GET), "answered": False}
    if request.method == "POST":
        try:
            answer = services.status_lookup(
                request=request, village_code=request.POST.get("village", ""), nik=request.POST.get("nik", ""),
                name=request.POST.get("name", ""), solution=request.POST.get(FIELD, ""))
        except ValidationFailed as exc:
            context["errors"] = _errors(exc)
        except services.Throttled:
            return _throttled(request)
        else:
            context.update(answered=True, answer=answer)
    return render(request, "public/lookup.html", context)


def _report_page(request: HttpRequest, kind: str) -> HttpResponse:
    picker = _picker(request.POST or request.GET)
    context = {"kind": kind, "picker": picker, "reasons": Objection.Reason.choices,
               "proposal_for": CitizenReport.ProposalFor.choices,
               "names": selectors.published_names(picker["village"]),
               "programmes": selectors.programme_criteria(_english()), "values": request.POST}
    if request.method == "POST" and request.POST.get("send"):
        fields = ("entry", "subject_name", "rt", "reason", "proposal_for", "programme_code", "statement",
                  "objector_name", "objector_contact")
        try:
            report = services.citizen_report_create(
                request=request, kind=kind, village_code=picker["village"],
                data={name: request.POST.get(name, "") for name in fields},
                evidence=request.FILES.get("evidence"), solution=request.POST.get(FIELD, ""))
        except ValidationFailed as exc:
            context["errors"] = _errors(exc)
        except services.Throttled:
            return _throttled(request)
        else:
            return render(request, "public/report_done.html", {"report": report})
    return render(request, "public/report_form.html", context)


@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest) -> HttpResponse:
    return _report_page(request, CitizenReport.Kind.OBJECTION)


@require_http_methods(["GET", "POST"])
def proposal(request: HttpRequest) -> HttpResponse:
    return _report_page(request, CitizenReport.Kind.PROPOSAL)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    context = {"asked": False}
    code = request.POST.get("code") or ""
    if request.method == "POST":
        try:
            context.update(asked=True, report=services.tracking_status(request=request, code=code))
        except services.Throttled:
            return _throttled(request)
    return render(request, "public/track.html", context)


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    english = _english()
    return render(request, "public/transparency.html", {
        "criteria": selectors.programme_criteria(english), "rows": selectors.recipients_by_village(),
        "schedule": selectors.distribution_schedule(), "name_lists": bool(selectors.conf.name_list_programmes()),
        "complaints": selectors.complaint_statistics(),
    })


@require_GET
def published_list(request: HttpRequest) -> HttpResponse:
    picker = _picker(request.GET)
    return render(request, "public/names.html", {"picker": picker, "names": selectors.published_names(picker["village"]),
                                                 "enabled": bool(selectors.conf.name_list_programmes())})


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tepat-penerima-per-desa.csv"'
    rows = selectors.open_data_rows()
    writer = csv.DictWriter(response, fieldnames=["programme", "year", "tahap", "village_code", "village",
                                                  "families", "tahap_amount"])
    writer.writeheader()
    writer.writerows(rows)
    return response


@require_GET
def complaint_open_data(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tepat-pengaduan-per-kecamatan.csv"'
    writer = csv.DictWriter(response, fieldnames=["from_month", "until_month", "kecamatan_code", "kecamatan",
                                                  "received", "resolved", "median_days"])
    writer.writeheader()
    writer.writerows(selectors.complaint_open_data_rows())
    return response


# ---- staff ------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CitizenReport.Status.RECEIVED)
    if status not in CitizenReport.Status.values:
        status = CitizenReport.Status.RECEIVED
    reports = selectors.reports_in_scope(request.user, status)[:200]
    return render(request, "public/staff_queue.html", {"reports": reports, "status": status,
                                                       "statuses": CitizenReport.Status.choices})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id) -> HttpResponse:
    report = selectors.access_report(actor=request.user, report_id=report_id)
    context = {"report": report, "actions": report_actions(request.user, report), "contact": None}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "forward":
                services.citizen_report_forward(actor=request.user, report=report,
                                                proposal_reference=request.POST.get("proposal_reference", ""))
                return redirect(reverse("public:report_detail", args=[report.pk]))
            if action == "mark_abuse":
                services.citizen_report_mark_abuse(actor=request.user, report=report,
                                                   reason=request.POST.get("reason", ""))
                return redirect(reverse("public:report_detail", args=[report.pk]))
            if action == "view_contact":
                context["contact"] = services.citizen_report_contact(actor=request.user, report=report)
        except ValidationFailed as exc:
            context["errors"] = _errors(exc)
    return render(request, "public/staff_report.html", context)

