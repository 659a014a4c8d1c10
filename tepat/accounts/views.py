"""Signing in and out. The password check, the lockout and the audit events are `login_attempt`'s."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from tepat.accounts.forms import LoginForm
from tepat.accounts.services import login_attempt


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.method == "GET" and getattr(request, "htmx", False):
        # A partial request whose session ended was redirected here: load the sign-in page as a whole page.
        return HttpResponseClientRedirect(request.get_full_path())
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = login_attempt(request=request, username=form.cleaned_data["username"],
                                    password=form.cleaned_data["password"])
            if outcome.user is not None:
                login(request, outcome.user)
                return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
            if outcome.locked_until:
                until = formats.date_format(timezone.localtime(outcome.locked_until), "DATETIME_FORMAT")
                error = _("Too many failed attempts. Signing in with this username from this device is "
                          "locked until %(time)s.") % {"time": until}
            else:
                error = _("The username or password is not correct.")
        else:
            status = 422
    return render(request, "accounts/login.html", {"form": form, "error": error, "next": next_url},
                  status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
