"""Application errors. Handlers turn them into 404/403/409/422 in one place each for API and pages."""

from __future__ import annotations

from tepat.core.messages import Issue


class ApplicationError(Exception):
    status_code = 400
    code = "application_error"

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ObjectNotFound(ApplicationError):
    """Also raised for objects outside the actor's regions: out of scope looks exactly like absent."""

    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "Tidak ditemukan / Not found", **kwargs) -> None:
        super().__init__(message, **kwargs)


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = "permission_denied"

    def __init__(self, message: str = "Tidak diizinkan / Not permitted", **kwargs) -> None:
        super().__init__(message, **kwargs)


class InvalidTransition(ApplicationError):
    status_code = 409
    code = "invalid_transition"


class BusinessRuleViolation(ApplicationError):
    status_code = 409
    code = "business_rule"


class ValidationFailed(ApplicationError):
    """Field-level validation errors, each an Issue naming the field and the problem in both languages."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(
            "; ".join(str(issue) for issue in issues),
            extra={"errors": [issue.as_dict() for issue in issues]},
        )

    def by_field(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        for issue in self.issues:
            fields.setdefault(issue.field, []).append(issue.text)
        return fields
