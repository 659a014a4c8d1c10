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

from tepat.accounts.tokens import BearerAuth
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue

ERROR_CODES = {
    "unauthenticated": "401: no session and no valid Bearer token (unknown, expired or revoked)",
    "invalid_credentials": "401: /auth/login with a wrong username or password",
    "login_locked": "429: too many failed sign-ins (the page's throttle); extra.locked_until",
    "csrf_failed": "403: a session request without the CSRF token (Bearer requests need none)",
    "permission_denied": "403: the role (or the machine client's capabilities) does not allow it",
    "not_found": "404: absent, or outside the caller's regions (answered alike)",
    "method_not_allowed": "405: the path exists, not with this method",
    "validation_failed": "422: field errors in `errors` (code, field, message_id, message_en)",
    "bad_request": "400: the body is not valid JSON",
    "invalid_transition": "409: the record's status does not allow this step",
    "business_rule": "409: a rule of the domain refuses it",
    "stale_version": "409: If-Match did not match; extra.current is the current state, extra.etag its ETag",
    "idempotency_key_reused": "422: this Idempotency-Key was used for a different request",
    "idempotency_in_progress": "409: the first request with this Idempotency-Key is still running",
    "idempotency_key_invalid": "422: the Idempotency-Key is not 1-100 printable ASCII characters",
    "server_error": "500",
}

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "field", "message"],
    "properties": {
        "code": {"type": "string", "enum": sorted(ERROR_CODES)},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "message": {"type": "object", "required": ["id", "en"],
                    "properties": {"id": {"type": "string"}, "en": {"type": "string"}}},
        "errors": {"type": "array", "items": {"type": "object"}},
        "extra": {"type": "object"},
    },
}

IDEMPOTENCY_PARAMETER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 100},
    "description": "Send a fresh key (e.g. a UUID) with each new request; a retry with the same key returns the "
                   "first answer (header Idempotency-Replayed: true) instead of acting twice. Same key, "
                   "different body: 422 idempotency_key_reused. Kept 24 hours.",
}
IF_MATCH_PARAMETER = {
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": "The ETag of the version read (GET). If the record changed since: 409 stale_version with "
                   "the current state.",
}


class TepatAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Documents, in one place, what every operation shares: the error shape and codes, Idempotency-Key
        on POST, If-Match on the guarded updates."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/Error"}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                for status, answer in operation.get("responses", {}).items():
                    if str(status).startswith(("4", "5")):
                        answer["content"] = {"application/json": {"schema": ref}}
                params = operation.setdefault("parameters", [])
                if method == "post" and operation.get("security"):
                    params.append(IDEMPOTENCY_PARAMETER)
                if method == "patch" or (method == "post" and path.startswith("/api/v1/updates/proposals/{")):
                    params.append(IF_MATCH_PARAMETER)
        return schema

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        etag = getattr(request, "tepat_etag", None)  # tepat.core.concurrency.set_etag (issue 14)
        if etag and 200 <= response.status_code < 300:
            response["ETag"] = etag
        return response


api = TepatAPI(
    title="Tepat API",
    version="1",
    description=(
        "DTKS registry API. Bahasa Indonesia and English messages in every error.\n\n"
        "**Authentication**: `Authorization: Bearer <token>` (a personal token from POST /api/v1/auth/login, or a "
        "machine client's from POST /api/v1/auth/token), or the page session with its CSRF token.\n\n"
        "**Idempotency**: every POST accepts an `Idempotency-Key` header. **Concurrency**: GET of a family or "
        "proposal returns an `ETag`; send it back as `If-Match`.\n\n"
        "**Errors**: always JSON `{\"code\", \"field\", \"message\": {\"id\", \"en\"}}`. Codes:\n\n"
        + "\n".join(f"- `{code}`: {meaning}" for code, meaning in ERROR_CODES.items())
    ),
    # The one place routers get their authentication: a bearer token (devices, machine clients; issue 14)
    # or the page session with its CSRF check. Routers that need none (public, /auth sign-in) say auth=None.
    auth=[BearerAuth(), django_auth],
    urls_namespace="api",
)


def bilingual(text: str) -> dict[str, str]:
    """{"id", "en"} from the house's "Indonesian / English" message (the same text twice if it has no " / ")."""
    id_text, sep, en_text = str(text).partition(" / ")
    return {"id": id_text, "en": en_text if sep else id_text}


def error_body(code: str, message: dict[str, str], field: str | None = None, **more) -> dict:
    """Every API error (issue 14 item 4): a stable `code`, the `field` concerned (or null), the message in both
    languages; 422s add `errors` (one per field), some add `extra` (e.g. the current state of a 409)."""
    return {"code": code, "field": field, "message": message, **more}


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    if isinstance(exc, ValidationFailed) and exc.issues:
        first = exc.issues[0]
        message = {"id": "; ".join(i.id for i in exc.issues), "en": "; ".join(i.en for i in exc.issues)}
        body = error_body(exc.code, message, first.field, errors=exc.extra.get("errors", []), extra={})
    else:
        body = error_body(exc.code, bilingual(exc.message), exc.extra.get("field"), extra=exc.extra)
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
    """Ninja's own refusals: a body that is not JSON, a failed CSRF check of the session."""
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        return api.create_response(request, error_body("bad_request", {
            "id": "Isi permintaan tidak dapat dibaca (bukan JSON yang sah)",
            "en": "The request body is not valid JSON"}), status=400)
    if exc.status_code == 403 and "CSRF" in message:
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            # the Bearer token was refused (expired, revoked) and the session fallback then asked for CSRF:
            # what the device must hear is "sign in again", not a CSRF failure (the field app, issue 14)
            return unauthenticated(request, AuthenticationError())
        return api.create_response(request, error_body("csrf_failed", {
            "id": "Pemeriksaan CSRF gagal: kirim token CSRF sesi, atau gunakan token Bearer",
            "en": "CSRF check failed: send the session's CSRF token, or use a Bearer token"}), status=403)
    code = "bad_request" if exc.status_code == 400 else "http_error"
    return api.create_response(request, error_body(code, bilingual(message)), status=exc.status_code)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, error_body("permission_denied", {"id": "Tidak diizinkan", "en": "Not permitted"}),
                               status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, error_body("unauthenticated", {
        "id": "Silakan masuk (sesi, atau token Bearer yang masih berlaku)",
        "en": "Please sign in (a session, or a Bearer token that is still valid)"}), status=401)


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
api.add_router("/distribution", "tepat.distribution.api_followup.router")
api.add_router("/distribution", "tepat.distribution.api_field.router")
api.add_router("/invitations", "tepat.distribution.invitations.api.router")
api.add_router("/grievances", "tepat.grievances.api.router")
api.add_router("/planning", "tepat.planning.api.router")
api.add_router("/public", "tepat.public.api.router")
api.add_router("/citizen-reports", "tepat.public.api.staff_router")  # staff: the village queue (login)
api.add_router("/me", "tepat.accounts.api.router")
api.add_router("/auth", "tepat.accounts.api_auth.router")
api.add_router("/sync", "tepat.updates.api_sync.router")
