"""Registry pages. Thin handlers: parse with a form (types only), fetch through `access_*`, call one
service or selector, render. Capability and scope are checked by those functions: a missing capability
is 403, an object outside the actor's regions is 404 exactly like an absent one.

A form the service rejects is shown again with the service's field messages and status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.accounts.throttle import client_ip
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.registry.access import access_family, access_individual
from tepat.registry.actions import family_actions, individual_actions, registry_actions
from tepat.registry.forms import (
    FamilyCreateForm,
    FamilyFilterForm,
    FamilyRemoveForm,
    FamilyUpdateForm,
    IndividualForm,
    IndividualUpdateForm,
    PresenceForm,
    apply_service_errors,
)
from tepat.registry.sections import family_sections
from tepat.registry.selectors import (
    FamilySearch,
    family_detail,
    family_heads,
    family_search,
    personal_data_viewed,
)
from tepat.registry.services import (
    family_create,
    family_remove,
    family_update,
    individual_add,
    individual_set_presence,
    individual_update,
)

PAGE_SIZE = 25


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so the service reports what is missing)."""
    return request.POST if request.method == "POST" else None


def _form_response(request: HttpRequest, template: str, context: dict[str, Any], form: Any) -> HttpResponse:
    status = 200
    if form.is_bound and form.errors:
        status = 409 if getattr(form, "conflict", False) else 422
    return render(request, template, context, status=status)


def _family_url(family: Any, anchor: str = "") -> str:
    return reverse("registry:family_detail", args=[family.pk]) + (f"#{anchor}" if anchor else "")


def _editable_family(request: HttpRequest, pk: Any) -> Any:
    """Direct correction pages (Dinsos): capability first (403 reveals nothing about the object), then the
    scoped fetch (404). Village roles propose instead (tepat.updates); the service checks the full rule."""
    ensure_capability(actor=request.user, capability=Capability.REGISTRY_CORRECT)
    return access_family(actor=request.user, family_id=pk)


def _editable_individual(request: HttpRequest, pk: Any) -> Any:
    ensure_capability(actor=request.user, capability=Capability.REGISTRY_CORRECT)
    return access_individual(actor=request.user, individual_id=pk)


def _conflict(form: Any, exc: BusinessRuleViolation) -> None:
    form.add_error(None, exc.message)
    form.conflict = True


def _write(
    request: HttpRequest, form: Any, call: Callable[[], Any], success: str, *, prefix: str = ""
) -> Any:
    """Run one service call. A refusal puts its messages on the form and returns None; success is announced."""
    try:
        result = call()
    except ValidationFailed as exc:
        apply_service_errors(form, exc, prefix=prefix)
        return None
    except BusinessRuleViolation as exc:
        _conflict(form, exc)
        return None
    messages.success(request, success)
    return result


@login_required
@require_GET
def family_list(request: HttpRequest) -> HttpResponse:
    form = FamilyFilterForm(request.GET, actor=request.user)
    args = form.search_args()
    status = 200
    try:
        search = family_search(actor=request.user, client_ip=client_ip(request), **args)
    except ValidationFailed as exc:  # a masked role typed part of a number
        apply_service_errors(form, exc)
        search, status = FamilySearch([], "identity", args["query"]), 422
    page = Paginator(search.families, PAGE_SIZE).get_page(request.GET.get("page"))
    families = list(page.object_list)
    heads = family_heads(families)
    if status == 200:
        personal_data_viewed(actor=request.user, kind="family_list", count=len(families),
                             region_code=args["region_code"],
                             extra={"page": page.number, "search": search.kind})
    context = {
        "form": form,
        "search": search,
        "page": page,
        "rows": [(family, heads.get(family.pk)) for family in families],
        "actions": registry_actions(request.user),
    }
    template = "registry/_family_results.html" if _is_partial(request) else "registry/family_list.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def family_detail_view(request: HttpRequest, pk: Any) -> HttpResponse:
    family = access_family(actor=request.user, family_id=pk)
    detail = family_detail(actor=request.user, family=family)
    head = family_heads([family]).get(family.pk)
    context = {
        "detail": detail, "family": detail.family, "head": head, "sections": family_sections(request, family),
        "actions": family_actions(request.user, detail.family),
        "member_rows": [(member, individual_actions(request.user, member)) for member in detail.members],
    }
    return render(request, "registry/family_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def family_create_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.REGISTRY_CORRECT)
    form = FamilyCreateForm(_posted(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        family = _write(
            request,
            form,
            lambda: family_create(
                actor=request.user,
                region_code=form.cleaned_data["region"],
                data=form.family_data(),
                members=[form.head_data()],
                correction_reason=form.cleaned_data["correction_reason"],
            ),
            _("The family was saved."),
            prefix="head_",
        )
        if family is not None:
            return redirect(_family_url(family))
    context = {"form": form, "title": _("New family"), "cancel_url": reverse("registry:family_list")}
    return _form_response(request, "registry/family_form.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def family_update_view(request: HttpRequest, pk: Any) -> HttpResponse:
    family = _editable_family(request, pk)
    form = FamilyUpdateForm(_posted(request), initial=FamilyUpdateForm.initial_from(family))
    if request.method == "POST" and form.is_valid():
        saved = _write(
            request,
            form,
            lambda: family_update(
                actor=request.user, family=family, data=form.family_data(),
                correction_reason=form.cleaned_data["correction_reason"],
            ),
            _("The family was saved."),
        )
        if saved is not None:
            return redirect(_family_url(family))
    context = {"form": form, "family": family, "title": _("Edit family"), "cancel_url": _family_url(family)}
    return _form_response(request, "registry/family_form.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def family_remove_view(request: HttpRequest, pk: Any) -> HttpResponse:
    family = _editable_family(request, pk)
    form = FamilyRemoveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        saved = _write(
            request,
            form,
            lambda: family_remove(
                actor=request.user,
                family=family,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                on_date=form.cleaned_data["on_date"],
                correction_reason=form.cleaned_data["correction_reason"],
            ),
            _("The family was removed from the active list."),
        )
        if saved is not None:
            return redirect(_family_url(family))
    context = {"form": form, "family": family, "cancel_url": _family_url(family)}
    return _form_response(request, "registry/family_remove.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def individual_add_view(request: HttpRequest, pk: Any) -> HttpResponse:
    family = _editable_family(request, pk)
    form = IndividualForm(_posted(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        member = _write(
            request,
            form,
            lambda: individual_add(actor=request.user, family=family, data=form.individual_data(),
                                   correction_reason=form.cleaned_data["correction_reason"]),
            _("The member was added."),
        )
        if member is not None:
            return redirect(_family_url(family, f"member-{member.pk}"))
    context = {"form": form, "family": family, "title": _("Add a member"), "cancel_url": _family_url(family)}
    return _form_response(request, "registry/member_form.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def individual_update_view(request: HttpRequest, pk: Any) -> HttpResponse:
    member = _editable_individual(request, pk)
    form = IndividualUpdateForm(
        _posted(request), actor=request.user, initial=IndividualUpdateForm.initial_from(member)
    )
    if request.method == "POST" and form.is_valid():
        saved = _write(
            request,
            form,
            lambda: individual_update(
                actor=request.user,
                individual=member,
                data=form.individual_data(),
                correction_reason=form.cleaned_data["correction_reason"],
            ),
            _("The member was saved."),
        )
        if saved is not None:
            return redirect(_family_url(member.family, f"member-{member.pk}"))
    context = {
        "form": form,
        "family": member.family,
        "member": member,
        "title": _("Edit member"),
        "cancel_url": _family_url(member.family, f"member-{member.pk}"),
    }
    return _form_response(request, "registry/member_form.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def individual_presence_view(request: HttpRequest, pk: Any) -> HttpResponse:
    member = _editable_individual(request, pk)
    form = PresenceForm(
        _posted(request),
        initial={
            "presence": member.presence,
            "presence_note": member.presence_note,
            "presence_date": member.presence_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = _write(
            request,
            form,
            lambda: individual_set_presence(
                actor=request.user,
                individual=member,
                presence=form.cleaned_data["presence"],
                note=form.cleaned_data["presence_note"],
                on_date=form.cleaned_data["presence_date"],
                correction_reason=form.cleaned_data["correction_reason"],
            ),
            _("The member's presence was recorded."),
        )
        if saved is not None:
            return redirect(_family_url(member.family, f"member-{member.pk}"))
    context = {
        "form": form,
        "family": member.family,
        "member": member,
        "cancel_url": _family_url(member.family, f"member-{member.pk}"),
    }
    return _form_response(request, "registry/presence_form.html", context, form)
