"""From the database to the engine: a release as a `Spec`, the inputs of a determination version
(frozen families, official desil, the sets read at run time), and one evaluation."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.programs.engine.evaluate import BP, Clause, ComponentSpec, Result, Spec, base_facts, evaluate
from tepat.programs.engine.facts import LAYOUT, Version, live_sets, pack, read_version, with_ages
from tepat.programs.models import ProgrammeRelease, VersionFacts
from tepat.targeting.selectors import desil_frame, latest_published_release

EMPTY_DESIL = pl.DataFrame(schema={"family_id": pl.Utf8, "desil": pl.Int8})


def share_of(release: ProgrammeRelease, tahap: int | None) -> tuple[int, int]:
    """(numerator, denominator) of the annual amount paid in `tahap`: (months, months in year) for a
    schedule in months, (basis points, 10,000) otherwise; (0, 1) for a tahap not in the schedule."""
    if tahap is None:
        return (BP, BP)
    for row in release.schedule or []:
        if int(row.get("tahap", 0)) == int(tahap):
            if row.get("months"):
                return (int(row["months"]), int(release.months))
            return (int(row.get("share_bp") or 0), BP)
    return (0, 1)


def spec_of(release: ProgrammeRelease, tahap: int | None = None) -> Spec:
    return Spec(
        basis=release.basis, amount=int(release.amount), months=int(release.months),
        components=[ComponentSpec(c.code, c.kind, int(c.annual_amount), c.cap_per_family, c.age_min, c.age_max,
                                  c.order) for c in release.components.all()],
        max_components=release.max_components, priority=release.component_priority,
        clauses=[Clause(r.field, r.op, r.value, r.reason, r.group) for r in release.rules.all()],
        share=share_of(release, tahap), participation_code=release.programme.participation_code,
        quotas={q.region_code: q.families for q in release.quotas.all()},
    )


@dataclass
class Inputs:
    families: pl.DataFrame
    members: pl.DataFrame
    desil: pl.DataFrame
    ppks: pl.DataFrame
    flags: pl.DataFrame
    desil_release: Any
    reference_date: date
    timings: dict[str, float] = field(default_factory=dict)
    derived: dict[Any, pl.DataFrame] = field(default_factory=dict)  # the version's (see facts.Version)


_DESIL_CACHE: dict[tuple[str, int], pl.DataFrame] = {}


def _desil(release: Any) -> pl.DataFrame:
    """The official desil of a release, kept in this process for the last release read: a published
    release's rows never change (a correction is a new release), and the three programmes of a tahap read
    the same one."""
    key = (str(release.pk), int(release.family_count or 0))
    if key not in _DESIL_CACHE:
        frame = desil_frame(release)
        _DESIL_CACHE.clear()
        _DESIL_CACHE[key] = frame
    return _DESIL_CACHE[key]


def version_facts_store(*, actor: Any, period: Any, region_code: str, version: Version) -> VersionFacts | None:
    """Keep the facts frame of a determined version (`VersionFacts`), once: later lists, rule checks and
    other worker processes read it instead of extracting the frozen JSON again. In the caller's
    transaction (a list run: if the run fails, nothing is kept). A row another process stored first is
    left as it is (same version, same extraction: the same frames)."""
    if version.packed or not int(period.frozen_count or 0):
        return None
    if VersionFacts.objects.filter(period_id=period.pk, region_code=region_code, layout=LAYOUT).exists():
        version.packed = True
        return None
    families, members = pack(version)
    row = VersionFacts(period_id=period.pk, region_code=region_code, layout=LAYOUT,
                       frozen_count=int(period.frozen_count), families=families, members=members,
                       family_count=version.families.height, member_count=version.members.height)
    VersionFacts.objects.bulk_create([row], ignore_conflicts=True)  # a concurrent run may have stored it
    version.packed = True
    audit_record(actor=actor, action=AuditAction.VERSION_FACTS_PACK, target=period, region_code=region_code,
                 data={"period": period.label, "layout": LAYOUT, "families": row.family_count,
                       "members": row.member_count, "bytes": len(families) + len(members)})
    return row


def inputs_for(period: Any, region_code: str, *, desil_release: Any = "latest", actor: Any = None) -> Inputs:
    """The inputs of one evaluation. With `actor` (a list run), a version extracted from the JSON is also
    kept packed (`version_facts_store`); without (previews, checks), nothing is written."""
    version = read_version(period, region_code)
    if actor is not None and not version.packed:
        started = time.perf_counter()
        version_facts_store(actor=actor, period=period, region_code=region_code, version=version)
        version.timings["pack_s"] = time.perf_counter() - started
    started = time.perf_counter()
    if desil_release == "latest":
        desil_release = latest_published_release(region_code)
    desil = _desil(desil_release) if desil_release is not None else EMPTY_DESIL
    ppks, flags = live_sets(version.families["family_id"].to_list(), region_code)
    timings = {**version.timings, "desil_and_sets_s": time.perf_counter() - started}
    return Inputs(version.families, version.members, desil, ppks, flags, desil_release, period.ends_on, timings,
                  version.derived)


def _member_frames(inputs: Inputs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(members with their age on the reference date, their per-family base counts), computed once per
    version and reference date and shared by every programme evaluated over it."""
    key = ("aged", inputs.reference_date)
    if key not in inputs.derived:
        aged = with_ages(inputs.members, inputs.reference_date)
        inputs.derived[key] = aged
        inputs.derived[("base", inputs.reference_date)] = base_facts(aged)
    return inputs.derived[key], inputs.derived[("base", inputs.reference_date)]


def run(inputs: Inputs, spec: Spec, *, previous: set[str] | None = None,
        previous_left: pl.DataFrame | None = None) -> Result:
    aged, base = _member_frames(inputs)
    return evaluate(inputs.families, inputs.members, inputs.desil, inputs.ppks, inputs.flags, spec,
                    inputs.reference_date, previous=previous, previous_left=previous_left, aged=aged, base=base)
