from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.core.request_context import new_request_id, reset_request_id, reset_via, set_request_id, set_via

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
        via_token = set_via(None)  # a token-authenticated API request sets it (tepat.accounts.tokens)
        try:
            response = self.get_response(request)
        finally:
            reset_via(via_token)
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


_API_STATUS_ERRORS = {
    404: ("not_found", "Tidak ditemukan", "Not found"),
    405: ("method_not_allowed", "Metode tidak diizinkan untuk alamat ini", "Method not allowed for this path"),
    403: ("permission_denied", "Tidak diizinkan", "Not permitted"),
    413: ("too_large", "Permintaan terlalu besar", "Request too large"),
    500: ("server_error", "Kesalahan server; coba lagi nanti", "Server error; try again later"),
}


class ApiErrorShapeMiddleware:
    """Under /api/, the answers no API handler wrote (an unknown path's 404, a wrong method's 405, a server
    error's 500, Django's CSRF 403) get the API's error shape too: {"code", "field", "message": {"id", "en"}}
    (issue 14 item 4; the handlers' own errors are shaped in config/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (not request.path.startswith("/api/") or response.status_code not in _API_STATUS_ERRORS
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        code, id_text, en_text = _API_STATUS_ERRORS[response.status_code]
        shaped = JsonResponse({"code": code, "field": None, "message": {"id": id_text, "en": en_text}},
                              status=response.status_code)
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
