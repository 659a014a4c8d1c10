"""Bad input never becomes a 500 on the JSON API: 422 with the field named, in both languages
(config/api.py's handlers, and the two inputs the attack round found)."""

from __future__ import annotations

import io
import json

import pydantic
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import RequestFactory

from config.api import api
from conftest import VILLAGE, client_for
from tepat.audit.models import AuditEvent


def _fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_program_proposal_with_a_malformed_member_id_is_a_422_naming_member(db, village_operator, family):
    client = client_for(village_operator)
    client.raise_request_exception = False
    before = AuditEvent.objects.count()

    response = client.post("/api/v1/updates/proposals", json.dumps(
        {"kind": "program", "family_id": str(family.pk), "payload": {"program": "pkh", "member": "not-a-uuid"}}),
        content_type="application/json")

    assert response.status_code == 422, response.content[:300]
    assert any(field.endswith("member") for field in _fields(response))
    error = next(e for e in response.json()["errors"] if e["field"].endswith("member"))
    assert "UUID" in error["message_id"] and "UUID" in error["message_en"]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("mapping", ["[1,2]", '"nik"', "{\"nik\": 5}", "not json", "null"])
def test_list_upload_with_a_mapping_that_is_not_an_object_is_a_422_naming_mapping(db, dinsos_operator, mapping):
    client = client_for(dinsos_operator)
    client.raise_request_exception = False
    upload = io.BytesIO(b"nik,name\n3604051403850001,A\n")
    upload.name = "list.csv"

    response = client.post("/api/v1/quality/lists", {"name": "x", "kind": "civil_servants", "region_code": VILLAGE,
                                                     "mapping": mapping, "file": upload})

    assert response.status_code == 422, response.content[:300]
    assert _fields(response) == ["mapping"]
    assert "mapping" in response.json()["message"]["en"]


def _answer(exc: Exception):
    request = RequestFactory().post("/api/v1/x")
    return api.on_exception(request, exc)


def test_a_pydantic_error_raised_in_a_handler_is_a_422_naming_the_field():
    class Shape(pydantic.BaseModel):
        count: int

    with pytest.raises(pydantic.ValidationError) as raised:
        Shape.model_validate({"count": "many"})

    response = _answer(raised.value)

    assert response.status_code == 422
    assert [e["field"] for e in json.loads(response.content)["errors"]] == ["count"]


def test_a_django_validation_error_is_a_422_naming_the_field():
    response = _answer(DjangoValidationError({"member": ["“not-a-uuid” is not a valid UUID."]}))

    assert response.status_code == 422
    assert [e["field"] for e in json.loads(response.content)["errors"]] == ["member"]


def test_any_value_error_is_a_422_without_echoing_its_text():
    response = _answer(ValueError("3604051403850001 Ahmad is not a number"))

    assert response.status_code == 422
    assert b"3604051403850001" not in response.content
    assert json.loads(response.content)["code"] == "validation_failed"
