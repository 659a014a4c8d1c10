"""The targeting JSON API (/api/v1/targeting/…): desil releases, their reports and families without desil,
the local estimate's weight versions, village recap and review list. The same services and scoped selectors
as the pages; lists of people are logged as views of personal data and masked by the masking module."""

from __future__ import annotations

from datetime import date
from functools import partial
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.registry.selectors import personal_data_viewed
from tepat.targeting import schemas as s
from tepat.targeting.selectors import (
    access_release,
    access_weight_set,
    desil_distribution,
    families_without_desil,
    family_rows,
    release_issue_rows,
    releases_visible,
    review_frame,
    review_rows,
    village_recap,
    weight_sets_visible,
)
from tepat.targeting.services import desil_import_start, pmt_weight_set_create
from tepat.targeting.tasks import desil_import_task, pmt_estimate_task

router = Router(tags=["targeting"])
ERRORS = dict.fromkeys((401, 403, 404, 409, 422), s.ErrorOut)
MAX_ROWS = 1000


class PageQuery(Schema):
    offset: int = 0
    limit: int = 200


class ReviewQuery(PageQuery):
    region: str = ""


@router.get("/releases", response={200: list[s.ReleaseOut], **ERRORS}, summary="Desil releases of my regions")
def list_releases(request: HttpRequest):
    return list(releases_visible(actor=request.auth)[:200])


@router.post("/releases", response={202: s.ReleaseOut, 200: s.ReleaseOut, **ERRORS},
             summary="Upload an official desil file (NIK or KK + desil); imported in the background (poll GET "
                     "/releases/{id}). The same file for the same period and region returns its release (200)")
def upload_release(request: HttpRequest, file: File[UploadedFile], region_code: Form[str], period: Form[str],
                   source: Form[str], decree_number: Form[str] = "", decree_date: Form[date | None] = None,
                   mapping: Form[str] = ""):
    release, queued = desil_import_start(
        actor=request.auth, content=file.read(), file_name=file.name or "", region_code=region_code, period=period,
        source_label=source, decree_number=decree_number, decree_date=decree_date, mapping=mapping or None)
    if not queued:
        return 200, release
    transaction.on_commit(partial(desil_import_task.enqueue, release_id=str(release.pk), actor_id=request.auth.pk))
    return 202, release


@router.get("/releases/{release_id}", response={200: s.ReleaseOut, **ERRORS}, summary="A release and its progress")
def get_release(request: HttpRequest, release_id: UUID):
    return access_release(actor=request.auth, release_id=release_id)


@router.get("/releases/{release_id}/issues", response={200: list[s.IssueOut], **ERRORS},
            summary="The release's row-level report (rejected rows and warnings)")
def get_release_issues(request: HttpRequest, release_id: UUID, page: Query[PageQuery]):
    release = access_release(actor=request.auth, release_id=release_id)
    limit = max(1, min(page.limit, MAX_ROWS))
    rows = release_issue_rows(actor=request.auth, release=release, offset=page.offset, limit=limit)
    personal_data_viewed(actor=request.auth, kind="targeting.desil_report_api", count=len(rows),
                         region_code=release.region_id, target=release)
    return rows


@router.get("/releases/{release_id}/families-without-desil", response={200: list[s.FamilyOut], **ERRORS},
            summary="Active families of my regions that the release gives no desil (KK masked per role)")
def get_families_without_desil(request: HttpRequest, release_id: UUID, page: Query[PageQuery]):
    release = access_release(actor=request.auth, release_id=release_id)
    limit = max(1, min(page.limit, MAX_ROWS))
    families = list(families_without_desil(actor=request.auth, release=release)[page.offset:page.offset + limit])
    rows = family_rows(actor=request.auth, families=families)
    personal_data_viewed(actor=request.auth, kind="targeting.families_without_desil_api", count=len(rows),
                         region_code=release.region_id, target=release)
    return rows


@router.get("/pmt/weight-sets", response={200: list[s.WeightSetOut], **ERRORS},
            summary="Versions of the local estimate's weights (perkiraan lokal / local estimate)")
def list_weight_sets(request: HttpRequest):
    return list(weight_sets_visible(actor=request.auth)[:100])


@router.post("/pmt/weight-sets", response={201: s.WeightSetOut, **ERRORS},
             summary="A new version of a district's local-estimate weights")
def create_weight_set(request: HttpRequest, payload: s.WeightSetIn):
    base = access_weight_set(actor=request.auth, weight_set_id=payload.based_on) if payload.based_on else None
    created = pmt_weight_set_create(actor=request.auth, region_code=payload.region_code, label=payload.label,
                                    note=payload.note, based_on=base,
                                    weights=[w.model_dump() for w in payload.weights], estimate_now=False)
    transaction.on_commit(partial(pmt_estimate_task.enqueue, weight_set_id=str(created.pk),
                                  actor_id=request.auth.pk))
    return 201, created


class DistributionQuery(Schema):
    region: str = ""


@router.get("/desil/distribution", response={200: s.DistributionOut, **ERRORS},
            summary="Families per official desil 1–10 in my villages (under `region` when given)")
def get_desil_distribution(request: HttpRequest, query: Query[DistributionQuery]):
    if query.region:
        ensure_permission(actor=request.auth, capability=Capability.TARGETING_VIEW, region_code=query.region)
    rows, release = desil_distribution(actor=request.auth, region_code=query.region)
    return {"period": release.period if release else "", "rows": rows}


@router.get("/pmt/weight-sets/{weight_set_id}", response={200: s.WeightSetOut, **ERRORS}, summary="One version")
def get_weight_set(request: HttpRequest, weight_set_id: UUID):
    return access_weight_set(actor=request.auth, weight_set_id=weight_set_id)


@router.get("/pmt/weight-sets/{weight_set_id}/recap", response={200: list[s.RecapOut], **ERRORS},
            summary="Per village of my regions: local estimate against the official desil")
def get_recap(request: HttpRequest, weight_set_id: UUID):
    weight_set = access_weight_set(actor=request.auth, weight_set_id=weight_set_id)
    rows, _release = village_recap(actor=request.auth, weight_set=weight_set)
    return [{**row, "region_code": row["region_id"]} for row in rows]


@router.get("/pmt/weight-sets/{weight_set_id}/review", response={200: list[s.ReviewOut], **ERRORS},
            summary="Families whose local estimate and official desil are ≥ 3 deciles apart (KK masked per role)")
def get_review(request: HttpRequest, weight_set_id: UUID, query: Query[ReviewQuery]):
    weight_set = access_weight_set(actor=request.auth, weight_set_id=weight_set_id)
    if query.region:
        ensure_permission(actor=request.auth, capability=Capability.TARGETING_VIEW, region_code=query.region)
    frame, _release = review_frame(actor=request.auth, weight_set=weight_set, region_code=query.region)
    limit = max(1, min(query.limit, MAX_ROWS))
    rows = review_rows(actor=request.auth, frame=frame.slice(query.offset, limit))
    personal_data_viewed(actor=request.auth, kind="targeting.review_list_api", count=len(rows),
                         region_code=query.region or weight_set.region_id, target=weight_set)
    return rows
