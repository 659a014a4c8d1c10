"""Pages: the review queue (a village operator sees their village, a Dinsos operator the district), a flag
with its evidence (confirm → the update workflow's endpoint; dismiss with a reason), runs with progress, and
the list upload with a column mapping. Thin: scoped fetch, one service or selector, render."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.quality.access import (
    RUN,
    VIEW,
    access_flag,
    access_run,
    ensure_quality_capability,
    quality_can,
    runs_in_scope,
)
from tepat.quality.models import ExternalList, Flag, MatchRun
from tepat.quality.selectors import FlagFilters, flag_counts, flag_detail, flag_list
from tepat.quality.services.flags import flag_dismiss
from tepat.quality.services.lists import civil_extract_store, external_list_upload
from tepat.quality.services.runs import run_create
from tepat.quality.tasks import civil_match_task, duplicates_task, external_list_task

PAGE_SIZE = 25


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("All")), *Flag.Status.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("All")), *Flag.Kind.choices])


class DismissForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RunForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Run"), choices=[
        (MatchRun.Kind.CIVIL_REGISTRY, gettext_lazy("Civil-registry matching")),
        (MatchRun.Kind.DUPLICATES, gettext_lazy("Duplicate search"))])
    region_code = forms.CharField(label=gettext_lazy("Region code"), max_length=13)
    extract = forms.FileField(label=gettext_lazy("Civil-registry extract (CSV/XLSX; empty = web service)"),
                              required=False)


class ListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("List name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of list"), choices=ExternalList.Kind.choices)
    region_code = forms.CharField(label=gettext_lazy("Region code"), max_length=13)
    file = forms.FileField(label=gettext_lazy("File (CSV/XLSX)"))
    nik_column = forms.CharField(label=gettext_lazy("Column holding the NIK"), required=False)
    name_column = forms.CharField(label=gettext_lazy("Column holding the name"), required=False)
    birth_date_column = forms.CharField(label=gettext_lazy("Column holding the birth date"), required=False)

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        return {k: data[f"{k}_column"].strip() for k in ("nik", "name", "birth_date") if data[f"{k}_column"].strip()}


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or {"status": Flag.Status.OPEN})
    data = form.cleaned_data if form.is_valid() else {"status": Flag.Status.OPEN}
    flags = flag_list(actor=request.user, filters=FlagFilters(status=data.get("status", ""), kind=data.get("kind", "")))
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/queue.html", {
        "form": form, "page": page, "counts": flag_counts(actor=request.user), "kinds": dict(Flag.Kind.choices),
        "may_run": quality_can(request.user, RUN)})


@login_required
@require_GET
def flag_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    flag = access_flag(actor=request.user, flag_id=pk)
    context = flag_detail(actor=request.user, flag=flag)
    context.update({"dismiss_form": DismissForm(), "needs_nik": flag.kind in (Flag.Kind.NIK_IN_HOUSEHOLD,
                                                                               Flag.Kind.NIK_NOT_MATCHED),
                    "is_pair": flag.pair_id is not None and flag.pair.left_id is not None})
    return render(request, "quality/flag_detail.html", context)


@login_required
@require_POST
def flag_dismiss_view(request: HttpRequest, pk: Any) -> HttpResponse:
    flag = access_flag(actor=request.user, flag_id=pk)
    form = DismissForm(request.POST)
    url = reverse("quality:flag_detail", args=[flag.pk])
    try:
        flag_dismiss(actor=request.user, flag=flag, reason=form.data.get("reason", ""))
    except (ValidationFailed, ApplicationError) as exc:
        if exc.status_code in (403, 404):
            raise
        for text in ([i.text for i in exc.issues] if isinstance(exc, ValidationFailed) else [exc.message]):
            messages.error(request, text)
        return redirect(url)
    messages.success(request, _("Flag dismissed; the same evidence will not be raised again."))
    return redirect(reverse("quality:queue"))


@login_required
@require_http_methods(["GET", "POST"])
def runs_view(request: HttpRequest) -> HttpResponse:
    ensure_quality_capability(actor=request.user, capabilities=VIEW)
    form = RunForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        ensure_quality_capability(actor=request.user, capabilities=RUN)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = _start(request, data)
            except ApplicationError as exc:
                if exc.status_code in (403, 404):
                    raise
                form.add_error(None, exc.message)
            else:
                return redirect(reverse("quality:run_detail", args=[run.pk]))
    runs = runs_in_scope(request.user)[:50]
    return render(request, "quality/runs.html", {"form": form, "runs": runs, "may_run": quality_can(request.user, RUN)},
                  status=422 if form.is_bound and form.errors else 200)


def _start(request: HttpRequest, data: dict) -> MatchRun:
    if data["kind"] == MatchRun.Kind.DUPLICATES:
        run = run_create(actor=request.user, kind=data["kind"], region_code=data["region_code"])
        duplicates_task.enqueue(str(run.pk))
        return run
    upload = data.get("extract")
    options, source = {}, ""
    if upload:
        options, source = civil_extract_store(upload=upload)
    else:
        from tepat.quality.adapters import HttpAdapter

        source = HttpAdapter.from_settings().source
    run = run_create(actor=request.user, kind=data["kind"], region_code=data["region_code"], source=source,
                     options=options)
    civil_match_task.enqueue(str(run.pk))
    return run


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    run = access_run(actor=request.user, run_id=pk)
    template = "quality/_run_progress.html" if request.headers.get("HX-Request") else "quality/run_detail.html"
    return render(request, template, {"run": run})


@login_required
@require_http_methods(["GET", "POST"])
def list_upload(request: HttpRequest) -> HttpResponse:
    ensure_quality_capability(actor=request.user, capabilities=RUN)
    form = ListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = external_list_upload(actor=request.user, region_code=data["region_code"], name=data["name"],
                                       kind=data["kind"], upload=data["file"], mapping=form.mapping())
        except ValidationFailed as exc:
            for issue in exc.issues:
                form.add_error(None, issue.text)
        else:
            # The worker reads and matches the file; the run page shows its progress and result.
            external_list_task.enqueue(str(run.pk))
            messages.success(request, _("The list is being matched against the registry."))
            return redirect(reverse("quality:run_detail", args=[run.pk]))
    return render(request, "quality/list_upload.html", {"form": form, "mapping_json": json.dumps({})},
                  status=422 if form.is_bound and form.errors else 200)
