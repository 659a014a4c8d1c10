from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tepat.core.exceptions import ApplicationError, ValidationFailed


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def form_response(request: HttpRequest, template: str, context: dict[str, Any], *forms: Any) -> HttpResponse:
    """Render; a bound form with errors answers 422 so the browser and HTMX know it was refused."""
    status = 422 if any(f is not None and f.is_bound and f.errors for f in forms) else 200
    return render(request, template, context, status=status)


def refused(request: HttpRequest, exc: ApplicationError, url: str) -> HttpResponse:
    """A refused action from a button on a page: back to that page with the reason shown."""
    if isinstance(exc, ValidationFailed):
        for issue in exc.issues:
            messages.error(request, issue.text)
    else:
        messages.error(request, exc.message)
    return redirect(url, permanent=False)
