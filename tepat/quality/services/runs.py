"""Runs over a region: civil-registry matching and the duplicate search. Each run is a `MatchRun` with its
progress; results are stored in bulk and turned into flags, with the audit events, batch by batch."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.actors import is_system
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.quality.access import RUN, ensure_quality_permission
from tepat.quality.adapters import CivilRegistryAdapter
from tepat.quality.matching.civil import civil_compare
from tepat.quality.matching.exact import exact_pairs
from tepat.quality.matching.probable import (
    DEFAULT_THRESHOLD,
    ProbableOptions,
    evidence,
    evidence_text,
    probable_pairs,
)
from tepat.quality.models import CandidatePair, CivilRegistryMatch, Flag, MatchRun
from tepat.quality.selectors import registry_families, registry_people
from tepat.quality.services.flags import FlagDraft, fingerprint, flags_raise
from tepat.quality.transitions import RUN_TRANSITIONS  # noqa: F401  (registers the table)
from tepat.regions.models import Region

CIVIL_BATCH = 5000  # people per committed batch (TEPAT_CIVIL_BATCH overrides)
R = CivilRegistryMatch.Result


@transaction.atomic
def run_create(*, actor: Any, kind: str, region_code: str, source: str = "", options: dict | None = None) -> MatchRun:
    if not is_system(actor):
        ensure_quality_permission(actor=actor, capabilities=RUN, region_code=region_code or "-")
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed([Issue("region", "region", f"wilayah '{region_code}' tidak dikenal",
                                      f"region '{region_code}' is unknown")])
    run = MatchRun.objects.create(kind=kind, region_code=region_code, source=source[:200], options=options or {},
                                  actor=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, action="quality.run_create", target=run, region_code=region_code,
                 data={"kind": kind, "source": run.source, "options": run.options})
    return run


def _ensure_run(actor: Any, run: MatchRun) -> None:
    """The command line and system jobs run as `None` (the system); a person is checked like everywhere."""
    if not is_system(actor):
        ensure_quality_permission(actor=actor, capabilities=RUN, region_code=run.region_code)


def _progress(run: MatchRun, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    MatchRun.objects.filter(pk=run.pk).update(**fields)


def _start(run: MatchRun, *, actor: Any, **fields: Any) -> MatchRun:
    """pending → running through the run's transitions table (locked, audited)."""
    with transaction.atomic():
        locked = transition(run, "start", actor=actor, region_code=run.region_code,
                            updates={"started_at": timezone.now(), **fields}, data={"kind": run.kind})
    for name in ("status", "started_at", *fields):
        setattr(run, name, getattr(locked, name))
    return run


def _finish(run: MatchRun, *, actor: Any, started: float, counts: dict) -> MatchRun:
    with transaction.atomic():
        locked = transition(run, "finish", actor=actor, region_code=run.region_code,
                            updates={"counts": counts, "finished_at": timezone.now(),
                                     "seconds": round(time.perf_counter() - started, 3), "done": run.total,
                                     "total": run.total},
                            data={"kind": run.kind, "counts": counts})
    for name in ("status", "counts", "finished_at", "seconds", "done"):
        setattr(run, name, getattr(locked, name))
    return run


def _fail(run: MatchRun, exc: Exception, *, actor: Any) -> None:
    # Our own refusals name the problem (never file content), so do network errors; any other exception
    # only by its type, as its text may quote the file.
    if isinstance(exc, ApplicationError):
        error = exc.message
    elif isinstance(exc, OSError):  # the civil-registry service answering 401, a timeout, ...
        error = str(exc)[:300]
    else:
        error = f"kesalahan internal ({type(exc).__name__}) / internal error ({type(exc).__name__})"
    with transaction.atomic():
        locked = transition(run, "fail", actor=actor, region_code=run.region_code,
                            updates={"error": error[:2000], "finished_at": timezone.now()},
                            data={"kind": run.kind, "error": error[:300]})
    run.status, run.error, run.finished_at = locked.status, locked.error, locked.finished_at


# --- civil registry ------------------------------------------------------------------------------------

CIVIL_TEXT = {
    R.NIK_UNKNOWN: ("NIK tidak ditemukan di Dukcapil", "NIK not found at the civil registry"),
    R.NAME_DIFFERS: ("nama berbeda dengan Dukcapil", "name differs from the civil registry"),
    R.BIRTH_DATE_DIFFERS: ("tanggal lahir berbeda dengan Dukcapil", "birth date differs from the civil registry"),
    R.DIED: ("meninggal menurut Dukcapil", "died according to the civil registry"),
    R.MOVED: ("pindah menurut Dukcapil", "moved according to the civil registry"),
}
FLAG_OF_RESULT = {R.DIED: Flag.Kind.DIED, R.MOVED: Flag.Kind.MOVED, R.NIK_UNKNOWN: Flag.Kind.NIK_NOT_MATCHED,
                  R.NAME_DIFFERS: Flag.Kind.NIK_NOT_MATCHED, R.BIRTH_DATE_DIFFERS: Flag.Kind.NIK_NOT_MATCHED}


def civil_match_run(*, actor: Any, run: MatchRun, adapter: CivilRegistryAdapter, today: date | None = None) -> MatchRun:
    """Match every active individual of the run's region with the civil registry, in batches with progress."""
    _ensure_run(actor, run)
    today = today or timezone.localdate()
    started = time.perf_counter()
    try:
        people = registry_people(run.region_code)
        source = (run.source or adapter.source)[:200]
        _start(run, actor=actor, total=people.height, done=0, source=source)
        counts: dict[str, int] = {"flags": 0}
        per_batch = int(getattr(settings, "TEPAT_CIVIL_BATCH", 0) or CIVIL_BATCH)
        for offset in range(0, people.height, per_batch):
            batch = people.slice(offset, per_batch)
            extract = adapter.lookup([n for n in batch["nik"].to_list() if n])
            results = civil_compare(batch, extract).join(batch.select("id", "village", "family_id", "name"), on="id")
            with transaction.atomic():
                counts_batch = _store_civil(actor=actor, run=run, results=results, source=source,
                                            today=today)
                for key, value in counts_batch.items():
                    counts[key] = counts.get(key, 0) + value
                _progress(run, done=min(people.height, offset + per_batch), counts=counts)
        return _finish(run, actor=actor, started=started, counts=counts)
    except Exception as exc:
        _fail(run, exc, actor=actor)
        raise


def _store_civil(*, actor: Any, run: MatchRun, results: pl.DataFrame, source: str, today: date) -> dict[str, int]:
    rows = []
    for r in results.iter_rows(named=True):
        registry_values = {"name": r["dukcapil_name"], "birth_date": r["dukcapil_birth_date"].isoformat()
                           if r["dukcapil_birth_date"] else None}
        rows.append(CivilRegistryMatch(
            run=run, individual_id=r["id"], region_code=r["village"], source=source[:200], matched_on=today,
            result=r["result"], name_similarity=r["name_similarity"], registry_values=registry_values,
            event_date=r["event_date"], destination=r["destination"] or ""))
    CivilRegistryMatch.objects.bulk_create(rows, batch_size=2000)
    family_of = dict(zip(results["id"], results["family_id"], strict=True))
    name_of = dict(zip(results["id"], results["name"], strict=True))
    drafts = []
    counts: dict[str, int] = {}
    for match in rows:
        counts[match.result] = counts.get(match.result, 0) + 1
        if match.result == R.MATCHED:
            continue
        text_id, text_en = CIVIL_TEXT[match.result]
        detail = []
        if match.name_similarity is not None:
            detail.append({"field": "name", "similarity": round(match.name_similarity, 2),
                           "text_id": f"nama {match.name_similarity:.2f} mirip dengan Dukcapil",
                           "text_en": f"name {match.name_similarity:.2f} similar to the civil registry"})
        if match.event_date:
            detail.append({"field": "event_date", "text_id": f"tanggal {match.event_date:%d-%m-%Y}",
                           "text_en": f"on {match.event_date:%Y-%m-%d}"})
        if match.destination:
            detail.append({"field": "destination", "text_id": f"tujuan {match.destination}",
                           "text_en": f"to {match.destination}"})
        evidence_items = [{"field": "result", "level": match.result, "text_id": text_id, "text_en": text_en},
                          *detail, {"field": "source", "text_id": f"sumber {source}", "text_en": f"source {source}"}]
        drafts.append(FlagDraft(
            kind=FLAG_OF_RESULT[match.result], region_code=match.region_code,
            family_id=family_of[str(match.individual_id)], individual_id=match.individual_id,
            civil_match_id=match.pk, event_date=match.event_date,
            fingerprint=fingerprint("civil", match.result, match.individual_id, match.event_date,
                                    match.registry_values.get("name"), match.registry_values.get("birth_date")),
            summary=f"{name_of[str(match.individual_id)]}: {text_en}"
                    + (f" ({match.destination})" if match.destination else ""), evidence=evidence_items))
    counts["flags"] = flags_raise(actor=actor, drafts=drafts, run_id=run.pk)
    return counts


# --- duplicates ----------------------------------------------------------------------------------------

PAIR_FLAG = {"nik_two_families": Flag.Kind.DUPLICATE, "probable": Flag.Kind.DUPLICATE,
             "kk_two_families": Flag.Kind.DUPLICATE_FAMILY, "nik_in_household": Flag.Kind.NIK_IN_HOUSEHOLD}
EXACT_TEXT = {
    "nik_two_families": ("NIK sama di dua keluarga", "one NIK in two families"),
    "kk_two_families": ("No. KK sama pada dua keluarga", "one KK number on two families"),
    "nik_in_household": ("NIK dipakai dua kali dalam satu keluarga", "one NIK used twice in one household"),
}


def find_duplicates(region_code: str = "", options: ProbableOptions | None = None) -> tuple[pl.DataFrame, dict]:
    """Exact kinds and probable pairs for a region, as one frame (kind, ids, probability, evidence)."""
    started = time.perf_counter()
    people = registry_people(region_code)
    families = registry_families(region_code)
    exact = exact_pairs(people, families)
    t_exact = time.perf_counter() - started
    probable = probable_pairs(people, options) if people.height >= 2 else None
    seen = {(a, b) for a, b in zip(exact["left_id"], exact["right_id"], strict=True) if a}
    rows: list[dict] = []
    scored = {}
    if probable is not None:
        for r in probable.iter_rows(named=True):
            key = tuple(sorted((r["left_id"], r["right_id"])))
            scored[key] = r
    for r in exact.iter_rows(named=True):
        key = tuple(sorted((r["left_id"], r["right_id"]))) if r["left_id"] else None
        text_id, text_en = EXACT_TEXT[r["kind"]]
        items = [{"field": "kind", "level": r["kind"], "text_id": text_id, "text_en": text_en}]
        probability = 1.0
        if key and key in scored and r["kind"] == "nik_two_families":
            items += evidence(scored[key])
            probability = float(scored[key]["probability"])
        rows.append({"kind": r["kind"], "left_id": key[0] if key else None, "right_id": key[1] if key else None,
                     "left_family_id": r["left_family_id"], "right_family_id": r["right_family_id"],
                     "left_village": r["left_village"], "right_village": r["right_village"],
                     "probability": probability, "evidence": items})
    village = dict(zip(people["id"], people["village"], strict=True))
    for key, r in scored.items():
        if key in seen or (key[1], key[0]) in seen:
            continue
        left_family, right_family = (r["left_family_id"], r["right_family_id"]) if key[0] == r["left_id"] \
            else (r["right_family_id"], r["left_family_id"])
        rows.append({"kind": "probable", "left_id": key[0], "right_id": key[1], "left_family_id": left_family,
                     "right_family_id": right_family, "left_village": village[key[0]],
                     "right_village": village[key[1]], "probability": float(r["probability"]),
                     "evidence": evidence(r)})
    stats = {"individuals": people.height, "families": families.height,
             "seconds_exact": round(t_exact, 3), "seconds": round(time.perf_counter() - started, 3)}
    for row in rows:
        stats[row["kind"]] = stats.get(row["kind"], 0) + 1
    frame = pl.DataFrame(rows, schema={"kind": pl.String, "left_id": pl.String, "right_id": pl.String,
                                       "left_family_id": pl.String, "right_family_id": pl.String,
                                       "left_village": pl.String, "right_village": pl.String,
                                       "probability": pl.Float64, "evidence": pl.Object})
    return frame, stats


def _levels(items: list[dict]) -> str:
    def level(item: dict) -> str:
        if item.get("level"):
            return str(item["level"])
        return str(round(float(item.get("similarity") or 0), 1))

    return ";".join(f"{item['field']}={level(item)}" for item in items)


def duplicates_run(*, actor: Any, run: MatchRun, options: ProbableOptions | None = None,
                   computed: tuple[pl.DataFrame, dict] | None = None) -> MatchRun:
    """Search the run's region (or take `computed`, the output of `find_duplicates` for it), store the pairs
    and raise the flags."""
    _ensure_run(actor, run)
    started = time.perf_counter()
    try:
        _start(run, actor=actor)
        if options is None:
            given = run.options or {}
            tuning = {key: cast(given[key]) for key, cast in (("threads", int), ("u_pairs", float)) if given.get(key)}
            options = ProbableOptions(threshold=float(given.get("threshold", DEFAULT_THRESHOLD)), **tuning)
        frame, stats = computed if computed is not None else find_duplicates(run.region_code, options)
        stats = dict(stats)
        _progress(run, total=frame.height)
        with transaction.atomic():
            pairs = [CandidatePair(run=run, kind=r["kind"], left_id=r["left_id"], right_id=r["right_id"],
                                   left_family_id=r["left_family_id"], right_family_id=r["right_family_id"],
                                   region_code=r["left_village"], other_region_code=r["right_village"],
                                   probability=r["probability"], evidence=r["evidence"])
                     for r in frame.iter_rows(named=True)]
            CandidatePair.objects.bulk_create(pairs, batch_size=2000)
            drafts = [FlagDraft(
                kind=PAIR_FLAG[p.kind], region_code=p.region_code, family_id=p.left_family_id,
                individual_id=p.left_id, pair_id=p.pk, probability=p.probability, evidence=p.evidence,
                fingerprint=fingerprint("pair", p.kind, p.left_id or p.left_family_id,
                                        p.right_id or p.right_family_id, _levels(p.evidence)),
                summary=evidence_text(p.evidence)) for p in pairs]
            stats["flags"] = flags_raise(actor=actor, drafts=drafts, run_id=run.pk)
        return _finish(run, actor=actor, started=started, counts=stats)
    except Exception as exc:
        _fail(run, exc, actor=actor)
        raise
