"""Scoped reads: distributions an actor overlaps (the district's Dinsos, or a village operator with
entries of it in their villages), one entry by reference, the village return queue, entries as a reader may
see them (NIK/KK through `tepat.registry.masking`). Failing closed: no capability or no scope, nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tepat.accounts.access import actor_can, actor_in_scope, actor_region_codes
from tepat.core.actors import is_system
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.distribution.models import Distribution, DistributionEntry, DistributionList, ReturnItem
from tepat.distribution.services.common import VIEW, scoped
from tepat.regions.selectors import ancestor_codes, is_within
from tepat.registry import masking


def _overlap_q(actor: Any) -> Q:
    codes = actor_region_codes(actor)
    if not codes:
        return Q(pk__in=[])
    ancestors = {a for code in codes for a in ancestor_codes(code)}
    inside = Q()
    for code in codes:
        inside |= Q(region_code=code) | Q(region_code__startswith=code + ".")
    return inside | Q(region_code__in=sorted(ancestors))


def distributions_visible(actor: Any) -> QuerySet[Distribution]:
    if is_system(actor):
        return Distribution.objects.all()
    if not actor_can(actor, VIEW):
        return Distribution.objects.none()
    return Distribution.objects.filter(_overlap_q(actor)).order_by("-created_at")


def access_distribution(*, actor: Any, distribution_id: Any, capability: Any = VIEW) -> Distribution:
    """403 without the capability, 404 when absent or outside every region of the actor."""
    if not is_system(actor) and not actor_can(actor, capability):
        raise PermissionDeniedError()
    dist = Distribution.objects.select_related("beneficiary_list__release__programme").filter(
        pk=distribution_id).first()
    if dist is None or not (is_system(actor) or any(is_within(mine, dist.region_code) or
                                                    is_within(dist.region_code, mine)
                                                    for mine in actor_region_codes(actor))):
        raise ObjectNotFound()
    return dist


def district_reader(actor: Any, dist: Distribution) -> bool:
    return is_system(actor) or actor_in_scope(actor, dist.region_code)


def access_list(*, actor: Any, list_id: Any) -> DistributionList:
    dlist = DistributionList.objects.select_related("distribution", "channel").filter(pk=list_id).first()
    if dlist is None:
        raise ObjectNotFound()
    access_distribution(actor=actor, distribution_id=dlist.distribution_id)
    return dlist


def entry_by_ref(*, actor: Any, kpm_ref: str) -> DistributionEntry:
    """The current entry of a KPM reference (scan or search), in the actor's regions."""
    if not is_system(actor) and not actor_can(actor, VIEW):
        raise PermissionDeniedError()
    entry = (scoped(actor, DistributionEntry.objects.filter(kpm_ref=(kpm_ref or "").strip().upper()))
             .exclude(list__status=DistributionList.Status.SUPERSEDED)
             .select_related("list__distribution", "list__channel").order_by("-list__created_at").first())
    if entry is None:
        raise ObjectNotFound()
    return entry


def entries_in_scope(actor: Any, dlist: DistributionList) -> QuerySet[DistributionEntry]:
    return scoped(actor, DistributionEntry.objects.filter(list=dlist))


def entry_row(actor: Any, e: DistributionEntry) -> dict[str, Any]:
    return {"kpm_ref": e.kpm_ref, "village": e.region_code, "rt": e.rt, "rw": e.rw, "address": e.address,
            "name": e.name, "nik": masking.identity(actor, e.nik), "kk": masking.identity(actor, e.kk_number),
            "amount": e.amount, "status": e.status, "paid_amount": e.paid_amount,
            "returned_amount": e.returned_amount, "failed_reason": e.failed_reason,
            "channel": e.list.channel_id, "version": e.list.version}


def queue(actor: Any, dist: Distribution, *, status: str = "open") -> QuerySet[ReturnItem]:
    items = scoped(actor, ReturnItem.objects.filter(distribution=dist))
    if status:
        items = items.filter(status=status)
    return items.order_by("region_code", "deadline", "created_at")


def access_return(*, actor: Any, item_id: Any) -> ReturnItem:
    if not is_system(actor) and not actor_can(actor, VIEW):
        raise PermissionDeniedError()
    item = scoped(actor, ReturnItem.objects.select_related("distribution")).filter(pk=item_id).first()
    if item is None:
        raise ObjectNotFound()
    return item


def villages_of(actor: Any, dist: Distribution) -> list[dict[str, Any]]:
    """The villages of a distribution's current entries in the actor's regions: code, name, KPM and KPM still
    awaiting distribution (the invitations to print), for the links to print them."""
    from django.db.models import Count

    from tepat.regions.models import Region

    rows = (scoped(actor, DistributionEntry.objects.filter(list__distribution=dist))
            .exclude(list__status=DistributionList.Status.SUPERSEDED)
            .values("region_code").annotate(total=Count("id"),
                                            pending=Count("id", filter=Q(status=DistributionEntry.Status.PENDING)))
            .order_by("region_code"))
    rows = list(rows)
    names = dict(Region.objects.filter(code__in=[r["region_code"] for r in rows]).values_list("code", "name"))
    return [{"code": r["region_code"], "name": names.get(r["region_code"], r["region_code"]), "total": r["total"],
             "pending": r["pending"]} for r in rows]
