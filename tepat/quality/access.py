"""Who may see and act on data-quality results, and scoped fetches (out of scope looks like absent).

- view flags, pairs and matches (names and NIKs): QUALITY_VIEW;
- review (dismiss; confirm also needs UPDATES_PROPOSE, checked by the proposal service): QUALITY_REVIEW;
- run matching, upload lists: QUALITY_RUN (the district office).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from tepat.accounts.access import actor_can, actor_in_scope, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.quality.models import CandidatePair, ExternalList, Flag, MatchRun

VIEW = (Capability.QUALITY_VIEW,)
REVIEW = (Capability.QUALITY_REVIEW,)
RUN = (Capability.QUALITY_RUN,)


def quality_can(actor: Any, capabilities: tuple[Capability, ...]) -> bool:
    return all(actor_can(actor, capability) for capability in capabilities)


def ensure_quality_capability(*, actor: Any, capabilities: tuple[Capability, ...]) -> None:
    if not quality_can(actor, capabilities):
        raise PermissionDeniedError()


def ensure_quality_permission(*, actor: Any, capabilities: tuple[Capability, ...], region_code: str) -> None:
    """Capability first (403), then region scope (404, like absent)."""
    ensure_quality_capability(actor=actor, capabilities=capabilities)
    if not actor_in_scope(actor, region_code):
        raise ObjectNotFound()


def flags_in_scope(actor: Any) -> QuerySet[Flag]:
    ensure_quality_capability(actor=actor, capabilities=VIEW)
    return Flag.objects.filter(scope_q(actor, "region_code"))


def runs_in_scope(actor: Any) -> QuerySet[MatchRun]:
    ensure_quality_capability(actor=actor, capabilities=VIEW)
    return MatchRun.objects.filter(scope_q(actor, "region_code"))


def pairs_in_scope(actor: Any) -> QuerySet[CandidatePair]:
    ensure_quality_capability(actor=actor, capabilities=VIEW)
    return CandidatePair.objects.filter(scope_q(actor, "region_code"))


def lists_in_scope(actor: Any) -> QuerySet[ExternalList]:
    ensure_quality_capability(actor=actor, capabilities=VIEW)
    return ExternalList.objects.filter(scope_q(actor, "region_code"))


def _get(queryset: QuerySet, pk: Any):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc


def access_flag(*, actor: Any, flag_id: Any) -> Flag:
    return _get(flags_in_scope(actor).select_related("family", "individual", "pair", "civil_match", "list_match"),
                flag_id)


def access_run(*, actor: Any, run_id: Any) -> MatchRun:
    return _get(runs_in_scope(actor), run_id)


def access_list(*, actor: Any, list_id: Any) -> ExternalList:
    return _get(lists_in_scope(actor), list_id)
