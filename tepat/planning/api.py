"""The planning JSON API (/api/v1/planning/…): plans in scope, a plan's lines with realisation and achievement,
entering a quarter's realisation, moving a plan on, the version diff and the checker's findings, through the
same services and scoped fetches as the pages."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.planning import services
from tepat.planning.checker import check_document, check_plan, registry_size
from tepat.planning.selectors import access_plan, plan_figures, plans_visible, version_diff

router = Router(tags=["planning"])
C = Capability


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class PlanOut(Schema):
    id: int
    year: int
    organisation: str
    region: str
    stage: str
    version: int
    nomenclature: str


class LineOut(Schema):
    code: str
    name: str
    level: int
    indicator: str
    indicator_type: str
    target: Decimal | None
    unit: str
    location: str
    pagu: int | None
    fund_source: str
    quarters: list[Decimal | None]
    realisation: Decimal | None
    achievement: Decimal | None
    achievement_text: str
    predicate: str | None
    financial: int | None
    financial_achievement: Decimal | None


class RealisationIn(Schema):
    quarter: int
    code: str
    physical: Decimal | None = None
    financial: int | None = None


class AdvanceIn(Schema):
    reason: str = ""


class ChangeOut(Schema):
    code: str
    name: str
    kind: str
    explanation: str
    reason: str


class FindingOut(Schema):
    rule: str
    table: str
    row: str
    code: str
    message_id: str
    message_en: str
    severity: str
    figures: dict


def _plan_out(plan) -> dict:
    return {"id": plan.pk, "year": plan.year, "organisation": plan.organisation, "region": plan.region_id,
            "stage": plan.status, "version": plan.current_version.number, "nomenclature": plan.nomenclature.code}


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="Work plans (Renja) in scope")
def list_plans(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=C.PLANNING_VIEW)
    return [_plan_out(p) for p in plans_visible(request.auth).order_by("-year")]


@router.get("/plans/{plan_id}/lines", response={200: list[LineOut], **ERRORS},
            summary="The current version's lines with quarterly realisation and achievement")
def list_lines(request: HttpRequest, plan_id: int):
    plan = access_plan(actor=request.auth, plan_id=plan_id)
    return [{"code": f.line.item.code, "name": f.line.item.name, "level": f.line.item.level,
             "indicator": f.line.indicator, "indicator_type": f.line.indicator_type, "target": f.line.target,
             "unit": f.line.unit, "location": f.line.location, "pagu": f.line.pagu, "fund_source": f.line.fund_source,
             "quarters": f.quarters, "realisation": f.realisation, "achievement": f.achievement.percent,
             "achievement_text": f.achievement.display(), "predicate": f.predicate[0] if f.predicate else None,
             "financial": f.financial, "financial_achievement": f.financial_achievement.percent}
            for f in plan_figures(plan)]


@router.post("/plans/{plan_id}/realisation", response={200: dict, **ERRORS},
             summary="Enter one line's realisation for one quarter (draft snapshot)")
def enter_realisation(request: HttpRequest, plan_id: int, payload: RealisationIn):
    plan = access_plan(actor=request.auth, plan_id=plan_id, capability=C.PLANNING_EDIT)
    entry = services.realisation_save(actor=request.auth, plan=plan, quarter=payload.quarter, code=payload.code,
                                      physical=payload.physical, financial=payload.financial)
    return {"quarter": payload.quarter, "code": entry.item.code, "physical": str(entry.physical),
            "financial": entry.financial}


@router.post("/plans/{plan_id}/advance", response={200: PlanOut, **ERRORS},
             summary="Move the plan to its next version (rancangan awal → akhir → DPA murni → perubahan)")
def advance(request: HttpRequest, plan_id: int, payload: AdvanceIn):
    plan = access_plan(actor=request.auth, plan_id=plan_id, capability=C.PLANNING_APPROVE)
    return _plan_out(services.plan_advance(actor=request.auth, plan=plan, reason=payload.reason))


@router.get("/plans/{plan_id}/diff", response={200: list[ChangeOut], **ERRORS},
            summary="What changed between two versions, each change with its reason")
def diff(request: HttpRequest, plan_id: int, a: int, b: int):
    plan = access_plan(actor=request.auth, plan_id=plan_id)
    versions = {v.number: v for v in plan.versions.all()}
    if a not in versions or b not in versions:
        raise ObjectNotFound()
    return [{"code": c.code, "name": c.name, "kind": c.kind, "explanation": c.explanation(), "reason": c.reason}
            for c in version_diff(versions[a], versions[b])]


@router.get("/plans/{plan_id}/findings", response={200: list[FindingOut], **ERRORS},
            summary="The consistency checker's findings on the plan and its imported workbook")
def findings(request: HttpRequest, plan_id: int):
    plan = access_plan(actor=request.auth, plan_id=plan_id)
    document = plan.sources.order_by("-pk").first()
    size = registry_size(plan.region_id)
    found = (check_document(document, registry_size=size) if document else []) + check_plan(plan, registry_size=size)
    return [{**f.as_dict(), "row": str(f.row)} for f in found]
