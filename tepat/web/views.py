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
from tepat.registry.selectors import dashboard_counts
from tepat.updates.selectors.proposals import stage_counts


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = dashboard_counts(actor=request.user)
    regions = [region_path(region) for code in actor_region_codes(request.user)
               if (region := region_get(code=code)) is not None]
    stages = stage_counts(actor=request.user) if actor_can(request.user, Capability.UPDATES_VIEW) else None
    return render(request, "web/dashboard.html",
                  {"counts": counts, "region_paths": regions, "stages": stages,
                   "actions": registry_actions(request.user)})
