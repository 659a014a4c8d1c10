"""Pages under /bencana/: events with their intake form (HTMX), matching and meals; warehouses with their stock,
ledger and stock forms; the issue form. Thin: scoped fetch, one service or selector, render. A refusal comes
back as the service's own bilingual message (the page shows the active language's half)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.accounts.access import actor_can, ensure_capability, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.registry import choices as rc
from tepat.relief import selectors as sel
from tepat.relief.access import access_event, access_household, access_warehouse, warehouses_visible
from tepat.relief.models import DisasterEvent, IntakeHousehold, StockMovement
from tepat.relief.services import events as ev
from tepat.relief.services import stock as st

C = Capability
PERSON_ROWS = 6


def _ctx(**kwargs: Any) -> dict[str, Any]:
    return {"section": "relief", **kwargs}


def _text(exc: ApplicationError) -> str:
    """The refusal in the active language (services write "Indonesian / English")."""
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{i.field}: {i.text}" if i.field not in i.text else i.text for i in exc.issues)
    parts = exc.message.split(" / ", 1)
    if len(parts) == 2:
        return parts[1] if (translation.get_language() or "id").startswith("en") else parts[0]
    return exc.message


def _attempt(request: HttpRequest, run: Any, success: str) -> bool:
    """Run a service; 403/404 propagate (the middleware answers them), other refusals become a message."""
    try:
        run()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, _text(exc))
        return False
    messages.success(request, success)
    return True


# ---- events -------------------------------------------------------------------------------------------------

@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.RELIEF_VIEW)
    status = request.GET.get("status", "")
    page = Paginator(sel.event_list(actor=request.user, status=status), 25).get_page(request.GET.get("page"))
    return render(request, "relief/event_list.html", _ctx(
        page=page, status=status, statuses=DisasterEvent.Status.choices, kinds=DisasterEvent.Kind.choices,
        can_create=actor_can(request.user, C.RELIEF_EVENTS), review=sel.review_households(actor=request.user)[:50]))


@login_required
@require_POST
def event_create(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.RELIEF_EVENTS)
    p = request.POST
    created: dict[str, Any] = {}

    def run() -> None:
        created["event"] = ev.event_create(
            actor=request.user, kind=p.get("kind", ""), region_code=p.get("region_code", ""), place=p.get("place", ""),
            occurred_on=p.get("occurred_on", ""), description=p.get("description", ""),
            decree_number=p.get("decree_number", ""), decree_date=p.get("decree_date", ""))

    if _attempt(request, run, _("Disaster event recorded.")):
        return redirect("relief:event_detail", pk=created["event"].pk)
    return redirect("relief:event_list")


def _detail_context(request: HttpRequest, event: DisasterEvent) -> dict[str, Any]:
    detail = sel.event_detail(actor=request.user, event=event)
    return _ctx(d=detail, event=event, damages=IntakeHousehold.Damage.choices, relations=rc.Relation.choices,
                person_rows=range(PERSON_ROWS))


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    event = access_event(actor=request.user, event_id=pk)
    return render(request, "relief/event_detail.html", _detail_context(request, event))


def _persons(post: Any) -> list[dict[str, Any]]:
    rows = []
    for i in range(PERSON_ROWS):
        row = {key: post.get(f"p{i}_{key}", "").strip() for key in ("name", "nik", "sex", "birth_date", "age_years",
                                                                      "relation")}
        if any(value for key, value in row.items() if key != "relation"):  # the head's relation is preset
            rows.append(row)
    return rows


@login_required
@require_POST
def household_create(request: HttpRequest, pk: Any) -> HttpResponse:
    """The intake form (HTMX: answers with the households section; without HTMX: back to the event)."""
    event = access_event(actor=request.user, event_id=pk)
    p = request.POST
    error = ""
    try:
        ev.intake_household_create(
            actor=request.user, event=event, head_name=p.get("head_name", ""), persons=_persons(p),
            region_code=p.get("region_code", ""), rt=p.get("rt", ""), rw=p.get("rw", ""),
            address=p.get("address", ""), kk_number=p.get("kk_number", ""), phone=p.get("phone", ""),
            damage=p.get("damage", "none"), displaced=p.get("displaced") == "1", shelter=p.get("shelter", ""),
            note=p.get("note", ""))
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            raise
        error = _text(exc)
    if request.headers.get("HX-Request"):
        context = _detail_context(request, event)
        context.update(intake_error=error, intake_ok=not error, posted=p if error else None)
        return render(request, "relief/_households.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Household recorded."))
    return redirect("relief:event_detail", pk=event.pk)


@login_required
@require_POST
def event_action(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    event = access_event(actor=request.user, event_id=pk)
    p, actor = request.POST, request.user
    if action == "match":
        _attempt(request, lambda: ev.intake_match(actor=actor, event=event), _("Intake matched to the registry."))
    elif action == "close":
        _attempt(request, lambda: ev.event_close(actor=actor, event=event, note=p.get("note", "")), _("Event closed."))
    elif action == "reopen":
        _attempt(request, lambda: ev.event_reopen(actor=actor, event=event, reason=p.get("reason", "")),
                 _("Event reopened."))
    elif action == "meals":
        household = access_household(actor=actor, household_id=p.get("household", ""), event=event)
        _attempt(request, lambda: ev.meals_record(actor=actor, event=event, household=household,
                                                  served_from=p.get("served_from", ""), days=p.get("days", ""),
                                                  persons=p.get("persons", ""), note=p.get("note", "")),
                 _("Meals recorded."))
    else:
        raise Http404
    return redirect("relief:event_detail", pk=event.pk)


# ---- warehouses ---------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def warehouse_list(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=C.RELIEF_VIEW)
    if request.method == "POST":
        ensure_capability(actor=request.user, capability=C.RELIEF_STOCK)
        p = request.POST
        _attempt(request, lambda: st.warehouse_create(actor=request.user, code=p.get("code", ""),
                                                      name=p.get("name", ""), region_code=p.get("region_code", ""),
                                                      address=p.get("address", "")), _("Warehouse created."))
        return redirect("relief:warehouse_list")
    return render(request, "relief/warehouse_list.html", _ctx(
        warehouses=sel.warehouse_list(actor=request.user), can_stock=actor_can(request.user, C.RELIEF_STOCK)))


@login_required
@require_GET
def warehouse_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    warehouse = access_warehouse(actor=request.user, warehouse_id=pk)
    item_code = request.GET.get("item", "")
    ledger = Paginator(sel.warehouse_ledger(warehouse=warehouse, item_code=item_code), 50).get_page(
        request.GET.get("page"))
    return render(request, "relief/warehouse_detail.html", _ctx(
        warehouse=warehouse, stock=sel.warehouse_stock(warehouse=warehouse), ledger=ledger, item_code=item_code,
        items=sel.items(), kinds=StockMovement.Kind.choices, can_stock=actor_can(request.user, C.RELIEF_STOCK),
        others=warehouses_visible(request.user).exclude(pk=warehouse.pk).filter(active=True)))


@login_required
@require_POST
def warehouse_action(request: HttpRequest, pk: Any, action: str) -> HttpResponse:
    warehouse = access_warehouse(actor=request.user, warehouse_id=pk)
    p, actor = request.POST, request.user
    if action == "receive":
        _attempt(request, lambda: st.stock_receive(
            actor=actor, warehouse=warehouse, item=p.get("item", ""), quantity=p.get("quantity", ""),
            kind=p.get("kind", ""), occurred_on=p.get("occurred_on", ""), source=p.get("source", ""),
            lot_code=p.get("lot_code", ""), expires_on=p.get("expires_on", ""), document=p.get("document", ""),
            unit_price=p.get("unit_price", ""), note=p.get("note", "")), _("Stock received."))
    elif action == "transfer":
        destination = access_warehouse(actor=actor, warehouse_id=p.get("destination", ""))
        _attempt(request, lambda: st.stock_transfer(
            actor=actor, source=warehouse, destination=destination, item=p.get("item", ""),
            quantity=p.get("quantity", ""), occurred_on=p.get("occurred_on") or None, document=p.get("document", ""),
            note=p.get("note", "")), _("Stock transferred."))
    elif action == "return":
        _attempt(request, lambda: st.stock_return(
            actor=actor, warehouse=warehouse, issue_reference=p.get("issue_reference", ""),
            quantity=p.get("quantity", ""), occurred_on=p.get("occurred_on") or None, note=p.get("note", "")),
            _("Return recorded."))
    elif action == "stock-take":
        counts = {key.removeprefix("count_"): value for key, value in p.items()
                  if key.startswith("count_") and value.strip() != ""}
        _attempt(request, lambda: st.stock_take(actor=actor, warehouse=warehouse, counts=counts,
                                                reason=p.get("reason", ""), occurred_on=p.get("occurred_on") or None),
                 _("Stock-take recorded."))
    else:
        raise Http404
    return redirect("relief:warehouse_detail", pk=warehouse.pk)


@login_required
@require_http_methods(["GET", "POST"])
def issue_form(request: HttpRequest, pk: Any) -> HttpResponse:
    """Issue stock to a household of an open event. A refusal is shown on the form with the balance."""
    warehouse = access_warehouse(actor=request.user, warehouse_id=pk)
    ensure_capability(actor=request.user, capability=C.RELIEF_STOCK)
    data = request.POST if request.method == "POST" else request.GET
    events = sel.open_events_for_issue(actor=request.user)
    event = events.filter(pk=data.get("event")).first() if data.get("event") else None
    error = ""
    if request.method == "POST":
        try:
            if event is None:
                raise ValidationFailed([Issue("required", "event", "kejadian wajib dipilih",
                                                 "choose the event")])
            household = access_household(actor=request.user, household_id=data.get("household", ""), event=event)
            lines = st.stock_issue(actor=request.user, warehouse=warehouse, item=data.get("item", ""),
                                   quantity=data.get("quantity", ""), event=event, household=household,
                                   occurred_on=data.get("occurred_on") or None, document=data.get("document", ""),
                                   note=data.get("note", ""))
        except ApplicationError as exc:
            if exc.status_code == 403:
                raise
            error = _text(exc)
        else:
            messages.success(request, _("Issued under %(ref)s.") % {"ref": lines[0].reference})
            return redirect("relief:warehouse_detail", pk=warehouse.pk)
    households = IntakeHousehold.objects.filter(scope_q(request.user, "region__code"), event=event).order_by(
        "created_at") if event else []
    template = "relief/_issue_households.html" if request.headers.get("HX-Request") and request.method == "GET" \
        else "relief/issue_form.html"
    return render(request, template, _ctx(
        warehouse=warehouse, events=events, event=event, households=households, items=sel.items(),
        stock=sel.warehouse_stock(warehouse=warehouse), error=error, data=data),
        status=422 if error else 200)
