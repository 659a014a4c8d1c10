"""Scoped fetches of registry rows. How personal data is shown is `tepat.registry.masking` (ADR 0008)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from tepat.accounts.access import ensure_capability, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.registry import masking
from tepat.registry.models import Family, Individual


def families_in_scope(actor: Any) -> QuerySet[Family]:
    ensure_capability(actor=actor, capability=Capability.REGISTRY_VIEW)
    return Family.objects.filter(scope_q(actor, "region__code"))


def individuals_in_scope(actor: Any) -> QuerySet[Individual]:
    ensure_capability(actor=actor, capability=Capability.REGISTRY_VIEW)
    return Individual.objects.filter(scope_q(actor, "family__region__code"))


def access_family(*, actor: Any, family_id: Any) -> Family:
    """The family if the actor may see it; otherwise not found, whether absent or out of scope."""
    try:
        return families_in_scope(actor).select_related("region").get(pk=family_id)
    except (Family.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc


def access_individual(*, actor: Any, individual_id: Any) -> Individual:
    try:
        return individuals_in_scope(actor).select_related("family", "family__region").get(pk=individual_id)
    except (Individual.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc


def identity_for(actor: Any, value: str) -> str:
    """NIK/KK as this actor may see it (the masking module decides)."""
    return masking.identity(actor, value)


def may_see_sensitive(actor: Any) -> bool:
    return masking.may_see_sensitive(actor)
