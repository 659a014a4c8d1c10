from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.core.request_context import new_request_id, reset_request_id, set_request_id

# ASCII letters, digits, ".", "_", "-"; 8 to 64 of them; nothing else (fullmatch: no trailing newline).
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}", re.ASCII)


class RequestIdMiddleware:
    """Gives each request an id (or keeps a sane X-Request-ID from the proxy) for audit events and logs.

    The id is stored in hash-chained audit events, so a client-supplied one is checked (charset, length)
    and replaced by a fresh one when it does not pass; it never reaches the trail unchecked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class ApplicationErrorMiddleware:
    """Pages: out-of-scope and absent objects are 404; missing capability is 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, ObjectNotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDeniedError):
            raise PermissionDenied(exception.message)
        return None
