"""Pages (HTMX where a row changes in place): distributions, one tahap (versions per channel, export,
realisation and channel-return upload, close), the return queue, the receipt by KPM reference, the
reconciliation. Thin: scoped fetch, one service or selector, render.

An export is written once, kept for one download under MEDIA_ROOT/distribution-exports/ (named by the
export record, readable only by the user who made it) and deleted when downloaded; its XLSX password is on
the result page only, never stored."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.accounts.access import actor_can, ensure_capability
from tepat.accounts.roles import Capability as C
from tepat.core.exceptions import ApplicationError, ObjectNotFound, ValidationFailed
from tepat.distribution import selectors as sel
from tepat.distribution.models import Channel, ExportFile, Receipt
from tepat.distribution.services.close import close_approve, close_refuse, close_request
from tepat.distribution.services.common import CLOSE, COMPLETE, MANAGE, RECEIPT, VIEW
from tepat.distribution.services.evidence import (
    access_receipt_file,
    receipt_files_add,
    receipt_record_with_files,
)
from tepat.distribution.services.export import list_export
from tepat.distribution.services.lists import distribution_create, list_version_create
from tepat.distribution.services.realisation import (
    realisation_import,
    reconciliation,
    return_resolve,
    returns_import,
)
from tepat.distribution.services.receipts import REASONS
from tepat.programs.models import BeneficiaryList
from tepat.registry.selectors import personal_data_viewed

REASONS_QUEUE = "dikembalikan untuk dilengkapi"


def _errors(request: HttpRequest, exc: ApplicationError) -> None:
    if exc.status_code in (403, 404):
        raise exc
    for text in ([i.text for i in exc.issues] if isinstance(exc, ValidationFailed) else [exc.message]):
        messages.error(request, text)


def _export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "distribution-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=VIEW)
    dists = list(sel.distributions_visible(request.user)[:100])
    openable = []
    if actor_can(request.user, MANAGE):
        from tepat.accounts.access import scope_q

        openable = list(BeneficiaryList.objects.filter(status=BeneficiaryList.Status.APPROVED,
                                                       distribution__isnull=True)
                        .filter(scope_q(request.user, "region_code")).select_related("release__programme")[:50])
    return render(request, "distribution/index.html", {"dists": dists, "openable": openable,
                                                       "section": "distribution"})


@login_required
@require_POST
def open_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=MANAGE)
    blist = BeneficiaryList.objects.select_related("release__programme").filter(pk=request.POST.get("list")).first()
    if blist is None:
        raise ObjectNotFound()
    try:
        dist = distribution_create(actor=request.user, blist=blist)
    except (ValidationFailed, ApplicationError) as exc:
        _errors(request, exc)
        return redirect("distribution:index")
    return redirect("distribution:detail", pk=dist.pk)


@login_required
@require_GET
def detail(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk)
    lists = list(dist.lists.select_related("channel").order_by("channel_id", "-version"))
    return render(request, "distribution/detail.html", {
        "dist": dist, "lists": lists, "channels": Channel.objects.filter(active=True),
        "imports": dist.imports.order_by("-created_at")[:10], "district": sel.district_reader(request.user, dist),
        "may_manage": actor_can(request.user, MANAGE), "may_close": actor_can(request.user, CLOSE),
        "exports": ExportFile.objects.filter(list__distribution=dist).order_by("-created_at")[:20],
        "villages": sel.villages_of(request.user, dist) if dist.status != "closed" else [],
        "may_print": actor_can(request.user, C.INVITATIONS_PRINT), "section": "distribution"})


@login_required
@require_POST
def version_create(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk, capability=MANAGE)
    channel = Channel.objects.filter(code=request.POST.get("channel")).first()
    if channel is None:
        raise ObjectNotFound()
    area = [c.strip() for c in (request.POST.get("area") or "").replace(",", " ").split() if c.strip()]
    try:
        dlist = list_version_create(actor=request.user, dist=dist, channel=channel, area_codes=area,
                                    note=request.POST.get("note", ""))
        messages.success(request, f"{channel.code} v{dlist.version}: {dlist.entry_count} KPM, "
                                  f"{dlist.held_back} → {REASONS_QUEUE}")
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect("distribution:detail", pk=dist.pk)


@login_required
@require_POST
def export_view(request: HttpRequest, list_id) -> HttpResponse:
    dlist = sel.access_list(actor=request.user, list_id=list_id)
    try:
        result = list_export(actor=request.user, dlist=dlist, fmt=request.POST.get("format", "csv"),
                             scope_code=request.POST.get("scope", "").strip())
    except ApplicationError as exc:
        _errors(request, exc)
        return redirect("distribution:detail", pk=dlist.distribution_id)
    target = _export_dir() / f"{result.record.pk}.{result.record.format}"
    shutil.move(str(result.path), target)
    return render(request, "distribution/export_done.html", {"record": result.record, "password": result.password,
                                                             "dist": dlist.distribution, "section": "distribution"})


@login_required
@require_GET
def export_download(request: HttpRequest, export_id) -> HttpResponse:
    ensure_capability(actor=request.user, capability=MANAGE)
    record = ExportFile.objects.select_related("list").filter(pk=export_id, created_by=request.user).first()
    path = _export_dir() / f"{export_id}.{record.format}" if record else None
    if record is None or not path.exists():
        raise ObjectNotFound()
    handle = path.open("rb")
    path.unlink()  # one download; the open handle keeps the bytes
    response = FileResponse(handle, as_attachment=True, filename=record.file_name)
    response["X-Tepat-SHA256"] = record.sha256
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def realisation_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk, capability=MANAGE)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Pilih berkas / Choose a file")
        return redirect("distribution:detail", pk=dist.pk)
    channel = Channel.objects.filter(code=request.POST.get("channel")).first()
    kind = request.POST.get("kind", "realisation")
    try:
        if kind == "returns":
            out = returns_import(actor=request.user, dist=dist, source=upload.read(), file_name=upload.name,
                                 channel=channel)
            return render(request, "distribution/import_report.html", {
                "dist": dist, "kind": kind, "errors": out["errors"], "applied": out["queued"],
                "unchanged": out["unchanged"], "section": "distribution"})
        imp = realisation_import(actor=request.user, dist=dist, source=upload.read(), file_name=upload.name,
                                 channel=channel)
    except ApplicationError as exc:
        _errors(request, exc)
        return redirect("distribution:detail", pk=dist.pk)
    return render(request, "distribution/import_report.html", {
        "dist": dist, "kind": kind, "imp": imp, "errors": imp.errors, "applied": imp.applied,
        "unchanged": imp.unchanged, "section": "distribution"})


@login_required
@require_GET
def queue_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk)
    status = request.GET.get("status", "open")
    items = list(sel.queue(request.user, dist, status=status)[:500])
    return render(request, "distribution/queue.html", {"dist": dist, "items": items, "status": status,
                                                       "may_complete": actor_can(request.user, COMPLETE),
                                                       "section": "distribution"})


@login_required
@require_POST
def return_resolve_view(request: HttpRequest, item_id) -> HttpResponse:
    item = sel.access_return(actor=request.user, item_id=item_id)
    try:
        item = return_resolve(actor=request.user, item=item, action=request.POST.get("action", ""),
                              note=request.POST.get("note", ""))
    except ValueError:
        raise ValidationFailed([]) from None
    except ApplicationError as exc:
        if request.headers.get("HX-Request") and isinstance(exc, ValidationFailed):
            return HttpResponse(" ".join(i.text for i in exc.issues), status=422)
        _errors(request, exc)
        return redirect("distribution:queue", pk=item.distribution_id)
    if request.headers.get("HX-Request"):
        return render(request, "distribution/_queue_row.html", {"item": item, "may_complete": False})
    return redirect("distribution:queue", pk=item.distribution_id)


@login_required
@require_http_methods(["GET", "POST"])
def receipt_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=RECEIPT)
    ref = (request.GET.get("ref") or request.POST.get("ref") or "").strip().upper()
    entry = row = receipt = None
    files: list = []
    if ref:
        try:
            entry = sel.entry_by_ref(actor=request.user, kpm_ref=ref)
        except ObjectNotFound:
            if request.method == "POST":
                raise
            messages.error(request, "Referensi KPM tidak ditemukan di wilayah Anda / KPM reference not found in your regions")
    if entry is not None and request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("outcome", "amount", "collector", "collector_name",
                                                     "authority_letter", "reason", "latitude", "longitude",
                                                     "accuracy_m", "signature", "device", "note")}
        try:
            receipt_record_with_files(actor=request.user, entry=entry, data=data,
                                      photos=request.FILES.getlist("photos"),
                                      signature=request.FILES.get("signature_image"))
            messages.success(request, f"{entry.kpm_ref}: tanda terima dicatat / receipt recorded")
            return redirect(reverse("distribution:receipt") + f"?ref={entry.kpm_ref}")
        except ApplicationError as exc:
            _errors(request, exc)
    if entry is not None:
        row = sel.entry_row(request.user, entry)
        receipt = Receipt.objects.filter(entry=entry).first()
        files = list(receipt.files.all()) if receipt is not None else []
        personal_data_viewed(actor=request.user, kind="distribution_entry", count=1, region_code=entry.region_code,
                             target=entry)
    return render(request, "distribution/receipt.html", {
        "ref": ref, "entry": entry, "row": row, "receipt": receipt, "files": files, "reasons": REASONS,
        "outcomes": Receipt.Outcome.choices, "collectors": Receipt.Collector.choices, "section": "distribution"})


@login_required
@require_GET
def reconciliation_view(request: HttpRequest, pk) -> HttpResponse:
    dist = sel.access_distribution(actor=request.user, distribution_id=pk)
    data = reconciliation(actor=request.user, dist=dist)
    return render(request, "distribution/reconciliation.html", {"dist": dist, **data, "section": "distribution"})


@login_required
@require_POST
def close_view(request: HttpRequest, pk) -> HttpResponse:
    step = request.POST.get("step", "")
    capability = MANAGE if step == "request" else CLOSE
    dist = sel.access_distribution(actor=request.user, distribution_id=pk, capability=capability)
    note = request.POST.get("note", "")
    try:
        if step == "request":
            close_request(actor=request.user, dist=dist, note=note)
        elif step == "close":
            close_approve(actor=request.user, dist=dist, note=note)
        elif step == "refuse":
            close_refuse(actor=request.user, dist=dist, note=note)
        else:
            raise ObjectNotFound()
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect("distribution:detail", pk=dist.pk)


@login_required
@require_POST
def receipt_files_view(request: HttpRequest, receipt_id) -> HttpResponse:
    """Upload photos and/or the signature image of a recorded receipt."""
    ensure_capability(actor=request.user, capability=RECEIPT)
    receipt = Receipt.objects.select_related("entry").filter(pk=receipt_id).first()
    if receipt is None:
        raise ObjectNotFound()
    try:
        stored = receipt_files_add(actor=request.user, receipt=receipt, photos=request.FILES.getlist("photos"),
                                   signature=request.FILES.get("signature_image"))
        messages.success(request, f"{receipt.entry.kpm_ref}: {len(stored)} berkas diunggah / file(s) uploaded")
    except ApplicationError as exc:
        _errors(request, exc)
    return redirect(reverse("distribution:receipt") + f"?ref={receipt.entry.kpm_ref}")


@login_required
@require_GET
def receipt_file_view(request: HttpRequest, file_id) -> HttpResponse:
    """One photo or signature, to a reader of the distribution in its village; never cached, never sniffed."""
    row = access_receipt_file(actor=request.user, file_id=file_id)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{row.pk}.{row.content_type.split("/")[-1]}"'
    return response
