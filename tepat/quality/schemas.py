"""Request and response shapes of the data-quality API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Schema


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
