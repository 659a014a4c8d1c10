"""The set-based realisation import at its edges: 0, 1 and 2 rows, every row bad, every row the same, a rerun,
the vectorised rounds and the row-by-row tail agreeing, chunks of whole KPMs (one batch audit event each),
and a run killed inside a chunk's transaction continued by importing the same file again."""

from __future__ import annotations

import pytest
from django.db import transaction

from conftest import assert_audited
from tepat.audit.models import AuditEvent
from tepat.distribution.models import DistributionEntry, RealisationImport, RealisationLine
from tepat.distribution.services import realisation
from tepat.distribution.services.realisation import realisation_import, reconciliation

pytestmark = pytest.mark.django_db

HEADER = "ID_KPM;NIK;STATUS;NOMINAL;TANGGAL;ALASAN;NO_TRANSAKSI"


def _csv(rows) -> bytes:
    return ("\n".join([HEADER] + [";".join(map(str, r)) for r in rows]) + "\n").encode()


def _entries(dlist):
    return list(dlist.entries.order_by("id"))


def _state(dist) -> dict:
    return {
        "lines": sorted(RealisationLine.objects.filter(entry__list__distribution=dist).values_list(
            "entry_id", "row", "kind", "amount", "date", "reason", "reference", "key")),
        "entries": sorted(DistributionEntry.objects.filter(list__distribution=dist).values_list(
            "id", "paid_amount", "returned_amount", "failed_reason")),
    }


def _summary(imp: RealisationImport) -> tuple:
    return imp.rows, imp.applied, imp.unchanged, imp.rejected, imp.errors, imp.status


def _mixed(entries) -> list[tuple]:
    """Several rows for some KPMs (file order matters), bad rows of every stateless kind, a duplicate."""
    a, b, c, *rest = entries
    rows = [
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1"),
        (a.kpm_ref, "", "REVERSAL", a.amount, "2026-02-11", "salah rekening", "R1"),
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-12", "", "T2"),
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-13", "", "T3"),  # paid twice
        (a.kpm_ref, "", "REVERSAL", a.amount * 2, "2026-02-14", "", "R2"),  # larger than paid
        (b.kpm_ref, "", "GAGAL", 0, "2026-02-10", "rekening pasif", "G1"),
        (b.kpm_ref, "", "RETUR", b.amount // 2, "2026-03-01", "", "X1"),
        (b.kpm_ref, "", "RETUR", b.amount, "2026-03-02", "", "X2"),  # more than remains
        (b.kpm_ref, "", "RETUR", b.amount - b.amount // 2, "2026-03-03", "", "X3"),
        (b.kpm_ref, "", "SALUR", b.amount + 5, "2026-03-04", "", "T4"),  # amount differs
        (c.kpm_ref, "", "SALUR", c.amount, "2026-02-10", "", "T5"),
        (c.kpm_ref, "", "SALUR", c.amount, "2026-02-10", "", "T5"),  # the same row again
        (c.kpm_ref, "", "GAGAL", 0, "2026-02-15", "x", "G2"),  # failed after paid
        (c.kpm_ref, "", "RETUR", 1000, "2026-03-01", "", "X4"),  # retur of paid money
        ("KZZZZZZZZZZZ", "", "SALUR", 1, "2026-02-10", "", "U1"),
        ("", "9999999999999999", "SALUR", 1, "2026-02-10", "", "U2"),
        (c.kpm_ref, "", "BAYAR", c.amount, "2026-02-10", "", "K1"),
        (c.kpm_ref, "", "SALUR", "seratus", "2026-02-10", "", "A1"),
        (c.kpm_ref, "", "SALUR", c.amount, "31/02/2026", "", "D1"),
        (c.kpm_ref, "", "SALUR", c.amount, "2025-12-01", "", "D2"),
        ("", "", "", "", "", "", ""),  # blank: not a row
    ]
    rows += [(e.kpm_ref, "", "SALUR", e.amount, "2026-02-20", "", f"S{i}") for i, e in enumerate(rest)]
    return rows


EXPECTED_CODES = [(5, "paid_twice"), (6, "reversal_without_original"), (9, "retur_too_large"),
                  (11, "amount_mismatch"), (13, "duplicate_row"), (14, "failed_after_paid"), (15, "retur_paid"),
                  (16, "unknown_ref"), (17, "unknown_ref"), (18, "invalid_kind"), (19, "invalid_amount"),
                  (20, "invalid_date"), (21, "date_outside")]


def test_zero_rows(world, dlist):
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=(HEADER + "\n").encode(),
                             file_name="kosong.csv")
    assert (imp.rows, imp.applied, imp.rejected, imp.status, imp.chunks_total) == (0, 0, 0, "done", 0)
    assert not RealisationLine.objects.exists()
    assert_audited("distribution.realisation_import", actor=world.op, target=imp)


def test_one_row_and_two_rows(world, dlist):
    a, b, *_ = _entries(dlist)
    one = realisation_import(actor=world.op, dist=dlist.distribution, file_name="1.csv",
                             source=_csv([(a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1")]))
    assert (one.rows, one.applied, one.rejected) == (1, 1, 0)
    assert DistributionEntry.objects.get(pk=a.pk).paid_amount == a.amount
    two = realisation_import(actor=world.op, dist=dlist.distribution, file_name="2.csv", source=_csv([
        (b.kpm_ref, "", "SALUR", b.amount, "2026-02-10", "", "T2"),
        ("", b.nik, "SALUR", b.amount, "2026-02-11", "", "T3")]))  # the same KPM by NIK: paid twice
    assert (two.rows, two.applied, two.rejected) == (2, 1, 1)
    assert [(e["row"], e["code"], e["field"]) for e in two.errors] == [(3, "paid_twice", "kind")]


def test_every_row_bad_is_reported_and_nothing_applied(world, dlist):
    a, *_ = _entries(dlist)
    before = _state(dlist.distribution)
    rows = [("KZZZZZZZZZZ" + str(i % 10), "", "SALUR", 1000, "2026-02-10", "", f"T{i}") for i in range(30)]
    rows += [(a.kpm_ref, "", "SALUR", a.amount + 1, "2026-02-10", "", "M1"), (a.kpm_ref, "", "?", 1, "x", "", "")]
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(rows), file_name="buruk.csv")
    assert (imp.rows, imp.applied, imp.rejected) == (32, 0, 32)
    assert [e["row"] for e in imp.errors] == list(range(2, 34))
    assert {e["code"] for e in imp.errors} == {"unknown_ref", "amount_mismatch", "invalid_kind"}
    assert all(e["message"] and e["message_en"] and e["field"] for e in imp.errors)
    assert _state(dlist.distribution) == before


def test_every_row_the_same_applies_once(world, dlist):
    a, *_ = _entries(dlist)
    rows = [(a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1")] * 600  # past the vectorised rounds
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(rows), file_name="sama.csv")
    assert (imp.rows, imp.applied, imp.rejected) == (600, 1, 599)
    assert {e["code"] for e in imp.errors} == {"duplicate_row"}
    assert RealisationLine.objects.count() == 1


def test_mixed_file_each_row_reported_and_rerun_changes_nothing(world, dlist):
    entries = _entries(dlist)
    data = _csv(_mixed(entries))
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=data, file_name="campur.csv")
    assert [(e["row"], e["code"]) for e in imp.errors] == EXPECTED_CODES
    a, b, c = (DistributionEntry.objects.get(pk=e.pk) for e in entries[:3])
    assert a.paid_amount == a.amount
    assert (b.paid_amount, b.failed_reason, b.returned_amount) == (0, "rekening pasif", b.amount)
    assert c.paid_amount == c.amount
    state = _state(dlist.distribution)
    again = realisation_import(actor=world.op, dist=dlist.distribution, source=data, file_name="campur.csv")
    # Every applied fact is found again, and so is the in-file copy of one (row 13): nothing is applied.
    assert (again.applied, again.unchanged, again.rejected) == (0, imp.applied + 1, imp.rejected - 1)
    assert _state(dlist.distribution) == state
    rec = reconciliation(actor=world.op, dist=dlist.distribution)
    assert rec["totals"]["paid"] == len(entries) - 1 and rec["totals"]["failed"] == 1


@pytest.mark.parametrize(("rounds", "round_min"), [(0, 0), (0, 10**9), (4, 256)],
                         ids=["all-vectorised", "all-row-by-row", "default"])
def test_vectorised_rounds_and_row_by_row_tail_agree(world, dlist, monkeypatch, rounds, round_min):
    monkeypatch.setattr(realisation, "_ROUNDS", rounds)
    monkeypatch.setattr(realisation, "_ROUND_MIN", round_min)
    entries = _entries(dlist)
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(_mixed(entries)),
                             file_name="campur.csv")
    assert [(e["row"], e["code"]) for e in imp.errors] == EXPECTED_CODES
    assert imp.applied == 7 + len(entries) - 3


def test_chunks_of_whole_kpms_each_audited(world, dlist):
    entries = _entries(dlist)
    seq = AuditEvent.objects.filter(action="distribution.realisation_import_batch").count()
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(_mixed(entries)),
                             file_name="campur.csv", chunk_rows=3)
    assert imp.chunks_total > 2 and imp.chunks_done == imp.chunks_total
    assert [(e["row"], e["code"]) for e in imp.errors] == EXPECTED_CODES
    batches = AuditEvent.objects.filter(action="distribution.realisation_import_batch").order_by("seq")[seq:]
    assert [b.data["chunk"] for b in batches] == list(range(1, imp.chunks_total + 1))
    assert sum(b.data["applied"] for b in batches) == imp.applied


class Killed(BaseException):
    """Stands for SIGKILL inside a chunk's transaction (not an Exception: nothing may catch it)."""


def test_killed_half_way_continues_to_the_state_of_an_uninterrupted_run(world, dlist, monkeypatch):
    dist = dlist.distribution
    data = _csv(_mixed(_entries(dlist)))
    with transaction.atomic():  # the uninterrupted run, then rolled back
        clean = realisation_import(actor=world.op, dist=dist, source=data, file_name="r.csv", chunk_rows=3)
        reference, reference_summary = _state(dist), _summary(clean)
        transaction.set_rollback(True)
    assert not RealisationLine.objects.exists()

    def kill(chunk_no: int) -> None:
        if chunk_no == 2:
            raise Killed

    monkeypatch.setattr(realisation, "_chunk_hook", kill)
    with pytest.raises(Killed):
        realisation_import(actor=world.op, dist=dist, source=data, file_name="r.csv", chunk_rows=3)
    half = RealisationImport.objects.get()
    assert (half.status, half.chunks_done) == ("running", 2) and half.chunks_total > 3
    assert 0 < RealisationLine.objects.count() < len(reference["lines"])

    monkeypatch.setattr(realisation, "_chunk_hook", lambda chunk_no: None)
    resumed = realisation_import(actor=world.op, dist=dist, source=data, file_name="r.csv", chunk_rows=3)
    assert resumed.pk == half.pk and RealisationImport.objects.count() == 1
    assert _state(dist) == reference and _summary(resumed) == reference_summary

    again = realisation_import(actor=world.op, dist=dist, source=data, file_name="r.csv", chunk_rows=3)
    assert again.pk != half.pk and again.applied == 0 and _state(dist) == reference


# ---- load mode (PostgreSQL): the lines' foreign keys set aside per chunk, checked set-based ---------


def _line_foreign_keys() -> list[tuple[str, bool]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
                       "ORDER BY 1", [RealisationLine._meta.db_table])
        return cursor.fetchall()


@pytest.fixture
def channels(regions):
    """A transactional test's flush also removes the channels seeded by migration: seed them again."""
    from django.apps import apps

    from tepat.distribution.channels import seed_channels

    seed_channels(apps)


def _postgres_only() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("load mode is PostgreSQL only (SQLite keeps foreign keys inside the table definition)")


@pytest.mark.django_db(transaction=True)
def test_load_mode_gives_the_same_result_with_the_foreign_keys_back_and_validated(channels, world, dlist, settings):
    _postgres_only()
    before = _line_foreign_keys()
    assert len(before) == 2 and all(valid for _, valid in before)
    settings.TEPAT_REALISATION_LOAD_MIN_ROWS = 1
    entries = _entries(dlist)
    seq = AuditEvent.objects.filter(action="distribution.realisation_import_batch").count()
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(_mixed(entries)),
                             file_name="campur.csv", chunk_rows=3)
    assert imp.chunks_total > 2 and imp.chunks_done == imp.chunks_total
    assert [(e["row"], e["code"]) for e in imp.errors] == EXPECTED_CODES
    assert imp.applied == 7 + len(entries) - 3
    batches = AuditEvent.objects.filter(action="distribution.realisation_import_batch").order_by("seq")[seq:]
    assert sum(b.data["applied"] for b in batches) == imp.applied
    assert_audited("distribution.realisation_import", actor=world.op, target=imp)
    assert _line_foreign_keys() == before  # the same constraints, validated again
    state = _state(dlist.distribution)
    again = realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(_mixed(entries)),
                               file_name="campur.csv", chunk_rows=3)
    assert again.applied == 0 and again.unchanged >= imp.applied and _state(dlist.distribution) == state

    from django.db import IntegrityError

    missing = max(e.pk for e in entries) + 1000
    with pytest.raises(IntegrityError), transaction.atomic():  # an orphan line is still refused
        RealisationLine.objects.create(entry_id=missing, source=imp, row=1, kind="salur", amount=1,
                                       date="2026-02-10", key="x" * 64)
    assert not RealisationLine.objects.filter(entry_id=missing).exists()


@pytest.mark.django_db(transaction=True)
def test_load_mode_chunk_with_an_orphan_line_fails_and_leaves_nothing(channels, world, dlist, settings, monkeypatch):
    import polars as pl
    from django.db import IntegrityError

    _postgres_only()
    settings.TEPAT_REALISATION_LOAD_MIN_ROWS = 1
    entries = _entries(dlist)
    missing = max(e.pk for e in entries) + 1000
    original = realisation._apply_chunk

    def orphaned(rows, state, known):  # a bug that writes a line for an entry that does not exist
        lines, errors, unchanged, changed = original(rows, state, known)
        return lines.with_columns(pl.lit(missing, dtype=pl.Int64).alias("entry_id")), errors, unchanged, changed

    monkeypatch.setattr(realisation, "_apply_chunk", orphaned)
    with pytest.raises(IntegrityError):
        realisation_import(actor=world.op, dist=dlist.distribution, source=_csv(_mixed(entries)),
                           file_name="campur.csv", chunk_rows=3)
    assert not RealisationLine.objects.exists()
    assert RealisationImport.objects.get().chunks_done == 0
    assert list(DistributionEntry.objects.filter(list=dlist).values_list("paid_amount", flat=True)) == [0] * len(entries)
    fks = _line_foreign_keys()
    assert len(fks) == 2 and all(valid for _, valid in fks)
