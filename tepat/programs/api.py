"""The programmes JSON API (/api/v1/programs): programmes and their years, the rule preview, tahap lists
(started as a background job), approval, the village recap, the per-family explanation, substitution and
the inclusion/exclusion review. The same services and scoped selectors as the pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema

from tepat.accounts.access import ensure_capability
from tepat.core.exceptions import ObjectNotFound
from tepat.programs import selectors as sel
from tepat.programs.catalogue import SENSITIVE_COMPONENT_KINDS
from tepat.programs.models import BeneficiaryList, ListEntry, Programme, ProgrammeRelease, ReviewItem
from tepat.programs.services.common import VIEW
from tepat.programs.services.lists import entry_substitute, list_approve, list_determine_start, list_reject
from tepat.programs.services.releases import (
    programme_create,
    release_create,
    release_new_version,
    release_release,
    release_update,
)
from tepat.programs.services.reviews import review_confirm, review_dismiss
from tepat.programs.tasks import list_determine_task
from tepat.registry import masking
from tepat.updates.models import DeterminationPeriod

router = Router(tags=["programs"])


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict = {}
    errors: list[dict] = []


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class ReleaseOut(Schema):
    id: str
    programme: str
    name: str
    funding: str
    region: str
    year: int
    version: int
    status: str
    basis: str
    amount: int
    months: int
    max_components: int | None
    component_priority: str
    schedule: list[dict]
    components: list[dict]
    rules: list[dict]
    quotas: dict[str, int]
    source: str
    note: str

    @staticmethod
    def build(r: ProgrammeRelease) -> dict[str, Any]:
        return {"id": str(r.pk), "programme": r.programme.code, "name": r.programme.name,
                "funding": r.programme.funding, "region": r.region_id, "year": r.year, "version": r.version,
                "status": r.status, "basis": r.basis, "amount": r.amount, "months": r.months,
                "max_components": r.max_components, "component_priority": r.component_priority,
                "schedule": r.schedule,
                "components": [{k: getattr(c, k) for k in ("code", "kind", "annual_amount", "cap_per_family", "age_min",
                                                           "age_max", "order")} for c in r.components.all()],
                "rules": [{"field": x.field, "op": x.op, "value": x.value, "reason": x.reason, "group": x.group}
                          for x in r.rules.all()],
                "quotas": {q.region_code: q.families for q in r.quotas.all()}, "source": r.source, "note": r.note}


class ProgrammeIn(Schema):
    code: str
    name: str
    funding: str
    region: str
    participation_code: str = "regional"
    description: str = ""


class ProgrammeOut(Schema):
    code: str
    name: str
    kind: str
    funding: str


class ReleaseIn(Schema):
    programme: str
    region: str
    year: int
    data: dict


class ReleasePatch(Schema):
    data: dict


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class ListIn(Schema):
    period_id: UUID
    tahap: int
    region: str = ""


class ListOut(Schema):
    id: str
    programme: str
    year: int
    version: int
    tahap: int
    region: str
    status: str
    percent: int
    period: str
    desil_period: str
    counts: dict
    error: str

    @staticmethod
    def build(b: BeneficiaryList) -> dict[str, Any]:
        return {"id": str(b.pk), "programme": b.release.programme.code, "year": b.release.year,
                "version": b.release.version, "tahap": b.tahap, "region": b.region_code, "status": b.status,
                "percent": b.percent, "period": b.inputs.get("period", ""),
                "desil_period": b.inputs.get("desil_period", ""), "counts": b.counts or {}, "error": b.error}


class EntryOut(Schema):
    family_id: str
    kk: str
    village: str
    desil: int | None
    eligible: bool
    status: str
    rank: int | None
    components: dict[str, Any]
    annual_amount: int
    tahap_amount: int
    reasons: list[str]
    change: str


class EntryQuery(Schema):
    status: str = ""
    change: str = ""
    village: str = ""
    offset: int = 0
    limit: int = 200


class ReviewOut(Schema):
    id: str
    family_id: str
    village: str
    kind: str
    status: str
    proposal_reference: str


def _sensitive_codes(blist: BeneficiaryList) -> set[str]:
    return {c["code"] for c in blist.inputs.get("components") or [] if c.get("kind") in SENSITIVE_COMPONENT_KINDS}


def _entry(actor: Any, e: ListEntry, sensitive: set[str]) -> dict[str, Any]:
    policy = masking.policy_for(actor)
    comps = e.components or {}
    if not policy.sensitive:  # pregnancy and disability counts are health data
        comps = {k: (masking.HIDDEN if k in sensitive else v) for k, v in comps.items()}
    return {"family_id": str(e.family_id), "kk": masking.identity(policy, e.kk_number), "village": e.region_code,
            "desil": e.desil, "eligible": e.eligible, "status": e.status, "rank": e.rank, "components": comps,
            "annual_amount": e.annual_amount, "tahap_amount": e.tahap_amount, "reasons": e.reason_codes,
            "change": e.change}


def _review(item: ReviewItem) -> dict[str, Any]:
    return {"id": str(item.pk), "family_id": str(item.family_id), "village": item.region_code, "kind": item.kind,
            "status": item.status, "proposal_reference": item.proposal_reference}


@router.get("/releases", response={200: list[ReleaseOut], **ERRORS}, summary="Programme years in my regions")
def list_releases(request: HttpRequest):
    ensure_capability(actor=request.auth, capability=VIEW)
    return [ReleaseOut.build(r) for r in sel.releases_visible(request.auth).prefetch_related("components", "rules",
                                                                                               "quotas")[:200]]


@router.post("/programmes", response={201: ProgrammeOut, **ERRORS}, summary="Define a regional programme")
def create_programme(request: HttpRequest, payload: ProgrammeIn):
    programme = programme_create(actor=request.auth, code=payload.code, name=payload.name,
                                 kind=Programme.Kind.REGIONAL, funding=payload.funding,
                                 participation_code=payload.participation_code, description=payload.description,
                                 region_code=payload.region)
    return 201, programme


@router.post("/releases", response={201: ReleaseOut, **ERRORS}, summary="Draft a programme year")
def create_release(request: HttpRequest, payload: ReleaseIn):
    programme = Programme.objects.filter(code=payload.programme).first()
    if programme is None:
        raise ObjectNotFound()
    return 201, ReleaseOut.build(release_create(actor=request.auth, programme=programme, region_code=payload.region,
                                                year=payload.year, data=payload.data))


@router.get("/releases/{release_id}", response={200: ReleaseOut, **ERRORS}, summary="A programme year")
def get_release(request: HttpRequest, release_id: UUID):
    return ReleaseOut.build(sel.access_release(actor=request.auth, release_id=release_id))


@router.patch("/releases/{release_id}", response={200: ReleaseOut, **ERRORS}, summary="Change a draft year")
def patch_release(request: HttpRequest, release_id: UUID, payload: ReleasePatch):
    release = sel.access_release(actor=request.auth, release_id=release_id)
    return ReleaseOut.build(release_update(actor=request.auth, release=release, data=payload.data))


@router.post("/releases/{release_id}/release", response={200: ReleaseOut, **ERRORS},
             summary="Release a draft year (checked against the latest determined version)")
def release_endpoint(request: HttpRequest, release_id: UUID):
    release = sel.access_release(actor=request.auth, release_id=release_id)
    return ReleaseOut.build(release_release(actor=request.auth, release=release))


@router.post("/releases/{release_id}/new-version", response={201: ReleaseOut, **ERRORS},
             summary="A draft copy as the next version (how a released year changes)")
def new_version(request: HttpRequest, release_id: UUID, payload: NoteIn):
    release = sel.access_release(actor=request.auth, release_id=release_id)
    return 201, ReleaseOut.build(release_new_version(actor=request.auth, release=release, note=payload.note))


class PreviewQuery(Schema):
    period_id: UUID | None = None


def _period(release: ProgrammeRelease, period_id: UUID | None) -> DeterminationPeriod:
    periods = DeterminationPeriod.objects.filter(region_id=release.region_id,
                                                 status=DeterminationPeriod.Status.DETERMINED)
    period = periods.filter(pk=period_id).first() if period_id else periods.order_by("-determined_at").first()
    if period is None:
        raise ObjectNotFound()
    return period


@router.get("/releases/{release_id}/preview", response={200: dict, **ERRORS},
            summary="Families entering and leaving per village against the current list")
def preview(request: HttpRequest, release_id: UUID, query: Query[PreviewQuery]):
    release = sel.access_release(actor=request.auth, release_id=release_id)
    return sel.rule_preview(actor=request.auth, release=release, period=_period(release, query.period_id))


@router.post("/releases/{release_id}/lists", response={202: ListOut, **ERRORS},
             summary="Determine a tahap list (background job)")
def start_list(request: HttpRequest, release_id: UUID, payload: ListIn):
    release = sel.access_release(actor=request.auth, release_id=release_id)
    period = _period(release, payload.period_id)
    with transaction.atomic():
        blist = list_determine_start(actor=request.auth, release=release, period=period, tahap=payload.tahap,
                                     region_code=payload.region)
        transaction.on_commit(lambda: list_determine_task.enqueue(str(blist.pk)))
    blist.refresh_from_db()
    return 202, ListOut.build(blist)


@router.get("/lists/{list_id}", response={200: ListOut, **ERRORS}, summary="A list, its inputs and progress")
def get_list(request: HttpRequest, list_id: UUID):
    return ListOut.build(sel.access_list(actor=request.auth, list_id=list_id))


@router.get("/lists/{list_id}/entries", response={200: list[EntryOut], **ERRORS},
            summary="The families of a list in my regions (KK masked unless I may see it)")
def list_entries(request: HttpRequest, list_id: UUID, query: Query[EntryQuery]):
    blist = sel.access_list(actor=request.auth, list_id=list_id)
    entries = sel.entries_in_scope(request.auth, blist)
    for key in ("status", "change"):
        if getattr(query, key):
            entries = entries.filter(**{key: getattr(query, key)})
    if query.village:
        entries = entries.filter(region_code=query.village)
    sensitive = _sensitive_codes(blist)
    rows = [_entry(request.auth, e, sensitive) for e in
            entries.order_by("idx")[max(query.offset, 0):max(query.offset, 0) + min(max(query.limit, 1), 1000)]]
    sel.personal_data_viewed(actor=request.auth, kind="beneficiary_list", count=len(rows),
                             region_code=blist.region_code, target=blist)
    return rows


@router.get("/lists/{list_id}/recap", response={200: list[dict], **ERRORS}, summary="Recipients and amounts per village")
def recap(request: HttpRequest, list_id: UUID):
    return sel.village_recap(actor=request.auth, blist=sel.access_list(actor=request.auth, list_id=list_id))


@router.get("/lists/{list_id}/families/{family_id}", response={200: dict, **ERRORS},
            summary="Why a family is (not) on the list: every clause with the value it saw")
def explanation(request: HttpRequest, list_id: UUID, family_id: UUID):
    blist = sel.access_list(actor=request.auth, list_id=list_id)
    x = sel.family_explanation(actor=request.auth, blist=blist, family_id=family_id)
    return {"family_id": str(family_id), "kk": x.kk, "village": x.entry.region_code, "status": x.entry.status,
            "eligible": x.entry.eligible, "annual_amount": x.entry.annual_amount,
            "tahap_amount": x.entry.tahap_amount, "reasons": x.reasons, "components": x.components,
            "clauses": [{"number": c.number, "fact": c.fact, "test": c.test, "seen": c.seen, "passed": c.passed,
                         "reason": c.reason_code if not c.passed else "", "group": c.group} for c in x.clauses],
            "groups_passed": x.groups_passed,
            "inputs": {k: blist.inputs.get(k) for k in ("period", "desil_period", "programme", "year", "version")}}


@router.post("/lists/{list_id}/approve", response={200: ListOut, **ERRORS}, summary="Approve (district supervisor)")
def approve(request: HttpRequest, list_id: UUID, payload: NoteIn):
    blist = sel.access_list(actor=request.auth, list_id=list_id)
    return ListOut.build(list_approve(actor=request.auth, blist=blist, note=payload.note))


@router.post("/lists/{list_id}/reject", response={200: ListOut, **ERRORS}, summary="Reject with a reason")
def reject(request: HttpRequest, list_id: UUID, payload: ReasonIn):
    blist = sel.access_list(actor=request.auth, list_id=list_id)
    return ListOut.build(list_reject(actor=request.auth, blist=blist, reason=payload.reason))


@router.post("/lists/{list_id}/families/{family_id}/substitute", response={200: dict, **ERRORS},
             summary="Replace a recipient by the next reserve family of the area")
def substitute(request: HttpRequest, list_id: UUID, family_id: UUID, payload: ReasonIn):
    blist = sel.access_list(actor=request.auth, list_id=list_id)
    entry = sel.entries_in_scope(request.auth, blist).filter(family_id=family_id).first()
    if entry is None:
        raise ObjectNotFound()
    sub = entry_substitute(actor=request.auth, blist=blist, entry=entry, reason=payload.reason)
    return {"removed_family": str(sub.removed.family_id), "added_family": str(sub.added.family_id),
            "reason": sub.reason, "approved_by": sub.approved_by.get_username()}


@router.get("/lists/{list_id}/review-items", response={200: list[ReviewOut], **ERRORS},
            summary="Inclusion and exclusion errors in my regions")
def review_list(request: HttpRequest, list_id: UUID, status: str = "open"):
    blist = sel.access_list(actor=request.auth, list_id=list_id)
    return [_review(i) for i in sel.review_items(actor=request.auth, blist=blist, status=status)[:1000]]


@router.post("/review-items/{item_id}/confirm", response={200: ReviewOut, **ERRORS},
             summary="Confirm: creates the proposal in the update workflow")
def confirm(request: HttpRequest, item_id: UUID, payload: NoteIn):
    item = sel.access_review_item(actor=request.auth, item_id=item_id)
    review_confirm(actor=request.auth, item=item, note=payload.note)
    item.refresh_from_db()
    return _review(item)


@router.post("/review-items/{item_id}/dismiss", response={200: ReviewOut, **ERRORS}, summary="Dismiss with a reason")
def dismiss(request: HttpRequest, item_id: UUID, payload: ReasonIn):
    item = sel.access_review_item(actor=request.auth, item_id=item_id)
    return _review(review_dismiss(actor=request.auth, item=item, reason=payload.reason))


@router.get("/exclusivity", response={200: dict, **ERRORS}, summary="Programme × programme exclusivity")
def exclusivity(request: HttpRequest, region: str):
    ensure_capability(actor=request.auth, capability=VIEW)
    matrix = sel.exclusivity_matrix(actor=request.auth, region_code=region)
    return {"columns": matrix["columns"], "rows": [{"programme": r, "cells": c} for r, c in matrix["rows"]]}
