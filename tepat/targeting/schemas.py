"""Shapes of the targeting JSON API."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Schema


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


class ReleaseOut(Schema):
    id: UUID
    region_code: str
    period: str
    source: str
    decree_number: str
    decree_date: date | None
    file_name: str
    file_sha256: str
    status: str
    family_count: int
    rejected_count: int
    counts: dict
    error: str
    progress: float
    imported_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id


class IssueOut(Schema):
    row: int
    column: str
    value: str
    severity: str
    code: str
    message_id: str
    message_en: str


class FamilyOut(Schema):
    family_id: str
    kk_number: str
    head_name: str
    region_code: str
    village: str
    rw: str
    rt: str


class ReviewOut(FamilyOut):
    desil: int | None
    estimate: int
    gap: int | None
    score: int


class WeightIn(Schema):
    variable: str
    value: str = ""
    region_prefix: str = ""
    points: int


class WeightSetIn(Schema):
    region_code: str
    label: str
    note: str = ""
    based_on: UUID | None = None
    weights: list[WeightIn]


class WeightSetOut(Schema):
    id: UUID
    region_code: str
    version: int
    label: str
    note: str
    created_at: datetime
    estimated_at: datetime | None = None  # when its local estimate was computed and stored (null: pending)
    estimated_families: int = 0
    weights: list[WeightIn]

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id

    @staticmethod
    def resolve_weights(obj) -> list[dict]:
        return list(obj.weights.values("variable", "value", "region_prefix", "points"))


class RecapOut(Schema):
    region_code: str
    village: str
    families: int
    with_desil: int
    mean_desil: float | None
    mean_estimate: float | None
    mean_abs_gap: float | None
    review: int
    desil_counts: list[int] = []  # families with official desil 1…10
    label: str = "perkiraan lokal / local estimate"


class DistributionRow(Schema):
    desil: int
    families: int
    percent: float


class DistributionOut(Schema):
    period: str  # the official desil release's period ("" when the district has none)
    rows: list[DistributionRow]
