"""The list as a CSV file: per family KK (masked unless the reader may see it, `tepat.registry.masking`),
village, eligible yes/no, status, components with counts, annual and per-tahap amount in rupiah, the reason
codes and the change against the previous tahap. Scoped to the reader's regions and audited."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from django.db import transaction

from tepat.accounts.access import actor_region_codes
from tepat.audit.services import audit_record
from tepat.core.actors import is_system
from tepat.core.uploads import formula_guard_frame
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.programs.services.common import VIEW, ensure
from tepat.regions.selectors import region_subtree_q
from tepat.registry import masking

COLUMNS = ["kk", "village", "eligible", "status", "rank", "desil", "components", "persons", "annual_amount",
           "tahap_amount", "reasons", "change"]


def list_frame(*, actor: Any, blist: BeneficiaryList) -> pl.DataFrame:
    ensure(actor, VIEW, blist.region_code)
    entries = ListEntry.objects.filter(list=blist)
    if not is_system(actor):
        entries = entries.filter(region_subtree_q(actor_region_codes(actor), "region_code"))
    policy = masking.MASKED if is_system(actor) else masking.policy_for(actor)
    sensitive = {c["code"] for c in blist.inputs.get("components") or []
                 if c.get("kind") in ("pregnant", "severe_disability")}
    rows = []
    for kk, village, eligible, status, rank, desil, comps, persons, annual, tahap, reasons, change in (
        entries.order_by("region_code", "rank", "idx").values_list(
            "kk_number", "region_code", "eligible", "status", "rank", "desil", "components", "persons",
            "annual_amount", "tahap_amount", "reasons", "change").iterator(chunk_size=20_000)
    ):
        if not policy.sensitive:
            comps = {k: (masking.HIDDEN if k in sensitive else v) for k, v in (comps or {}).items()}
        rows.append((masking.identity(policy, kk), village, "ya" if eligible else "tidak", status, rank, desil,
                     " ".join(f"{k}:{v}" for k, v in (comps or {}).items()), persons, annual, tahap, reasons, change))
    return pl.DataFrame(rows, schema={"kk": pl.Utf8, "village": pl.Utf8, "eligible": pl.Utf8, "status": pl.Utf8,
                                      "rank": pl.Int64, "desil": pl.Int64, "components": pl.Utf8, "persons": pl.Int64,
                                      "annual_amount": pl.Int64, "tahap_amount": pl.Int64, "reasons": pl.Utf8,
                                      "change": pl.Utf8}, orient="row")


def list_export(*, actor: Any, blist: BeneficiaryList, path: str) -> int:
    frame = list_frame(actor=actor, blist=blist)
    formula_guard_frame(frame).write_csv(path)
    with transaction.atomic():
        audit_record(actor=actor, action="beneficiary_list.export", target=blist, region_code=blist.region_code,
                     data={"rows": frame.height, "masked": frame.height > 0 and "*" in (frame["kk"][0] or ""),
                           "file": json.dumps(str(path).rsplit("/", 1)[-1])})
    return frame.height
