"""The start page after signing in: counts for the actor's regions and the regions themselves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tepat.accounts.access import actor_can, actor_region_codes
from tepat.accounts.roles import Capability
from tepat.regions.selectors import region_get, region_path
from tepat.registry.actions import registry_actions
from tepat.registry.selectors import dashboard_counts_recent
from tepat.reports.trends import period_trends_recent
from tepat.updates.selectors.proposals import stage_counts


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    counts, counted_at = dashboard_counts_recent(actor=request.user)
    regions = [region_path(region) for code in actor_region_codes(request.user)
               if (region := region_get(code=code)) is not None]
    stages = stage_counts(actor=request.user) if actor_can(request.user, Capability.UPDATES_VIEW) else None
    # Trends over determination periods for the first assigned region: the village operator's village, the
    # Dinsos supervisor's district (tepat.reports.trends; capability and scope checked there).
    trends = period_trends_recent(actor=request.user) \
        if regions and actor_can(request.user, Capability.REGISTRY_VIEW) else None
    return render(request, "web/dashboard.html",
                  {"counts": counts, "counted_at": counted_at, "region_paths": regions, "stages": stages, "trends": trends,
                   "trend_rows": [{**row, "cells": [row.get(key, 0) for key, _label in trends.indicators]}
                                  for row in trends.periods] if trends else [],
                   "actions": registry_actions(request.user)})
