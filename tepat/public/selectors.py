"""Reads of the public pages: aggregates first, no personal data. What a public page may show of a
person (the masked name and the RT) goes through `tepat.registry.masking.public_name`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from tepat.grievances.selectors import complaint_statistics as grievance_statistics
from tepat.programs.catalogue import FIELDS, OPS, REASONS
from tepat.programs.models import BeneficiaryList, ListEntry, ProgrammeRelease
from tepat.public import conf, suppression
from tepat.regions.models import Region
from tepat.regions.selectors import region_children
from tepat.registry import choices as c
from tepat.registry.identity import name_key as registry_name_key
from tepat.registry.identity import normalise_name
from tepat.registry.masking import public_name
from tepat.registry.models import Family, Individual

L = BeneficiaryList.Status
E = ListEntry.Status
_NO_FAMILY = uuid.UUID(int=0)


def name_key(name: str) -> str:
    """The exact-match form of a name: NFKC, single spaces, trimmed, case folded. Nothing else (no
    spelling or phonetic folding, no prefix): a lookup matches the whole name as written on the KTP."""
    return normalise_name(name).casefold()


# ---- approved lists ------------------------------------------------------------------------------


def current_lists(region_code: str = "") -> list[BeneficiaryList]:
    """Per programme release, its latest approved list (highest tahap, then newest) covering `region_code`
    (a list's region is a prefix of the villages it covers)."""
    lists = (BeneficiaryList.objects.filter(status=L.APPROVED)
             .select_related("release__programme").order_by("release_id", "-tahap", "-created_at"))
    latest: dict[Any, BeneficiaryList] = {}
    for blist in lists:
        if region_code and not (region_code.startswith(blist.region_code)
                                or blist.region_code.startswith(region_code)):
            continue
        latest.setdefault(blist.release_id, blist)
    return sorted(latest.values(), key=lambda b: (b.release.programme.code, -b.release.year))


def tahap_label(release: ProgrammeRelease, tahap: int) -> str:
    for step in release.schedule or []:
        if int(step.get("tahap", 0)) == tahap:
            return str(step.get("label", ""))
    return ""


def _programme_row(blist: BeneficiaryList) -> dict[str, Any]:
    release = blist.release
    return {"code": release.programme.code, "name": release.programme.name, "year": release.year,
            "tahap": blist.tahap, "tahap_label": tahap_label(release, blist.tahap)}


def recipient_programmes(family_ids: list[Any]) -> list[dict[str, Any]]:
    """The programmes (and period) in which these families are recipients on the current approved lists.
    Always runs the same query, found or not (no fast path for "nobody")."""
    lists = current_lists()
    ids = list(family_ids) or [_NO_FAMILY]
    held = set(ListEntry.objects.filter(list__in=[b.pk for b in lists] or [_NO_FAMILY], family_id__in=ids,
                                        status=E.RECIPIENT).values_list("list_id", flat=True))
    return [_programme_row(b) for b in lists if b.pk in held]


# ---- the lookup -----------------------------------------------------------------------------------


def lookup_match(*, village_code: str = "", nik: str = "", name: str) -> tuple[list[Any], str]:
    """(family ids, masked name) of the living members of active families whose whole name, after
    normalisation, equals `name` and who live in `village_code` or hold `nik`. Exactly one family, or
    nothing: several namesakes in a village answer as nobody (the citizen can search by NIK)."""
    key = name_key(name)
    people = Individual.objects.filter(family__status=c.FamilyStatus.ACTIVE, presence__in=c.ACTIVE_PRESENCE)
    if nik:
        people = people.filter(nik=nik)
    else:
        # name_key (indexed, kept by the registry on every write) narrows to a few rows first; the exact
        # match is still the whole name, case aside (iexact here, casefold below). Without it PostgreSQL
        # reads every member of the village's ~1,000 families (docs/BENCHMARKS.md, issue 12 load run).
        people = people.filter(family__region_id=village_code, name_key=registry_name_key(name),
                               name__iexact=normalise_name(name))
    matched = [(p.family_id, p.name) for p in people.only("family_id", "name")[:20] if name_key(p.name) == key]
    families = {f for f, _ in matched}
    if len(families) != 1 or not key:
        return [], ""
    return list(families), public_name(matched[0][1])


# ---- transparency -------------------------------------------------------------------------------


def villages_of(region_code: str) -> dict[str, str]:
    return dict(Region.objects.filter(code__startswith=region_code, level=Region.Level.VILLAGE)
                .values_list("code", "name"))


def recipients_by_village(region_code: str = "") -> list[dict[str, Any]]:
    """Per current list and village: recipient families and the tahap amount, suppressed below the limit."""
    rows: list[dict[str, Any]] = []
    lists = current_lists(region_code)
    if not lists:
        return rows
    entries = ListEntry.objects.filter(list__in=[b.pk for b in lists], status=E.RECIPIENT)
    if region_code:
        entries = entries.filter(region_code__startswith=region_code)
    sums = entries.values("list_id", "region_code").annotate(n=Count("id"), amount=Sum("tahap_amount"))
    names = dict(Region.objects.filter(code__in={s["region_code"] for s in sums}).values_list("code", "name"))
    by_list = {b.pk: b for b in lists}
    for s in sorted(sums, key=lambda s: (by_list[s["list_id"]].release.programme.code, s["region_code"])):
        blist = by_list[s["list_id"]]
        rows.append({**_programme_row(blist), "village_code": s["region_code"],
                     "village": names.get(s["region_code"], s["region_code"]),
                     "families": s["n"], "amount": s["amount"] or 0,
                     **{f"shown_{k}": v for k, v in suppression.row(s["n"], s["amount"]).items()}})
    return rows


COMPLAINT_PERIOD_MONTHS = 12


def _median_text(days: float | None) -> str:
    if days is None:
        return "–"
    return f"{days:g}".replace(".", ",")


def complaint_period(today: date) -> tuple[date, date]:
    """The last `COMPLAINT_PERIOD_MONTHS` calendar months, this one included (to date)."""
    month = today.year * 12 + today.month - 1 - (COMPLAINT_PERIOD_MONTHS - 1)
    return date(month // 12, month % 12 + 1, 1), today


def complaint_statistics(region_code: str = "", today: date | None = None) -> dict[str, Any]:
    """Complaints per kecamatan received in the period (intake date), from
    `tepat.grievances.selectors.complaint_statistics` (sensitive cases are left out there), through the one
    small-cell rule: received and resolved from 1 to 4 show as "< 5", and the median days of a cell whose
    received or resolved count is suppressed is hidden with it (a median of one or two cases is their own
    duration). No total row: a total minus the shown cells would give a suppressed cell back. The period is
    given as months (YYYY-MM), not days, so that no public file carries a full date."""
    date_from, date_to = complaint_period(today or timezone.localdate())
    stats = grievance_statistics(region_code=region_code, date_from=date_from, date_to=date_to, level=3)
    names = dict(Region.objects.filter(code__in=[s["region_code"] for s in stats]).values_list("code", "name"))
    rows = []
    for s in stats:
        hidden = suppression.suppressed(s["received"]) or suppression.suppressed(s["resolved"])
        rows.append({"kecamatan_code": s["region_code"], "kecamatan": names.get(s["region_code"], s["region_code"]),
                     "received": suppression.cell(s["received"]), "resolved": suppression.cell(s["resolved"]),
                     "median_days": "–" if hidden else _median_text(s["median_days"]), "suppressed": hidden})
    return {"from_month": f"{date_from:%Y-%m}", "until_month": f"{date_to:%Y-%m}", "rows": rows}


def complaint_open_data_rows(region_code: str = "") -> list[dict[str, Any]]:
    """The complaints open-data file and API: one row per kecamatan, the period on every row."""
    stats = complaint_statistics(region_code)
    return [{"from_month": stats["from_month"], "until_month": stats["until_month"],
             **{k: r[k] for k in ("kecamatan_code", "kecamatan", "received", "resolved", "median_days")}}
            for r in stats["rows"]]


def _rule_text(rule: Any, english: bool) -> dict[str, str]:
    fact = FIELDS.get(rule.field)
    label = (fact.en if english else fact.id) if fact else rule.field.replace("programme.", "program ")
    symbol = OPS.get(rule.op, (rule.op, ""))[0]
    value = rule.value
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    reason = REASONS.get(rule.reason)
    return {"condition": f"{label} {symbol} {'' if value in (None, '') else value}".strip(),
            "reason": (reason.en if english else reason.id) if reason else ""}


def programme_criteria(english: bool = False) -> list[dict[str, Any]]:
    """Each released programme year: its amounts, its tahap schedule and its rules in a citizen's words."""
    releases = (ProgrammeRelease.objects.filter(status=ProgrammeRelease.Status.RELEASED)
                .select_related("programme").prefetch_related("rules", "components")
                .order_by("programme__code", "-year", "-version"))
    seen, out = set(), []
    for release in releases:
        if (release.programme_id, release.year) in seen:
            continue
        seen.add((release.programme_id, release.year))
        out.append({"code": release.programme.code, "name": release.programme.name, "year": release.year,
                    "basis": release.get_basis_display(), "amount": release.amount,
                    "description": release.programme.description,
                    "components": [{"code": comp.code, "annual_amount": comp.annual_amount}
                                   for comp in release.components.all()],
                    "rules": [_rule_text(rule, english) for rule in release.rules.all()],
                    "schedule": [{"tahap": s.get("tahap"), "label": s.get("label", "")}
                                 for s in release.schedule or []]})
    return out


def distribution_schedule() -> list[dict[str, Any]]:
    """The tahap schedule of every released programme year, with which tahap has an approved list."""
    approved = set(BeneficiaryList.objects.filter(status=L.APPROVED).values_list("release_id", "tahap"))
    out = []
    for release in (ProgrammeRelease.objects.filter(status=ProgrammeRelease.Status.RELEASED)
                    .select_related("programme").order_by("programme__code", "-year")):
        for step in release.schedule or []:
            tahap = int(step.get("tahap", 0))
            out.append({"code": release.programme.code, "name": release.programme.name, "year": release.year,
                        "tahap": tahap, "label": step.get("label", ""),
                        "approved": (release.pk, tahap) in approved})
    return out


def published_names(village_code: str) -> list[dict[str, Any]]:
    """The recipient list of a village, for the programmes the office publishes by name (setting
    TEPAT_PUBLIC_NAME_LISTS): the head's masked name and the RT, nothing else."""
    codes = conf.name_list_programmes()
    if not codes or not village_code:
        return []
    lists = [b for b in current_lists(village_code) if b.release.programme.code in codes]
    entries = (ListEntry.objects.filter(list__in=[b.pk for b in lists] or [_NO_FAMILY], region_code=village_code,
                                        status=E.RECIPIENT).order_by("list_id", "idx"))
    heads = dict(Individual.objects.filter(family_id__in=entries.values("family_id"), relation=c.Relation.HEAD)
                 .values_list("family_id", "name"))
    rts = dict(Family.objects.filter(pk__in=entries.values("family_id")).values_list("pk", "rt"))
    by_list = {b.pk: b for b in lists}
    return [{"entry_id": e.pk, "programme": by_list[e.list_id].release.programme.name,
             "name": public_name(heads.get(e.family_id, "")), "rt": rts.get(e.family_id, "")}
            for e in entries.only("id", "list_id", "family_id")]


def published_name_of(entry: ListEntry) -> str:
    head = Individual.objects.filter(family_id=entry.family_id, relation=c.Relation.HEAD).values_list("name", flat=True)
    return public_name(head.first() or "")


def programme_codes() -> set[str]:
    return set(ProgrammeRelease.objects.filter(status=ProgrammeRelease.Status.RELEASED)
               .values_list("programme__code", flat=True))


def published_entry(village_code: str, entry_id: Any) -> ListEntry | None:
    """A published list entry of that village (the sanggah picker), or None."""
    ids = {row["entry_id"] for row in published_names(village_code)}
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError):
        return None
    return ListEntry.objects.filter(pk=entry_id).first() if entry_id in ids else None


def open_data_rows(region_code: str = "") -> list[dict[str, Any]]:
    """The open-data file: the same suppressed aggregates as the page."""
    return [{"programme": r["code"], "year": r["year"], "tahap": r["tahap"], "village_code": r["village_code"],
             "village": r["village"], "families": r["shown_count"], "tahap_amount": r["shown_amount"]}
            for r in recipients_by_village(region_code)]


REGION_OPTIONS_SECONDS = 300


def region_options(parent: str | None) -> list[tuple[str, str]]:
    """The picker's options: the official region master through `tepat.regions` (public data, changed only by
    `tepat load-regions`), kept in the process's cache for REGION_OPTIONS_SECONDS: every public form renders
    the four levels, four queries per request otherwise (issue 12 load run, ADR 0033)."""
    key = f"tepat:public:region_options:{parent or ''}"
    options = cache.get(key)
    if options is None:
        options = list(region_children(code=parent or None).order_by("name").values_list("code", "name"))
        cache.set(key, options, REGION_OPTIONS_SECONDS)
    return options


def is_village(code: str) -> bool:
    return bool(code) and Region.objects.filter(code=code, level=Region.Level.VILLAGE).exists()


def families_in_village_by_name(village_code: str, name: str, rt: str) -> list[Any]:
    """Families of the village whose head's whole name (normalised) and RT match exactly (sanggah without a
    published list). Used only to link the report for staff; the citizen's answer never depends on it."""
    key = name_key(name)
    heads = Individual.objects.filter(family__region_id=village_code, family__status=c.FamilyStatus.ACTIVE,
                                      relation=c.Relation.HEAD, name__iexact=normalise_name(name))
    if rt:
        heads = heads.filter(family__rt=rt)
    return list({h.family_id for h in heads.only("family_id", "name") if name_key(h.name) == key})



# ---- staff: the village queue -------------------------------------------------------------------


def reports_in_scope(actor: Any, status: str = "received"):
    from tepat.accounts.access import actor_can, scope_q
    from tepat.accounts.roles import Capability
    from tepat.public.models import CitizenReport

    if not actor_can(actor, Capability.UPDATES_VIEW):
        return CitizenReport.objects.none()
    reports = CitizenReport.objects.filter(scope_q(actor, "region__code")).select_related("region", "proposal")
    return reports.filter(status=status) if status else reports


def access_report(*, actor: Any, report_id: Any):
    """A report in the actor's scope; out of scope or unknown look the same (404)."""
    from django.core.exceptions import ValidationError

    from tepat.core.exceptions import ObjectNotFound

    try:
        report = reports_in_scope(actor, status="").filter(pk=report_id).first()
    except (ValueError, ValidationError):
        report = None
    if report is None:
        raise ObjectNotFound("Laporan tidak ditemukan / Report not found")
    return report
