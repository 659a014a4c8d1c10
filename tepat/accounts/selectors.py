"""Reads of users for the user-management pages, scoped: an administrator sees a user only when every
region of that user lies inside the administrator's own (a user without regions is seen by nobody)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from tepat.accounts import throttle
from tepat.accounts.access import ensure_capability, scope_q
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.regions.selectors import region_subtree_q


def managed_users(actor: Any) -> QuerySet[User]:
    """Users whose regions all lie inside the actor's scope (none for an actor without users.manage)."""
    ensure_capability(actor=actor, capability=Capability.USER_MANAGE)
    assigned = RegionAssignment.objects.filter(user=OuterRef("pk"))
    outside = assigned.exclude(scope_q(actor, "region__code"))
    return User.objects.filter(Exists(assigned)).exclude(Exists(outside))


def access_user(*, actor: Any, user_id: Any) -> User:
    """One managed user, or ObjectNotFound, the same for absent and out of scope."""
    try:
        return managed_users(actor).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise ObjectNotFound() from None


@dataclass(slots=True)
class UserRow:
    user: User
    regions: list[Any]
    locked: bool


def user_search(*, actor: Any, q: str = "", role: str = "", region: str = "", active: str = "") -> QuerySet[User]:
    users = managed_users(actor)
    if q:
        from django.db.models import Q

        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
                             | Q(email__icontains=q))
    if role:
        users = users.filter(role=role)
    if region:
        inside = RegionAssignment.objects.filter(region_subtree_q([region], field="region__code"), user=OuterRef("pk"))
        users = users.filter(Exists(inside))
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    return users.order_by("username").prefetch_related(
        Prefetch("region_assignments", queryset=RegionAssignment.objects.select_related("region")))


def user_rows(users: list[User]) -> list[UserRow]:
    """One page of users with their regions and whether they are locked out right now (one query each)."""
    locked = throttle.locked_usernames([u.username for u in users])
    return [UserRow(u, [a.region for a in u.region_assignments.all()], u.username in locked) for u in users]
