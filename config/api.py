"""The root JSON API: mounts every app's router. OpenAPI docs at /api/v1/docs."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from tepat.core.exceptions import ApplicationError, ValidationFailed

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
api.add_router("/audit", "tepat.audit.api.router")
api.add_router("/updates", "tepat.updates.api.router")
api.add_router("/me", "tepat.accounts.api.router")
