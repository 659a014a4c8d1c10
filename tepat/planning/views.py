"""Pages under /renja/: the plans in scope, a plan with its lines, quarterly realisation entry (HTMX, one row
at a time), achievement and the checker's findings, the diff between two versions, downloads. Thin: scoped
fetch, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tepat.accounts.access import actor_can, ensure_capability
from tepat.accounts.roles import Capability
from tepat.audit.transitions import allowed_transitions
from tepat.core.exceptions import ApplicationError
from tepat.planning import services
from tepat.planning.checker import check_document, check_plan, registry_size
from tepat.planning.computed import drilldown, realisation_compute
from tepat.planning.exporter import FORMATS, TABLES, export
from tepat.planning.models import Plan, PlanLine
from tepat.planning.selectors import access_plan, plan_figures, plans_visible, sources_visible, version_diff

C = Capability
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _ctx(**kwargs: Any) -> dict[str, Any]:
    return {"section": "planning", **kwargs}


def _errors(request: HttpRequest, exc: ApplicationError) -> list[str]:
    if exc.status_code in (403, 404):
        raise exc
    return [i.text for i in exc.issues] if hasattr(exc, "issues") else [exc.message]


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.PLANNING_VIEW)
    return render(request, "planning/plan_list.html", _ctx(
        plans=plans_visible(request.user).order_by("-year"), documents=sources_visible(request.user)))


def _findings(plan: Plan) -> list[Any]:
    document = plan.sources.order_by("-pk").first()
    size = registry_size(plan.region_id)
    return (check_document(document, registry_size=size) if document else []) + check_plan(plan, registry_size=size)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=pk)
    figures = plan_figures(plan)
    findings = _findings(plan)
    return render(request, "planning/plan_detail.html", _ctx(
        plan=plan, figures=figures, findings=findings, versions=plan.versions.order_by("number"),
        quarters=(1, 2, 3, 4), can_edit=actor_can(request.user, C.PLANNING_EDIT),
        can_approve=actor_can(request.user, C.PLANNING_APPROVE), formats=FORMATS, tables=TABLES,
        next_steps=allowed_transitions(Plan, plan.status),
        snapshots={s.quarter: s for s in plan.snapshots.all()},
        quarter_status=[(q, next((s.get_status_display() for s in plan.snapshots.all() if s.quarter == q), "—"))
                        for q in (1, 2, 3, 4)]))


@login_required
@require_POST
def realisation_enter(request: HttpRequest, pk: Any, line_id: Any) -> HttpResponse:
    """One line's realisation for one quarter; answers the line's row again (HTMX) or redirects."""
    plan = access_plan(actor=request.user, plan_id=pk, capability=C.PLANNING_EDIT)
    line = PlanLine.objects.select_related("item").filter(pk=line_id, version=plan.current_version).first()
    if line is None:
        raise Http404()
    errors: list[str] = []
    try:
        services.realisation_save(actor=request.user, plan=plan, quarter=int(request.POST.get("quarter") or 0),
                                  code=line.item.code, physical=request.POST.get("physical", "").strip() or None,
                                  financial=request.POST.get("financial", "").strip() or None)
    except ApplicationError as exc:
        errors = _errors(request, exc)
    except ValueError:
        errors = [_("The quarter must be 1–4.")]
    if request.htmx:
        row = next(f for f in plan_figures(plan) if f.line.pk == line.pk)
        return render(request, "planning/_line_row.html", _ctx(
            plan=plan, f=row, errors=errors, quarters=(1, 2, 3, 4), can_edit=True,
            snapshots={s.quarter: s for s in plan.snapshots.all()}))
    for text in errors:
        messages.error(request, text)
    if not errors:
        messages.success(request, _("Saved."))
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
@require_POST
def realisation_compute_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """Fill a quarter's computed lines from the system's data (draft quarters only)."""
    plan = access_plan(actor=request.user, plan_id=pk, capability=C.PLANNING_EDIT)
    try:
        got = realisation_compute(actor=request.user, plan=plan, quarter=int(request.POST.get("quarter") or 0))
    except ValueError:
        got = {}
    if got:
        messages.success(request, _("Computed: %(lines)s.") % {"lines": ", ".join(f"{k} = {v}" for k, v in got.items())})
    else:
        messages.info(request, _("Nothing computed: no mapped line, a quarter not started yet, or a final quarter."))
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
@require_GET
def drilldown_view(request: HttpRequest, pk: Any, code: str, quarter: int) -> HttpResponse:
    """The records behind a computed figure (masked, scoped, audited by the selector)."""
    plan = access_plan(actor=request.user, plan_id=pk)
    data = drilldown(actor=request.user, plan=plan, code=code, quarter=quarter)
    return render(request, "planning/drilldown.html", _ctx(plan=plan, d=data))


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=pk, capability=C.PLANNING_APPROVE)
    try:
        if action == "advance":
            services.plan_advance(actor=request.user, plan=plan, reason=request.POST.get("reason", ""))
        elif action == "finalise":
            services.snapshot_finalise(actor=request.user, plan=plan, quarter=int(request.POST.get("quarter") or 0))
        else:
            raise Http404()
    except ApplicationError as exc:
        for text in _errors(request, exc):
            messages.error(request, text)
    else:
        messages.success(request, _("Saved."))
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
@require_GET
def version_diff_view(request: HttpRequest, pk: Any) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=pk)
    versions = {v.number: v for v in plan.versions.all()}
    try:
        new = versions[int(request.GET.get("b") or max(versions))]
        old = versions[int(request.GET.get("a") or max(new.number - 1, 1))]
    except (KeyError, ValueError):
        raise Http404() from None
    return render(request, "planning/version_diff.html", _ctx(
        plan=plan, old=old, new=new, changes=version_diff(old, new), versions=versions.values()))


@login_required
@require_GET
def plan_export(request: HttpRequest, pk: Any, fmt: str) -> HttpResponse:
    plan = access_plan(actor=request.user, plan_id=pk)
    if fmt not in FORMATS:
        raise Http404()
    names = tuple(t for t in request.GET.getlist("table") if t in TABLES) or TABLES
    content = export(actor=request.user, year=plan.year, region_code=plan.region_id, names=names, fmt=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="renja-{plan.year}.{fmt}"'
    return response
