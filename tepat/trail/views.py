"""Audit trail pages, for roles with AUDIT_VIEW, scoped to their regions by `audit_event_list`.
An event outside the actor's regions is not found, exactly like an absent one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tepat.audit.actions import action_label
from tepat.core.exceptions import ObjectNotFound
from tepat.trail.selectors import AuditFilters, audit_actions, audit_event_list

PAGE_SIZE = 25


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class AuditFilterForm(forms.Form):
    """Types only; the scope is the selector's."""

    action = forms.CharField(label=_("Action"), required=False, max_length=80, widget=forms.Select())
    actor = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    target_type = forms.CharField(label=_("Target type"), required=False, max_length=80,
                                  widget=forms.TextInput(attrs={"placeholder": "registry.family"}))
    target_id = forms.CharField(label=_("Target ID"), required=False, max_length=64)
    region_code = forms.CharField(label=_("Region code"), required=False, max_length=13,
                                  widget=forms.TextInput(attrs={"placeholder": "36.04", "inputmode": "decimal"}))
    date_from = _date(_("From"))
    date_to = _date(_("Until"))

    def filters(self) -> AuditFilters:
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return AuditFilters(**values)

    def offer_actions(self, actions: list[str]) -> None:
        """Each action family ("family." matches all family.* actions), then each action."""
        prefixes = sorted({action.split(".", 1)[0] + "." for action in actions if "." in action})
        self.fields["action"].widget.choices = [
            ("", _("All actions")),
            (_("Groups"), [(prefix, f"{prefix}*") for prefix in prefixes]),
            (_("Actions"), [(action, f"{action_label(action)} ({action})") for action in actions]),
        ]


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    events = audit_event_list(actor=request.user, filters=form.filters())
    form.offer_actions(audit_actions())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "audit/_event_results.html" if _is_partial(request) else "audit/event_list.html"
    response = render(request, template, {"form": form, "page": page})
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    event = audit_event_list(actor=request.user).filter(seq=seq).first()
    if event is None:
        raise ObjectNotFound()
    return render(request, "audit/event_detail.html", {"event": event})
