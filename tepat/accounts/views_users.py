"""User management pages for administrators (issue 9 item 10). Thin handlers: a form for types, one
selector or service call, render. `users.manage` and the scope rule (every region of the user inside the
administrator's) are the selectors' and services' checks: missing capability 403, out of scope 404.

Passwords (generated or typed) are never stored in clear: a new one is rendered once in the response to
the POST that set it, and the bulk result file is embedded in that response (a data: link), not kept.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tepat.accounts import bulk
from tepat.accounts.access import ensure_capability
from tepat.accounts.forms import (
    PasswordResetForm,
    UserBulkForm,
    UserCreateForm,
    UserDetailsForm,
    UserFilterForm,
    apply_service_errors,
)
from tepat.accounts.roles import Capability
from tepat.accounts.selectors import access_user, user_rows, user_search
from tepat.accounts.services import (
    user_create,
    user_deactivate,
    user_password_reset,
    user_reactivate,
    user_unlock,
    user_update,
)
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed

PAGE_SIZE = 25
SECTION = {"section": "users"}


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _status(form: Any) -> int:
    return 422 if form.is_bound and form.errors else 200


def _detail_url(user: Any) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET)
    users = user_search(actor=request.user, **form.search_args())
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**SECTION, "form": form, "page": page, "rows": user_rows(list(page.object_list))}
    template = "accounts/_user_results.html" if _is_partial(request) else "accounts/user_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = access_user(actor=request.user, user_id=pk)
    row = user_rows([user])[0]
    return render(request, "accounts/user_detail.html", {**SECTION, "row": row, "managed": user})


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.USER_MANAGE)
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or ""
        from tepat.accounts.services import generate_password

        initial = password or generate_password()
        try:
            user = user_create(actor=request.user, username=data["username"], password=initial, role=data["role"],
                               region_codes=form.region_codes(), full_name=data["full_name"], email=data["email"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            return render(request, "accounts/user_password_once.html", {
                **SECTION, "managed": user, "password": "" if password else initial, "created": True})
    return render(request, "accounts/user_form.html",
                  {**SECTION, "form": form, "title": _("New user"), "cancel_url": reverse("accounts:user_list")},
                  status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = access_user(actor=request.user, user_id=pk)
    initial = {"full_name": user.get_full_name(), "email": user.email, "role": user.role,
               "regions": ", ".join(user.region_assignments.order_by("region_id").values_list("region_id", flat=True))}
    form = UserDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(actor=request.user, user=user, full_name=data["full_name"], email=data["email"],
                        role=data["role"], region_codes=form.region_codes())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The user was saved."))
            return redirect(_detail_url(user))
    return render(request, "accounts/user_form.html",
                  {**SECTION, "form": form, "managed": user, "title": _("Edit user"),
                   "cancel_url": _detail_url(user)}, status=_status(form))


def _action(request: HttpRequest, pk: int, call: Any, success: str) -> HttpResponse:
    user = access_user(actor=request.user, user_id=pk)
    try:
        call(actor=request.user, user=user)
    except (ValidationFailed, BusinessRuleViolation) as exc:
        text = "; ".join(i.text for i in exc.issues) if isinstance(exc, ValidationFailed) else exc.message
        messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect(_detail_url(user))


@login_required
@require_POST
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, user_deactivate, _("The user was deactivated and signed out."))


@login_required
@require_POST
def user_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, user_reactivate, _("The user was reactivated."))


@login_required
@require_POST
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, user_unlock, _("The user was unlocked."))


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = access_user(actor=request.user, user_id=pk)
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["password"] or ""
        try:
            user, password = user_password_reset(actor=request.user, user=user, password=typed)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            return render(request, "accounts/user_password_once.html",
                          {**SECTION, "managed": user, "password": "" if typed else password, "created": False})
    return render(request, "accounts/user_password.html", {**SECTION, "form": form, "managed": user},
                  status=_status(form))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_bulk_view(request: HttpRequest) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.USER_MANAGE)
    limit = bulk.max_bytes()
    context: dict[str, Any] = {**SECTION, "limit": limit, "max_rows": bulk.max_rows()}
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
        # Refused before the body is read: the size limit holds for what reaches the server, not after.
        context["form"] = UserBulkForm()
        context["refusal"] = _("The file is larger than the limit of %(limit)s KB.") % {"limit": limit // 1024}
        return render(request, "accounts/user_bulk.html", context, status=413)
    form = UserBulkForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(limit + 1)
        try:
            result = bulk.user_bulk_create(actor=request.user, content=content, file_name=upload.name)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            encoded = base64.b64encode(bulk.result_csv(result)).decode("ascii")
            context.update({"result": result, "result_href": f"data:text/csv;charset=utf-8;base64,{encoded}",
                            "created": result.count("created"), "exists": result.count("exists"),
                            "rejected": result.count("rejected")})
            return render(request, "accounts/user_bulk.html", context)
    return render(request, "accounts/user_bulk.html", context, status=_status(form))


@login_required
@require_GET
def user_bulk_template(request: HttpRequest, fmt: str) -> HttpResponse:
    ensure_capability(actor=request.user, capability=Capability.USER_MANAGE)
    if fmt == "xlsx":
        content, kind = bulk.template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, kind = bulk.template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="templat-pengguna.{fmt}"'
    return response
