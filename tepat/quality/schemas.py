"""Request and response shapes of the data-quality API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from ninja import Schema

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


class FlagOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    status: str
    region_code: str
    family_id: UUID
    individual_id: UUID | None = None
    summary: str
    probability: float | None = None
    event_date: dt.date | None = None
    evidence: list[dict] = []
    dismiss_reason: str = ""
    proposal_reference: str = ""
    created_at: dt.datetime

    @staticmethod
    def build(flag: Any) -> dict:
        return {"id": flag.pk, "kind": flag.kind, "kind_label": str(flag.get_kind_display()), "status": flag.status,
                "region_code": flag.region_code, "family_id": flag.family_id, "individual_id": flag.individual_id,
                "summary": flag.summary, "probability": flag.probability, "event_date": flag.event_date,
                "evidence": flag.evidence, "dismiss_reason": flag.dismiss_reason,
                "proposal_reference": flag.proposal_reference, "created_at": flag.created_at}


class FlagDetailOut(FlagOut):
    actions: list[str] = []  # what the caller may do on it now: "confirm", "dismiss"
    records: list[dict] = []
    merges: list[dict] = []


class ReasonIn(Schema):
    reason: str


class RunIn(Schema):
    kind: str  # "civil_registry" (the configured web service) or "duplicates"
    region_code: str
    threshold: float | None = None


class RunOut(Schema):
    id: UUID
    kind: str
    region_code: str
    source: str
    status: str
    total: int
    done: int
    percent: int
    counts: dict
    seconds: float
    error: str


class ListOut(Schema):
    id: UUID
    name: str
    kind: str
    region_code: str
    rows: int
    matches: int
    run_id: UUID | None = None


def column_mapping(raw: str) -> dict[str, str]:
    """The upload's column mapping: a JSON object of target field → column name, or a 422 naming `mapping`."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
        issue = Issue("json", "mapping", "mapping: pemetaan kolom harus JSON", "mapping: the column mapping must be JSON")
    else:
        issue = Issue("mapping_shape", "mapping",
                      'mapping: harus objek JSON {"kolom tujuan": "kolom berkas"}',
                      'mapping: must be a JSON object {"target field": "file column"}')
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationFailed([issue])
    return value
