"""Realisation import and reconciliation.

A channel's realisation report or bank statement (CSV/XLSX, column-mapped, `services.files`) is matched,
each row by the KPM reference, else (no reference) by NIK, among the current list versions of the tahap,
and applied in file order per KPM. Every row is applied, found already applied (a rerun: `unchanged`), or
rejected with its row number, code and reason in Indonesian and English:

  unknown_ref       neither the reference nor the NIK is in the tahap (paid to a non-listed person)
  paid_twice        a salur for a KPM already paid (net of reversals)
  amount_mismatch   a salur amount different from the entitled amount
  date_outside      a date outside the tahap window (a retur may come after the window, not before it)
  reversal_without_original   a reversal larger than what was paid
  failed_after_paid a gagal salur for a KPM already paid
  retur_paid / retur_too_large  retur of money that was paid out, or more than remains
  duplicate_row     the same fact twice in the same file
  invalid_*         a value that cannot be read (kind, amount, date), reason_missing for a gagal without reason

Each applied fact is a `RealisationLine` with a unique `key` (tahap, entry, kind, date, amount, channel
reference): applying the same file again changes nothing. The entry's `paid_amount`, `returned_amount` and
`failed_reason` are kept in step with its lines here and nowhere else.

Set-based (ADR 0007; issue 11's 1,000,000 rows ≤ 60 s): polars reads the file; the distinct values of
status, amount and date go once through the per-value parsers of `services.files` (one rule, one place)
and are joined back; the tahap's entries are loaded once (`Bulk.fetch`: COPY on PostgreSQL) and matched by
joins. The rows with a KPM are then applied in chunks of whole KPMs (entry-id ranges of about
`CHUNK_ROWS` rows), each chunk in one transaction with its lines (COPY), its entry updates (COPY into a
temporary table, one UPDATE … FROM), the import's checkpoint and one `distribution.realisation_import_batch`
audit event. Inside a chunk the guards run as set operations in rounds: round r takes every KPM's r-th row
(file order), joins the KPM's running state, decides all of them at once and updates the state; the few
rows left after the first rounds (a KPM with many rows) go through the same rule one by one (`_apply`).
Large imports on PostgreSQL (`TEPAT_REALISATION_LOAD_MIN_ROWS`) run each chunk in load mode (ADR
0035): the lines' foreign keys set aside for the chunk's transaction, its lines checked against
the chunk's entries set-based, the keys added back NOT VALID and validated once after the last chunk,
instead of one deferred trigger lookup per line at each COMMIT.
A run killed half-way is continued by importing the same file again (same tahap, same SHA-256): the
committed chunks are skipped, nothing is applied twice. The summary event `distribution.realisation_import`
is written when the last chunk is done.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.distribution.models import (
    Channel,
    Distribution,
    DistributionEntry,
    DistributionList,
    RealisationImport,
    RealisationLine,
    ReturnItem,
)
from tepat.distribution.services import files
from tepat.distribution.services.common import COMPLETE, MANAGE, VIEW, ensure, ensure_open, scoped
from tepat.registry.choices import Presence
from tepat.registry.models import Individual
from tepat.registry.transfer.bulk import Bulk

K = RealisationLine.Kind
ERRORS: dict[str, tuple[str, str]] = {
    "unknown_ref": ("referensi/NIK tidak ada di daftar tahap ini (dibayar ke orang di luar daftar?)",
                    "reference/NIK is not in this tahap's list (paid to someone not listed?)"),
    "paid_twice": ("KPM ini sudah tersalur; pembayaran kedua ditolak", "this KPM was already paid; a second payment is refused"),
    "amount_mismatch": ("nominal berbeda dengan hak KPM", "the amount differs from the KPM's entitlement"),
    "date_outside": ("tanggal di luar masa tahap", "the date is outside the tahap window"),
    "reversal_without_original": ("reversal tanpa penyaluran asal yang cukup", "a reversal without a matching payment"),
    "failed_after_paid": ("gagal salur untuk KPM yang sudah tersalur", "a failed payment for a KPM already paid"),
    "retur_paid": ("retur untuk dana yang sudah tersalur", "retur of money that was paid out"),
    "retur_too_large": ("retur melebihi sisa dana KPM", "retur larger than what remains of the KPM's amount"),
    "duplicate_row": ("baris yang sama dua kali dalam berkas", "the same row twice in the file"),
    "invalid_kind": ("status tidak dikenal (salur, gagal, reversal, retur)", "unknown status (salur, gagal, reversal, retur)"),
    "invalid_amount": ("nominal bukan rupiah bulat positif", "the amount is not positive whole rupiah"),
    "invalid_date": ("tanggal tidak terbaca (YYYY-MM-DD atau DD/MM/YYYY)", "unreadable date (YYYY-MM-DD or DD/MM/YYYY)"),
    "reason_missing": ("gagal salur wajib menyebut alasan", "a failed payment needs a reason"),
    "ambiguous_nik": ("NIK cocok dengan lebih dari satu KPM", "the NIK matches more than one KPM"),
}
# The field a guard's refusal names (the guards of `_apply`).
_GUARD_FIELD = {"reason_missing": "reason", "amount_mismatch": "amount", "retur_too_large": "amount"}
CHUNK_ROWS = 250_000  # rows per transaction (whole KPMs)
_ROUND_MIN = 256  # after the first `_ROUNDS` rounds, below this many rows left the guards run row by row
_ROUNDS = 4
ENTRY_TABLE = DistributionEntry._meta.db_table
LINE_TABLE = RealisationLine._meta.db_table
LIST_TABLE = DistributionList._meta.db_table


def _chunk_hook(chunk_no: int) -> None:
    """Test hook: called inside each chunk's transaction, before its commit (a kill half-way)."""


def current_entries(dist: Distribution):
    return DistributionEntry.objects.filter(list__distribution=dist).exclude(
        list__status=DistributionList.Status.SUPERSEDED)


def _error(row: int, code: str, field: str, value: str = "") -> dict[str, Any]:
    id_text, en_text = ERRORS[code]
    return {"row": row, "code": code, "field": field, "value": (value or "")[:40], "message": id_text,
            "message_en": en_text}


def _key(dist: Distribution, entry_id: int, kind: str, when: Any, amount: int, reference: str) -> str:
    return hashlib.sha256(f"{dist.pk}|{entry_id}|{kind}|{when}|{amount}|{reference}".encode()).hexdigest()


def _errors_frame(frame: pl.DataFrame, code: str, field: str | pl.Expr, value: pl.Expr) -> pl.DataFrame:
    id_text, en_text = ERRORS[code]
    return frame.select(
        pl.col("row").cast(pl.Int64), pl.lit(code).alias("code"),
        (field if isinstance(field, pl.Expr) else pl.lit(field)).alias("field"),
        value.fill_null("").str.slice(0, 40).alias("value"), pl.lit(id_text).alias("message"),
        pl.lit(en_text).alias("message_en"))


_ERROR_SCHEMA = {"row": pl.Int64, "code": pl.String, "field": pl.String, "value": pl.String, "message": pl.String,
                 "message_en": pl.String}


def _dist_param(bulk: Bulk, dist: Distribution) -> str:
    return str(dist.pk) if bulk.postgres else dist.pk.hex


def _mapped(column: pl.Series, parse, dtype) -> pl.Series:
    """`parse` applied once per distinct value (the per-value rule of `services.files`), joined back."""
    values = column.unique().to_list()
    if not values:
        return pl.Series(column.name, [], dtype)
    return column.replace_strict(dict(zip(values, [parse(v) for v in values], strict=True)), return_dtype=dtype)


def _prepare(frame: pl.DataFrame, entries: pl.DataFrame, dist: Distribution) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """(rows, stateless errors, candidates): the checks that do not depend on the ledger, as joins."""
    blank = pl.lit(True)
    for name in ("ref", "nik", "kind", "amount", "date"):
        blank = blank & (pl.col(name).is_null() | (pl.col(name) == ""))
    data = frame.rename({"_row": "row"}).filter(~blank).with_columns(
        pl.col("row").cast(pl.Int64),
        pl.col("ref").fill_null("").str.strip_chars().str.to_uppercase(),
        pl.col("nik").fill_null("").str.strip_chars(),
        pl.col("reason").fill_null("").str.strip_chars(),
        pl.col("reference").fill_null("").str.strip_chars(),
        pl.col("kind").fill_null(""), pl.col("amount").fill_null(""), pl.col("date").fill_null(""))
    rows = data.height
    by_ref = entries.select(pl.col("kpm_ref").alias("ref"), pl.col("id").alias("ref_id")).unique("ref", keep="last")
    niks = entries.filter(pl.col("nik") != "").group_by("nik").agg(pl.col("id").first().alias("nik_id"),
                                                                 pl.len().alias("nik_count"))
    data = data.join(by_ref, on="ref", how="left").join(niks, on="nik", how="left").with_columns(
        pl.when(pl.col("ref") != "").then(pl.col("ref_id"))
        .when((pl.col("nik") != "") & (pl.col("nik_count") == 1)).then(pl.col("nik_id"))
        .otherwise(None).alias("entry_id"))
    errors = []
    ambiguous = (pl.col("ref") == "") & (pl.col("nik") != "") & (pl.col("nik_count") > 1)
    errors.append(_errors_frame(data.filter(ambiguous), "ambiguous_nik", "nik", pl.lit("")))
    unknown = pl.col("entry_id").is_null() & ~ambiguous.fill_null(False)
    errors.append(_errors_frame(data.filter(unknown), "unknown_ref",
                                pl.when(pl.col("ref") != "").then(pl.lit("ref")).otherwise(pl.lit("nik")),
                                pl.col("ref")))
    data = data.filter(pl.col("entry_id").is_not_null()).with_columns(
        _mapped(data.filter(pl.col("entry_id").is_not_null())["kind"],
                lambda v: files.KINDS.get(" ".join(v.strip().lower().split())), pl.String).alias("k"))
    bad = data.filter(pl.col("k").is_null())
    errors.append(_errors_frame(bad, "invalid_kind", "kind", pl.col("kind")))
    data = data.filter(pl.col("k").is_not_null())
    data = data.with_columns(_mapped(data["amount"], files.parse_amount, pl.Int64).alias("amt"))
    bad_amount = pl.col("amt").is_null() | (pl.col("amt") < 0) | ((pl.col("amt") == 0) & (pl.col("k") != K.GAGAL))
    errors.append(_errors_frame(data.filter(bad_amount), "invalid_amount", "amount", pl.col("amount")))
    data = data.filter(~bad_amount)
    data = data.with_columns(_mapped(data["date"], files.parse_date, pl.Date).alias("when"))
    errors.append(_errors_frame(data.filter(pl.col("when").is_null()), "invalid_date", "date", pl.col("date")))
    data = data.filter(pl.col("when").is_not_null())
    outside = (pl.col("when") < dist.starts_on) | ((pl.col("k") != K.RETUR) & (pl.col("when") > dist.ends_on))
    errors.append(_errors_frame(data.filter(outside), "date_outside", "date", pl.col("when").dt.strftime("%Y-%m-%d")))
    data = data.filter(~outside)
    prefix = f"{dist.pk}|"
    text = data.select(pl.concat_str([pl.lit(prefix), pl.col("entry_id").cast(pl.String), pl.lit("|"), pl.col("k"),
                                      pl.lit("|"), pl.col("when").dt.strftime("%Y-%m-%d"), pl.lit("|"),
                                      pl.col("amt").cast(pl.String), pl.lit("|"), pl.col("reference")]))
    sha = hashlib.sha256
    keys = pl.Series("key", [sha(t.encode()).hexdigest() for t in text.to_series().to_list()], pl.String)
    candidates = data.select(
        "row", pl.col("entry_id").cast(pl.Int64), pl.col("k").alias("kind"), pl.col("amt").alias("amount"),
        pl.col("when").alias("date"), "reason", "reference").with_columns(keys).sort("row")
    return rows, pl.concat(errors, how="vertical").cast(_ERROR_SCHEMA), candidates


def _chunks(candidates: pl.DataFrame, chunk_rows: int) -> list[tuple[int, int]]:
    """Entry-id ranges [lo, hi] of about `chunk_rows` rows each; a KPM's rows never straddle two."""
    if candidates.is_empty():
        return []
    per = candidates.group_by("entry_id").len().sort("entry_id")
    ranges, lo, count = [], None, 0
    for entry_id, n in per.iter_rows():
        if lo is None:
            lo = entry_id
        count += n
        if count >= chunk_rows:
            ranges.append((lo, entry_id))
            lo, count = None, 0
    if lo is not None:
        ranges.append((lo, int(per["entry_id"][-1])))
    return ranges


def _decide(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row joined with its KPM's state: the guard's code ("" = applies) and the state after it."""
    kind, amt = pl.col("kind"), pl.col("amount")
    paid, returned, entitled = pl.col("paid_amount"), pl.col("returned_amount"), pl.col("entitled")
    code = (pl.when(kind == K.SALUR).then(pl.when(paid > 0).then(pl.lit("paid_twice"))
                                          .when(amt != entitled).then(pl.lit("amount_mismatch")).otherwise(pl.lit("")))
            .when(kind == K.GAGAL).then(pl.when(paid > 0).then(pl.lit("failed_after_paid"))
                                        .when(pl.col("reason") == "").then(pl.lit("reason_missing"))
                                        .otherwise(pl.lit("")))
            .when(kind == K.REVERSAL).then(pl.when((paid < amt) | (paid == 0)).then(pl.lit("reversal_without_original"))
                                           .otherwise(pl.lit("")))
            .otherwise(pl.when(paid > 0).then(pl.lit("retur_paid"))
                       .when(returned + amt > entitled).then(pl.lit("retur_too_large")).otherwise(pl.lit(""))))
    return rows.with_columns(code.alias("code")).with_columns(
        pl.when(kind == K.SALUR).then(amt).when(kind == K.REVERSAL).then(paid - amt).otherwise(paid)
        .alias("new_paid"),
        pl.when(kind == K.RETUR).then(returned + amt).otherwise(returned).alias("new_returned"),
        pl.when(kind == K.SALUR).then(pl.lit("")).when(kind == K.GAGAL).then(pl.col("reason").str.slice(0, 40))
        .otherwise(pl.col("failed_reason")).alias("new_failed"))


class _State:
    """The in-memory ledger state of one entry for the row-by-row tail (`_apply`)."""

    __slots__ = ("amount", "failed_reason", "paid_amount", "returned_amount")

    def __init__(self, amount: int, paid: int, returned: int, failed: str) -> None:
        self.amount, self.paid_amount, self.returned_amount, self.failed_reason = amount, paid, returned, failed


def _apply_chunk(rows: pl.DataFrame, state: pl.DataFrame, known: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame, int,
                                                                                      pl.DataFrame]:
    """(applied lines, errors, unchanged count, changed entries) of one chunk's rows, in file order per KPM."""
    unchanged = rows.filter(pl.col("key").is_in(known.implode()))
    rows = rows.filter(~pl.col("key").is_in(known.implode())).sort("row").with_columns(
        pl.int_range(pl.len()).over("entry_id").alias("rank"))
    state = state.with_columns(pl.lit(False).alias("changed"))
    applied: list[pl.DataFrame] = []
    errors: list[pl.DataFrame] = []
    applied_keys = pl.Series("key", [], pl.String)
    rank = 0
    pending = rows
    while not pending.is_empty() and (rank < _ROUNDS or pending.height >= _ROUND_MIN):
        part = pending.filter(pl.col("rank") == rank)
        pending = pending.filter(pl.col("rank") > rank)
        rank += 1
        duplicate = part.filter(pl.col("key").is_in(applied_keys.implode()))
        errors.append(_errors_frame(duplicate, "duplicate_row", "ref", pl.lit("")))
        part = part.filter(~pl.col("key").is_in(applied_keys.implode()))
        decided = _decide(part.join(state, left_on="entry_id", right_on="id", how="inner"))
        for code in ("paid_twice", "amount_mismatch", "failed_after_paid", "reason_missing",
                     "reversal_without_original", "retur_paid", "retur_too_large"):
            errors.append(_errors_frame(decided.filter(pl.col("code") == code), code, _GUARD_FIELD.get(code, "kind"),
                                        pl.col("amount").cast(pl.String)))
        ok = decided.filter(pl.col("code") == "")
        if ok.is_empty():
            continue
        applied.append(ok.select(rows.columns[:-1]))
        applied_keys = pl.concat([applied_keys, ok["key"]])
        state = state.update(ok.select(pl.col("entry_id").alias("id"), pl.col("new_paid").alias("paid_amount"),
                                       pl.col("new_returned").alias("returned_amount"),
                                       pl.col("new_failed").alias("failed_reason"),
                                       pl.lit(True).alias("changed")), on="id")
    if not pending.is_empty():  # the tail: few rows of KPMs with many rows, one by one with the same rule
        tail_ids = set(pending["entry_id"].to_list())
        sub = state.filter(pl.col("id").is_in(list(tail_ids)))
        states = {i: _State(a, p, r, f) for i, a, p, r, f in sub.select(
            "id", "entitled", "paid_amount", "returned_amount", "failed_reason").iter_rows()}
        seen = set(applied_keys.to_list())
        ok_rows, bad_rows, touched = [], [], set()
        for record in pending.sort("row").iter_rows(named=True):
            if record["key"] in seen:
                bad_rows.append(_error(record["row"], "duplicate_row", "ref"))
                continue
            code = _apply(states[record["entry_id"]], record["kind"], record["amount"], record["reason"])
            if code:
                bad_rows.append(_error(record["row"], code, _GUARD_FIELD.get(code, "kind"), str(record["amount"])))
                continue
            seen.add(record["key"])
            touched.add(record["entry_id"])
            ok_rows.append({k: record[k] for k in rows.columns[:-1]})
        if bad_rows:
            errors.append(pl.DataFrame(bad_rows, schema=_ERROR_SCHEMA))
        if ok_rows:
            applied.append(pl.DataFrame(ok_rows, schema={k: rows.schema[k] for k in rows.columns[:-1]}))
            state = state.update(pl.DataFrame(
                [(i, s.paid_amount, s.returned_amount, s.failed_reason, True) for i, s in states.items()
                 if i in touched],
                schema={"id": pl.Int64, "paid_amount": pl.Int64, "returned_amount": pl.Int64,
                        "failed_reason": pl.String, "changed": pl.Boolean}, orient="row"), on="id")
    lines = pl.concat(applied, how="vertical") if applied else rows.clear().drop("rank")
    errs = pl.concat([e.cast(_ERROR_SCHEMA) for e in errors], how="vertical") if errors else pl.DataFrame(
        schema=_ERROR_SCHEMA)
    changed = state.filter(pl.col("changed")).select("id", "paid_amount", "returned_amount", "failed_reason")
    return lines, errs, unchanged.height, changed


def _load_mode(bulk: Bulk, rows: int) -> bool:
    """Large imports on PostgreSQL set the lines' foreign keys aside per chunk (ADR 0035)."""
    from django.conf import settings

    least = getattr(settings, "TEPAT_REALISATION_LOAD_MIN_ROWS", 100_000)
    return bulk.postgres and least > 0 and rows >= least


def _check_lines(lines: pl.DataFrame, state: pl.DataFrame) -> None:
    """The foreign key of the chunk's lines, set-based, while the constraints are set aside: every line's
    entry is one of the chunk's entries read in this transaction (the set-aside holds ACCESS EXCLUSIVE on
    the entries from before that read to the commit, so none can go away meanwhile; the import's own row,
    the lines' source, is locked FOR UPDATE). An orphan fails the chunk before anything of it is written;
    the VALIDATE after the last chunk is the database's own proof."""
    from django.db import IntegrityError

    orphans = lines.filter(~pl.col("entry_id").is_in(state["id"].implode())).height
    if orphans:
        raise IntegrityError(f"{orphans} realisation line(s) without their entry")


def _entries(bulk: Bulk, dist: Distribution, columns: str, where: str = "", params: tuple = ()) -> pl.DataFrame:
    sql = (f"SELECT {columns} FROM {ENTRY_TABLE} e JOIN {LIST_TABLE} l ON l.id = e.list_id "
           f"WHERE l.distribution_id = {bulk.uuid_param()} AND l.status <> 'superseded'{where}")
    return bulk.fetch(sql, [_dist_param(bulk, dist), *params],
                      types={"id": "int", "amount": "int", "entitled": "int", "paid_amount": "int",
                             "returned_amount": "int"})


def realisation_import(*, actor: Any, dist: Distribution, source: bytes | Path, file_name: str,
                       channel: Channel | None = None, mapping: dict[str, str] | None = None,
                       chunk_rows: int = CHUNK_ROWS) -> RealisationImport:
    import time

    clock = time.perf_counter()
    timings: Counter[str] = Counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] += now - clock
        clock = now

    ensure(actor, MANAGE, dist.region_code)
    ensure_open(Distribution.objects.get(pk=dist.pk))
    frame = files.read(source, file_name, kind="realisation", mapping=mapping)
    lap("read")
    if isinstance(source, bytes):
        sha = hashlib.sha256(source).hexdigest()
    else:
        digest = hashlib.sha256()
        with Path(source).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        sha = digest.hexdigest()
    bulk = Bulk()
    entries = _entries(bulk, dist, "e.id, e.kpm_ref, e.nik")
    lap("entries")
    rows, stateless, candidates = _prepare(frame, entries, dist)
    del frame, entries
    ranges = _chunks(candidates, chunk_rows)
    lap("prepare")
    with transaction.atomic():
        locked = Distribution.objects.select_for_update().get(pk=dist.pk)
        ensure_open(locked)
        imp = (RealisationImport.objects.select_for_update()
               .filter(distribution=dist, sha256=sha, status=RealisationImport.Status.RUNNING)
               .order_by("created_at").first())
        if imp is None:  # a new import (else: the same file again after a run killed half-way continues)
            imp = RealisationImport.objects.create(
                distribution=dist, channel=channel, file_name=file_name[:200], sha256=sha,
                status=RealisationImport.Status.RUNNING, chunks_total=len(ranges),
                created_by=actor if getattr(actor, "pk", None) else None)
    load = _load_mode(bulk, candidates.height)
    for chunk_no, (lo, hi) in enumerate(ranges):
        if chunk_no < imp.chunks_done:
            continue
        imp = _run_chunk(actor, bulk, dist, imp.pk, chunk_no, lo, hi, candidates, timings, load=load)
        lap("chunks")
    if load:  # the constraints each chunk added back NOT VALID: one scan, reads and writes go on
        with transaction.atomic():
            bulk.validate([c for c in bulk.foreign_keys([LINE_TABLE]) if c.definition.endswith(" NOT VALID")])
        lap("validate")
    imp = _finish(actor, dist, imp.pk, rows, stateless, channel, file_name)
    lap("finish")
    imp.timings = {k: round(v, 2) for k, v in timings.items()}  # not stored: for the benchmark's breakdown
    return imp


def _run_chunk(actor: Any, bulk: Bulk, dist: Distribution, imp_id: Any, chunk_no: int, lo: int, hi: int,
               candidates: pl.DataFrame, timings: Counter[str], *, load: bool = False) -> RealisationImport:
    import time

    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] += now - clock
        clock = now

    rows = candidates.filter(pl.col("entry_id").is_between(lo, hi))
    with transaction.atomic():
        locked = Distribution.objects.select_for_update().get(pk=dist.pk)
        ensure_open(locked)
        imp = RealisationImport.objects.select_for_update().get(pk=imp_id)
        if imp.chunks_done > chunk_no:  # another runner committed it
            return imp
        bulk.relax_commit()  # a lost chunk (server crash) is applied again by the rerun, never half of one
        # Load mode: the lines' foreign keys set aside for this transaction (DDL: a kill or an error
        # puts them back as they were), the chunk's lines checked by `_check_lines`, then added back
        # NOT VALID (still enforced for every later write) and validated once after the last chunk.
        constraints = bulk.foreign_keys([LINE_TABLE]) if load else []
        if constraints:
            bulk.set_aside([], constraints)
            lap("chunk_set_aside")
        state = _entries(bulk, dist, "e.id, e.amount AS entitled, e.paid_amount, e.returned_amount, e.failed_reason",
                         " AND e.id BETWEEN %s AND %s", (lo, hi))
        known = bulk.fetch(f"SELECT key FROM {LINE_TABLE} WHERE entry_id BETWEEN %s AND %s", [lo, hi])["key"]
        lap("chunk_read")
        lines, errors, unchanged, changed = _apply_chunk(rows, state, known)
        lap("chunk_guards")
        if constraints:
            _check_lines(lines, state)
        bulk.insert(LINE_TABLE, lines.sort("key").select(  # in key order: the unique index fills page by page
            "entry_id", pl.lit(imp.pk.hex).alias("source_id"), "row", "kind", "amount", "date",
            pl.col("reason").str.slice(0, 40), pl.col("reference").str.slice(0, 60), "key"))
        lap("chunk_insert_lines")
        if constraints:
            bulk.restore([], constraints, validate=False)
            lap("chunk_restore_keys")
        bulk.update(ENTRY_TABLE, changed)
        lap("chunk_update_entries")
        imp.applied += lines.height
        imp.unchanged += unchanged
        imp.errors = [*imp.errors, *errors.to_dicts()]
        imp.chunks_done = chunk_no + 1
        imp.save(update_fields=["applied", "unchanged", "errors", "chunks_done", "updated_at"])
        audit_record(actor=actor, action="distribution.realisation_import_batch", target=imp,
                     region_code=dist.region_code,
                     data={"chunk": chunk_no + 1, "chunks": imp.chunks_total, "entries": [lo, hi],
                           "rows": rows.height, "applied": lines.height, "unchanged": unchanged,
                           "rejected": errors.height, "entries_changed": changed.height,
                           "errors": dict(Counter(errors["code"].to_list()))})
        _chunk_hook(chunk_no)
        lap("chunk_checkpoint_audit")
    lap("chunk_commit")
    return imp


def _finish(actor: Any, dist: Distribution, imp_id: Any, rows: int, stateless: pl.DataFrame,
            channel: Channel | None, file_name: str) -> RealisationImport:
    with transaction.atomic():
        imp = RealisationImport.objects.select_for_update().get(pk=imp_id)
        if imp.status == RealisationImport.Status.DONE:
            return imp
        errors = sorted([*stateless.to_dicts(), *imp.errors], key=lambda e: e["row"])
        imp.rows, imp.rejected, imp.errors = rows, len(errors), errors
        imp.status = RealisationImport.Status.DONE
        imp.save(update_fields=["rows", "rejected", "errors", "status", "updated_at"])
        audit_record(actor=actor, action="distribution.realisation_import", target=imp, region_code=dist.region_code,
                     data={"file": file_name[:200], "sha256": imp.sha256, "rows": rows, "applied": imp.applied,
                           "unchanged": imp.unchanged, "rejected": len(errors),
                           "errors": dict(Counter(e["code"] for e in errors)),
                           "channel": channel.code if channel else "", "chunks": imp.chunks_total})
    return imp


def _apply(entry: Any, kind: str, amount: int, reason: str) -> str:
    """Apply one fact to the entry's state in memory; the error code when it may not be applied (the same
    rule as `_decide`, for the row-by-row tail)."""
    if kind == K.SALUR:
        if entry.paid_amount > 0:
            return "paid_twice"
        if amount != entry.amount:
            return "amount_mismatch"
        entry.paid_amount, entry.failed_reason = amount, ""
    elif kind == K.GAGAL:
        if entry.paid_amount > 0:
            return "failed_after_paid"
        if not reason:
            return "reason_missing"
        entry.failed_reason = reason[:40]
    elif kind == K.REVERSAL:
        if entry.paid_amount < amount or entry.paid_amount == 0:
            return "reversal_without_original"
        entry.paid_amount -= amount
    elif kind == K.RETUR:
        if entry.paid_amount > 0:
            return "retur_paid"
        if entry.returned_amount + amount > entry.amount:
            return "retur_too_large"
        entry.returned_amount += amount
    return ""


@transaction.atomic
def returns_import(*, actor: Any, dist: Distribution, source: bytes | Path, file_name: str,
                   channel: Channel | None = None, mapping: dict[str, str] | None = None) -> dict[str, Any]:
    """The channel's own returns (e.g. PT Pos sends back records it could not find): each matched KPM goes
    to its village's "dikembalikan untuk dilengkapi" queue; unmatched rows are reported."""
    from datetime import timedelta

    ensure(actor, MANAGE, dist.region_code)
    ensure_open(dist)
    frame = files.read(source, file_name, kind="returns", mapping=mapping)
    entries = list(current_entries(dist).select_related("list"))
    by_ref = {e.kpm_ref: e for e in entries}
    by_nik = {e.nik: e for e in entries if e.nik}
    open_families = set(ReturnItem.objects.filter(distribution=dist, status=ReturnItem.Status.OPEN)
                        .values_list("family_id", flat=True))
    deadline = timezone.localdate() + timedelta(days=dist.return_deadline_days)
    errors, items, unchanged = [], [], 0
    for row, ref, nik, reason in frame.iter_rows():
        if not (ref or nik):
            continue
        entry = by_ref.get((ref or "").strip().upper()) or (by_nik.get((nik or "").strip()) if not ref else None)
        if entry is None:
            errors.append(_error(row, "unknown_ref", "ref" if ref else "nik", ref or ""))
            continue
        if entry.family_id in open_families:
            unchanged += 1
            continue
        open_families.add(entry.family_id)
        items.append(ReturnItem(distribution=dist, family_id=entry.family_id, channel=channel or entry.list.channel,
                                kpm_ref=entry.kpm_ref, region_code=entry.region_code,
                                source=ReturnItem.Source.CHANNEL, reasons="channel_return",
                                detail=(reason or "")[:300], deadline=deadline))
    ReturnItem.objects.bulk_create(items)
    audit_record(actor=actor, action="distribution.return_import", target=dist, region_code=dist.region_code,
                 data={"file": file_name[:200], "queued": len(items), "unchanged": unchanged, "rejected": len(errors)})
    return {"queued": len(items), "unchanged": unchanged, "errors": errors}


# ---- the return queue -----------------------------------------------------------------------------


@transaction.atomic
def return_resolve(*, actor: Any, item: ReturnItem, action: str, note: str = "") -> ReturnItem:
    """`complete` (the village completed the record; it rejoins the next version) or `drop`."""
    from tepat.audit.transitions import transition

    ensure(actor, COMPLETE, item.region_code)
    ensure_open(item.distribution)
    if action not in ("complete", "drop"):
        raise ValueError(action)
    if action == "drop" and not note.strip():
        from tepat.distribution.services.common import refuse

        raise refuse("required", "note", "alasan wajib diisi", "a reason is required")
    return transition(item, action, actor=actor, region_code=item.region_code, reason=note.strip()[:500],
                      updates={"resolved_by": actor if getattr(actor, "pk", None) else None,
                               "resolved_at": timezone.now(), "resolution_note": note.strip()},
                      data={"kpm_ref": item.kpm_ref, "reasons": item.reasons})


# ---- reconciliation -------------------------------------------------------------------------------


_GROUP_KEYS = ("entitled", "entitled_amount", "delivered", "delivered_amount", "not_delivered", "paid", "paid_amount",
               "failed", "returned_amount", "pending")
_RECON_INTS = ("amount", "paid_amount", "returned_amount", "receipt_amount")


def _reconciliation_frame(entries) -> pl.DataFrame:
    """The scoped entries with their receipt, in one query (the queryset's own SQL, so the region scope is
    the one of `scoped`), read columnar (`Bulk.fetch`: COPY on PostgreSQL)."""
    from django.core.exceptions import EmptyResultSet
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    names = ["kpm_ref", "region_code", "channel", "family_id", "amount", "paid_amount", "returned_amount",
             "failed_reason", "outcome", "receipt_reason", "receipt_amount"]
    qs = entries.order_by().annotate(receipt_amount=Coalesce("receipt__amount", Value(0))).values_list(
        "kpm_ref", "region_code", "list__channel_id", "family_id", "amount", "paid_amount", "returned_amount",
        "failed_reason", "receipt__outcome", "receipt__reason", "receipt_amount")
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # no region in scope: nothing to read
        return pl.DataFrame(schema={n: pl.Int64 if n in _RECON_INTS else pl.String for n in names})
    frame = Bulk().fetch(sql, params)
    frame.columns = names
    return frame.with_columns([pl.col(c).cast(pl.Int64, strict=False).fill_null(0) for c in _RECON_INTS])


def reconciliation(*, actor: Any, dist: Distribution) -> dict[str, Any]:
    """Per village and channel: entitled, delivered (receipts), paid (realisation), failed, returned;
    and the discrepancies, each with the KPM reference. Set-based: one read of the scoped entries with
    their receipts, the families whose every member died as one grouped query, the rest in polars."""
    from django.db.models import Count, Q, Subquery

    _is_district_reader(actor, dist)  # 403 without VIEW, 404 with nothing of the tahap in scope
    entries = scoped(actor, current_entries(dist))
    data = _reconciliation_frame(entries)
    dead = list(Individual.objects.filter(family_id__in=Subquery(entries.values("family_id")))
                .values("family_id").annotate(alive=Count("pk", filter=~Q(presence=Presence.DIED)))
                .filter(alive=0).values_list("family_id", flat=True))
    dead_hex = [d.hex for d in dead]
    outcome, paid, amount = pl.col("outcome"), pl.col("paid_amount"), pl.col("amount")
    received = outcome.is_in(["full", "partly"])
    has_receipt = outcome != ""
    failed = pl.col("failed_reason") != ""
    data = data.with_columns(
        pl.col("family_id").str.replace_all("-", "", literal=True).is_in(dead_hex).alias("dead"))
    groups = data.group_by("region_code", "channel").agg(
        pl.len().alias("entitled"), amount.sum().alias("entitled_amount"),
        received.sum().alias("delivered"), pl.when(received).then(pl.col("receipt_amount")).otherwise(0).sum()
        .alias("delivered_amount"),
        (has_receipt & ~received).sum().alias("not_delivered"), (paid > 0).sum().alias("paid"),
        paid.sum().alias("paid_amount"), ((paid <= 0) & failed).sum().alias("failed"),
        pl.col("returned_amount").sum().alias("returned_amount"),
        (~has_receipt & (paid == 0) & ~failed).sum().alias("pending"),
    ).sort("region_code", "channel")
    rows = [{"village": g["region_code"], "channel": g["channel"], **{k: int(g[k]) for k in _GROUP_KEYS}}
            for g in groups.iter_rows(named=True)]
    checks = [
        ("paid_after_death", (paid > 0) & (pl.col("dead") | (pl.col("receipt_reason") == "deceased")),
         pl.lit("tersalur padahal penerima meninggal"), pl.lit("paid although the recipient died")),
        ("paid_not_received", (paid > 0) & (outcome == "none"),
         pl.lit("tercatat tersalur di bank/Pos, tetapi tanda terima: tidak tersalur"),
         pl.lit("paid according to the channel, but the receipt says not delivered")),
        ("amount_differs", received & (paid != 0) & (pl.col("receipt_amount") != paid),
         pl.format("diterima Rp {}, tersalur Rp {}", "receipt_amount", "paid_amount"),
         pl.format("received Rp {}, paid Rp {}", "receipt_amount", "paid_amount")),
        ("not_returned", failed & (paid == 0) & (pl.col("returned_amount") < amount),
         pl.format("gagal salur, belum diretur Rp {}", amount - pl.col("returned_amount")),
         pl.format("failed, Rp {} not yet returned", amount - pl.col("returned_amount"))),
    ]
    found = [data.filter(cond).select(
        "kpm_ref", pl.col("region_code").alias("village"), "channel", pl.lit(code).alias("code"),
        id_text.alias("message"), en_text.alias("message_en"), pl.lit(order).alias("_order"))
        for order, (code, cond, id_text, en_text) in enumerate(checks)]
    discrepancies = (pl.concat(found, how="vertical").sort("village", "kpm_ref", "_order").drop("_order").to_dicts()
                     if found else [])
    for imp in RealisationImport.objects.filter(distribution=dist).order_by("created_at"):
        for err in imp.errors:
            if err["code"] in ("unknown_ref", "paid_twice", "amount_mismatch"):
                discrepancies.append({"kpm_ref": err.get("value", ""), "village": "", "channel": imp.channel_id or "",
                                      "code": err["code"], "message": f"{imp.file_name} baris {err['row']}: "
                                      f"{err['message']}", "message_en": f"{imp.file_name} row {err['row']}: "
                                      f"{err['message_en']}"})
    totals = {k: sum(r[k] for r in rows) for k in _GROUP_KEYS} if rows else {}
    return {"rows": rows, "totals": totals, "discrepancies": discrepancies}


def _is_district_reader(actor: Any, dist: Distribution) -> bool:
    """Village readers see their villages' part (scoped rows); everyone needs VIEW."""
    from tepat.accounts.access import actor_can, actor_in_scope
    from tepat.core.actors import is_system
    from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError

    if is_system(actor):
        return False
    if not actor_can(actor, VIEW):
        raise PermissionDeniedError()
    if actor_in_scope(actor, dist.region_code):
        return True
    if not scoped(actor, current_entries(dist)).exists():
        raise ObjectNotFound()
    return False
