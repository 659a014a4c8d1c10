"""Pages: programmes and their years (editor for Dinsos), rule preview, list determination (background
job with progress), list approval, the village recap, the per-family explanation (printable, for the
counter), inclusion/exclusion review. Thin: scoped fetch, one service or selector, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.accounts.access import actor_can, actor_region_codes, ensure_capability
from tepat.core.exceptions import ApplicationError, ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.programs import selectors as sel
from tepat.programs.catalogue import CATEGORIES, FIELDS, OPS, REASONS
from tepat.programs.models import ListEntry, Programme, ProgrammeRelease
from tepat.programs.services.common import APPROVE, MANAGE, VIEW
from tepat.programs.services.lists import entry_substitute, list_approve, list_determine_start, list_reject
from tepat.programs.services.releases import (
    programme_create,
    release_create,
    release_new_version,
    release_release,
    release_update,
)
from tepat.programs.services.reviews import review_confirm, review_dismiss
from tepat.programs.tasks import list_determine_task
from tepat.registry import masking
from tepat.updates.models import DeterminationPeriod

PAGE_SIZE = 50


def _english() -> bool:
    return (translation.get_language() or "id").startswith("en")


def _errors(request: HttpRequest, exc: ApplicationError) -> None:
    if exc.status_code in (403, 404):
        raise exc
    for text in ([i.text for i in exc.issues] if isinstance(exc, ValidationFailed) else [exc.message]):
        messages.error(request, text)


def _periods(region_code: str):
    return DeterminationPeriod.objects.filter(region_id=region_code, status=DeterminationPeriod.Status.DETERMINED) \
        .order_by("-determined_at")


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=VIEW)
    releases = list(sel.releases_visible(request.user)[:200])
    lists = list(sel.lists_visible(request.user)[:30])
    regions = sorted({r.region_id for r in releases})
    matrices = [(code, sel.exclusivity_matrix(actor=request.user, region_code=code)) for code in regions]
    return render(request, "programs/index.html", {"releases": releases, "lists": lists, "matrices": matrices,
                                                   "section": "programs"})


def _editor_data(post) -> dict[str, Any]:
    data: dict[str, Any] = {key: post.get(key, "") for key in ("amount", "months", "max_components",
                                                                "component_priority", "source", "note") if key in post}
    for key in ("components", "rules", "schedule", "quotas"):
        if key in post:
            try:
                data[key] = json.loads(post.get(key) or ("{}" if key == "quotas" else "[]"))
            except json.JSONDecodeError as exc:
                raise ValidationFailed([Issue(
                    "json", key, f"{key}: bukan JSON yang sah (baris {exc.lineno}, kolom {exc.colno})",
                    f"{key}: not valid JSON (line {exc.lineno}, column {exc.colno})")]) from None
    return data


def _release_context(request: HttpRequest, release, posted: dict | None = None) -> dict[str, Any]:
    def dump(value):
        return json.dumps(value, indent=1, ensure_ascii=False)

    components = [{k: getattr(c, k) for k in ("code", "kind", "annual_amount", "cap_per_family", "age_min",
                                              "age_max", "order")} for c in release.components.all()]
    rules = [{"field": r.field, "op": r.op, "value": r.value, "reason": r.reason, **({"group": r.group} if r.group else {})}
             for r in release.rules.all()]
    quotas = {q.region_code: q.families for q in release.quotas.all()}
    text = {"components": dump(components), "rules": dump(rules), "schedule": dump(release.schedule),
            "quotas": dump(quotas)}
    text.update(posted or {})
    english = _english()
    return {"release": release, "text": text, "components": components, "rules": rules, "section": "programs",
            "may_manage": actor_can(request.user, MANAGE), "periods": _periods(release.region_id)[:12],
            "lists": sel.lists_visible(request.user, release)[:20],
            "facts": [(f.name, f.en if english else f.id) for f in FIELDS.values()], "ops": list(OPS),
            "reasons": [(r.code, CATEGORIES[r.category][1 if english else 0], r.en if english else r.id)
                        for r in REASONS.values()]}


@login_required
@require_http_methods(["GET", "POST"])
def release_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    release = sel.access_release(actor=request.user, release_id=pk)
    posted = None
    if request.method == "POST":
        try:
            release_update(actor=request.user, release=release, data=_editor_data(request.POST))
            messages.success(request, _("The draft was saved."))
            return redirect(reverse("programs:release_detail", args=[release.pk]))
        except ApplicationError as exc:
            _errors(request, exc)
            posted = {k: request.POST.get(k, "") for k in ("components", "rules", "schedule", "quotas")}
        release.refresh_from_db()
    return render(request, "programs/release_detail.html", _release_context(request, release, posted))


@login_required
@require_GET
def release_preview(request: HttpRequest, pk: Any) -> HttpResponse:
    release = sel.access_release(actor=request.user, release_id=pk)
    period = _periods(release.region_id).filter(pk=request.GET.get("period") or None).first() \
        or _periods(release.region_id).first()
    preview = sel.rule_preview(actor=request.user, release=release, period=period) if period else None
    return render(request, "programs/release_preview.html", {"release": release, "preview": preview,
                                                             "period": period, "section": "programs"})


@login_required
@require_POST
def release_release_view(request: HttpRequest, pk: Any) -> HttpResponse:
    release = sel.access_release(actor=request.user, release_id=pk)
    try:
        release_release(actor=request.user, release=release)
        messages.success(request, _("Released. A released year never changes; a change is a new version."))
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect(reverse("programs:release_detail", args=[release.pk]))


@login_required
@require_POST
def release_new_version_view(request: HttpRequest, pk: Any) -> HttpResponse:
    release = sel.access_release(actor=request.user, release_id=pk)
    try:
        draft = release_new_version(actor=request.user, release=release, note=request.POST.get("note", ""))
    except ApplicationError as exc:
        _errors(request, exc)
        return redirect(reverse("programs:release_detail", args=[release.pk]))
    messages.success(request, _("A new draft version was made."))
    return redirect(reverse("programs:release_detail", args=[draft.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    """A regional programme (APBD, Dana Desa) and its first draft year."""
    ensure_capability(actor=request.user, capability=MANAGE)
    if request.method == "POST":
        post = request.POST
        try:
            with transaction.atomic():
                programme = programme_create(actor=request.user, code=post.get("code", ""), name=post.get("name", ""),
                                             kind=Programme.Kind.REGIONAL, funding=post.get("funding", ""),
                                             participation_code="regional", region_code=post.get("region", ""),
                                             description=post.get("description", ""))
                release = release_create(actor=request.user, programme=programme, region_code=post.get("region", ""),
                                         year=post.get("year", ""),
                                         data={"basis": post.get("basis", ""), **_editor_data(post)})
            return redirect(reverse("programs:release_detail", args=[release.pk]))
        except ApplicationError as exc:
            _errors(request, exc)
    return render(request, "programs/programme_new.html", {
        "section": "programs", "funding": Programme.Funding.choices, "regions": actor_region_codes(request.user),
        "bases": ProgrammeRelease.Basis.choices,
        "post": request.POST})


@login_required
@require_POST
def list_start(request: HttpRequest, pk: Any) -> HttpResponse:
    release = sel.access_release(actor=request.user, release_id=pk)
    period = _periods(release.region_id).filter(pk=request.POST.get("period") or None).first()
    if period is None:
        messages.error(request, _("Choose a determined period."))
        return redirect(reverse("programs:release_detail", args=[release.pk]))
    try:
        with transaction.atomic():
            blist = list_determine_start(actor=request.user, release=release, period=period,
                                         tahap=int(request.POST.get("tahap") or 0),
                                         region_code=request.POST.get("region", "").strip())
            transaction.on_commit(lambda: list_determine_task.enqueue(str(blist.pk)))
    except (ApplicationError, ValueError) as exc:
        if isinstance(exc, ValueError):
            messages.error(request, _("The tahap must be a number."))
        else:
            _errors(request, exc)
        return redirect(reverse("programs:release_detail", args=[release.pk]))
    return redirect(reverse("programs:list_detail", args=[blist.pk]))


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    blist = sel.access_list(actor=request.user, list_id=pk)
    if request.htmx and request.GET.get("part") == "progress":
        return render(request, "programs/_list_progress.html", {"blist": blist})
    entries = sel.entries_in_scope(request.user, blist)
    for key in ("status", "change"):
        if request.GET.get(key):
            entries = entries.filter(**{key: request.GET[key]})
    if request.GET.get("village"):
        entries = entries.filter(region_code=request.GET["village"])
    page = Paginator(entries.order_by("region_code", "rank", "idx"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"entry": e, "kk": masking.identity(request.user, e.kk_number)} for e in page]
    sel.personal_data_viewed(actor=request.user, kind="beneficiary_list", count=len(rows),
                             region_code=blist.region_code, target=blist)
    return render(request, "programs/list_detail.html", {
        "blist": blist, "page": page, "rows": rows, "section": "programs",
        "may_approve": actor_can(request.user, APPROVE), "may_manage": actor_can(request.user, MANAGE),
        "statuses": ListEntry.Status.choices, "changes": ListEntry.Change.choices[:3],
        "review": sel.review_items(actor=request.user, blist=blist)[:50]})


@login_required
@require_GET
def list_recap(request: HttpRequest, pk: Any) -> HttpResponse:
    blist = sel.access_list(actor=request.user, list_id=pk)
    rows = sel.village_recap(actor=request.user, blist=blist)
    totals = {k: sum(r[k] for r in rows) for k in ("recipients", "reserve", "not_eligible", "new", "continuing",
                                                   "leaving", "tahap_amount", "annual_amount")}
    return render(request, "programs/list_recap.html", {"blist": blist, "rows": rows, "totals": totals,
                                                        "section": "programs"})


@login_required
@require_POST
def list_decide(request: HttpRequest, pk: Any) -> HttpResponse:
    blist = sel.access_list(actor=request.user, list_id=pk)
    try:
        if request.POST.get("decision") == "approve":
            list_approve(actor=request.user, blist=blist, note=request.POST.get("note", ""))
            messages.success(request, _("The list is approved for distribution."))
        else:
            list_reject(actor=request.user, blist=blist, reason=request.POST.get("note", ""))
            messages.success(request, _("The list was rejected."))
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect(reverse("programs:list_detail", args=[blist.pk]))


@login_required
@require_GET
def family_explanation(request: HttpRequest, pk: Any, family_id: Any) -> HttpResponse:
    blist = sel.access_list(actor=request.user, list_id=pk)
    explanation = sel.family_explanation(actor=request.user, blist=blist, family_id=family_id, english=_english())
    return render(request, "programs/family_explanation.html", {
        "x": explanation, "blist": blist, "section": "programs", "may_approve": actor_can(request.user, APPROVE)})


@login_required
@require_POST
def entry_substitute_view(request: HttpRequest, pk: Any, family_id: Any) -> HttpResponse:
    blist = sel.access_list(actor=request.user, list_id=pk)
    entry = sel.entries_in_scope(request.user, blist).filter(family_id=family_id).first()
    if entry is None:
        raise ObjectNotFound()
    try:
        sub = entry_substitute(actor=request.user, blist=blist, entry=entry, reason=request.POST.get("reason", ""))
        messages.success(request, _("Replaced by the next family of the reserve list."))
        return redirect(reverse("programs:family_explanation", args=[blist.pk, sub.added.family_id]))
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect(reverse("programs:family_explanation", args=[blist.pk, family_id]))


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: Any) -> HttpResponse:
    item = sel.access_review_item(actor=request.user, item_id=pk)
    try:
        if request.POST.get("decision") == "confirm":
            proposal = review_confirm(actor=request.user, item=item, note=request.POST.get("note", ""))
            messages.success(request, _("Proposal %(ref)s created in the update workflow.") % {"ref": proposal.reference})
        else:
            review_dismiss(actor=request.user, item=item, reason=request.POST.get("note", ""))
            messages.success(request, _("Dismissed."))
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect(reverse("programs:list_detail", args=[item.list_id]) + "#review")
