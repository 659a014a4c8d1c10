"""Cross-list matching (pemadanan): an uploaded list with a column mapping, matched against the registry."""

from __future__ import annotations

import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from tepat.audit.services import audit_record
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import ensure_upload_size
from tepat.quality.access import RUN, ensure_quality_permission
from tepat.quality.adapters import _date_expr, read_table
from tepat.quality.matching.lists import LIST_FIELDS, list_matches
from tepat.quality.models import ExternalList, Flag, ListMatch, MatchRun
from tepat.quality.selectors import registry_people
from tepat.quality.services.flags import FlagDraft, fingerprint, flags_raise
from tepat.quality.services.runs import _ensure_run, _fail, _finish, _progress, _start, run_create

FLAG_OF_LIST = {ExternalList.Kind.DEATHS: Flag.Kind.DIED}


def _mapped(frame: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    issues = []
    for field, column in _check_mapping(mapping).items():
        if column and column not in frame.columns:
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


LIST_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


def _check_mapping(mapping: Any) -> dict[str, str]:
    """The mapping's shape (target field → column name), before anything is stored."""
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValidationFailed([Issue("mapping", "mapping",
                                      "pemetaan kolom harus objek JSON: kolom tujuan → nama kolom di berkas",
                                      "the column mapping must be a JSON object: target field → column in the file")])
    issues = []
    if not mapping.get("nik") and not (mapping.get("name") and mapping.get("birth_date")):
        issues.append(Issue("mapping", "mapping", "petakan kolom NIK, atau nama dan tanggal lahir",
                            "map the NIK column, or the name and birth date columns"))
    for field in mapping:
        if field not in LIST_FIELDS:
            issues.append(Issue("mapping", f"mapping.{field}", f"kolom tujuan '{field}' tidak dikenal",
                                f"unknown target field '{field}'"))
    if issues:
        raise ValidationFailed(issues)
    return mapping


def store_upload(*, kind: str, upload: Any, folder: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    """Keep an uploaded file in the default storage, unread: (stored name, file name). Refused when its
    type is not one of `suffixes` or it is larger than the limit of its `kind`."""
    file_name = Path(getattr(upload, "name", "") or "upload").name
    if Path(file_name).suffix.lower() not in suffixes:
        raise ValidationFailed([Issue("file_type", "file", f"jenis berkas tidak didukung: pakai {', '.join(suffixes)}",
                                      f"unsupported file type: use {', '.join(suffixes)}")])
    size = getattr(upload, "size", None)
    content = None
    if size is None:
        content = upload.read() if hasattr(upload, "read") else bytes(upload)
        size = len(content)
    ensure_upload_size(kind, size)
    if content is None:
        content = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    name = default_storage.save(f"{folder}/{uuid.uuid4().hex}{Path(file_name).suffix.lower()}", ContentFile(content))
    return name, file_name


EXTRACT_FOLDER = "quality-extracts"


def civil_extract_store(*, upload: Any) -> tuple[dict[str, str], str]:
    """Keep an uploaded civil-registry extract for a run (size-limited, unread): (run options, source)."""
    stored, file_name = store_upload(kind="civil_extract", upload=upload, folder=EXTRACT_FOLDER,
                                     suffixes=LIST_SUFFIXES)
    return {"stored": stored, "file_name": file_name}, f"file:{file_name}"


@contextmanager
def stored_copy(name: str, file_name: str = ""):
    """A stored upload as a local file for the readers, removed afterwards (the stored one stays until the
    retention purge)."""
    with default_storage.open(name, "rb") as handle, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(file_name or name).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                out.write(chunk)
        yield path


@transaction.atomic
def external_list_upload(*, actor: Any, region_code: str, name: str, kind: str, upload: Any,
                         mapping: Any) -> MatchRun:
    """Keep the list's file and open a run for it; `external_list_task` reads and matches it in the
    worker (no upload is parsed inside a web request). The run's `counts["list_id"]` names the list."""
    ensure_quality_permission(actor=actor, capabilities=RUN, region_code=region_code or "-")
    if kind not in ExternalList.Kind.values or not (name or "").strip():
        raise ValidationFailed([Issue("required", "kind", "nama dan jenis daftar wajib diisi",
                                      "the list's name and kind are required")])
    mapping = _check_mapping(mapping)
    stored, file_name = store_upload(kind="external_list", upload=upload, folder="quality/lists",
                                     suffixes=LIST_SUFFIXES)
    return run_create(actor=actor, kind=MatchRun.Kind.EXTERNAL_LIST, region_code=region_code, source=name.strip(),
                      options={"mapping": mapping, "list_kind": kind, "list_name": name.strip(),
                               "file_name": file_name, "stored": stored})


def external_list_run(*, actor: Any, run: MatchRun) -> ExternalList:
    """Read the run's stored list (checked before parsing), match its rows against the registry of the
    region, store the list and its matches and raise flags. A refused file fails the run with the reason."""
    _ensure_run(actor, run)
    try:
        return _external_list_run(actor, run)
    except Exception as exc:
        _fail(run, exc, actor=actor)
        raise


def _external_list_run(actor: Any, run: MatchRun) -> ExternalList:
    options = run.options or {}
    mapping, kind, name, file_name = options["mapping"], options["list_kind"], options["list_name"], options["file_name"]
    region_code = run.region_code
    started = time.perf_counter()
    _start(run, actor=actor)
    with stored_copy(options["stored"], file_name) as path:
        rows = _mapped(read_table(path), mapping)
    _progress(run, total=rows.height)
    people = registry_people(region_code)
    found = list_matches(rows.drop("raw"), people)
    raw = dict(zip(rows["row_number"], rows["raw"], strict=True))
    with transaction.atomic():
        external = ExternalList.objects.create(name=name, kind=kind, region_code=region_code,
                                               file_name=file_name, mapping=mapping, rows=rows.height, run=run,
                                               uploaded_by=actor)
        matches, drafts = [], []
        label = ExternalList.Kind(kind).label
        for r in found.iter_rows(named=True):
            rule_id, rule_en = ("NIK sama", "NIK equal") if r["rule"] == "nik" else \
                ("nama dan tanggal lahir sama", "name and birth date equal")
            exact_nik = r["rule"] == "nik"
            items = [{"field": "rule", "level": r["rule"], "text_id": rule_id, "text_en": rule_en}]
            if r["name_key"]:  # a list row without a name has no name to compare (not "0.00 similar")
                items.append({"field": "name", "similarity": round(r["similarity"], 2),
                              "text_id": f"kemiripan nama {r['similarity']:.0%}",
                              "text_en": f"name {r['similarity']:.0%} similar"})
            items.append({"field": "list", "text_id": f"daftar: {name} ({label})", "text_en": f"list: {name} ({label})"})
            # An equal NIK is certain whatever the name says; the name rule is as likely as the names are alike.
            probability = 1.0 if exact_nik else r["similarity"]
            match = ListMatch(external_list=external, row_number=r["row_number"],
                              row={k: str(v) for k, v in (raw[r["row_number"]] or {}).items()},
                              individual_id=r["id"], region_code=r["village"], score=probability, evidence=items)
            matches.append(match)
            drafts.append(FlagDraft(
                kind=FLAG_OF_LIST.get(kind, Flag.Kind.ON_LIST), region_code=r["village"], family_id=r["family_id"],
                individual_id=r["id"], list_match_id=match.pk, probability=probability, evidence=items,
                fingerprint=fingerprint("list", kind, r["id"], r["rule"], name.strip().lower()),
                summary=f"{rule_en}; list: {name}"))
        ListMatch.objects.bulk_create(matches, batch_size=2000)
        raised = flags_raise(actor=actor, drafts=drafts, run_id=run.pk)
        audit_record(actor=actor, action="quality.list_match", target=external, region_code=region_code,
                     data={"name": external.name, "kind": kind, "rows": rows.height, "matches": len(matches),
                           "mapping": mapping})
    run.total = rows.height
    _finish(run, actor=actor, started=started, counts={"rows": rows.height, "matches": len(matches), "flags": raised,
                                                       "list_id": str(external.pk)})
    return external
