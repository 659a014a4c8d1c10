"""Reads of the registry, always through the actor's scope."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tepat.accounts.access import actor_region_codes, ensure_capability, ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_record
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.recent import recent
from tepat.regions.selectors import common_region, region_subtree_q
from tepat.registry import choices as c
from tepat.registry import masking, search_throttle
from tepat.registry.access import families_in_scope, individuals_in_scope, may_see_sensitive
from tepat.registry.identity import name_key
from tepat.registry.models import Family, Individual
from tepat.registry.search import name_match_ids

_IDENTITY_QUERY = re.compile(r"^[0-9\s.\-']{4,}$")


@dataclass(slots=True)
class FamilySearch:
    families: QuerySet[Family] | list[Family]
    kind: str  # "all", "identity", "name"
    query: str


def family_search(*, actor: Any, query: str = "", region_code: str = "", status: str = "active",
                  client_ip: str = "") -> FamilySearch:
    """Families visible to the actor, filtered by NIK/KK (exact or prefix), name (typo-tolerant) and region.

    Roles that see masked numbers may search only by a whole NIK/KK (16 digits): a prefix search would
    let them guess the hidden digits (ADR 0008); anything shorter is refused (422, field `q`). Every
    search is recorded with a keyed hash of what was searched, never the text. A masked role's number
    searches are throttled per user and per client address (`search_throttle`): past a limit the search
    finds nothing, exactly like a number that matches no one.
    Name results come best match first; other results by region, RW, RT and KK number.
    """
    families = families_in_scope(actor)
    individuals = individuals_in_scope(actor)
    if region_code:
        # Intersects with the scope already applied: a region outside it simply yields nothing.
        families = families.filter(region_subtree_q([region_code], "region__code"))
        individuals = individuals.filter(region_subtree_q([region_code], "family__region__code"))
    if status in c.FamilyStatus.values:
        families = families.filter(status=status)
    query = (query or "").strip()
    # The member count is a correlated subquery, not a JOIN + GROUP BY: PostgreSQL then counts the members of
    # the page's 25 families only (the expensive select-list item is evaluated after ORDER BY … LIMIT), and the
    # paginator's COUNT reads families alone. The GROUP BY form joined and grouped all ~1M people of a district
    # for every page (12 s + 4 s on the issue 15.4 benchmark; docs/BENCHMARKS.md).
    active_members = (Individual.objects.filter(family_id=OuterRef("pk"), presence__in=c.ACTIVE_PRESENCE)
                      .order_by().values("family_id").annotate(n=Count("pk")).values("n"))
    families = families.select_related("region").annotate(
        member_count=Coalesce(Subquery(active_members, output_field=IntegerField()), Value(0))
    ).order_by("region_id", "rw", "rt", "kk_number", "id")
    if not query:
        return FamilySearch(families, "all", query)
    if _IDENTITY_QUERY.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) == 16:
            # The matching families first (two index lookups), then those by primary key: an OR of the KK
            # match and a NIK subquery could use no index and read every family of the scope (2 s for a
            # district of 300,000 families, issue 15.4 benchmark).
            matched = {*families.filter(kk_number=digits).values_list("pk", flat=True),
                       *individuals.filter(nik=digits).values_list("family_id", flat=True)}
            condition = Q(pk__in=matched)
        elif masking.policy_for(actor).masked:
            raise ValidationFailed([Issue(
                "whole_number_only", "q",
                f"cari dengan NIK/No. KK lengkap 16 digit (ditemukan {len(digits)} digit); "
                "pencarian sebagian nomor tidak tersedia untuk peran Anda",
                f"search by the whole 16-digit NIK/KK number (found {len(digits)} digits); "
                "searching by part of a number is not available to your role",
            )])
        else:
            condition = Q(kk_number__startswith=digits) | Q(
                pk__in=individuals.filter(nik__startswith=digits).values("family_id")
            )
        if _log_lookup(actor, "identity", region_code, digits, exact=len(digits) == 16, client_ip=client_ip,
                       throttle=masking.policy_for(actor).masked):
            condition = Q(pk__in=[])  # throttled: answered as "no match", never as "throttled"
        return FamilySearch(families.filter(condition), "identity", query)
    ids = name_match_ids(individuals, query)
    rank = {member_id: position for position, member_id in enumerate(ids)}
    order: dict[Any, int] = {}
    for member_id, family_id in individuals.filter(pk__in=ids).values_list("pk", "family_id"):
        order[family_id] = min(order.get(family_id, len(ids)), rank[member_id])
    ranked = sorted(families.filter(pk__in=order.keys()), key=lambda f: order[f.pk])
    _log_lookup(actor, "name", region_code, name_key(query))
    return FamilySearch(ranked, "name", query)


def _log_lookup(actor: Any, kind: str, region_code: str, normalised: str, *, exact: bool = False,
                client_ip: str = "", throttle: bool = False) -> str:
    """A search by identity number or name is a lookup of personal data: logged with a keyed hash of what
    was searched (the digits, or the name key), never the text itself, and of the client address.
    With `throttle`, returns the limit passed ("user"/"ip") or "" (search_throttle)."""
    data: dict[str, Any] = {"kind": kind, "query_hash": masking.search_digest(kind, normalised)}
    if kind == "identity":
        data["exact"] = exact
    ip_hash = search_throttle.ip_digest(client_ip)
    if ip_hash:
        data["ip_hash"] = ip_hash
    region = region_code or common_region(actor_region_codes(actor))
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.PERSONAL_DATA_SEARCH, region_code=region, data=data)
        return search_throttle.exceeded(actor=actor, ip_hash=ip_hash, region_code=region) if throttle else ""


def personal_data_viewed(*, actor: Any, kind: str, count: int, region_code: str = "", target: Any = None,
                         extra: dict[str, Any] | None = None) -> None:
    """One `personal_data.view` event for one page or list of personal data (not one per row): what kind
    of list, how many records it showed, in which region. Every page, API read and PDF showing people
    calls this (or `family_detail`)."""
    data = {"kind": kind, "count": count, **(extra or {})}
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.PERSONAL_DATA_VIEW, target=target,
                     region_code=region_code or common_region(actor_region_codes(actor)),
                     data=masking.audit_payload(data))


def family_heads(families: list[Family]) -> dict[Any, Individual]:
    """Head of each family (or the first active member), in one query."""
    heads: dict[Any, Individual] = {}
    members = Individual.objects.filter(family__in=[f.pk for f in families], presence__in=c.ACTIVE_PRESENCE)
    for member in members.order_by("family_id", "relation", "birth_date"):
        heads.setdefault(member.family_id, member)
    return heads


@dataclass(slots=True)
class FamilyDetail:
    family: Family
    members: list[Individual]
    kk_history: list
    programs: list
    welfare: list
    events: list[AuditEvent]
    show_sensitive: bool
    actions: list[str] = field(default_factory=list)  # filled by the API from registry.actions


def family_detail(*, actor: Any, family: Family) -> FamilyDetail:
    """Everything on a family's page. Viewing it is a view of personal data, so it is logged."""
    ensure_permission(actor=actor, capability=Capability.REGISTRY_VIEW, region_code=family.region_id)
    members = list(family.members.order_by("relation", "birth_date"))
    member_ids = [str(m.pk) for m in members]
    events = list(
        AuditEvent.objects.filter(
            Q(target_type="registry.family", target_id=str(family.pk))
            | Q(target_type="registry.individual", target_id__in=member_ids)
        ).select_related("actor").order_by("-seq")[:100]
    )
    with transaction.atomic():
        audit_record(actor=actor, action="personal_data.view", target=family, region_code=family.region_id,
                     data={"members": len(members), "sensitive": may_see_sensitive(actor)})
    return FamilyDetail(
        family=family,
        members=members,
        kk_history=list(family.kk_history.order_by("-created_at")),
        programs=list(family.programs.all()),
        welfare=list(family.welfare_statuses.all()),
        events=events,
        show_sensitive=may_see_sensitive(actor),
    )


def dashboard_counts_recent(*, actor: Any) -> tuple[dict[str, Any], datetime]:
    """`dashboard_counts` as of at most `TEPAT_DASHBOARD_COUNTS_SECONDS` ago, and when they were counted (ADR
    0033). The counts of a district aggregate all its ~1M people (1.2–1.4 s per view on the issue 15.4
    benchmark); the start page shows them with their time instead of counting them again on every view. The
    key is the actor's set of regions (the counts depend on nothing else); the capability is checked first, so
    a cached figure never reaches an actor who may not see the registry. The cache is the process's (Django's
    default cache: each web worker keeps its own copy, `tepat.core.recent`); 0 counts on every view."""
    ensure_capability(actor=actor, capability=Capability.REGISTRY_VIEW)
    codes = ",".join(actor_region_codes(actor))
    key = "registry:dashboard_counts:" + hashlib.sha256(codes.encode()).hexdigest()
    return recent(key, int(getattr(settings, "TEPAT_DASHBOARD_COUNTS_SECONDS", 0) or 0),
                  lambda: dashboard_counts(actor=actor))


def dashboard_counts(*, actor: Any) -> dict[str, Any]:
    """Counts for the actor's regions, in a few aggregate queries."""
    families = families_in_scope(actor)
    individuals = individuals_in_scope(actor)
    family_counts = families.aggregate(
        active=Count("pk", filter=Q(status=c.FamilyStatus.ACTIVE)),
        removed=Count("pk", filter=Q(status=c.FamilyStatus.REMOVED)),
        with_warnings=Count("pk", filter=~Q(validation_warnings=[])),
    )
    member_counts = individuals.filter(family__status=c.FamilyStatus.ACTIVE).aggregate(
        active=Count("pk", filter=Q(presence__in=c.ACTIVE_PRESENCE)),
        died=Count("pk", filter=Q(presence=c.Presence.DIED)),
        moved=Count("pk", filter=Q(presence__in=[c.Presence.MOVED_DOMESTIC, c.Presence.MOVED_ABROAD])),
        not_found=Count("pk", filter=Q(presence=c.Presence.NOT_FOUND)),
        with_warnings=Count("pk", filter=~Q(validation_warnings=[])),
    )
    return {"families": family_counts, "individuals": member_counts}
