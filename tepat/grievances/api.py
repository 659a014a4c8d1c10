"""The grievances JSON API (/api/v1/grievances/…): intake, handling, follow-ups, referrals, the SLA dashboard
and settings, through the same services, selectors and scoped fetches as the pages."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from tepat.accounts.access import actor_in_scope, ensure_capability
from tepat.accounts.models import User
from tepat.accounts.roles import Capability
from tepat.accounts.throttle import client_ip
from tepat.core.exceptions import ObjectNotFound, ValidationFailed
from tepat.core.messages import Issue
from tepat.grievances import schemas as s
from tepat.grievances import views_common as vc
from tepat.grievances.access import access_complaint, access_referral, complaints_visible
from tepat.grievances.models import Category, Escalation, Holiday, ReferralService, SlaTarget
from tepat.grievances.selectors import (
    ComplaintFilters,
    complaint_detail,
    complaint_list,
    complaint_statistics,
    dashboard,
    referral_detail,
    subject_lookup,
)
from tepat.grievances.services import catalogue, sla
from tepat.grievances.services import complaints as svc
from tepat.grievances.services import referrals as ref
from tepat.grievances.services.follow_ups import complaint_follow_up_create

router = Router(tags=["grievances"])
ERRORS = dict.fromkeys((401, 403, 404, 409, 422), s.ErrorOut)
C = Capability
LIST_DEFERRED = ("description", "assessment", "recommendation", "decision", "closing_note", "subject_address")


def _detail(request: HttpRequest, complaint) -> dict:
    return s.ComplaintDetailOut.from_detail(request.auth, complaint_detail(actor=request.auth, complaint=complaint))


def _complaint(request: HttpRequest, complaint_id: UUID):
    return access_complaint(actor=request.auth, complaint_id=complaint_id)


# ---- catalogue and lookup --------------------------------------------------------------------------------

@router.get("/categories", response={200: list[s.CategoryOut], **ERRORS}, summary="Complaint categories (catalogue)")
def list_categories(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    return [{"code": c.code, "parent": c.parent.code if c.parent_id else "", "name_id": c.name_id,
             "name_en": c.name_en, "follow_up": c.follow_up, "desk": c.desk, "sensitive": c.sensitive}
            for c in Category.objects.filter(active=True).select_related("parent")]


class CategoryIn(Schema):
    code: str
    parent: str
    name_id: str
    name_en: str
    follow_up: str
    desk: str
    sensitive: bool = False
    proposal_kind: str = ""
    active: bool = True


@router.post("/categories", response={200: s.CategoryOut, **ERRORS}, summary="Add or change a sub-category")
def set_category(request: HttpRequest, payload: CategoryIn):
    data = payload.dict()
    c = catalogue.category_set(actor=request.auth, parent_code=data.pop("parent"), **data)
    return {"code": c.code, "parent": c.parent.code, "name_id": c.name_id, "name_en": c.name_en,
            "follow_up": c.follow_up, "desk": c.desk, "sensitive": c.sensitive}


class ServiceIn(Schema):
    institution_code: str
    institution_name: str = ""
    code: str
    name_id: str
    name_en: str = ""
    active: bool = True


@router.post("/services", response={200: s.ServiceOut, **ERRORS}, summary="Add or change a referral service")
def set_service(request: HttpRequest, payload: ServiceIn):
    x = catalogue.referral_service_set(actor=request.auth, **payload.dict())
    return {"id": x.pk, "institution": x.institution.name, "code": x.code, "name_id": x.name_id, "name_en": x.name_en}


@router.get("/services", response={200: list[s.ServiceOut], **ERRORS}, summary="Referral services by institution")
def list_services(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    return [{"id": x.pk, "institution": x.institution.name, "code": x.code, "name_id": x.name_id,
             "name_en": x.name_en} for x in ReferralService.objects.filter(active=True).select_related("institution")]


class LookupQuery(Schema):
    q: str
    region: str = ""


@router.get("/subjects", response={200: list[s.SubjectOut], **ERRORS},
            summary="Intake lookup: families in the registry with their status and programmes")
def lookup_subjects(request: HttpRequest, query: Query[LookupQuery]):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_INTAKE)
    rows = subject_lookup(actor=request.auth, query=query.q, region_code=query.region, client_ip=client_ip(request))
    return [{"family_id": r["family_id"], "head": r["head"], "kk_number": r["kk_number"], "identity": r["identity"],
             "region_code": r["region"].code, "status": r["status"], "programmes": r["programmes"],
             "open_complaints": r["open_complaints"]} for r in rows]


# ---- complaints ------------------------------------------------------------------------------------------

class ListQuery(Schema):
    status: str = ""
    category: str = ""
    desk: str = ""
    sla_state: str = ""
    region: str = ""
    mine: bool = False
    q: str = ""


@router.get("/complaints", response={200: list[s.ComplaintOut], **ERRORS}, summary="Complaints in my regions")
def list_complaints(request: HttpRequest, query: Query[ListQuery]):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    cases = complaint_list(actor=request.auth, filters=ComplaintFilters(
        status=query.status, category=query.category, desk=query.desk, sla_state=query.sla_state,
        region_code=query.region, mine=query.mine, q=query.q)).defer(*LIST_DEFERRED)[:500]
    return [s.ComplaintOut.build(c) for c in cases]


@router.post("/complaints", response={201: s.ComplaintDetailOut, **ERRORS}, summary="Record a complaint (intake)")
def create_complaint(request: HttpRequest, payload: s.ComplaintIn):
    complaint = svc.complaint_create_from_input(actor=request.auth, data=payload.dict())
    return 201, _detail(request, complaint)


@router.get("/complaints/{complaint_id}", response={200: s.ComplaintDetailOut, **ERRORS},
            summary="A complaint with its subject, follow-ups, referrals and actions (a personal-data view)")
def get_complaint(request: HttpRequest, complaint_id: UUID):
    return _detail(request, _complaint(request, complaint_id))


@router.post("/complaints/{complaint_id}/attachments", response={201: s.ComplaintDetailOut, **ERRORS},
             summary="Attach a file (PDF, JPG, PNG; size-limited)")
def add_attachment(request: HttpRequest, complaint_id: UUID, file: File[UploadedFile]):
    complaint = _complaint(request, complaint_id)
    svc.attachment_add(actor=request.auth, complaint=complaint, upload=file)
    return 201, _detail(request, complaint)


@router.post("/complaints/{complaint_id}/assign", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Route the case to a handler")
def assign_complaint(request: HttpRequest, complaint_id: UUID, payload: s.AssignIn):
    complaint = _complaint(request, complaint_id)
    handler = User.objects.filter(pk=payload.handler_id, is_active=True).first()
    return _detail(request, svc.complaint_assign(actor=request.auth, complaint=complaint, handler=handler))


@router.post("/complaints/{complaint_id}/assess", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Back office: assessment and recommendation")
def assess_complaint(request: HttpRequest, complaint_id: UUID, payload: s.AssessIn):
    complaint = _complaint(request, complaint_id)
    return _detail(request, svc.complaint_assess(actor=request.auth, complaint=complaint,
                                                 assessment=payload.assessment, recommendation=payload.recommendation))


@router.post("/complaints/{complaint_id}/decide", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Decide the service (penetapan layanan)")
def decide_complaint(request: HttpRequest, complaint_id: UUID, payload: s.DecideIn):
    complaint = _complaint(request, complaint_id)
    return _detail(request, svc.complaint_decide(actor=request.auth, complaint=complaint, decision=payload.decision))


@router.post("/complaints/{complaint_id}/follow-up", response={201: s.ComplaintDetailOut, **ERRORS},
             summary="Create the category's follow-up object (proposal, objection, flag, payment re-issue)")
def follow_up_complaint(request: HttpRequest, complaint_id: UUID, payload: s.FollowUpIn):
    complaint = _complaint(request, complaint_id)
    complaint_follow_up_create(actor=request.auth, complaint=complaint, **payload.dict())
    return 201, _detail(request, access_complaint(actor=request.auth, complaint_id=complaint_id))


@router.post("/complaints/{complaint_id}/referrals", response={201: s.ReferralOut, **ERRORS},
             summary="Issue a referral letter")
def refer_complaint(request: HttpRequest, complaint_id: UUID, payload: s.ReferralIn):
    complaint = _complaint(request, complaint_id)
    service = ReferralService.objects.select_related("institution").filter(pk=payload.service_id).first()
    referral = ref.referral_create(actor=request.auth, complaint=complaint, service=service, note=payload.note)
    return 201, s.ReferralOut.build(referral, referral_detail(actor=request.auth, referral=referral)["actions"])


@router.post("/complaints/{complaint_id}/wait", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Wait for the citizen (the SLA clock pauses)")
def wait_complaint(request: HttpRequest, complaint_id: UUID, payload: s.ReasonIn):
    complaint = _complaint(request, complaint_id)
    return _detail(request, svc.complaint_wait(actor=request.auth, complaint=complaint, reason=payload.reason))


@router.post("/complaints/{complaint_id}/resume", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Resume a waiting case")
def resume_complaint(request: HttpRequest, complaint_id: UUID):
    complaint = _complaint(request, complaint_id)
    return _detail(request, svc.complaint_resume(actor=request.auth, complaint=complaint))


@router.post("/complaints/{complaint_id}/close", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Close the case with a note")
def close_complaint(request: HttpRequest, complaint_id: UUID, payload: s.NoteIn):
    complaint = _complaint(request, complaint_id)
    return _detail(request, svc.complaint_close(actor=request.auth, complaint=complaint, note=payload.note))


@router.post("/complaints/{complaint_id}/reject", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Reject the case with a reason")
def reject_complaint(request: HttpRequest, complaint_id: UUID, payload: s.ReasonIn):
    complaint = _complaint(request, complaint_id)
    return _detail(request, svc.complaint_reject(actor=request.auth, complaint=complaint, reason=payload.reason))


@router.post("/complaints/{complaint_id}/duplicate", response={200: s.ComplaintDetailOut, **ERRORS},
             summary="Mark as a duplicate of an earlier case (by reference)")
def duplicate_complaint(request: HttpRequest, complaint_id: UUID, payload: s.DuplicateIn):
    complaint = _complaint(request, complaint_id)
    original = complaints_visible(request.auth).filter(reference=payload.original.strip()).first()
    if original is None:
        raise ValidationFailed([Issue("not_found", "original", "pengaduan asal tidak ditemukan",
                                      "the original complaint was not found")])
    return _detail(request, svc.complaint_mark_duplicate(actor=request.auth, complaint=complaint, original=original))


# ---- referrals -------------------------------------------------------------------------------------------

def _referral_out(request: HttpRequest, referral) -> dict:
    return s.ReferralOut.build(referral, referral_detail(actor=request.auth, referral=referral)["actions"])


@router.get("/referrals/{referral_id}", response={200: s.ReferralOut, **ERRORS}, summary="A referral")
def get_referral(request: HttpRequest, referral_id: UUID):
    return _referral_out(request, access_referral(actor=request.auth, referral_id=referral_id))


@router.get("/referrals/{referral_id}/letter", response={200: None, **ERRORS},
            summary="The referral letter as PDF, with its verification QR code (a personal-data view)")
def referral_letter(request: HttpRequest, referral_id: UUID):
    referral = access_referral(actor=request.auth, referral_id=referral_id)
    return vc.letter_response(request, referral)


@router.post("/referrals/{referral_id}/acknowledge", response={200: s.ReferralOut, **ERRORS},
             summary="The receiving institution's acknowledgement")
def acknowledge_referral(request: HttpRequest, referral_id: UUID, payload: s.AcknowledgeIn):
    referral = access_referral(actor=request.auth, referral_id=referral_id)
    return _referral_out(request, ref.referral_acknowledge(actor=request.auth, referral=referral,
                                                           received_by=payload.received_by))


@router.post("/referrals/{referral_id}/outcome", response={200: s.ReferralOut, **ERRORS},
             summary="The outcome of the service (closes the loop)")
def referral_outcome(request: HttpRequest, referral_id: UUID, payload: s.OutcomeIn):
    referral = access_referral(actor=request.auth, referral_id=referral_id)
    return _referral_out(request, ref.referral_complete(actor=request.auth, referral=referral, outcome=payload.outcome))


@router.post("/referrals/{referral_id}/cancel", response={200: s.ReferralOut, **ERRORS},
             summary="Cancel a letter issued by mistake (it no longer verifies)")
def cancel_referral(request: HttpRequest, referral_id: UUID, payload: s.ReasonIn):
    referral = access_referral(actor=request.auth, referral_id=referral_id)
    return _referral_out(request, ref.referral_cancel(actor=request.auth, referral=referral, reason=payload.reason))


# ---- SLA dashboard, statistics, settings -----------------------------------------------------------------

class RegionQuery(Schema):
    region: str = ""


@router.get("/dashboard", response={200: s.DashboardOut, **ERRORS},
            summary="Open cases by age and SLA state; escalations waiting for a supervisor")
def get_dashboard(request: HttpRequest, query: Query[RegionQuery]):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    data = dashboard(actor=request.auth, region_code=query.region)
    return {**data, "escalations": [{"id": str(e.pk), "complaint": e.complaint.reference, "stage": e.stage,
                                     "state": e.state, "due": e.due.isoformat() if e.due else None,
                                     "region_code": e.region_code} for e in data["escalations"]]}


@router.post("/escalations/{escalation_id}/acknowledge", response={200: dict, **ERRORS},
             summary="A supervisor has seen an escalation")
def acknowledge_escalation(request: HttpRequest, escalation_id: UUID):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    escalation = Escalation.objects.filter(pk=escalation_id, complaint__in=complaints_visible(request.auth)).first()
    if escalation is None:
        raise ObjectNotFound()
    escalation = sla.escalation_acknowledge(actor=request.auth, escalation=escalation)
    return {"id": str(escalation.pk), "acknowledged_at": escalation.acknowledged_at.isoformat()}


class StatisticsQuery(Schema):
    region: str
    level: int = 4
    date_from: date | None = None
    date_to: date | None = None


@router.get("/statistics", response={200: list[s.StatisticsOut], **ERRORS},
            summary="Complaints received, resolved and median days to resolve, per region (aggregates)")
def get_statistics(request: HttpRequest, query: Query[StatisticsQuery]):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    if not actor_in_scope(request.auth, query.region):
        raise ObjectNotFound()
    if query.level not in (1, 2, 3, 4):
        raise ValidationFailed([Issue("choice", "level", "tingkat wilayah 1–4", "region level 1–4")])
    return complaint_statistics(region_code=query.region, level=query.level, date_from=query.date_from,
                                date_to=query.date_to)


class YearQuery(Schema):
    year: int | None = None


@router.get("/holidays", response={200: list[s.HolidayOut], **ERRORS}, summary="The office's holiday calendar")
def list_holidays(request: HttpRequest, query: Query[YearQuery]):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    rows = Holiday.objects.all()
    if query.year:
        rows = rows.filter(date__year=query.year)
    return [{"date": h.date, "name": h.name} for h in rows]


@router.post("/holidays", response={201: s.HolidayOut, **ERRORS}, summary="Add or rename a holiday")
def set_holiday(request: HttpRequest, payload: s.HolidayIn):
    holiday = sla.holiday_set(actor=request.auth, day=payload.date, name=payload.name)
    return 201, {"date": holiday.date, "name": holiday.name}


@router.delete("/holidays/{day}", response={204: None, **ERRORS}, summary="Remove a holiday")
def remove_holiday(request: HttpRequest, day: date):
    sla.holiday_remove(actor=request.auth, day=day)
    return 204, None


def _target_out(t: SlaTarget) -> dict:
    return {"category": t.category.code if t.category_id else "", "stage": t.stage, "working_days": t.working_days,
            "at_risk_days": t.at_risk_days}


@router.get("/sla-targets", response={200: list[s.SlaTargetOut], **ERRORS},
            summary="Working-day targets per category and stage")
def list_targets(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_VIEW)
    return [_target_out(t) for t in SlaTarget.objects.select_related("category").order_by("category__code", "stage")]


@router.post("/sla-targets", response={200: s.SlaTargetOut, **ERRORS}, summary="Set a working-day target")
def set_target(request: HttpRequest, payload: s.SlaTargetIn):
    ensure_capability(actor=request.auth, capability=C.GRIEVANCES_CONFIGURE)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise ValidationFailed([Issue("choice", "category", "kategori tidak dikenal", "unknown category")])
    return _target_out(sla.sla_target_set(actor=request.auth, category=category, stage=payload.stage,
                                          working_days=payload.working_days, at_risk_days=payload.at_risk_days))

