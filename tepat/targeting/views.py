"""Targeting pages: desil releases (upload as a background job, the report, families without desil) and the
local estimate (weight versions, village recap, review list). Thin handlers over services and selectors;
every list of people is logged as a view of personal data and shows KK numbers through the masking module.
"""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tepat.accounts.access import actor_can, ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ValidationFailed
from tepat.core.uploads import formula_guard
from tepat.registry.forms import apply_service_errors
from tepat.registry.selectors import personal_data_viewed
from tepat.registry.views import _form_response, _posted
from tepat.targeting.desil_file import TEMPLATE_HEADERS
from tepat.targeting.forms import DesilUploadForm, WeightSetForm, weights_text
from tepat.targeting.models import DesilRelease
from tepat.targeting.pmt import REVIEW_GAP, default_weights
from tepat.targeting.selectors import (
    access_release,
    access_weight_set,
    families_without_desil,
    family_rows,
    release_issue_counts,
    release_issue_rows,
    release_report_csv,
    releases_visible,
    review_frame,
    review_rows,
    village_recap,
    weight_sets_visible,
)
from tepat.targeting.services import desil_import_start, pmt_weight_set_create
from tepat.targeting.tasks import desil_import_task, pmt_estimate_task

PER_PAGE = 50
SHOWN_ISSUES = 50
CSV_TYPE = "text/csv; charset=utf-8"


def _csv_response(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([[formula_guard(v) if isinstance(v, str) else v for v in row] for row in rows])
    response = HttpResponse(buffer.getvalue(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- desil releases ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def release_list(request: HttpRequest) -> HttpResponse:
    releases = releases_visible(actor=request.user)
    may_import = actor_can(request.user, Capability.TARGETING_IMPORT)
    form = DesilUploadForm(_posted(request), request.FILES or None, actor=request.user)
    if request.method == "POST":
        ensure_capability(actor=request.user, capability=Capability.TARGETING_IMPORT)
        if form.is_valid():
            try:
                release, queued = desil_import_start(actor=request.user, **form.start_args())
            except ValidationFailed as exc:
                apply_service_errors(form, exc)
            else:
                if queued:
                    transaction.on_commit(partial(desil_import_task.enqueue, release_id=str(release.pk),
                                                  actor_id=request.user.pk))
                return redirect("targeting:release_detail", pk=release.pk)
    context = {"form": form, "releases": releases[:100], "may_import": may_import,
               "template_headers": TEMPLATE_HEADERS}
    return _form_response(request, "targeting/release_list.html", context, form)


def _release_context(request: HttpRequest, pk: Any) -> dict[str, Any]:
    release = access_release(actor=request.user, release_id=pk)
    finished = release.status != DesilRelease.Status.IMPORTING
    issues = release_issue_rows(actor=request.user, release=release, limit=SHOWN_ISSUES) if finished else []
    if issues:  # the report quotes the file's NIK/KK numbers (masked for masked roles): a view of personal data
        personal_data_viewed(actor=request.user, kind="targeting.desil_report", count=len(issues),
                             region_code=release.region_id, target=release)
    return {"release": release, "finished": finished, "percent": round(release.progress * 100),
            "issue_counts": release_issue_counts(release) if finished else None,
            "issues": issues,
            "shown_issues": SHOWN_ISSUES}


@login_required
@require_GET
def release_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "targeting/release_detail.html", _release_context(request, pk))


@login_required
@require_GET
def release_progress(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "targeting/_release_progress.html", _release_context(request, pk))


@login_required
@require_GET
def release_report(request: HttpRequest, pk: Any) -> HttpResponse:
    release = access_release(actor=request.user, release_id=pk)
    content = release_report_csv(release, request.user)
    personal_data_viewed(actor=request.user, kind="targeting.desil_report_csv", count=release.rejected_count,
                         region_code=release.region_id, target=release)
    response = HttpResponse(content, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="laporan-desil-{release.period}.csv"'
    return response


@login_required
@require_GET
def desil_template(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.TARGETING_IMPORT)
    return _csv_response("templat-desil.csv", list(TEMPLATE_HEADERS), [])


@login_required
@require_GET
def release_missing(request: HttpRequest, pk: Any) -> HttpResponse:
    release = access_release(actor=request.user, release_id=pk)
    page = Paginator(families_without_desil(actor=request.user, release=release), PER_PAGE).get_page(request.GET.get("page"))
    rows = family_rows(actor=request.user, families=list(page.object_list))
    personal_data_viewed(actor=request.user, kind="targeting.families_without_desil", count=len(rows),
                         region_code=release.region_id, target=release)
    return render(request, "targeting/release_missing.html", {"release": release, "page": page, "rows": rows})


@login_required
@require_GET
def release_missing_csv(request: HttpRequest, pk: Any) -> HttpResponse:
    release = access_release(actor=request.user, release_id=pk)
    families = list(families_without_desil(actor=request.user, release=release))
    rows = family_rows(actor=request.user, families=families)
    personal_data_viewed(actor=request.user, kind="targeting.families_without_desil_csv", count=len(rows),
                         region_code=release.region_id, target=release)
    return _csv_response(f"tanpa-desil-{release.region_id}-{release.period}.csv",
                         ["NO_KK", "KEPALA_KELUARGA", "KODE_WILAYAH", "DESA", "RW", "RT"],
                         [[r["kk_number"], r["head_name"], r["region_code"], r["village"], r["rw"], r["rt"]] for r in rows])


# --- local estimate (PMT) ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def weight_sets(request: HttpRequest) -> HttpResponse:
    sets = weight_sets_visible(actor=request.user)
    base = None
    if request.GET.get("from"):
        base = access_weight_set(actor=request.user, weight_set_id=request.GET["from"])
    initial = {"weights": weights_text(list(base.weights.values_list("variable", "value", "region_prefix", "points")))
               if base else weights_text([(w["variable"], w["value"], "", w["points"]) for w in default_weights()]),
               "region": base.region_id if base else ""}
    form = WeightSetForm(_posted(request), actor=request.user, initial=initial)
    if request.method == "POST":
        ensure_capability(actor=request.user, capability=Capability.TARGETING_WEIGHTS)
        if form.is_valid():
            try:
                created = pmt_weight_set_create(actor=request.user, region_code=form.cleaned_data["region"],
                                                label=form.cleaned_data["label"], note=form.cleaned_data["note"],
                                                weights=form.cleaned_data["weights"], based_on=base,
                                                estimate_now=False)
                transaction.on_commit(partial(pmt_estimate_task.enqueue, weight_set_id=str(created.pk),
                                              actor_id=request.user.pk))
            except ValidationFailed as exc:
                apply_service_errors(form, exc)
            else:
                return redirect("targeting:weight_set_detail", pk=created.pk)
    may_edit = actor_can(request.user, Capability.TARGETING_WEIGHTS)
    return _form_response(request, "targeting/weight_sets.html",
                          {"sets": sets, "form": form, "base": base, "may_edit": may_edit}, form)


@login_required
@require_GET
def weight_set_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    weight_set = access_weight_set(actor=request.user, weight_set_id=pk)
    return render(request, "targeting/weight_set_detail.html",
                  {"weight_set": weight_set, "weights": list(weight_set.weights.all()),
                   "may_edit": actor_can(request.user, Capability.TARGETING_WEIGHTS)})


@login_required
@require_GET
def recap(request: HttpRequest, pk: Any) -> HttpResponse:
    weight_set = access_weight_set(actor=request.user, weight_set_id=pk)
    rows, release = village_recap(actor=request.user, weight_set=weight_set)
    return render(request, "targeting/recap.html", {"weight_set": weight_set, "rows": rows, "release": release,
                                                    "gap": REVIEW_GAP})


@login_required
@require_GET
def review(request: HttpRequest, pk: Any) -> HttpResponse:
    weight_set = access_weight_set(actor=request.user, weight_set_id=pk)
    region = request.GET.get("region", "")
    if region:
        ensure_permission(actor=request.user, capability=Capability.TARGETING_VIEW, region_code=region)
    frame, release = review_frame(actor=request.user, weight_set=weight_set, region_code=region)
    page = Paginator(range(frame.height), PER_PAGE).get_page(request.GET.get("page"))
    shown = frame.slice(page.start_index() - 1, PER_PAGE) if frame.height else frame
    rows = review_rows(actor=request.user, frame=shown)
    personal_data_viewed(actor=request.user, kind="targeting.review_list", count=len(rows),
                         region_code=region or weight_set.region_id, target=weight_set)
    return render(request, "targeting/review.html", {"weight_set": weight_set, "rows": rows, "page": page,
                                                     "release": release, "total": frame.height, "region": region,
                                                     "gap": REVIEW_GAP})


@login_required
@require_GET
def review_csv(request: HttpRequest, pk: Any) -> HttpResponse:
    weight_set = access_weight_set(actor=request.user, weight_set_id=pk)
    region = request.GET.get("region", "")
    if region:
        ensure_permission(actor=request.user, capability=Capability.TARGETING_VIEW, region_code=region)
    frame, _release = review_frame(actor=request.user, weight_set=weight_set, region_code=region)
    rows = []
    for start in range(0, frame.height, 2000):
        rows += review_rows(actor=request.user, frame=frame.slice(start, 2000))
    personal_data_viewed(actor=request.user, kind="targeting.review_list_csv", count=len(rows),
                         region_code=region or weight_set.region_id, target=weight_set)
    return _csv_response(
        f"tinjau-desil-{weight_set.region_id}-v{weight_set.version}.csv",
        ["NO_KK", "KEPALA_KELUARGA", "KODE_WILAYAH", "DESA", "DESIL_RESMI", "PERKIRAAN_LOKAL", "SELISIH", "SKOR"],
        [[r["kk_number"], r["head_name"], r["region_code"], r["village"], r["desil"], r["estimate"], r["gap"], r["score"]]
         for r in rows])
