"""Set-based evaluation of one programme release over a facts frame (polars): components and amounts,
every clause with the value it saw, eligibility, quota ranks and the reserve, the diff against the
previous list. Pure: plain data in, frames out (the services read and write the database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from tepat.programs.catalogue import PROGRAMME_FIELD, SCHOOL_LEVELS, fact_of
from tepat.programs.engine.facts import CIVIL_SERVANT, HEAD, with_ages

BP = 10_000  # basis points in a whole year
SEEN_SEP = "\x1f"  # between the values seen in `clause_seen` (ASCII unit separator: never in a value)


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    code: str
    kind: str
    annual_amount: int
    cap: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    order: int = 0


@dataclass(frozen=True, slots=True)
class Clause:
    field: str
    op: str
    value: Any
    reason: str
    group: int = 0  # 0: required; 1, 2, …: alternatives (at least one whole group must pass)


@dataclass
class Spec:
    basis: str  # components | family_month | person_month | one_off
    amount: int = 0
    months: int = 12
    components: list[ComponentSpec] = field(default_factory=list)
    max_components: int | None = None
    priority: str = "amount"
    clauses: list[Clause] = field(default_factory=list)
    share: tuple[int, int] = (BP, BP)  # this tahap's part of the annual amount: numerator, denominator
    participation_code: str = ""
    quotas: dict[str, int] = field(default_factory=dict)  # area code → families


def component_order(spec: Spec) -> list[ComponentSpec]:
    """The order in which components fill the per-family maximum: highest amount first (ties: configured
    order), or the configured order."""
    if spec.priority == "order":
        return sorted(spec.components, key=lambda c: (c.order, c.code))
    return sorted(spec.components, key=lambda c: (-c.annual_amount, c.order, c.code))


def _qualifies(comp: ComponentSpec) -> pl.Expr:
    age = pl.col("age")
    in_age = pl.lit(True)
    if comp.age_min is not None:
        in_age = in_age & (age >= comp.age_min)
    if comp.age_max is not None:
        in_age = in_age & (age <= comp.age_max)
    if comp.kind == "pregnant":
        return pl.col("pregnant") & in_age
    if comp.kind == "severe_disability":
        return pl.col("severe") & in_age
    if comp.kind in SCHOOL_LEVELS:
        return (pl.col("school") == 2) & pl.col("education").is_in(list(SCHOOL_LEVELS[comp.kind])) & in_age
    return in_age  # "age"


BASE_COUNTS = ("members", "pregnant", "children_0_6", "elderly_70", "elderly_60", "severe_disability",
               "civil_servant", "head_age")


def base_facts(aged: pl.DataFrame) -> pl.DataFrame:
    """Per family, the member counts no programme changes (members, pregnant, children, elderly, severe
    disability, civil servants, the head's age), from members with their `age` (`with_ages`). The same for
    every programme of a version and reference date, so the services compute it once (ADR 0028-packed-reads)."""
    return aged.group_by("family_id").agg(
        pl.len().alias("members"),
        pl.col("pregnant").sum().alias("pregnant"),
        (pl.col("age") <= 6).sum().alias("children_0_6"),
        (pl.col("age") >= 70).sum().alias("elderly_70"),
        (pl.col("age") >= 60).sum().alias("elderly_60"),
        pl.col("severe").sum().alias("severe_disability"),
        (pl.col("employment") == CIVIL_SERVANT).sum().alias("civil_servant"),
        pl.col("age").filter(pl.col("relation") == HEAD).first().alias("head_age"),
    )


def member_facts(members: pl.DataFrame, spec: Spec, on: date, *, aged: pl.DataFrame | None = None,
                 base: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per family: member counts, component counts (raw, capped, taken after the maximum), annual amount.
    `aged` (members with their age on `on`) and `base` (`base_facts` of it) may be given when already
    computed for another programme of the same version."""
    m = aged if aged is not None else with_ages(members, on)
    out = base if base is not None else base_facts(m)
    comps = component_order(spec)
    if comps:
        # A member counts for one component only: the first, in priority order, they qualify for.
        first = pl.lit(None, dtype=pl.Utf8)
        for c in reversed(comps):
            first = pl.when(_qualifies(c)).then(pl.lit(c.code)).otherwise(first)
        raw = (m.select("family_id", first.alias("_component")).filter(pl.col("_component").is_not_null())
               .group_by("family_id").agg([(pl.col("_component") == c.code).sum().alias(f"raw_{c.code}")
                                           for c in comps]))
        out = out.join(raw, on="family_id", how="left").with_columns(
            [pl.col(f"raw_{c.code}").fill_null(0) for c in comps])
    remaining = pl.lit(spec.max_components if spec.max_components is not None else 1_000_000, dtype=pl.Int64)
    taken = []
    for c in comps:
        capped = pl.col(f"raw_{c.code}").cast(pl.Int64)
        if c.cap is not None:
            capped = pl.min_horizontal(capped, pl.lit(c.cap, dtype=pl.Int64))
        take = pl.min_horizontal(capped, remaining)
        out = out.with_columns(take.alias(f"n_{c.code}"))
        remaining = remaining - pl.col(f"n_{c.code}")
        taken.append(c)
    n_cols = [pl.col(f"n_{c.code}") for c in taken]
    out = out.with_columns(
        components=pl.sum_horizontal(n_cols) if n_cols else pl.lit(0, dtype=pl.Int64),
        component_amount=(pl.sum_horizontal([pl.col(f"n_{c.code}") * c.annual_amount for c in taken])
                          if taken else pl.lit(0, dtype=pl.Int64)),
    )
    return out


def annual_amount(spec: Spec) -> pl.Expr:
    if spec.basis == "components":
        return pl.col("component_amount").cast(pl.Int64)
    if spec.basis == "family_month":
        return pl.lit(spec.amount * spec.months, dtype=pl.Int64)
    if spec.basis == "person_month":
        return pl.col("members").cast(pl.Int64) * (spec.amount * spec.months)
    return pl.lit(spec.amount, dtype=pl.Int64)  # one_off


def tahap_amount(annual: pl.Expr, share: tuple[int, int]) -> pl.Expr:
    """This tahap's part of the annual amount, in whole rupiah (integer division: never a float). The part is
    months/months-in-year for monthly benefits (exact) or basis points of the year for the others."""
    return (annual * share[0]) // share[1]


def _seen(expr: pl.Expr, kind: str) -> pl.Expr:
    if kind == "set":
        return expr.list.join(",")
    if kind == "bool":
        return pl.when(expr).then(pl.lit("ya")).otherwise(pl.lit("tidak"))
    return expr.cast(pl.Utf8)


def clause_exprs(clause: Clause) -> tuple[pl.Expr, pl.Expr]:
    """(value seen as text, passed) for one clause. A missing value never passes."""
    fact = fact_of(clause.field)
    if fact is None:  # rules_check refuses these at release; a draft preview shows them failing
        return pl.lit(""), pl.lit(False)
    if clause.field.startswith(PROGRAMME_FIELD):
        code = clause.field[len(PROGRAMME_FIELD):]
        col = pl.col("programmes").list.contains(code)
    else:
        col = pl.col(clause.field)
    v = clause.value
    if clause.op == "lte":
        ok = col <= v
    elif clause.op == "gte":
        ok = col >= v
    elif clause.op == "eq":
        ok = col == v
    elif clause.op == "between":
        ok = (col >= v[0]) & (col <= v[1])
    elif clause.op == "is_true":
        ok = col
    elif clause.op == "is_false":
        ok = ~col
    elif clause.op == "any_of":
        ok = col.list.eval(pl.element().is_in(list(v))).list.any()
    elif clause.op == "none_of":
        ok = ~col.list.eval(pl.element().is_in(list(v))).list.any()
    else:
        return pl.lit(""), pl.lit(False)
    return _seen(col, fact.kind).fill_null(""), ok.fill_null(False)


@dataclass
class Result:
    entries: pl.DataFrame  # … plus the trace: clause_passed ("1"/"0" per clause), clause_seen (SEEN_SEP-joined)
    passing: list[int] = field(default_factory=list)  # families passing each clause
    group_passing: dict[int, int] = field(default_factory=dict)  # families passing each alternative group


def groups_of(clauses: list[Clause]) -> dict[int, list[int]]:
    """group → the indexes of its clauses (group 0: the required ones)."""
    groups: dict[int, list[int]] = {}
    for i, clause in enumerate(clauses):
        groups.setdefault(int(clause.group or 0), []).append(i)
    return groups


def eligibility_exprs(clauses: list[Clause]) -> tuple[pl.Expr, dict[int, pl.Expr]]:
    """(eligible, passed per alternative group) over the p{i} columns: every required clause (group 0)
    passes and, when alternatives exist, every clause of at least one alternative group."""
    groups = groups_of(clauses)
    required = [pl.col(f"p{i}") for i in groups.get(0, [])]
    alternatives = {g: pl.all_horizontal([pl.col(f"p{i}") for i in idx]) for g, idx in sorted(groups.items()) if g}
    eligible = pl.all_horizontal(required) if required else pl.lit(True)
    if alternatives:
        eligible = eligible & pl.any_horizontal(list(alternatives.values()))
    return eligible, alternatives


def evaluate(families: pl.DataFrame, members: pl.DataFrame, desil: pl.DataFrame, ppks: pl.DataFrame,
             flags: pl.DataFrame, spec: Spec, on: date, previous: set[str] | None = None,
             previous_left: pl.DataFrame | None = None, *, aged: pl.DataFrame | None = None,
             base: pl.DataFrame | None = None) -> Result:
    """Evaluate `spec` for every family. `previous` = family ids of the previous list's recipients;
    `aged` / `base`: see `member_facts`."""
    facts = (families.join(member_facts(members, spec, on, aged=aged, base=base), on="family_id", how="left")
             .join(desil, on="family_id", how="left")
             .join(ppks, on="family_id", how="left")
             .join(flags, on="family_id", how="left"))
    zero_cols = ["members", "pregnant", "children_0_6", "elderly_70", "elderly_60", "severe_disability",
                 "civil_servant", "components", "component_amount"]
    facts = facts.with_columns(
        [pl.col(c).fill_null(0) for c in zero_cols]
        + [pl.col("ppks").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
           pl.col("flags").fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))]
    ).with_row_index("idx")
    seen_cols, pass_cols = [], []
    for i, clause in enumerate(spec.clauses):
        seen, ok = clause_exprs(clause)
        seen_cols.append(seen.str.replace_all(SEEN_SEP, " ", literal=True).str.slice(0, 200).alias(f"s{i}"))
        pass_cols.append(ok.alias(f"p{i}"))
    if seen_cols:
        facts = facts.with_columns(seen_cols + pass_cols)
    eligible, alternatives = eligibility_exprs(spec.clauses)
    groups = groups_of(spec.clauses)
    # The reasons: the failed required clauses, and, when no alternative group passed, the failed clauses of
    # every alternative; in clause order. A desil clause failing on a missing desil says so.
    any_alternative = pl.any_horizontal(list(alternatives.values())) if alternatives else pl.lit(True)
    reason_exprs = []
    for i, clause in enumerate(spec.clauses):
        code = clause.reason
        if clause.field == "desil":
            text = pl.when(pl.col("desil").is_null()).then(pl.lit("DESIL_MISSING")).otherwise(pl.lit(code))
        else:
            text = pl.lit(code)
        failed = ~pl.col(f"p{i}") if i in groups.get(0, []) else (~pl.col(f"p{i}") & ~any_alternative)
        reason_exprs.append(pl.when(failed).then(text).otherwise(pl.lit(None, dtype=pl.Utf8)))
    annual = annual_amount(spec)
    facts = facts.with_columns(
        eligible=eligible,
        annual_amount=pl.when(eligible).then(annual).otherwise(pl.lit(0, dtype=pl.Int64)),
        reasons=(pl.concat_list(reason_exprs).list.drop_nulls().list.unique(maintain_order=True).list.join(" ")
                 if reason_exprs else pl.lit("")),
        receiving=(pl.col("programmes").list.contains(spec.participation_code)
                   if spec.participation_code else pl.lit(False)),
        # The trace, one row per family: clause i passed ⇔ clause_passed[i] == "1"; the value it saw is the
        # i-th part of clause_seen (ADR 0017, amended: no row per clause).
        clause_passed=(pl.concat_str([pl.when(pl.col(f"p{i}")).then(pl.lit("1")).otherwise(pl.lit("0"))
                                      for i in range(len(spec.clauses))]) if spec.clauses else pl.lit("")),
        clause_seen=(pl.concat_str([pl.col(f"s{i}") for i in range(len(spec.clauses))], separator=SEEN_SEP)
                     if spec.clauses else pl.lit("")),
    )
    passing = ([int(v) for v in facts.select([pl.col(f"p{i}").sum() for i in range(len(spec.clauses))]).row(0)]
               if spec.clauses else [])
    group_passing = ({g: int(v) for g, v in zip(alternatives, facts.select(
        [e.sum().alias(f"g{g}") for g, e in alternatives.items()]).row(0), strict=True)} if alternatives else {})
    facts = _rank(facts, spec)
    facts = facts.with_columns(tahap_amount=pl.when(pl.col("status") == "recipient")
                               .then(tahap_amount(pl.col("annual_amount"), spec.share))
                               .otherwise(pl.lit(0, dtype=pl.Int64)))
    facts = _diff(facts, previous)
    comp_cols = [f"n_{c.code}" for c in component_order(spec)]
    entries = facts.select(
        "idx", "family_id", "region_code", "kk_number", pl.col("desil").cast(pl.Int16), "eligible", "status",
        "rank", "persons", "annual_amount", "tahap_amount", "reasons", "change", "receiving",
        *[pl.col(c).fill_null(0) for c in comp_cols], "components", "members", "clause_passed", "clause_seen",
    )
    if previous_left is not None and previous_left.height:
        entries = _append_left(entries, previous_left, comp_cols)
    return Result(entries, passing, group_passing)


def trace_frame(entries: pl.DataFrame) -> pl.DataFrame:
    """The trace in long form (idx, clause, passed, seen), one row per family and clause, from the entries'
    compact columns: for checks and tests; nothing stores it."""
    n = int(entries["clause_passed"].str.len_chars().max() or 0) if entries.height else 0
    if not n:
        return pl.DataFrame(schema={"idx": pl.UInt32, "clause": pl.Int32, "passed": pl.Boolean, "seen": pl.Utf8})
    rows = entries.filter(pl.col("clause_passed").str.len_chars() > 0).select(
        "idx", pl.col("clause_passed").str.split("").alias("passed"),
        pl.col("clause_seen").str.split(SEEN_SEP).alias("seen"),
        pl.int_ranges(0, pl.col("clause_passed").str.len_chars(), dtype=pl.Int32).alias("clause"))
    return (rows.explode("passed", "seen", "clause")
            .select("idx", "clause", (pl.col("passed") == "1").alias("passed"), "seen"))


def _area_of(codes: list[str]) -> pl.Expr:
    """The quota area of a village: the longest quota code that is a prefix of it (or "")."""
    expr = pl.lit("")
    for code in sorted(codes, key=len):  # longer codes last, so they win
        expr = pl.when(pl.col("region_code").str.starts_with(code + ".") | (pl.col("region_code") == code)) \
            .then(pl.lit(code)).otherwise(expr)
    return expr


def _rank(facts: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """Rank the eligible within their quota area (poorest desil first, then the larger family, then the
    family id for a stable order); beyond the quota they form the reserve list."""
    facts = facts.with_columns(area=_area_of(list(spec.quotas)),
                               persons=pl.col("members").cast(pl.Int32))
    sort_key = (pl.col("desil").fill_null(99).cast(pl.Int32) * 1000 - pl.col("members").cast(pl.Int32))
    facts = facts.with_columns(_key=sort_key)
    ranked = (facts.filter(pl.col("eligible")).sort("area", "_key", "family_id")
              .with_columns(rank=pl.int_range(1, pl.len() + 1).over("area").cast(pl.UInt32))
              .select("idx", "rank"))
    facts = facts.join(ranked, on="idx", how="left").sort("idx")
    quota = pl.col("area").replace_strict(spec.quotas, default=None, return_dtype=pl.Int64) if spec.quotas \
        else pl.lit(None, dtype=pl.Int64)
    facts = facts.with_columns(_quota=quota)
    status = (pl.when(~pl.col("eligible")).then(pl.lit("not_eligible"))
              .when(pl.col("_quota").is_null() | (pl.col("rank") <= pl.col("_quota"))).then(pl.lit("recipient"))
              .otherwise(pl.lit("reserve")))
    facts = facts.with_columns(status=status)
    return facts.with_columns(
        reasons=pl.when(pl.col("status") == "reserve").then(pl.lit("RESERVE_QUOTA")).otherwise(pl.col("reasons")))


def _diff(facts: pl.DataFrame, previous: set[str] | None) -> pl.DataFrame:
    if previous is None:
        return facts.with_columns(change=pl.lit(""))
    was = pl.col("family_id").is_in(pl.Series(list(previous), dtype=pl.Utf8).implode())
    now = pl.col("status") == "recipient"
    return facts.with_columns(change=pl.when(now & was).then(pl.lit("continuing"))
                              .when(now).then(pl.lit("new"))
                              .when(was).then(pl.lit("leaving"))
                              .otherwise(pl.lit("")))


def _append_left(entries: pl.DataFrame, left: pl.DataFrame, comp_cols: list[str]) -> pl.DataFrame:
    """Previous recipients missing from this version: kept in the list as 'left', leaving, with the reason."""
    start = entries.height
    rows = left.with_row_index("idx", offset=start).with_columns(
        pl.lit(None, dtype=pl.Int16).alias("desil"), pl.lit(False).alias("eligible"), pl.lit("left").alias("status"),
        pl.lit(None, dtype=pl.UInt32).alias("rank"), pl.lit(0, dtype=pl.Int32).alias("persons"),
        pl.lit(0, dtype=pl.Int64).alias("annual_amount"), pl.lit(0, dtype=pl.Int64).alias("tahap_amount"),
        pl.lit("NOT_IN_VERSION").alias("reasons"), pl.lit("leaving").alias("change"),
        pl.lit(False).alias("receiving"), *[pl.lit(0).alias(c) for c in comp_cols],
        pl.lit(0).alias("components"), pl.lit(0).alias("members"), pl.lit("").alias("clause_passed"),
        pl.lit("").alias("clause_seen"),
    ).select(entries.columns)
    return pl.concat([entries, rows.cast(entries.schema)])
