"""District pages: submission batches, determination periods with their comparison, freeze periods."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.updates import forms as f
from tepat.updates.access import access_batch, access_freeze, access_period
from tepat.updates.actions import batch_actions, freeze_actions, period_actions
from tepat.updates.permissions import UpdatesCapability as U
from tepat.updates.permissions import ensure_updates_capability, updates_can
from tepat.updates.selectors.diff import period_diff
from tepat.updates.selectors.sessions import batch_list, freeze_list, period_list, period_progress
from tepat.updates.services.determination import (
    period_create,
    period_determine_resume,
    period_determine_start,
)
from tepat.updates.services.freezes import freeze_create, freeze_lift
from tepat.updates.services.submissions import (
    submission_batch_create,
    submission_batch_export,
    submission_response_import,
)
from tepat.updates.tasks import period_determine_task
from tepat.updates.views.common import form_response, posted, refused


def _form_for(request: HttpRequest, capability: U, form_class: Any) -> Any:
    """The create form for roles that may create; others may look but a POST is refused (403)."""
    if updates_can(request.user, capability):
        return form_class(posted(request), actor=request.user)
    if request.method == "POST":
        ensure_updates_capability(actor=request.user, capability=capability)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def batch_list_view(request: HttpRequest) -> HttpResponse:
    batches = list(batch_list(actor=request.user)[:100])
    form = _form_for(request, U.SUBMIT, f.BatchForm)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            batch = submission_batch_create(actor=request.user, region_code=form.cleaned_data["region"],
                                            destination=form.cleaned_data["destination"])
        except ValidationFailed as exc:
            f.apply_issues(form, exc)
        except ApplicationError as exc:
            return refused(request, exc, reverse("updates:batch_list"))
        else:
            return redirect("updates:batch_detail", pk=batch.pk)
    return form_response(request, "updates/batch_list.html", {"batches": batches, "form": form}, form)


@login_required
@require_GET
def batch_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    batch = access_batch(actor=request.user, batch_id=pk)
    context = {"batch": batch, "records": batch.records.select_related("proposal").order_by("line"),
               "response_form": f.ResponseForm(), "actions": batch_actions(request.user, batch)}
    return render(request, "updates/batch_detail.html", context)


@login_required
@require_GET
def batch_file_view(request: HttpRequest, pk: Any) -> HttpResponse:
    batch = access_batch(actor=request.user, batch_id=pk)
    response = HttpResponse(submission_batch_export(actor=request.user, batch=batch),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.csv"'
    return response


@login_required
@require_POST
def batch_response_view(request: HttpRequest, pk: Any) -> HttpResponse:
    batch = access_batch(actor=request.user, batch_id=pk)
    url = reverse("updates:batch_detail", args=[batch.pk])
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the response file."))
        return redirect(url)
    try:
        result = submission_response_import(actor=request.user, batch=batch, upload=upload)
    except ApplicationError as exc:
        return refused(request, exc, url)
    messages.success(request, _("Response imported: %(accepted)d accepted, %(returned)d returned.") % {
        "accepted": len(result.accepted), "returned": len(result.returned)})
    if result.pulled_back:
        messages.warning(request, _("Returned while pulled back by the supervisor (answer recorded, proposal left "
                                    "where it is): %(references)s") % {"references": ", ".join(result.pulled_back)})
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def period_list_view(request: HttpRequest) -> HttpResponse:
    periods = list(period_list(actor=request.user)[:100])
    form = _form_for(request, U.PLAN_PERIOD, f.PeriodForm)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            period_create(actor=request.user, region_code=data["region"], starts_on=data["starts_on"],
                          cadence=data["cadence"])
        except ValidationFailed as exc:
            f.apply_issues(form, exc)
        else:
            messages.success(request, _("Period opened."))
            return redirect("updates:period_list")
    determined = [p for p in periods if p.status == "determined"]
    for period in periods:
        period.actions = period_actions(request.user, period)
    context = {"periods": periods, "form": form, "determine_form": f.DetermineForm(), "determined": determined}
    return form_response(request, "updates/period_list.html", context, form)


@login_required
@require_POST
def period_determine_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """Start the determination; the background worker runs it and the period page shows its progress."""
    period = access_period(actor=request.user, period_id=pk)
    form = f.DetermineForm(request.POST)
    url = reverse("updates:period_list")
    if not form.is_valid():
        messages.error(request, _("Enter the decree number and date."))
        return redirect(url)
    try:
        period = period_determine_start(actor=request.user, period=period,
                                        decree_number=form.cleaned_data["decree_number"],
                                        decree_date=form.cleaned_data["decree_date"])
    except ApplicationError as exc:
        return refused(request, exc, url)
    _enqueue(period, request)
    messages.success(request, _("Determination of period %(label)s started; it runs in the background.") % {
        "label": period.label})
    return redirect("updates:period_detail", pk=period.pk)


@login_required
@require_POST
def period_resume_view(request: HttpRequest, pk: Any) -> HttpResponse:
    period = access_period(actor=request.user, period_id=pk)
    try:
        period = period_determine_resume(actor=request.user, period=period)
    except ApplicationError as exc:
        return refused(request, exc, reverse("updates:period_detail", args=[period.pk]))
    _enqueue(period, request)
    return redirect("updates:period_detail", pk=period.pk)


def _enqueue(period: Any, request: HttpRequest) -> None:
    # The worker must find the committed period row: enqueue after the commit.
    transaction.on_commit(partial(period_determine_task.enqueue, period_id=str(period.pk), actor_id=request.user.pk))


def _progress_context(request: HttpRequest, pk: Any) -> dict[str, Any]:
    period = access_period(actor=request.user, period_id=pk)
    return {"progress": period_progress(actor=request.user, period=period), "period": period,
            "actions": period_actions(request.user, period)}


@login_required
@require_GET
def period_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "updates/period_detail.html", _progress_context(request, pk))


@login_required
@require_GET
def period_progress_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """The progress area alone, polled by the period page until the run is finished."""
    return render(request, "updates/_period_progress.html", _progress_context(request, pk))


@login_required
@require_GET
def period_diff_view(request: HttpRequest) -> HttpResponse:
    form = f.DiffForm(request.GET)
    if not form.is_valid():
        return redirect("updates:period_list")
    older = access_period(actor=request.user, period_id=form.cleaned_data["older"])
    newer = access_period(actor=request.user, period_id=form.cleaned_data["newer"])
    try:
        diff = period_diff(actor=request.user, older=older, newer=newer)
    except ApplicationError as exc:
        return refused(request, exc, reverse("updates:period_list"))
    return render(request, "updates/period_diff.html", {"diff": diff})


@login_required
@require_http_methods(["GET", "POST"])
def freeze_list_view(request: HttpRequest) -> HttpResponse:
    freezes = list(freeze_list(actor=request.user)[:100])
    for freeze in freezes:
        freeze.actions = freeze_actions(request.user, freeze)
    form = _form_for(request, U.FREEZE, f.FreezeForm)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            freeze_create(actor=request.user, region_code=data["region"], starts_on=data["starts_on"],
                          ends_on=data["ends_on"], reason=data["reason"])
        except ValidationFailed as exc:
            f.apply_issues(form, exc)
        else:
            messages.success(request, _("Approvals and determinations are suspended for that range."))
            return redirect("updates:freeze_list")
    context = {"freezes": freezes, "form": form, "reason_form": f.ReasonForm()}
    return form_response(request, "updates/freeze_list.html", context, form)


@login_required
@require_POST
def freeze_lift_view(request: HttpRequest, pk: Any) -> HttpResponse:
    freeze = access_freeze(actor=request.user, freeze_id=pk)
    try:
        freeze_lift(actor=request.user, freeze=freeze, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        return refused(request, exc, reverse("updates:freeze_list"))
    messages.success(request, _("The freeze was lifted."))
    return redirect("updates:freeze_list")
