"""Registry JSON API: families, their members, history and dashboard counts.

Thin handlers: scoped fetch (`access_*`), one service or selector, a response schema. Capability and
region scope are checked by those functions; out of scope answers 404 exactly like absent.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from tepat.accounts.throttle import client_ip
from tepat.core.concurrency import if_match, set_etag
from tepat.registry.access import access_family, access_individual
from tepat.registry.actions import allowed_names, family_actions
from tepat.registry.schemas import (
    DashboardOut,
    ErrorOut,
    FamilyCreateIn,
    FamilyDetailOut,
    FamilyListItem,
    FamilyListQuery,
    FamilyPatchIn,
    FamilyRemoveIn,
    HistoryEventOut,
    MemberIn,
    MemberOut,
    MemberPatchIn,
    PresenceIn,
)
from tepat.registry.selectors import (
    dashboard_counts,
    family_detail,
    family_heads,
    family_search,
    personal_data_viewed,
)
from tepat.registry.services import (
    family_create,
    family_remove,
    family_update,
    individual_add,
    individual_set_presence,
    individual_update,
)

router = Router(tags=["registry"])

ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class FamilyPagination(PageNumberPagination):
    """Page numbers; each page's heads of family come in one query for the page, not one per row. Each
    page served is one `personal_data.view` event."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        families = list(page["items"])
        heads = family_heads(families)
        for family in families:
            family.head = heads.get(family.pk)
        page["items"] = families
        personal_data_viewed(actor=request.auth, kind="family_list", count=len(families),
                             region_code=request.GET.get("region", ""),
                             extra={"page": pagination.page, "api": True})
        return page


def _detail(request: HttpRequest, family: Any) -> Any:
    """The family detail with the actions the caller may take (the same rule the pages and services use)."""
    detail = family_detail(actor=request.auth, family=family)
    detail.actions = allowed_names(family_actions(request.auth, detail.family))
    return detail


@router.get("/families", response=list[FamilyListItem], summary="Search families in my regions")
@paginate(FamilyPagination)
def family_list(request: HttpRequest, filters: Query[FamilyListQuery]):
    return family_search(
        actor=request.auth, query=filters.q, region_code=filters.region, status=filters.status,
        client_ip=client_ip(request),
    ).families


@router.post("/families", response={201: FamilyDetailOut, **ERRORS}, summary="Create a family")
def family_create_endpoint(request: HttpRequest, payload: FamilyCreateIn):
    family = family_create(
        actor=request.auth, region_code=payload.region_code, data=payload.changes(), members=payload.member_rows(),
        correction_reason=payload.correction_reason,
    )
    return 201, _detail(request, family)


def _current(request: HttpRequest):
    """The family as GET returns it, for the body of a 409 `stale_version` (If-Match did not match)."""
    return lambda family: FamilyDetailOut.model_validate(
        _detail(request, family), context={"request": request}).model_dump(mode="json")


@router.get("/families/{family_id}", response={200: FamilyDetailOut, **ERRORS},
            summary="One family (ETag header: send it back as If-Match with PATCH)")
def family_get(request: HttpRequest, family_id: UUID):
    family = access_family(actor=request.auth, family_id=family_id)
    set_etag(request, family)
    return _detail(request, family)


@router.patch("/families/{family_id}", response={200: FamilyDetailOut, **ERRORS},
              summary="Change a family (If-Match: the ETag of the version read; stale → 409 stale_version)")
def family_patch(request: HttpRequest, family_id: UUID, payload: FamilyPatchIn):
    family = access_family(actor=request.auth, family_id=family_id)
    with if_match(request, family, _current(request)) as family:
        family = family_update(actor=request.auth, family=family, data=payload.changes(),
                               correction_reason=payload.correction_reason)
    set_etag(request, family)
    return _detail(request, family)


@router.post("/families/{family_id}/remove", response={200: FamilyDetailOut, **ERRORS},
             summary="Remove a family from the active list")
def family_remove_endpoint(request: HttpRequest, family_id: UUID, payload: FamilyRemoveIn):
    family = access_family(actor=request.auth, family_id=family_id)
    family = family_remove(actor=request.auth, family=family, reason=payload.reason, note=payload.note,
                           on_date=payload.date, correction_reason=payload.correction_reason)
    return _detail(request, family)


@router.post("/families/{family_id}/members", response={201: MemberOut, **ERRORS}, summary="Add a member")
def member_add(request: HttpRequest, family_id: UUID, payload: MemberIn):
    family = access_family(actor=request.auth, family_id=family_id)
    return 201, individual_add(actor=request.auth, family=family, data=payload.changes(),
                               correction_reason=payload.correction_reason)


@router.get("/families/{family_id}/history", response={200: list[HistoryEventOut], **ERRORS},
            summary="Audit events of the family and its members (newest first, last 100)")
def family_history(request: HttpRequest, family_id: UUID):
    family = access_family(actor=request.auth, family_id=family_id)
    return family_detail(actor=request.auth, family=family).events


@router.patch("/members/{member_id}", response={200: MemberOut, **ERRORS}, summary="Change a member")
def member_patch(request: HttpRequest, member_id: UUID, payload: MemberPatchIn):
    individual = access_individual(actor=request.auth, individual_id=member_id)
    return individual_update(actor=request.auth, individual=individual, data=payload.changes(),
                             correction_reason=payload.correction_reason)


@router.post("/members/{member_id}/presence", response={200: MemberOut, **ERRORS},
             summary="Record that a member died, moved, was not found, or is back")
def member_presence(request: HttpRequest, member_id: UUID, payload: PresenceIn):
    individual = access_individual(actor=request.auth, individual_id=member_id)
    return individual_set_presence(actor=request.auth, individual=individual, presence=payload.presence,
                                   note=payload.note, on_date=payload.date,
                                   correction_reason=payload.correction_reason)


@router.get("/dashboard", response={200: DashboardOut, **ERRORS}, summary="Counts for my regions")
def dashboard(request: HttpRequest):
    return dashboard_counts(actor=request.auth)
