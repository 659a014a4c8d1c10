"""Reads of programmes and lists, scoped to the actor's regions (out of scope looks like not found), with
the masking policy applied to everything that shows a family (`tepat.registry.masking`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from tepat.accounts.access import actor_can, actor_region_codes, scope_q
from tepat.core.actors import is_system
from tepat.core.exceptions import ObjectNotFound
from tepat.programs.catalogue import (
    CATEGORIES,
    COMPONENT_KINDS,
    PROGRAMME_FIELD,
    REASONS,
    SENSITIVE_COMPONENT_KINDS,
    fact_of,
)
from tepat.programs.models import BeneficiaryList, ListEntry, ProgrammeRelease, ReviewItem
from tepat.programs.services.common import VIEW, ensure
from tepat.regions.selectors import ancestor_codes, is_within
from tepat.registry import masking
from tepat.registry.selectors import personal_data_viewed

L = BeneficiaryList.Status


def _overlaps(actor: Any, code: str) -> bool:
    """The actor works in (part of) `code`, or `code` lies within the actor's regions."""
    if is_system(actor):
        return True
    return any(is_within(mine, code) or is_within(code, mine) for mine in actor_region_codes(actor))


def _overlap_q(actor: Any, field_name: str) -> Q:
    codes = actor_region_codes(actor)
    ancestors = {a for code in codes for a in ancestor_codes(code)}
    return scope_q(actor, field_name) | Q(**{f"{field_name}__in": sorted(ancestors)})


def releases_visible(actor: Any) -> QuerySet[ProgrammeRelease]:
    if not actor_can(actor, VIEW):
        return ProgrammeRelease.objects.none()
    return (ProgrammeRelease.objects.filter(_overlap_q(actor, "region__code")).select_related("programme")
            .order_by("programme__code", "-year", "-version"))


def access_release(*, actor: Any, release_id: Any) -> ProgrammeRelease:
    release = ProgrammeRelease.objects.select_related("programme").filter(pk=release_id).first()
    if release is None:
        raise ObjectNotFound()
    ensure_view(actor, release.region_id)
    return release


def ensure_view(actor: Any, region_code: str) -> None:
    from tepat.accounts.access import ensure_capability

    if is_system(actor):
        return
    ensure_capability(actor=actor, capability=VIEW)
    if not _overlaps(actor, region_code):
        raise ObjectNotFound()


def lists_visible(actor: Any, release: ProgrammeRelease | None = None) -> QuerySet[BeneficiaryList]:
    if not actor_can(actor, VIEW):
        return BeneficiaryList.objects.none()
    lists = BeneficiaryList.objects.filter(_overlap_q(actor, "region_code")).select_related("release__programme",
                                                                                             "period")
    if release is not None:
        lists = lists.filter(release=release)
    return lists.order_by("-created_at")


def access_list(*, actor: Any, list_id: Any) -> BeneficiaryList:
    blist = BeneficiaryList.objects.select_related("release__programme", "period").filter(pk=list_id).first()
    if blist is None:
        raise ObjectNotFound()
    ensure_view(actor, blist.region_code)
    return blist


def entries_in_scope(actor: Any, blist: BeneficiaryList) -> QuerySet[ListEntry]:
    entries = ListEntry.objects.filter(list=blist)
    return entries if is_system(actor) else entries.filter(scope_q(actor, "region_code"))


# ---- the village recap ---------------------------------------------------------------------------------

def village_recap(*, actor: Any, blist: BeneficiaryList) -> list[dict[str, Any]]:
    """Per village: recipients, reserve, not eligible, new/continuing/leaving, tahap and annual amounts."""
    from tepat.regions.models import Region

    rows = (entries_in_scope(actor, blist).values("region_code").annotate(
        recipients=Count("id", filter=Q(status=ListEntry.Status.RECIPIENT)),
        reserve=Count("id", filter=Q(status=ListEntry.Status.RESERVE)),
        not_eligible=Count("id", filter=Q(status__in=[ListEntry.Status.NOT_ELIGIBLE, ListEntry.Status.LEFT])),
        new=Count("id", filter=Q(change=ListEntry.Change.NEW)),
        continuing=Count("id", filter=Q(change=ListEntry.Change.CONTINUING)),
        leaving=Count("id", filter=Q(change=ListEntry.Change.LEAVING)),
        tahap_amount=Sum("tahap_amount", filter=Q(status=ListEntry.Status.RECIPIENT)),
        annual_amount=Sum("annual_amount", filter=Q(status=ListEntry.Status.RECIPIENT)),
    ).order_by("region_code"))
    names = dict(Region.objects.filter(code__in=[r["region_code"] for r in rows]).values_list("code", "name"))
    return [{**r, "name": names.get(r["region_code"], ""), "tahap_amount": r["tahap_amount"] or 0,
             "annual_amount": r["annual_amount"] or 0} for r in rows]


# ---- the explanation of one family -------------------------------------------------------------------

@dataclass
class ClauseLine:
    number: int
    fact: str
    test: str
    seen: str
    passed: bool
    reason_code: str
    reason_text: str
    group: int = 0  # 0 required; 1, 2, … an alternative group


@dataclass
class Explanation:
    blist: BeneficiaryList
    entry: ListEntry
    kk: str
    village: str
    clauses: list[ClauseLine] = field(default_factory=list)
    reasons: list[dict[str, str]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    groups_passed: list[int] = field(default_factory=list)  # the alternative groups passed whole
    has_groups: bool = False


def passed_groups(lines: list[ClauseLine]) -> list[int]:
    """The alternative groups (≥ 1) all of whose clauses passed, from the trace."""
    groups: dict[int, bool] = {}
    for line in lines:
        if line.group:
            groups[line.group] = groups.get(line.group, True) and line.passed
    return sorted(g for g, ok in groups.items() if ok)


def _lang_text(reason_code: str, english: bool) -> str:
    r = REASONS.get(reason_code)
    return (r.en if english else r.id) if r else reason_code


def reason_rows(codes: list[str], english: bool = False) -> list[dict[str, str]]:
    out = []
    for code in codes:
        r = REASONS.get(code)
        cat = CATEGORIES.get(r.category, ("", "")) if r else ("", "")
        out.append({"code": code, "category": cat[1] if english else cat[0], "text_id": r.id if r else code,
                    "text_en": r.en if r else code, "text": _lang_text(code, english)})
    return out


def _test_text(clause: dict) -> str:
    from tepat.programs.catalogue import OPS

    symbol = OPS.get(clause["op"], (clause["op"], ""))[0]
    value = clause.get("value")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return f"{symbol} {value}" if value not in (None, "") else symbol


def family_explanation(*, actor: Any, blist: BeneficiaryList, family_id: Any, english: bool = False) -> Explanation:
    """Why a family is (not) on the list: every clause with the value it saw, the reasons in the words a
    citizen reads, the components counted and the amounts. Sensitive facts are hidden from masked readers.
    Logged as a view of personal data."""
    entry = entries_in_scope(actor, blist).filter(family_id=family_id).first()
    if entry is None:
        raise ObjectNotFound()
    from tepat.regions.models import Region

    clauses = blist.inputs.get("clauses") or []
    policy = masking.policy_for(actor) if not is_system(actor) else masking.MASKED
    lines = []
    for number, passed, seen in entry.trace:
        clause = clauses[number] if number < len(clauses) else {"field": "?", "op": "?", "reason": ""}
        fact = fact_of(clause["field"])
        if fact is not None and fact.sensitive and not policy.sensitive:
            seen = masking.HIDDEN
        label = (fact.en if english else fact.id) if fact else clause["field"]
        lines.append(ClauseLine(number + 1, label, _test_text(clause), seen, passed, clause["reason"],
                                "" if passed else _lang_text(clause["reason"], english),
                                int(clause.get("group") or 0)))
    comps = []
    by_code = {c["code"]: c for c in blist.inputs.get("components") or []}
    for code, count in (entry.components or {}).items():
        comp = by_code.get(code, {"kind": "", "annual_amount": 0})
        hidden = comp["kind"] in SENSITIVE_COMPONENT_KINDS and not policy.sensitive
        kind_label = COMPONENT_KINDS.get(comp["kind"], (code, code))[1 if english else 0]
        comps.append({"code": code, "label": masking.HIDDEN if hidden else kind_label,
                      "count": masking.HIDDEN if hidden else count,
                      "amount": masking.HIDDEN if hidden else count * int(comp["annual_amount"])})
    village = Region.objects.filter(code=entry.region_code).values_list("name", flat=True).first() or ""
    personal_data_viewed(actor=actor, kind="programme_explanation", count=1, region_code=entry.region_code,
                         target=blist, extra={"family": str(entry.family_id)})
    return Explanation(blist, entry, masking.identity(policy, entry.kk_number), village, lines,
                       reason_rows(entry.reason_codes, english), comps, passed_groups(lines),
                       any(line.group for line in lines))


# ---- everything a family receives ---------------------------------------------------------------------

def family_programmes(*, actor: Any, family: Any) -> list[dict[str, Any]]:
    """For the family page: per programme, the newest list (approved first) that holds the family, with
    its status, amounts and reasons."""
    if not actor_can(actor, VIEW):
        return []
    # The lists first (a small reference table), then one (list, family) index probe per list: the entry
    # index leads with the list (ADR 0034), so a bare family_id filter would scan it whole.
    lists = list(BeneficiaryList.objects.filter(status__in=[L.APPROVED, L.DETERMINED]).values_list("pk", flat=True))
    entries = (ListEntry.objects.filter(list_id__in=lists, family_id=family.pk)
               .select_related("list__release__programme").order_by("-list__created_at"))
    seen: set[str] = set()
    out = []
    for entry in entries[:50]:
        programme = entry.list.release.programme
        if programme.code in seen:
            continue
        seen.add(programme.code)
        out.append({"programme": programme, "list": entry.list, "entry": entry,
                    "reasons": reason_rows(entry.reason_codes)})
    return out


# ---- rule preview and the exclusivity matrix -----------------------------------------------------------

def exclusivity_matrix(*, actor: Any, region_code: str) -> dict[str, Any]:
    """Programme × programme: which released years refuse families receiving another programme."""
    releases = releases_visible(actor).filter(status=ProgrammeRelease.Status.RELEASED, region_id=region_code)
    codes = sorted({r.programme.code for r in releases})
    cells: dict[tuple[str, str], str] = {}
    participation = {r.programme.participation_code: r.programme.code for r in releases
                     if r.programme.participation_code}
    for release in releases.prefetch_related("rules"):
        for rule in release.rules.all():
            if rule.field.startswith(PROGRAMME_FIELD) and rule.op == "is_false":
                other = rule.field[len(PROGRAMME_FIELD):]
                cells[(release.programme.code, participation.get(other, other))] = rule.reason
    columns = sorted({c for _, c in cells} | set(codes))
    return {"columns": columns, "rows": [(row, [cells.get((row, col), "") for col in columns]) for row in codes]}


def review_items(*, actor: Any, blist: BeneficiaryList, status: str = "open") -> QuerySet[ReviewItem]:
    items = ReviewItem.objects.filter(list=blist)
    if not is_system(actor):
        items = items.filter(scope_q(actor, "region_code"))
    if status:
        items = items.filter(status=status)
    return items.order_by("region_code", "kind")


def access_review_item(*, actor: Any, item_id: Any) -> ReviewItem:
    item = ReviewItem.objects.select_related("list__release__programme").filter(pk=item_id).first()
    if item is None:
        raise ObjectNotFound()
    ensure(actor, VIEW, item.region_code)
    return item


def rule_preview(*, actor: Any, release: ProgrammeRelease, period: Any, sample: int = 5) -> dict[str, Any]:
    """Evaluate a (draft) release on a determined version without writing anything, against the current
    list (the newest approved or determined list of the programme in the region; without one, the families
    currently receiving it): per village how many enter and leave, and a sample of each."""
    import polars as pl

    from tepat.programs.services.evaluation import inputs_for, run, spec_of
    from tepat.programs.services.lists import previous_list
    from tepat.regions.models import Region

    ensure(actor, VIEW, release.region_id)
    inputs = inputs_for(period, release.region_id)
    result = run(inputs, spec_of(release))
    entries = result.entries.with_columns(now=pl.col("status") == "recipient")
    current = previous_list(release, release.region_id)
    if current is not None:
        was = {str(f) for f in ListEntry.objects.filter(list=current, status=ListEntry.Status.RECIPIENT)
               .values_list("family_id", flat=True)}
        entries = entries.with_columns(was=pl.col("family_id").is_in(list(was)))
        against = f"{current.release.programme.code} {current.release.year} v{current.release.version} tahap {current.tahap}"
    else:
        entries = entries.with_columns(was=pl.col("receiving"))
        against = "participants"
    if not is_system(actor):
        codes = actor_region_codes(actor)
        entries = entries.filter(pl.any_horizontal([pl.col("region_code").str.starts_with(c) for c in codes])
                                 if codes else pl.lit(False))
    entering = entries.filter(pl.col("now") & ~pl.col("was"))
    leaving = entries.filter(~pl.col("now") & pl.col("was"))
    per_village = (entries.group_by("region_code").agg(
        entering=(pl.col("now") & ~pl.col("was")).sum(), leaving=(~pl.col("now") & pl.col("was")).sum(),
        recipients=pl.col("now").sum(), current=pl.col("was").sum())
        .filter((pl.col("entering") > 0) | (pl.col("leaving") > 0)).sort("region_code"))
    names = dict(Region.objects.filter(code__in=per_village["region_code"].to_list()).values_list("code", "name"))
    policy = masking.policy_for(actor) if not is_system(actor) else masking.MASKED

    def _sample(frame):
        return [{"family_id": f, "village": names.get(r, r), "kk": masking.identity(policy, kk), "reasons": reasons}
                for f, r, kk, reasons in frame.head(sample).select("family_id", "region_code", "kk_number",
                                                                   "reasons").iter_rows()]

    out = {"against": against, "period": period.label,
           "families": entries.height, "recipients": int(entries["now"].sum()), "current": int(entries["was"].sum()),
           "entering": entering.height, "leaving": leaving.height,
           "villages": [{**row, "name": names.get(row["region_code"], "")} for row in per_village.to_dicts()],
           "sample_entering": _sample(entering), "sample_leaving": _sample(leaving)}
    personal_data_viewed(actor=actor, kind="programme_rule_preview", count=len(out["sample_entering"])
                         + len(out["sample_leaving"]), region_code=release.region_id, target=release)
    return out
