"""Reads: the registry as polars frames for the engine, flag queues and their evidence for reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet

from tepat.accounts.access import actor_in_scope
from tepat.quality.access import flags_in_scope
from tepat.quality.actions import flag_actions
from tepat.quality.models import Flag, MergeJournal
from tepat.regions.selectors import region_subtree_q
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.access import identity_for
from tepat.registry.models import Family, Individual
from tepat.registry.selectors import personal_data_viewed

PEOPLE_SCHEMA = {"id": pl.String, "family_id": pl.String, "nik": pl.String, "name": pl.String,
                 "name_key": pl.String, "birth_date": pl.Date, "sex": pl.Int16, "village": pl.String,
                 "external_id": pl.String}


def registry_people(region_code: str = "") -> pl.DataFrame:
    """Active members of active families under `region_code` (all when empty), one row each."""
    queryset = Individual.objects.filter(presence__in=c.ACTIVE_PRESENCE, family__status=c.FamilyStatus.ACTIVE)
    if region_code:
        queryset = queryset.filter(region_subtree_q([region_code], field="family__region__code"))
    rows = queryset.values_list("id", "family_id", "nik", "name", "name_key", "birth_date", "sex",
                                "family__region_id", "external_id").iterator(chunk_size=20000)
    data = [(str(i), str(f), n, nm, k, b, s, r, e) for i, f, n, nm, k, b, s, r, e in rows]
    return pl.DataFrame(data, schema=PEOPLE_SCHEMA, orient="row")


def registry_families(region_code: str = "") -> pl.DataFrame:
    queryset = Family.objects.filter(status=c.FamilyStatus.ACTIVE)
    if region_code:
        queryset = queryset.filter(region_subtree_q([region_code], field="region__code"))
    rows = [(str(i), k, r, e) for i, k, r, e in queryset.values_list("id", "kk_number", "region_id", "external_id")]
    return pl.DataFrame(rows, schema={"id": pl.String, "kk_number": pl.String, "village": pl.String,
                                      "external_id": pl.String}, orient="row")


@dataclass(frozen=True, slots=True)
class FlagFilters:
    status: str = Flag.Status.OPEN
    kind: str = ""
    region_code: str = ""


def flag_list(*, actor: Any, filters: FlagFilters | None = None) -> QuerySet[Flag]:
    filters = filters or FlagFilters()
    queryset = flags_in_scope(actor).select_related("family", "individual")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.region_code:
        queryset = queryset.filter(region_subtree_q([filters.region_code], field="region_code"))
    return queryset.order_by("region_code", "-probability", "created_at")


def flag_counts(*, actor: Any) -> dict[str, int]:
    rows = flags_in_scope(actor).filter(status=Flag.Status.OPEN).values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}


def _person(actor: Any, individual: Individual | None) -> dict | None:
    if individual is None:
        return None
    village = individual.family.region_id
    if not actor_in_scope(actor, village):
        # The other side of a cross-village pair lies outside the reader's regions: shown as a masked
        # role would see it, name reduced to initials (ADR 0008, issue 8 item 11).
        policy = masking.MASKED
        name = " ".join(f"{part[0]}." for part in individual.name.split() if part)
    else:
        policy, name = masking.policy_for(actor), individual.name
    return {"id": str(individual.pk), "name": name, "nik": masking.identity(policy, individual.nik),
            "birth_date": masking.birth(policy, individual.birth_date.isoformat()), "sex": individual.sex,
            "external_id": individual.external_id if policy.identity else "", "village": village,
            "kk_number": masking.identity(policy, individual.family.kk_number),
            "family_id": str(individual.family_id)}


def flag_detail(*, actor: Any, flag: Flag) -> dict:
    """What a reviewer reads: the records concerned (identity numbers as the actor may see them) and evidence."""
    records = []
    if flag.pair_id:
        pair = flag.pair
        if pair.left_id:
            records = [_person(actor, pair.left), _person(actor, pair.right)]
        else:
            records = [{"family_id": str(f.pk), "kk_number": identity_for(actor, f.kk_number),
                        "village": f.region_id, "external_id": f.external_id}
                       for f in (pair.left_family, pair.right_family)]
    elif flag.individual_id:
        records = [_person(actor, flag.individual)]
    else:
        records = [{"family_id": str(flag.family_id), "kk_number": identity_for(actor, flag.family.kk_number),
                    "village": flag.family.region_id, "external_id": flag.family.external_id}]
    merges = list(MergeJournal.objects.filter(flag=flag).values("kept_id", "dropped_id", "conflicts", "created_at"))
    personal_data_viewed(actor=actor, kind="quality_flag", count=len(records), region_code=flag.region_code,
                         target=flag)
    return {"flag": flag, "records": records, "evidence": flag.evidence, "merges": merges,
            "actions": flag_actions(actor, flag)}


def open_flag_exists(*, individual_ids: list[Any]) -> bool:
    return Flag.objects.filter(Q(individual_id__in=individual_ids), status=Flag.Status.OPEN).exists()
