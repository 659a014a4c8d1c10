"""The root JSON API: mounts every app's router. OpenAPI docs at /api/v1/docs."""

import contextlib
import logging

import pydantic
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import django_auth

from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue

api = NinjaAPI(
    title="Tepat API",
    version="1",
    description="DTKS registry API. Bahasa Indonesia and English messages in every error.",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    body = {"message": exc.message, "code": exc.code, "extra": exc.extra}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.extra.get("errors", [])
    return api.create_response(request, body, status=exc.status_code)


# Messages for django-ninja's own checks of the request shape (wrong type, missing field, bad JSON).
_SHAPE_MESSAGES = {
    "missing": ("wajib diisi", "is required"),
    "string_type": ("harus dikirim sebagai teks (string), bukan angka", "must be sent as a string, not a number"),
    "int_type": ("harus bilangan bulat", "must be a whole number"),
    "int_parsing": ("harus bilangan bulat", "must be a whole number"),
    "int_from_float": ("harus bilangan bulat", "must be a whole number"),
    "bool_type": ("harus true atau false", "must be true or false"),
    "bool_parsing": ("harus true atau false", "must be true or false"),
    "date_type": ("tanggal tidak sah (format YYYY-MM-DD)", "invalid date (format YYYY-MM-DD)"),
    "date_parsing": ("tanggal tidak sah (format YYYY-MM-DD)", "invalid date (format YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("tanggal tidak sah (format YYYY-MM-DD)", "invalid date (format YYYY-MM-DD)"),
    "date_from_datetime_inexact": ("tanggal tidak sah (format YYYY-MM-DD)", "invalid date (format YYYY-MM-DD)"),
    "uuid_parsing": ("ID tidak sah (harus UUID)", "invalid id (must be a UUID)"),
    "uuid_type": ("ID tidak sah (harus UUID)", "invalid id (must be a UUID)"),
    "extra_forbidden": ("kolom tidak dikenal", "unknown field"),
    "dict_type": ("harus berupa objek JSON", "must be a JSON object"),
    "list_type": ("harus berupa daftar (array)", "must be a list (array)"),
    "json_invalid": ("isi permintaan bukan JSON yang sah", "the request body is not valid JSON"),
    "greater_than_equal": ("harus paling kecil {ge}", "must be at least {ge}"),
    "less_than_equal": ("harus paling besar {le}", "must be at most {le}"),
    "string_too_long": ("paling banyak {max_length} karakter", "at most {max_length} characters"),
}
_PARAM_SOURCES = {"body", "query", "path", "form", "header", "cookie", "file"}


def _shape_issue(error: dict) -> Issue:
    loc = [str(part) for part in error.get("loc", ())]
    source = loc.pop(0) if loc and loc[0] in _PARAM_SOURCES else ""
    if source == "body" and len(loc) > 1:
        loc = loc[1:]  # the handler's parameter name ("payload") means nothing to the client
    field = ".".join(loc) or "__all__"
    kind = error.get("type", "invalid")
    id_text, en_text = _SHAPE_MESSAGES.get(kind, ("nilai tidak sah", error.get("msg", "invalid value")))
    context = error.get("ctx") or {}
    with contextlib.suppress(KeyError, IndexError):
        id_text, en_text = id_text.format(**context), en_text.format(**context)
    return Issue(kind, field, f"{field}: {id_text}", f"{field}: {en_text}")


@api.exception_handler(RequestValidationError)
def request_shape_error(request, exc: RequestValidationError):
    """Ninja's schema checks answer like the services' ValidationFailed: 422 with bilingual field errors."""
    return application_error(request, ValidationFailed([_shape_issue(error) for error in exc.errors]))


@api.exception_handler(pydantic.ValidationError)
def parsing_error(request, exc: pydantic.ValidationError):
    """A schema validated inside a handler (a JSON form field, a nested payload): the same 422 as ninja's."""
    return request_shape_error(request, RequestValidationError(exc.errors(include_url=False)))


@api.exception_handler(DjangoValidationError)
def django_validation_error(request, exc: DjangoValidationError):
    """A model-level refusal that reached the API (e.g. a malformed UUID in a lookup): 422, never 500."""
    by_field = exc.error_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.error_list)]
    issues = [Issue(error.code or "invalid", name, f"{name}: nilai tidak sah", f"{name}: {' '.join(error.messages)}")
              for name, errors in by_field for error in errors]
    return application_error(request, ValidationFailed(issues))


_log = logging.getLogger("tepat.api")


@api.exception_handler(ValueError)
def value_error(request, exc: ValueError):
    """The last guard: a ValueError while parsing input answers 422, not 500. The exception's text is
    logged, not returned (it may echo input or internals); the services' refusals are ValidationFailed."""
    _log.warning("ValueError answered as 422 on %s %s", request.method, request.path, exc_info=exc)
    return application_error(request, ValidationFailed([
        Issue("invalid", "__all__", "Permintaan memuat nilai yang tidak sah", "The request holds an invalid value")
    ]))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals (a body that is not JSON): the same {"message", "code"} shape as the rest."""
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = "Isi permintaan tidak dapat dibaca (bukan JSON yang sah) / The request body is not valid JSON"
    code = "bad_request" if exc.status_code == 400 else "http_error"
    return api.create_response(request, {"message": message, "code": code}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(
        request, {"message": "Tidak diizinkan / Not permitted", "code": "permission_denied"}, status=403
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"message": "Silakan masuk / Please sign in", "code": "unauthenticated"}, status=401
    )


api.add_router("/regions", "tepat.regions.api.router")
api.add_router("/registry", "tepat.registry.api.router")
api.add_router("/registry/exports", "tepat.registry.api_exports.router")
api.add_router("/audit", "tepat.trail.api.router")
api.add_router("/updates", "tepat.updates.api.router")
api.add_router("/quality", "tepat.quality.api.router")
api.add_router("/programs", "tepat.programs.api.router")
api.add_router("/targeting", "tepat.targeting.api.router")
api.add_router("/relief", "tepat.relief.api.router")
api.add_router("/distribution", "tepat.distribution.api.router")
api.add_router("/invitations", "tepat.distribution.invitations.api.router")
api.add_router("/grievances", "tepat.grievances.api.router")
api.add_router("/planning", "tepat.planning.api.router")
api.add_router("/public", "tepat.public.api.router")
api.add_router("/citizen-reports", "tepat.public.api.staff_router")  # staff: the village queue (login)
api.add_router("/me", "tepat.accounts.api.router")
