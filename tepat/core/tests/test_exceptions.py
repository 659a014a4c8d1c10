from tepat.core.exceptions import (
    ApplicationError,
    BusinessRuleViolation,
    InvalidTransition,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.core.messages import Issue


def test_status_codes_and_codes():
    assert (ObjectNotFound.status_code, ObjectNotFound.code) == (404, "not_found")
    assert (PermissionDeniedError.status_code, PermissionDeniedError.code) == (403, "permission_denied")
    assert (InvalidTransition.status_code, BusinessRuleViolation.status_code) == (409, 409)
    assert (ValidationFailed.status_code, ValidationFailed.code) == (422, "validation_failed")
    for cls in (ObjectNotFound, PermissionDeniedError, InvalidTransition, BusinessRuleViolation, ValidationFailed):
        assert issubclass(cls, ApplicationError)


def test_default_messages_are_bilingual():
    assert ObjectNotFound().message == "Tidak ditemukan / Not found"
    assert PermissionDeniedError().message == "Tidak diizinkan / Not permitted"


def test_validation_failed_keeps_every_issue_by_field():
    issues = [
        Issue("length", "nik", "NIK: harus 16 digit", "NIK: must be 16 digits"),
        Issue("serial", "nik", "NIK: nomor urut 0000", "NIK: serial 0000"),
        Issue("required", "name", "nama wajib diisi", "name is required"),
    ]

    error = ValidationFailed(issues)

    assert error.issues == issues
    assert error.by_field() == {
        "nik": ["NIK: harus 16 digit", "NIK: nomor urut 0000"],
        "name": ["nama wajib diisi"],
    }
    assert error.extra["errors"] == [issue.as_dict() for issue in issues]
    assert "NIK: harus 16 digit / NIK: must be 16 digits" in error.message
    assert "nama wajib diisi / name is required" in error.message
