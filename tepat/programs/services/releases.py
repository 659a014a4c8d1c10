"""Programmes and their yearly releases: create, edit while draft, release (checked), new version.

A released year never changes: every edit refuses a release that is not a draft (409), and a change is a
new version (`release_new_version`), which copies the released one as a draft. Releasing checks the rules
against the catalogue and against the latest determined version of the region: an unknown fact, test or
reason, a clause no family passes, or rules no family passes as a whole are refused with the clause named.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.audit.transitions import lock, transition
from tepat.core.exceptions import BusinessRuleViolation, InvalidTransition, ValidationFailed
from tepat.core.messages import Issue
from tepat.programs.catalogue import COMPONENT_KINDS, OPS, REASONS, fact_of
from tepat.programs.engine.evaluate import BP
from tepat.programs.models import Component, Programme, ProgrammeRelease, Quota, Rule
from tepat.programs.services.common import MANAGE, ensure
from tepat.programs.services.evaluation import inputs_for, run, spec_of
from tepat.regions.models import Region
from tepat.regions.selectors import is_within
from tepat.updates.models import DeterminationPeriod

R = ProgrammeRelease.Status
BASIC_FIELDS = ("basis", "amount", "months", "max_components", "component_priority", "source", "note")


# ---- validation of the editable parts ----------------------------------------------------------------

def _whole(value: Any, field: str, issues: list[Issue], *, allow_none: bool = False, minimum: int = 0) -> int | None:
    """A whole number (rupiah, counts): refuses floats, texts with decimals, booleans and negatives."""
    if value in (None, "") and allow_none:
        return None
    if isinstance(value, (bool, float)) or value in (None, ""):
        issues.append(Issue("whole_number", field, f"{field}: harus bilangan bulat (rupiah tanpa desimal)",
                            f"{field}: must be a whole number (rupiah, no decimals)"))
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        issues.append(Issue("whole_number", field, f"{field}: '{value}' bukan bilangan bulat",
                            f"{field}: '{value}' is not a whole number"))
        return None
    if number < minimum:
        issues.append(Issue("minimum", field, f"{field}: paling kecil {minimum}", f"{field}: at least {minimum}"))
        return None
    return number


def clean_components(rows: Any) -> tuple[list[dict], list[Issue]]:
    issues: list[Issue] = []
    out: list[dict] = []
    if not isinstance(rows, list):
        return [], [Issue("list_type", "components", "komponen harus berupa daftar", "components must be a list")]
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"components[{i + 1}]"
        if not isinstance(row, dict):
            issues.append(Issue("dict_type", where, f"{where}: harus berupa objek", f"{where}: must be an object"))
            continue
        code = str(row.get("code") or "").strip()
        kind = str(row.get("kind") or "").strip()
        if not code:
            issues.append(Issue("required", f"{where}.code", f"{where}.code: wajib diisi", f"{where}.code: required"))
        elif code in seen:
            issues.append(Issue("duplicate", f"{where}.code", f"{where}.code: '{code}' dua kali",
                                f"{where}.code: '{code}' appears twice"))
        seen.add(code)
        if kind not in COMPONENT_KINDS:
            issues.append(Issue("choice", f"{where}.kind", f"{where}.kind: '{kind}' tidak dikenal (pilih: "
                                f"{', '.join(COMPONENT_KINDS)})", f"{where}.kind: unknown '{kind}' (choose: "
                                f"{', '.join(COMPONENT_KINDS)})"))
        out.append({
            "code": code, "kind": kind,
            "annual_amount": _whole(row.get("annual_amount"), f"{where}.annual_amount", issues),
            "cap_per_family": _whole(row.get("cap_per_family"), f"{where}.cap_per_family", issues, allow_none=True,
                                     minimum=1),
            "age_min": _whole(row.get("age_min"), f"{where}.age_min", issues, allow_none=True),
            "age_max": _whole(row.get("age_max"), f"{where}.age_max", issues, allow_none=True),
            "order": _whole(row.get("order", i), f"{where}.order", issues) or 0,
        })
    return out, issues


MAX_CLAUSES = 100  # ListEntry.clause_passed holds one character per clause
MAX_GROUPS = 20


def clean_rules(rows: Any) -> tuple[list[dict], list[Issue]]:
    """Each clause against the catalogue: a known fact, a test that fits it, a value of the right shape,
    a known reason code."""
    issues: list[Issue] = []
    out: list[dict] = []
    if not isinstance(rows, list):
        return [], [Issue("list_type", "rules", "aturan harus berupa daftar", "rules must be a list")]
    if len(rows) > MAX_CLAUSES:
        return [], [Issue("too_many", "rules", f"paling banyak {MAX_CLAUSES} klausul",
                          f"at most {MAX_CLAUSES} clauses")]
    for i, row in enumerate(rows):
        where = f"rules[{i + 1}]"
        if not isinstance(row, dict):
            issues.append(Issue("dict_type", where, f"{where}: harus berupa objek", f"{where}: must be an object"))
            continue
        field, op, value, reason = (str(row.get("field") or "").strip(), str(row.get("op") or "").strip(),
                                    row.get("value"), str(row.get("reason") or "").strip())
        fact = fact_of(field)
        if fact is None:
            issues.append(Issue("unknown_field", f"{where}.field",
                                f"{where}.field: fakta '{field}' tidak dikenal", f"{where}.field: unknown fact '{field}'"))
        if op not in OPS:
            issues.append(Issue("unknown_op", f"{where}.op", f"{where}.op: uji '{op}' tidak dikenal",
                                f"{where}.op: unknown test '{op}'"))
        elif fact is not None and OPS[op][1] != fact.kind:
            issues.append(Issue("op_mismatch", f"{where}.op", f"{where}.op: uji '{op}' tidak cocok untuk '{field}'",
                                f"{where}.op: test '{op}' does not fit '{field}'"))
        elif op in ("lte", "gte", "eq"):
            value = _whole(value, f"{where}.value", issues)
        elif op == "between":
            if not (isinstance(value, list) and len(value) == 2):
                issues.append(Issue("between", f"{where}.value", f"{where}.value: harus [dari, sampai]",
                                    f"{where}.value: must be [from, to]"))
            else:
                value = [_whole(value[0], f"{where}.value", issues), _whole(value[1], f"{where}.value", issues)]
        elif op in ("any_of", "none_of"):
            if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                issues.append(Issue("codes", f"{where}.value", f"{where}.value: harus daftar kode",
                                    f"{where}.value: must be a list of codes"))
        else:
            value = None
        if reason not in REASONS:
            issues.append(Issue("unknown_reason", f"{where}.reason", f"{where}.reason: kode alasan '{reason}' "
                                f"tidak ada di katalog", f"{where}.reason: reason code '{reason}' is not in the catalogue"))
        group = _whole(row.get("group") or 0, f"{where}.group", issues) or 0
        if group > MAX_GROUPS:
            issues.append(Issue("group", f"{where}.group", f"{where}.group: paling besar {MAX_GROUPS}",
                                f"{where}.group: at most {MAX_GROUPS}"))
        out.append({"field": field, "op": op, "value": value, "reason": reason, "order": i, "group": group})
    return out, issues


def clean_schedule(rows: Any, months: int = 12) -> tuple[list[dict], list[Issue]]:
    """Tahap rows, each with its part of the year: `months` (monthly benefits: Sembako tranches, PBI-JK) or
    `share_bp` (basis points of the annual amount, PKH quarters); one kind per schedule, adding up to the
    whole year."""
    issues: list[Issue] = []
    if not isinstance(rows, list) or not rows:
        return [], [Issue("required", "schedule", "jadwal tahap wajib diisi", "the tahap schedule is required")]
    out = []
    for i, row in enumerate(rows):
        where = f"schedule[{i + 1}]"
        if not isinstance(row, dict):
            issues.append(Issue("dict_type", where, f"{where}: harus berupa objek", f"{where}: must be an object"))
            continue
        clean = {"tahap": _whole(row.get("tahap", i + 1), f"{where}.tahap", issues, minimum=1),
                 "label": str(row.get("label") or "")[:40]}
        if row.get("months") not in (None, ""):
            clean["months"] = _whole(row.get("months"), f"{where}.months", issues, minimum=1)
        else:
            clean["share_bp"] = _whole(row.get("share_bp"), f"{where}.share_bp", issues, minimum=1)
        out.append(clean)
    if issues:
        return out, issues
    by_months = [r for r in out if "months" in r]
    if by_months and len(by_months) != len(out):
        issues.append(Issue("mixed", "schedule", "jadwal mencampur bulan dan bagian (share_bp)",
                            "the schedule mixes months and shares (share_bp)"))
    elif by_months and sum(r["months"] for r in out) != months:
        total = sum(r["months"] for r in out)
        issues.append(Issue("months", "schedule", f"bulan tahap berjumlah {total}, harus {months}",
                            f"the tahap months add up to {total}, must be {months}"))
    elif not by_months and sum(r["share_bp"] for r in out) != BP:
        total = sum(r["share_bp"] for r in out)
        issues.append(Issue("shares", "schedule", f"bagian tahap berjumlah {total}, harus {BP} (seluruh tahun)",
                            f"the tahap shares add up to {total}, must be {BP} (the whole year)"))
    if len({r["tahap"] for r in out}) != len(out):
        issues.append(Issue("duplicate", "schedule", "nomor tahap dua kali", "a tahap number appears twice"))
    return out, issues


def clean_quotas(value: Any, region_code: str) -> tuple[dict[str, int], list[Issue]]:
    issues: list[Issue] = []
    if not value:
        return {}, []
    if not isinstance(value, dict):
        return {}, [Issue("dict_type", "quotas", "kuota harus berupa objek {kode wilayah: jumlah}",
                          "quotas must be an object {region code: count}")]
    out = {}
    for code, count in value.items():
        if not is_within(str(code), region_code) or not Region.objects.filter(code=code).exists():
            issues.append(Issue("region", f"quotas.{code}", f"kuota: wilayah {code} tidak ada di {region_code}",
                                f"quotas: region {code} is not in {region_code}"))
            continue
        number = _whole(count, f"quotas.{code}", issues)
        if number is not None:
            out[str(code)] = number
    return out, issues


def _basic(data: dict, issues: list[Issue]) -> dict:
    out: dict[str, Any] = {}
    if "basis" in data:
        if data["basis"] not in ProgrammeRelease.Basis.values:
            issues.append(Issue("choice", "basis", "dasar manfaat tidak dikenal", "unknown benefit basis"))
        out["basis"] = data["basis"]
    if "amount" in data:
        out["amount"] = _whole(data["amount"], "amount", issues)
    if "months" in data:
        out["months"] = _whole(data["months"], "months", issues, minimum=1)
    if "max_components" in data:
        out["max_components"] = _whole(data["max_components"], "max_components", issues, allow_none=True, minimum=1)
    if "component_priority" in data:
        if data["component_priority"] not in ProgrammeRelease.Priority.values:
            issues.append(Issue("choice", "component_priority", "prioritas tidak dikenal", "unknown priority"))
        out["component_priority"] = data["component_priority"]
    for key in ("source", "note"):
        if key in data:
            out[key] = str(data[key] or "")
    return out


def _ensure_draft(release: ProgrammeRelease) -> None:
    if release.status != R.DRAFT:
        raise InvalidTransition(
            f"Tahun program {release.year} versi {release.version} sudah dirilis dan tidak dapat diubah; buat versi "
            f"baru / Programme year {release.year} version {release.version} is released and cannot change; make a "
            f"new version", extra={"current": release.status})


def _write_parts(release: ProgrammeRelease, components: list[dict] | None, rules: list[dict] | None,
                 quotas: dict[str, int] | None) -> None:
    if components is not None:
        Component.objects.filter(release=release).delete()
        Component.objects.bulk_create([Component(release=release, **c) for c in components])
    if rules is not None:
        Rule.objects.filter(release=release).delete()
        Rule.objects.bulk_create([Rule(release=release, **r) for r in rules])
    if quotas is not None:
        Quota.objects.filter(release=release).delete()
        Quota.objects.bulk_create([Quota(release=release, region_code=k, families=v) for k, v in quotas.items()])


def _parts(data: dict, region_code: str) -> tuple[dict, list[dict] | None, list[dict] | None, dict | None, list[Issue]]:
    issues: list[Issue] = []
    basic = _basic(data, issues)
    components = rules = quotas = None
    if "components" in data:
        components, more = clean_components(data["components"])
        issues += more
    if "rules" in data:
        rules, more = clean_rules(data["rules"])
        issues += more
    if "schedule" in data:
        months = basic.get("months") or data.get("_months") or 12
        basic["schedule"], more = clean_schedule(data["schedule"], months)
        issues += more
    if "quotas" in data:
        quotas, more = clean_quotas(data["quotas"], region_code)
        issues += more
    return basic, components, rules, quotas, issues


# ---- services ------------------------------------------------------------------------------------------

@transaction.atomic
def programme_create(*, actor: Any, code: str, name: str, kind: str, funding: str, participation_code: str = "",
                     description: str = "", region_code: str) -> Programme:
    """A programme (national ones are seeded; regional ones the office defines). `region_code`: the office's
    regency, for the scope check."""
    ensure(actor, MANAGE, region_code)
    issues = []
    code = (code or "").strip().upper()
    if not code or not code.replace("_", "").isalnum():
        issues.append(Issue("code", "code", "kode hanya huruf, angka dan _", "code: letters, digits and _ only"))
    elif Programme.objects.filter(code=code).exists():
        issues.append(Issue("unique", "code", f"kode {code} sudah dipakai", f"code {code} is already used"))
    if kind not in Programme.Kind.values:
        issues.append(Issue("choice", "kind", "jenis program tidak dikenal", "unknown kind of programme"))
    if funding not in Programme.Funding.values:
        issues.append(Issue("choice", "funding", "sumber dana tidak dikenal", "unknown funding source"))
    if not (name or "").strip():
        issues.append(Issue("required", "name", "nama wajib diisi", "name is required"))
    if issues:
        raise ValidationFailed(issues)
    programme = Programme.objects.create(code=code, name=name.strip(), kind=kind, funding=funding,
                                         participation_code=participation_code, description=description,
                                         created_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action="programme.create", target=programme, region_code=region_code,
                 data={"code": code, "kind": kind, "funding": funding})
    return programme


@transaction.atomic
def release_create(*, actor: Any, programme: Programme, region_code: str, year: int, data: dict) -> ProgrammeRelease:
    """A new draft year (the next version number for this programme, region and year)."""
    ensure(actor, MANAGE, region_code)
    basic, components, rules, quotas, issues = _parts(data, region_code)
    if "basis" not in basic:
        issues.append(Issue("required", "basis", "dasar manfaat wajib diisi", "the benefit basis is required"))
    if "schedule" not in basic:
        issues.append(Issue("required", "schedule", "jadwal tahap wajib diisi", "the tahap schedule is required"))
    year = _whole(year, "year", issues, minimum=2000) or 0
    if issues:
        raise ValidationFailed(issues)
    last = (ProgrammeRelease.objects.select_for_update().filter(programme=programme, region_id=region_code, year=year)
            .aggregate(v=Max("version"))["v"] or 0)
    release = ProgrammeRelease.objects.create(programme=programme, region_id=region_code, year=year, version=last + 1,
                                              created_by=actor if getattr(actor, "pk", None) else None, **basic)
    _write_parts(release, components, rules, quotas)
    audit_record(actor=actor, action="programme_release.create", target=release, region_code=region_code,
                 data={"programme": programme.code, "year": year, "version": release.version})
    return release


@transaction.atomic
def release_update(*, actor: Any, release: ProgrammeRelease, data: dict) -> ProgrammeRelease:
    """Change a draft: basic fields, components, rules, schedule, quotas (each replaced when given)."""
    ensure(actor, MANAGE, release.region_id)
    release = lock(release)
    _ensure_draft(release)
    basic, components, rules, quotas, issues = _parts({"_months": release.months, **data}, release.region_id)
    if issues:
        raise ValidationFailed(issues)
    for key, value in basic.items():
        setattr(release, key, value)
    release.save()
    _write_parts(release, components, rules, quotas)
    audit_record(actor=actor, action="programme_release.update", target=release, region_code=release.region_id,
                 data={"changed": sorted([*basic, *(k for k in ("components", "rules", "quotas") if k in data)])})
    return release


@transaction.atomic
def release_new_version(*, actor: Any, release: ProgrammeRelease, note: str = "") -> ProgrammeRelease:
    """A draft copy of `release` as the next version (the way a released year changes)."""
    ensure(actor, MANAGE, release.region_id)
    data = {key: getattr(release, key) for key in BASIC_FIELDS}
    data.update(schedule=release.schedule, note=note or release.note,
                components=[{k: getattr(c, k) for k in ("code", "kind", "annual_amount", "cap_per_family", "age_min",
                                                        "age_max", "order")} for c in release.components.all()],
                rules=[{"field": r.field, "op": r.op, "value": r.value, "reason": r.reason, "group": r.group}
                       for r in release.rules.all()],
                quotas={q.region_code: q.families for q in release.quotas.all()})
    return release_create(actor=actor, programme=release.programme, region_code=release.region_id,
                          year=release.year, data=data)


def latest_determined_period(region_code: str) -> DeterminationPeriod | None:
    return (DeterminationPeriod.objects.filter(region_id=region_code, status=DeterminationPeriod.Status.DETERMINED)
            .order_by("-determined_at").first())


def release_check(release: ProgrammeRelease, period: DeterminationPeriod | None) -> list[Issue]:
    """Everything that stops a release, each naming the part: the catalogue checks again (a draft may have
    been written before the catalogue changed), components, schedule, and the rules against a version."""
    _, issues = clean_rules([{"field": r.field, "op": r.op, "value": r.value, "reason": r.reason, "group": r.group}
                             for r in release.rules.all()])
    if release.basis == ProgrammeRelease.Basis.COMPONENTS and not release.components.exists():
        issues.append(Issue("required", "components", "program per komponen tanpa komponen",
                            "a per-component programme without components"))
    if release.basis != ProgrammeRelease.Basis.COMPONENTS and release.amount <= 0:
        issues.append(Issue("required", "amount", "besaran manfaat wajib diisi", "the benefit amount is required"))
    issues += clean_schedule(release.schedule, release.months)[1]
    if issues:
        return issues
    if period is None:
        return [Issue("no_version", "period", "belum ada periode penetapan untuk menguji aturan",
                      "no determined period to test the rules against")]
    inputs = inputs_for(period, release.region_id)
    spec = spec_of(release)
    result = run(inputs, spec)
    if not result.entries.height:
        return [Issue("no_family", "period", f"versi {period.label} tidak berisi keluarga",
                      f"version {period.label} holds no family")]
    for clause, count in enumerate(result.passing):
        if count == 0:
            rule = spec.clauses[clause]
            issues.append(Issue("no_family", f"rules[{clause + 1}]",
                                f"rules[{clause + 1}] ({rule.field} {rule.op} {rule.value}): tidak ada keluarga "
                                f"yang lolos pada versi {period.label}",
                                f"rules[{clause + 1}] ({rule.field} {rule.op} {rule.value}): no family passes "
                                f"in version {period.label}"))
    for group, count in result.group_passing.items():
        if count == 0:
            issues.append(Issue("no_family", "rules", f"tidak ada keluarga yang lolos semua aturan kelompok {group} "
                                f"pada versi {period.label}",
                                f"no family passes every clause of group {group} in version {period.label}"))
    eligible = int(result.entries["eligible"].sum())
    if not issues and eligible == 0:
        issues.append(Issue("no_family", "rules", f"tidak ada keluarga yang memenuhi semua aturan pada versi "
                            f"{period.label}", f"no family meets all the rules in version {period.label}"))
    return issues


@transaction.atomic
def release_release(*, actor: Any, release: ProgrammeRelease,
                    period: DeterminationPeriod | None = None) -> ProgrammeRelease:
    """Release a draft year. The released version of the same programme, region and year before it is
    retired (kept, never changed: lists determined with it still name it)."""
    ensure(actor, MANAGE, release.region_id)
    release = lock(release)
    _ensure_draft(release)
    period = period or latest_determined_period(release.region_id)
    issues = release_check(release, period)
    if issues:
        raise ValidationFailed(issues)
    for old in ProgrammeRelease.objects.filter(programme=release.programme, region_id=release.region_id,
                                               year=release.year, status=R.RELEASED):
        transition(old, "retire", actor=actor, region_code=old.region_id, data={"replaced_by": release.version})
    return transition(release, "release", actor=actor, region_code=release.region_id, locked=True,
                      updates={"released_at": timezone.now(), "released_by": actor if getattr(actor, "pk", None) else None},
                      data={"programme": release.programme.code, "year": release.year, "version": release.version,
                            "tested_on": period.label if period else ""})


def ensure_released(release: ProgrammeRelease) -> None:
    if release.status != R.RELEASED:
        raise BusinessRuleViolation(
            f"Tahun program {release.year} v{release.version} belum dirilis / Programme year {release.year} "
            f"v{release.version} is not released")
