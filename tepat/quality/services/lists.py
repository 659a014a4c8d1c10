"""Cross-list matching (pemadanan): an uploaded list with a column mapping, matched against the registry."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from tepat.audit.services import audit_record
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.quality.access import RUN, ensure_quality_permission
from tepat.quality.adapters import _date_expr, read_table
from tepat.quality.matching.lists import LIST_FIELDS, list_matches
from tepat.quality.models import ExternalList, Flag, ListMatch, MatchRun
from tepat.quality.selectors import registry_people
from tepat.quality.services.flags import FlagDraft, fingerprint, flags_raise
from tepat.quality.services.runs import _finish, _start, run_create

FLAG_OF_LIST = {ExternalList.Kind.DEATHS: Flag.Kind.DIED}


def _mapped(frame: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    issues = []
    if not mapping.get("nik") and not (mapping.get("name") and mapping.get("birth_date")):
        issues.append(Issue("mapping", "mapping", "petakan kolom NIK, atau nama dan tanggal lahir",
                            "map the NIK column, or the name and birth date columns"))
    for field, column in mapping.items():
        if field not in LIST_FIELDS:
            issues.append(Issue("mapping", f"mapping.{field}", f"kolom tujuan '{field}' tidak dikenal",
                                f"unknown target field '{field}'"))
        elif column and column not in frame.columns:
            issues.append(Issue("mapping", f"mapping.{field}", f"kolom '{column}' tidak ada di berkas",
                                f"column '{column}' is not in the file"))
    if issues:
        raise ValidationFailed(issues)
    out = frame.with_row_index("row_number", offset=1).select(
        pl.col("row_number").cast(pl.Int64),
        *[(pl.col(mapping[f]).cast(pl.String) if mapping.get(f) else pl.lit(None, pl.String)).alias(f)
          for f in LIST_FIELDS],
        pl.struct(frame.columns).alias("raw"),
    )
    return out.with_columns(pl.col("nik").str.replace_all(r"[^0-9]", ""), _date_expr("birth_date"))


def external_list_match(*, actor: Any, region_code: str, name: str, kind: str, upload: Any,
                        mapping: dict[str, str]) -> ExternalList:
    """Store the list's description, match its rows against the registry of the region, raise flags."""
    ensure_quality_permission(actor=actor, capabilities=RUN, region_code=region_code or "-")
    if kind not in ExternalList.Kind.values or not (name or "").strip():
        raise ValidationFailed([Issue("required", "kind", "nama dan jenis daftar wajib diisi",
                                      "the list's name and kind are required")])
    file_name = Path(getattr(upload, "name", "list.csv")).name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file_name
        path.write_bytes(upload.read() if hasattr(upload, "read") else bytes(upload))
        rows = _mapped(read_table(path), mapping)
    started = time.perf_counter()
    run = run_create(actor=actor, kind=MatchRun.Kind.EXTERNAL_LIST, region_code=region_code, source=name,
                     options={"mapping": mapping, "list_kind": kind})
    _start(run, actor=actor, total=rows.height)
    people = registry_people(region_code)
    found = list_matches(rows.drop("raw"), people)
    raw = dict(zip(rows["row_number"], rows["raw"], strict=True))
    with transaction.atomic():
        external = ExternalList.objects.create(name=name.strip(), kind=kind, region_code=region_code,
                                               file_name=file_name, mapping=mapping, rows=rows.height, run=run,
                                               uploaded_by=actor)
        matches, drafts = [], []
        label = ExternalList.Kind(kind).label
        for r in found.iter_rows(named=True):
            rule_id, rule_en = ("NIK sama", "NIK equal") if r["rule"] == "nik" else \
                ("nama dan tanggal lahir sama", "name and birth date equal")
            items = [{"field": "rule", "level": r["rule"], "text_id": rule_id, "text_en": rule_en},
                     {"field": "name", "similarity": round(r["similarity"], 2),
                      "text_id": f"nama {r['similarity']:.2f} mirip", "text_en": f"name {r['similarity']:.2f} similar"},
                     {"field": "list", "text_id": f"daftar: {name} ({label})", "text_en": f"list: {name} ({label})"}]
            match = ListMatch(external_list=external, row_number=r["row_number"],
                              row={k: str(v) for k, v in (raw[r["row_number"]] or {}).items()},
                              individual_id=r["id"], region_code=r["village"], score=r["similarity"], evidence=items)
            matches.append(match)
            drafts.append(FlagDraft(
                kind=FLAG_OF_LIST.get(kind, Flag.Kind.ON_LIST), region_code=r["village"], family_id=r["family_id"],
                individual_id=r["id"], list_match_id=match.pk, probability=r["similarity"], evidence=items,
                fingerprint=fingerprint("list", kind, r["id"], r["rule"], name.strip().lower()),
                summary=f"{rule_en}; list: {name}"))
        ListMatch.objects.bulk_create(matches, batch_size=2000)
        raised = flags_raise(actor=actor, drafts=drafts, run_id=run.pk)
        audit_record(actor=actor, action="quality.list_match", target=external, region_code=region_code,
                     data={"name": external.name, "kind": kind, "rows": rows.height, "matches": len(matches),
                           "mapping": mapping})
    run.total = rows.height
    _finish(run, actor=actor, started=started, counts={"rows": rows.height, "matches": len(matches), "flags": raised})
    return external
