"""Audit trail API: for roles with AUDIT_VIEW, scoped to their regions, newest first."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from tepat.trail.schemas import AuditEventOut, AuditQuery
from tepat.trail.selectors import audit_event_list

router = Router(tags=["audit"])


@router.get("/events", response=list[AuditEventOut], summary="Audit events in my regions")
@paginate(PageNumberPagination)
def event_list(request: HttpRequest, filters: Query[AuditQuery]):
    return audit_event_list(actor=request.auth, filters=filters.filters())
