"""Request and response shapes of the grievances API. Personal data leaves only through the selectors'
masked values (`complainant_for`, `subject_for`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Schema

from tepat.grievances.selectors import complainant_for, subject_for


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


class ComplaintIn(Schema):
    channel: str
    category: str  # sub-category code
    description: str
    subject_kind: str  # family | individual | unregistered
    family_id: UUID | None = None
    individual_id: UUID | None = None
    subject_name: str = ""
    subject_nik: str = ""
    subject_address: str = ""
    subject_region_code: str = ""
    complainant_anonymous: bool = False
    complainant_name: str = ""
    complainant_contact: str = ""
    complainant_region_code: str = ""
    external_reference: str = ""


class ComplaintOut(Schema):
    id: UUID
    reference: str
    status: str
    status_label: str
    category: str
    category_label: str
    channel: str
    external_reference: str
    region_code: str
    desk: str
    sensitive: bool
    sla_state: str
    sla_due: dt.date | None = None
    handler_id: int | None = None
    created_at: dt.datetime

    @staticmethod
    def build(c: Any) -> dict:
        return {"id": c.pk, "reference": c.reference, "status": c.status, "status_label": str(c.get_status_display()),
                "category": c.category.code, "category_label": c.category.name_id, "channel": c.channel,
                "external_reference": c.external_reference, "region_code": c.region_id, "desk": c.desk,
                "sensitive": c.sensitive, "sla_state": c.sla_state, "sla_due": c.sla_due, "handler_id": c.handler_id,
                "created_at": c.created_at}


class ReferralOut(Schema):
    id: UUID
    letter_number: str
    status: str
    institution: str
    service: str
    issued_on: dt.date
    acknowledged_by_name: str = ""
    outcome: str = ""
    actions: list[str] = []

    @staticmethod
    def build(r: Any, actions: list[str]) -> dict:
        return {"id": r.pk, "letter_number": r.letter_number, "status": r.status, "institution": r.institution.name,
                "service": r.service.name_id, "issued_on": r.issued_on, "acknowledged_by_name": r.acknowledged_by_name,
                "outcome": r.outcome, "actions": actions}


class ComplaintDetailOut(ComplaintOut):
    description: str
    complainant: dict
    subject: dict
    assessment: str = ""
    recommendation: str = ""
    decision: str = ""
    closing_note: str = ""
    follow_ups: list[dict] = []
    referrals: list[ReferralOut] = []
    attachments: list[dict] = []
    actions: list[str] = []

    @staticmethod
    def from_detail(actor: Any, detail: dict) -> dict:
        c = detail["complaint"]
        return {**ComplaintOut.build(c), "description": c.description, "complainant": complainant_for(actor, c),
                "subject": subject_for(actor, c), "assessment": c.assessment, "recommendation": c.recommendation,
                "decision": c.decision, "closing_note": c.closing_note,
                "follow_ups": [{"id": str(f.pk), "kind": f.kind, "status": f.status,
                                "proposal": f.proposal.reference if f.proposal_id else "",
                                "flag": str(f.flag_id or ""), "referral": str(f.referral_id or ""),
                                "programme_code": f.programme_code, "period": f.period} for f in detail["follow_ups"]],
                "referrals": [ReferralOut.build(r["referral"], r["actions"]) for r in detail["referrals"]],
                "attachments": [{"id": str(a.pk), "name": a.original_name, "size": a.size,
                                 "content_type": a.content_type} for a in detail["attachments"]],
                "actions": detail["actions"]}


class AssessIn(Schema):
    assessment: str
    recommendation: str


class DecideIn(Schema):
    decision: str


class NoteIn(Schema):
    note: str


class ReasonIn(Schema):
    reason: str


class AssignIn(Schema):
    handler_id: int


class DuplicateIn(Schema):
    original: str  # the original case's reference


class FollowUpIn(Schema):
    note: str = ""
    proposal_kind: str = ""
    payload: dict = {}
    objection_reason: str = ""
    changes: dict = {}
    programme_code: str = ""
    period: str = ""


class ReferralIn(Schema):
    service_id: UUID
    note: str = ""


class AcknowledgeIn(Schema):
    received_by: str


class OutcomeIn(Schema):
    outcome: str


class CategoryOut(Schema):
    code: str
    parent: str
    name_id: str
    name_en: str
    follow_up: str
    desk: str
    sensitive: bool


class ServiceOut(Schema):
    id: UUID
    institution: str
    code: str
    name_id: str
    name_en: str


class SubjectOut(Schema):
    family_id: str
    head: str
    kk_number: str
    identity: str
    region_code: str
    status: str
    programmes: list[dict]
    open_complaints: int


class StatisticsOut(Schema):
    region_code: str
    received: int
    resolved: int
    median_days: float | None = None


class DashboardOut(Schema):
    open: int
    totals: dict
    buckets: list[dict]
    escalations: list[dict]
    pending_payment: int


class HolidayIn(Schema):
    date: dt.date
    name: str


class HolidayOut(Schema):
    date: dt.date
    name: str


class SlaTargetIn(Schema):
    category: str = ""  # empty = the default for every category
    stage: str
    working_days: int
    at_risk_days: int = 1


class SlaTargetOut(Schema):
    category: str
    stage: str
    working_days: int
    at_risk_days: int
