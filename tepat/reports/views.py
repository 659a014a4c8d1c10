"""Pages: the regional recap (table, chart, drill-down to child regions) and its XLSX/PDF downloads.
Thin: the selector checks capability and scope; the export service records the audit event."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tepat.accounts.access import actor_can
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.reports import charts
from tepat.reports.models import RecapRun
from tepat.reports.precompute import recap_refresh_request
from tepat.reports.selectors import recap_roots, region_recap
from tepat.reports.services import FORMATS, recap_export
from tepat.reports.trends import period_trends


@login_required
@require_GET
def recap(request: HttpRequest) -> HttpResponse:
    data = region_recap(actor=request.user, region_code=request.GET.get("region") or None)
    sort = request.GET.get("sort", "")
    keys = {"code", "name", *(col.key for col in data.columns)}
    if sort.lstrip("-") in keys:
        data.rows.sort(key=lambda row: (row[sort.lstrip("-")] is None, row[sort.lstrip("-")]),
                       reverse=sort.startswith("-"))
    return render(request, "reports/recap.html", {
        "recap": data, "roots": recap_roots(request.user), "sort": sort,
        "drill": data.child_level > data.region.level,
        "rows": [{**row, "cells": [row[col.key] for col in data.columns]} for row in data.rows],
        "totals": [data.totals[col.key] for col in data.columns],
        "can_refresh": actor_can(request.user, Capability.REPORTS_REFRESH),
        "pending": RecapRun.objects.filter(root_code=data.region.code, status__in=[
            RecapRun.Status.PENDING, RecapRun.Status.RUNNING]).exists(),
    })


@login_required
@require_POST
def recap_refresh(request: HttpRequest) -> HttpResponse:
    """A supervisor asks for the region's recap to be computed again (a background job)."""
    run = recap_refresh_request(actor=request.user, region_code=request.POST.get("region", ""))
    messages.success(request, _("The recap is being computed again; the page shows the new figures when it is done."))
    return redirect(f"{reverse('reports:recap')}?region={run.root_code}")


@login_required
@require_GET
@charts.chart_csp
def recap_chart(request: HttpRequest) -> HttpResponse:
    """Active families and each programme's recipients per child region, as SVG (no script inside)."""
    data = region_recap(actor=request.user, region_code=request.GET.get("region") or None)
    series = [(_("Active families"), [row.get("families_active", 0) for row in data.rows])]
    for programme in data.programmes:
        key = f"recipients_{programme['code']}"
        series.append((_("%(programme)s recipients") % {"programme": programme["name"]},
                       [row.get(key, 0) for row in data.rows]))
    svg = charts.bar_chart(title=data.region.display_name, labels=[row["name"] for row in data.rows],
                           series=series)
    return charts.svg_response(svg)


@login_required
@require_GET
@charts.chart_csp
def trend_chart(request: HttpRequest) -> HttpResponse:
    """The inclusion/exclusion indicators per determination period, as SVG (the dashboard shows it)."""
    data = period_trends(actor=request.user, region_code=request.GET.get("region") or None)
    series = [(str(label), [row.get(key, 0) for row in data.periods]) for key, label in data.indicators
              if key != "listed"]
    svg = charts.line_chart(title=data.region.display_name, labels=[row["label"] for row in data.periods],
                            series=series)
    return charts.svg_response(svg)


@login_required
@require_GET
def recap_download(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        raise ObjectNotFound()
    content, content_type, filename = recap_export(actor=request.user, file_format=file_format,
                                                   region_code=request.GET.get("region") or None)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
