"""Pages of what follows the main distribution: the tahap's susulan (eligible and not, with why; create a
batch; pay or cancel an entry) and the post-distribution check (draw a village's sample; answer
"received how much?"). Thin: scoped fetch, one service, redirect with the service's bilingual message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tepat.accounts.access import actor_can
from tepat.core.exceptions import ApplicationError, ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.distribution import selectors as sel
from tepat.distribution.models_followup import PostCheck, PostCheckItem, SusulanEntry
from tepat.distribution.services.common import MANAGE, RECEIPT, VIEW, scoped
from tepat.distribution.services.postcheck import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MARGIN,
    postcheck_answer,
    postcheck_create,
    postcheck_progress,
)
from tepat.distribution.services.susulan import (
    susulan_batch_create,
    susulan_cancel,
    susulan_candidates,
    susulan_discrepancies,
    susulan_pay,
)


def _flash(request: HttpRequest, exc: ApplicationError) -> None:
    if exc.status_code in (403, 404):
        raise exc
    for text in ([i.text for i in exc.issues] if isinstance(exc, ValidationFailed) else [exc.message]):
        messages.error(request, text)


@login_required
@require_GET
def susulan_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk, capability=MANAGE)
    found = susulan_candidates(actor=request.user, dist=dist)
    items = list(scoped(request.user, SusulanEntry.objects.filter(distribution=dist).select_related("batch")))
    return render(request, "distribution/susulan.html", {
        "dist": dist, "eligible": found["eligible"], "ineligible": found["ineligible"], "items": items,
        "discrepancies": susulan_discrepancies(actor=request.user, dist=dist), "section": "distribution"})


@login_required
@require_POST
def susulan_create_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk, capability=MANAGE)
    try:
        batch = susulan_batch_create(actor=request.user, dist=dist, note=request.POST.get("note", ""))
        messages.success(request, f"Susulan {batch.number}: {batch.entries.count()} KPM")
    except ApplicationError as exc:
        _flash(request, exc)
    return redirect("distribution:susulan", pk=dist.pk)


@login_required
@require_POST
def susulan_entry_view(request: HttpRequest, item_id) -> HttpResponse:
    if not actor_can(request.user, MANAGE):
        raise PermissionDeniedError()
    item = scoped(request.user, SusulanEntry.objects.select_related("distribution")).filter(pk=item_id).first()
    if item is None:
        raise ObjectNotFound()
    try:
        if request.POST.get("action") == "pay":
            try:
                amount = int(request.POST.get("amount", ""))
            except ValueError:
                amount = -1
            susulan_pay(actor=request.user, item=item, amount=amount, reference=request.POST.get("reference", ""))
        elif request.POST.get("action") == "cancel":
            susulan_cancel(actor=request.user, item=item, reason=request.POST.get("reason", ""))
        else:
            raise ObjectNotFound()
    except ApplicationError as exc:
        _flash(request, exc)
    return redirect("distribution:susulan", pk=item.distribution_id)


@login_required
@require_GET
def postchecks_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk)
    checks = [(c, postcheck_progress(c)) for c in
              scoped(request.user, PostCheck.objects.filter(distribution=dist)).order_by("region_code")]
    return render(request, "distribution/postchecks.html", {
        "dist": dist, "checks": checks, "villages": sel.villages_of(request.user, dist),
        "may_manage": actor_can(request.user, MANAGE), "confidence": DEFAULT_CONFIDENCE, "margin": DEFAULT_MARGIN,
        "section": "distribution"})


@login_required
@require_POST
def postcheck_create_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk, capability=MANAGE)
    try:
        check = postcheck_create(actor=request.user, dist=dist, village_code=request.POST.get("village", "").strip(),
                                 confidence=request.POST.get("confidence") or DEFAULT_CONFIDENCE,
                                 margin=request.POST.get("margin") or DEFAULT_MARGIN)
    except ApplicationError as exc:
        _flash(request, exc)
        return redirect("distribution:postchecks", pk=dist.pk)
    return redirect("distribution:postcheck", check_id=check.pk)


@login_required
@require_GET
def postcheck_view(request: HttpRequest, check_id) -> HttpResponse:
    if not actor_can(request.user, VIEW):
        raise PermissionDeniedError()
    check = scoped(request.user, PostCheck.objects.select_related("distribution")).filter(pk=check_id).first()
    if check is None:
        raise ObjectNotFound()
    return render(request, "distribution/postcheck.html", {
        "check": check, "dist": check.distribution, "items": list(check.items.all()),
        "progress": postcheck_progress(check), "may_answer": actor_can(request.user, RECEIPT),
        "section": "distribution"})


@login_required
@require_POST
def postcheck_answer_view(request: HttpRequest, item_id) -> HttpResponse:
    if not actor_can(request.user, RECEIPT):
        raise PermissionDeniedError()
    item = (scoped(request.user, PostCheckItem.objects.select_related("postcheck"), "postcheck__region_code")
            .filter(pk=item_id).first())
    if item is None:
        raise ObjectNotFound()
    try:
        item = postcheck_answer(actor=request.user, item=item, amount=request.POST.get("amount"),
                                unreachable=request.POST.get("action") == "unreachable",
                                note=request.POST.get("note", ""))
        if item.complaint_reference:
            messages.warning(request, f"{item.kpm_ref}: kurang Rp {item.shortfall:,} → pengaduan "
                                      f"{item.complaint_reference} / Rp {item.shortfall:,} short → complaint "
                                      f"{item.complaint_reference}")
    except ApplicationError as exc:
        _flash(request, exc)
    return redirect("distribution:postcheck", check_id=item.postcheck_id)
