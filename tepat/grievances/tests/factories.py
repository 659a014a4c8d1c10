"""Builders for the grievances tests: complaints recorded and moved through the real services."""

from __future__ import annotations

from typing import Any

from conftest import VILLAGE
from tepat.grievances.models import Category, Complaint, ReferralService
from tepat.grievances.services.complaints import complaint_assess, complaint_create, complaint_decide


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def service(code: str = "pbi-jk") -> ReferralService:
    return ReferralService.objects.get(code=code)


def about_family(actor: Any, family: Any, code: str = "data-wrong", **kwargs: Any) -> Complaint:
    base = {"channel": Complaint.Channel.PUSKESOS, "category": category(code), "description": "Data KK salah",
                "subject_kind": Complaint.SubjectKind.FAMILY, "family": family, "complainant_name": "Budi Santoso",
                "complainant_contact": "081234567890"}
    return complaint_create(actor=actor, **{**base, **kwargs})


def about_unregistered(actor: Any, code: str = "data-not-listed", region: str = VILLAGE, **kwargs: Any) -> Complaint:
    base = {"channel": Complaint.Channel.COUNTER, "category": category(code), "description": "Belum terdaftar di DTKS",
                "subject_kind": Complaint.SubjectKind.UNREGISTERED, "subject_name": "Sarinah",
                "subject_address": "Kp. Pasir RT 02/RW 01", "subject_region_code": region, "complainant_anonymous": True}
    return complaint_create(actor=actor, **{**base, **kwargs})


def assessed(actor: Any, complaint: Complaint, *, decide: bool = False) -> Complaint:
    complaint = complaint_assess(actor=actor, complaint=complaint, assessment="Dicek di registri",
                                 recommendation="Usulkan perbaikan")
    if decide:
        complaint = complaint_decide(actor=actor, complaint=complaint, decision="Rujuk ke layanan")
    return complaint
