"""Scoped fetches of complaints and referrals: capability × region scope × need-to-know.

A sensitive case (violence, trafficking, children in conflict with the law, …) is visible only to the
officer who recorded it, its assigned handler, and holders of `grievances.sensitive`; to anyone else it does
not exist: not in lists, not in counts per subject, and its page answers exactly like an unknown id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tepat.accounts.access import actor_can, actor_in_scope, ensure_capability, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.grievances.models import Complaint, Referral

C = Capability


def need_to_know_q(actor: Any) -> Q:
    """Rows the actor may see as far as sensitivity goes (scope is applied apart)."""
    if actor_can(actor, C.GRIEVANCES_SENSITIVE):
        return Q()
    pk = getattr(actor, "pk", None)
    return Q(sensitive=False) | Q(handler_id=pk) | Q(created_by_id=pk) if pk else Q(sensitive=False)


def may_know(actor: Any, complaint: Complaint) -> bool:
    if not complaint.sensitive or actor_can(actor, C.GRIEVANCES_SENSITIVE):
        return True
    pk = getattr(actor, "pk", None)
    return pk is not None and pk in (complaint.handler_id, complaint.created_by_id)


def ensure_need_to_know(actor: Any, complaint: Complaint) -> None:
    """For the action rules: a sensitive case the actor may not know of is answered as not found."""
    if not may_know(actor, complaint):
        raise ObjectNotFound()


def complaints_visible(actor: Any) -> QuerySet[Complaint]:
    """Every complaint the actor may see (empty without `grievances.view` or any region)."""
    if not actor_can(actor, C.GRIEVANCES_VIEW):
        return Complaint.objects.none()
    return Complaint.objects.filter(scope_q(actor, "region__code")).filter(need_to_know_q(actor))


def access_complaint(*, actor: Any, complaint_id: Any) -> Complaint:
    """403 without the capability; 404 when absent, out of scope or not to be known."""
    ensure_capability(actor=actor, capability=C.GRIEVANCES_VIEW)
    complaint = Complaint.objects.select_related("category", "region", "family", "individual", "handler").filter(
        pk=complaint_id).first()
    if complaint is None or not actor_in_scope(actor, complaint.region_id) or not may_know(actor, complaint):
        raise ObjectNotFound()
    return complaint


def access_referral(*, actor: Any, referral_id: Any) -> Referral:
    ensure_capability(actor=actor, capability=C.GRIEVANCES_VIEW)
    referral = Referral.objects.select_related("complaint", "institution", "service").filter(pk=referral_id).first()
    if referral is None or not actor_in_scope(actor, referral.complaint.region_id) \
            or not may_know(actor, referral.complaint):
        raise ObjectNotFound()
    return referral
