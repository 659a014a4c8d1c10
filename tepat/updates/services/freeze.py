"""Freezing a determined version: the active families of the period's region copied into `DeterminedFamily`
rows (family fields, active members keyed by id, open programmes), one keyset batch at a time (ADR 0015).

One interface, `freeze_batch(period, after, limit)`, two implementations that store the same thing:

- PostgreSQL: one `INSERT … SELECT` per batch. The canonical JSON text of each family (the text
  `tepat.audit.hashing.canonical_json` gives: keys sorted, no spaces, non-ASCII kept) is assembled in SQL,
  stored as jsonb and hashed with `sha256()` there; nothing of the family passes through Python.
- Elsewhere (SQLite): three reads per batch through the ORM, the canonical text built once per family in
  Python (digest and stored value from the same text), and one multi-row insert.

`data` and `digest` agree between the two (a test freezes awkward values both ways on PostgreSQL), so a
version frozen one way compares cleanly with a version frozen the other way.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection

from tepat.audit.hashing import canonical_json
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, ProgramParticipation
from tepat.registry.validation import FAMILY_FIELDS, INDIVIDUAL_FIELDS
from tepat.updates.models import DeterminationPeriod, DeterminedFamily
from tepat.updates.services.common import within_q

SNAPSHOT_MEMBER_FIELDS = (*INDIVIDUAL_FIELDS, "presence")
JSON_FAMILY_FIELDS = frozenset({"assets", "livestock"})  # flat objects of scalars (registry validation)
BATCH = 2000  # families per batch on PostgreSQL (one transaction each in the background run)
# SQLite: every writer waits for the batch's transaction (a page view recording personal_data.view too),
# and the portable copy is slower per family, so its batches are smaller.
PORTABLE_BATCH = 500

_Result = tuple[int, int, str]  # (families, members, last key); (0, 0, after) when nothing is left


def active_families(period: DeterminationPeriod, after: str = ""):
    """The families a version holds: active, in the period's region (the one region helper)."""
    families = Family.objects.filter(within_q(period.region_id), status=c.FamilyStatus.ACTIVE)
    return families.filter(pk__gt=after) if after else families


def freeze_batch(period: DeterminationPeriod, after: str, limit: int | None = None, *,
                 portable: bool | None = None) -> _Result:
    """Freeze the next `limit` active families after `after` (keyset on the primary key). `portable`
    forces the implementation (tests); by default PostgreSQL uses the set-based copy."""
    use_sql = connection.vendor == "postgresql" if portable is None else not portable
    if use_sql:
        return _freeze_sql(period, after, limit or BATCH)
    return _freeze_python(period, after, limit or PORTABLE_BATCH)


# Portable ------------------------------------------------------------------------------------------------

def family_document(row: dict[str, Any], members: dict[str, dict[str, Any]], programs: list[str]) -> dict:
    """What one family's frozen `data` holds (the Python form the SQL path reproduces)."""
    return {**row, "members": members, "programs": sorted(programs)}


def _freeze_python(period: DeterminationPeriod, after: str, limit: int) -> _Result:
    rows = list(active_families(period, after).order_by("pk").values("pk", "region_id", *FAMILY_FIELDS)[:limit])
    if not rows:
        return 0, 0, after
    ids = [row["pk"] for row in rows]
    members: dict[Any, dict[str, Any]] = {}
    member_count = 0
    for row in Individual.objects.filter(family_id__in=ids, presence__in=c.ACTIVE_PRESENCE).values(
        "pk", "family_id", *SNAPSHOT_MEMBER_FIELDS
    ):
        family_id, pk = row.pop("family_id"), row.pop("pk")
        if row["birth_date"] is not None:
            row["birth_date"] = row["birth_date"].isoformat()
        members.setdefault(family_id, {})[str(pk)] = row
        member_count += 1
    programs: dict[Any, list[str]] = {}
    for family_id, program, individual_id in ProgramParticipation.objects.filter(
        family_id__in=ids, until__isnull=True
    ).values_list("family_id", "program", "individual_id"):
        programs.setdefault(family_id, []).append(f"{program}:{individual_id}" if individual_id else program)
    family_field = DeterminedFamily._meta.get_field("family")
    period_field = DeterminedFamily._meta.get_field("period")
    period_value = period_field.get_db_prep_value(period.pk, connection)
    values: list[Any] = []
    for row in rows:
        family_id = row.pop("pk")
        # Plain JSON values already (text, integers, booleans, ISO dates): the canonical text is both the
        # stored value and what the digest is taken of.
        text = canonical_json(family_document(row, members.get(family_id, {}), programs.get(family_id, [])))
        values += [period_value, family_field.get_db_prep_value(family_id, connection), row["region_id"], text,
                   hashlib.sha256(text.encode()).hexdigest()]
    data_placeholder = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    table = DeterminedFamily._meta.db_table
    placeholders = ", ".join([f"(%s, %s, %s, {data_placeholder}, %s)"] * len(rows))
    with connection.cursor() as cursor:
        # One statement per batch; SQLite allows 32,766 parameters (2,000 families × 5 = 10,000).
        cursor.execute(f"INSERT INTO {table} (period_id, family_id, region_code, data, digest) "
                       f"VALUES {placeholders}", values)
    return len(rows), member_count, str(ids[-1])


# PostgreSQL ---------------------------------------------------------------------------------------------

def _flat_object_sql(column: str) -> str:
    """Canonical JSON text of a flat jsonb object of scalars (keys sorted by code point, no spaces): jsonb's own
    text form orders keys by length and puts spaces in. The C collation sorts by UTF-8 bytes = code points."""
    return (f"COALESCE((SELECT '{{' || string_agg(to_json(e.key)::text || ':' || e.value::text, ',' "
            f"ORDER BY e.key COLLATE \"C\") || '}}' FROM jsonb_each({column}) AS e), '{{}}')::json")


def _row_sql(parts: dict[str, str]) -> str:
    """A select list whose `row_to_json` is the canonical text: row_to_json writes no spaces, keeps the column
    order (here sorted by key, as canonical_json sorts), escapes strings as Python's json does (quote,
    backslash, the short forms for backspace, form feed, newline, return and tab, other control characters
    as u00xx escapes, non-ASCII kept), prints integers and booleans alike, dates as "YYYY-MM-DD", NULL as
    null, and embeds `json` values as they are."""
    return ", ".join(f'{parts[key]} AS "{key}"' for key in sorted(parts))


def _freeze_sql(period: DeterminationPeriod, after: str, limit: int) -> _Result:
    families_sql, families_params = (
        active_families(period, after).order_by("pk").values("pk", "region_id", *FAMILY_FIELDS)[:limit]
        .query.sql_with_params()
    )
    member_parts = {name: f"i.{name}" for name in SNAPSHOT_MEMBER_FIELDS}
    family_parts = {name: _flat_object_sql(f"fam.{name}") if name in JSON_FAMILY_FIELDS else f"fam.{name}"
                    for name in FAMILY_FIELDS}
    family_parts["region_id"] = "fam.region_id"
    family_parts["members"] = "COALESCE(mem.members, '{}')::json"
    family_parts["programs"] = "COALESCE(prog.programs, '[]')::json"
    present = ", ".join(str(int(p)) for p in sorted(c.ACTIVE_PRESENCE))
    individuals = Individual._meta.db_table
    participations = ProgramParticipation._meta.db_table
    table = DeterminedFamily._meta.db_table
    columns = ", ".join(("id", "region_id", *FAMILY_FIELDS))
    # `fam` is the ORM's own query of the batch (region helper, status, keyset, order, limit), its columns
    # named in the order `values()` selects them.
    sql = f"""
        WITH fam ({columns}) AS MATERIALIZED ({families_sql}),
        doc AS (
            SELECT fam.id, fam.region_id, mem.people, row_to_json(r)::text AS text
            FROM fam
            -- per family through the foreign-key indexes (a hash join would read every member of the table)
            CROSS JOIN LATERAL (
                SELECT '{{' || string_agg(to_json(i.id::text)::text || ':' || row_to_json(m)::text, ','
                                          ORDER BY i.id::text COLLATE "C") || '}}' AS members,
                       count(*) AS people
                FROM {individuals} i, LATERAL (SELECT {_row_sql(member_parts)}) m
                WHERE i.family_id = fam.id AND i.presence IN ({present})
            ) mem
            CROSS JOIN LATERAL (
                SELECT '[' || string_agg(to_json(p.label)::text, ',' ORDER BY p.label COLLATE "C") || ']' AS programs
                FROM (SELECT CASE WHEN pp.individual_id IS NULL THEN pp.program
                                  ELSE pp.program || ':' || pp.individual_id::text END AS label
                      FROM {participations} pp WHERE pp.family_id = fam.id AND pp.until IS NULL) p
            ) prog
            CROSS JOIN LATERAL (SELECT {_row_sql(family_parts)}) r
        ),
        ins AS (
            INSERT INTO {table} (period_id, family_id, region_code, data, digest)
            SELECT %s, doc.id, doc.region_id, doc.text::jsonb,
                   encode(sha256(convert_to(doc.text, 'UTF8')), 'hex')
            FROM doc
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins), (SELECT COALESCE(sum(people), 0) FROM doc),
               (SELECT fam.id::text FROM fam ORDER BY fam.id DESC LIMIT 1)
    """  # only table and column names from the models are interpolated
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Compiling this query costs more than running it for one batch (SET LOCAL: this transaction only).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*families_params, period.pk])
        done, people, last = cursor.fetchone()
    if not done:
        return 0, 0, after
    return int(done), int(people), last
