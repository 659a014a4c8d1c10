"""The realisation dashboard of one distribution tahap: per kecamatan of its district, drilling down to the
villages of a kecamatan; percent delivered and paid, retur, discrepancies; a sortable table and a chart
(server-side SVG, `charts.bar_chart`, under the chart's own policy). Figures from
`tepat.distribution.dashboard` (the reconciliation, scoped to the viewer's regions: a village operator sees
their villages only); the tahap itself through `distribution.selectors.access_distribution` (403 without
distribution.view, 404 outside every region of the viewer)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tepat.distribution.dashboard import realisation_dashboard
from tepat.distribution.selectors import access_distribution
from tepat.reports import charts

L = gettext_lazy
COLUMNS = (("entitled", L("Entitled KPM")), ("delivered", L("Delivered (receipts)")),
           ("delivered_pct", L("% delivered")), ("paid", L("Paid (realisation)")), ("paid_pct", L("% paid")),
           ("not_delivered", L("Not delivered")), ("failed", L("Failed")), ("pending", L("Pending")),
           ("returned_amount", L("Retur (Rp)")), ("discrepancies", L("Discrepancies")))


def _data(request: HttpRequest, pk):
    dist = access_distribution(actor=request.user, distribution_id=pk)
    return realisation_dashboard(actor=request.user, dist=dist, region_code=request.GET.get("region", "").strip(),
                                 sort=request.GET.get("sort", ""))


@login_required
@require_GET
def dashboard(request: HttpRequest, pk) -> HttpResponse:
    data = _data(request, pk)
    columns = [{"key": key, "label": str(label)} for key, label in COLUMNS]
    rows = [{**row, "cells": [row[c["key"]] for c in columns]} for row in data["rows"]]
    return render(request, "reports/realisation.html", {
        **data, "columns": columns, "table": rows, "total_cells": [data["totals"][c["key"]] for c in columns],
        "section": "distribution"})


@login_required
@require_GET
@charts.chart_csp
def dashboard_chart(request: HttpRequest, pk) -> HttpResponse:
    """Percent delivered and percent paid per area, as SVG (no script inside)."""
    data = _data(request, pk)
    rows = data["rows"]
    svg = charts.bar_chart(title=f"{data['dist'].programme_code} tahap {data['dist'].tahap} · {data['area_name']}",
                           labels=[row["name"] for row in rows],
                           series=[(_("% delivered"), [round(row["delivered_pct"]) for row in rows]),
                                   (_("% paid"), [round(row["paid_pct"]) for row in rows])],
                           value_range=(0, 100))
    return charts.svg_response(svg)
