"""Scoped fetches of workflow rows: capability (403) first, then region scope; out of scope is not found."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from tepat.accounts.access import actor_can, actor_region_codes, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.regions.selectors import ancestor_codes
from tepat.updates.models import (
    Deliberation,
    DeliberationItem,
    DeterminationPeriod,
    Document,
    FreezePeriod,
    Proposal,
    SubmissionBatch,
)
from tepat.updates.permissions import UpdatesCapability, ensure_updates_capability

_LOOKUP_ERRORS = (ValueError, TypeError, DjangoValidationError)


def visible_q(actor: Any, field: str = "region__code") -> Q:
    return scope_q(actor, field)


def overlapping_q(actor: Any, field: str = "region__code") -> Q:
    """Rows for a region that contains, or lies inside, one of the actor's regions (periods, freezes, batches:
    a village operator sees the regency's periods; the regency sees its villages' rows)."""
    condition = scope_q(actor, field)
    for code in actor_region_codes(actor):
        ancestors = ancestor_codes(code, include_self=False)
        if ancestors:
            condition |= Q(**{f"{field}__in": ancestors})
    return condition


def proposals_in_scope(actor: Any) -> QuerySet[Proposal]:
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    return Proposal.objects.filter(visible_q(actor))


def _get(queryset: QuerySet, pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, *_LOOKUP_ERRORS) as exc:
        raise ObjectNotFound() from exc


def access_proposal(*, actor: Any, proposal_id: Any) -> Proposal:
    return _get(
        proposals_in_scope(actor).select_related(
            "region", "family", "individual", "individual__family", "assigned_to", "created_by", "applied_period"
        ),
        proposal_id,
    )


def deliberations_in_scope(actor: Any) -> QuerySet[Deliberation]:
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    return Deliberation.objects.filter(visible_q(actor))


def access_deliberation(*, actor: Any, deliberation_id: Any) -> Deliberation:
    return _get(deliberations_in_scope(actor).select_related("region"), deliberation_id)


def access_deliberation_item(*, actor: Any, item_id: Any) -> DeliberationItem:
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    items = DeliberationItem.objects.filter(visible_q(actor, "deliberation__region__code"))
    return _get(items.select_related("deliberation", "proposal"), item_id)


def batches_in_scope(actor: Any) -> QuerySet[SubmissionBatch]:
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    return SubmissionBatch.objects.filter(visible_q(actor))


def access_batch(*, actor: Any, batch_id: Any) -> SubmissionBatch:
    return _get(batches_in_scope(actor).select_related("region"), batch_id)


def periods_in_scope(actor: Any) -> QuerySet[DeterminationPeriod]:
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    return DeterminationPeriod.objects.filter(overlapping_q(actor))


def access_period(*, actor: Any, period_id: Any) -> DeterminationPeriod:
    return _get(periods_in_scope(actor).select_related("region"), period_id)


def freezes_in_scope(actor: Any) -> QuerySet[FreezePeriod]:
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    return FreezePeriod.objects.filter(overlapping_q(actor))


def access_freeze(*, actor: Any, freeze_id: Any) -> FreezePeriod:
    return _get(freezes_in_scope(actor).select_related("region"), freeze_id)


def access_document(*, actor: Any, document_id: Any) -> Document:
    """Scans of identity papers are personal data: roles that do not see NIK/KK whole may open only the
    signed minutes of their villages."""
    ensure_updates_capability(actor=actor, capability=UpdatesCapability.VIEW)
    documents = Document.objects.filter(visible_q(actor))
    if not actor_can(actor, Capability.PERSONAL_DATA_FULL):
        documents = documents.filter(kind=Document.Kind.SIGNED_MINUTES)
    return _get(documents, document_id)
