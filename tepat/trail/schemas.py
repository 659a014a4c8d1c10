"""Shapes of the audit trail API.

Event data holds before/after values of registry fields. They are shown exactly as the registry would
show them to the reader: NIK/KK masked and health, disability and pregnancy answers left out for roles
without full personal-data access (today every role with AUDIT_VIEW).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from tepat.registry.schemas import redact_event_data
from tepat.trail.selectors import AuditFilters


class AuditEventOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    region_code: str
    data: dict[str, Any]
    request_id: str
    hash: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_data(obj, context) -> Any:
        return redact_event_data(obj.data, context["request"].auth)


class AuditQuery(Schema):
    action: str = Field("", description="Prefix: 'family.' matches family.create, family.update, ...")
    actor: str = Field("", description="Username, exact")
    target_type: str = Field("", examples=["registry.family"])
    target_id: str = ""
    region: str = Field("", description="This region and everything under it")
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def filters(self) -> AuditFilters:
        return AuditFilters(
            action=self.action, actor=self.actor, target_type=self.target_type, target_id=self.target_id,
            region_code=self.region, date_from=self.date_from, date_to=self.date_to,
        )
