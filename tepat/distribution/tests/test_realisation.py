"""Receipts (each outcome and reason), the realisation import (every bad-row code, reversal, retur, rerun
idempotency, double-payment guard), reconciliation, the two-person close and the lock."""

from __future__ import annotations

import pytest

from conftest import DISTRICT, assert_audited, audit_seq
from tepat.core.exceptions import BusinessRuleViolation, PermissionDeniedError, ValidationFailed
from tepat.distribution.models import DistributionEntry, RealisationLine, Receipt, ReturnItem
from tepat.distribution.services.close import close_approve, close_refuse, close_request
from tepat.distribution.services.realisation import realisation_import, reconciliation, returns_import
from tepat.distribution.services.receipts import REASONS, receipt_record

pytestmark = pytest.mark.django_db


def _entries(dlist):
    return list(dlist.entries.order_by("id"))


def _csv(rows):
    lines = ["ID_KPM;NIK;STATUS;NOMINAL;TANGGAL;ALASAN;NO_TRANSAKSI"] + [";".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode()


# ---- receipts -------------------------------------------------------------------------------------


def test_receipt_full_by_self_moves_the_entry(world, dlist, village_operator):
    e = _entries(dlist)[0]
    receipt = receipt_record(actor=village_operator, entry=e, data={
        "outcome": "full", "collector": "self", "latitude": "-6.12", "longitude": "106.15", "accuracy_m": 8,
        "signature": "M0 0 L10 10", "device": "HP-01", "photos": ["a.jpg"]})
    assert DistributionEntry.objects.get(pk=e.pk).status == "delivered" and receipt.amount == e.amount
    assert receipt.gps_flag == ""  # no village centroid data yet: flag only when the data allows
    assert_audited("distribution_entry.receipt", actor=village_operator, target=e)


def test_receipt_partly_needs_a_smaller_amount(world, dlist, village_operator):
    e = _entries(dlist)[0]
    with pytest.raises(ValidationFailed):
        receipt_record(actor=village_operator, entry=e, data={"outcome": "partly", "collector": "self",
                                                             "amount": e.amount})
    receipt_record(actor=village_operator, entry=e, data={"outcome": "partly", "collector": "kk_member",
                                                         "collector_name": "Siti", "amount": e.amount // 2})
    assert DistributionEntry.objects.get(pk=e.pk).status == "partly"


def test_authorised_collector_needs_a_letter(world, dlist, village_operator):
    e = _entries(dlist)[0]
    seq = audit_seq()
    with pytest.raises(ValidationFailed) as err:
        receipt_record(actor=village_operator, entry=e, data={"outcome": "full", "collector": "authorised",
                                                             "collector_name": "Tetangga"})
    assert "authority_letter" in {i.field for i in err.value.issues}
    assert audit_seq() == seq and not Receipt.objects.exists()
    receipt_record(actor=village_operator, entry=e, data={"outcome": "full", "collector": "authorised",
                                                         "collector_name": "Tetangga", "authority_letter": "SK-1"})


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_not_delivered_with_each_catalogue_reason(world, dlist, village_operator, reason):
    e = _entries(dlist)[0]
    receipt_record(actor=village_operator, entry=e, data={"outcome": "none", "reason": reason})
    assert DistributionEntry.objects.get(pk=e.pk).status == "not_delivered"


def test_not_delivered_without_reason_or_twice_is_refused(world, dlist, village_operator):
    e = _entries(dlist)[0]
    with pytest.raises(ValidationFailed):
        receipt_record(actor=village_operator, entry=e, data={"outcome": "none", "reason": "lost"})
    receipt_record(actor=village_operator, entry=e, data={"outcome": "none", "reason": "absent"})
    with pytest.raises(BusinessRuleViolation):
        receipt_record(actor=village_operator, entry=e, data={"outcome": "full", "collector": "self"})


def test_receipt_refused_outside_scope_or_role(world, dlist, other_village_operator, auditor):
    from tepat.core.exceptions import ObjectNotFound

    e = next(x for x in _entries(dlist) if x.region_code == "36.04.05.2001")
    with pytest.raises(ObjectNotFound):
        receipt_record(actor=other_village_operator, entry=e, data={"outcome": "none", "reason": "absent"})
    with pytest.raises(PermissionDeniedError):
        receipt_record(actor=auditor, entry=e, data={"outcome": "none", "reason": "absent"})
    assert not Receipt.objects.exists()


def test_gps_far_from_the_village_is_flagged_not_refused(world, dlist, village_operator):
    from tepat.distribution.services import receipts

    entries = [e for e in _entries(dlist) if e.region_code == "36.04.05.2001"]
    assert len(entries) >= 2
    old = receipts.CENTROID_MIN_RECEIPTS
    receipts.CENTROID_MIN_RECEIPTS = 1
    try:
        receipt_record(actor=village_operator, entry=entries[0], data={
            "outcome": "full", "collector": "self", "latitude": "-6.12", "longitude": "106.15", "accuracy_m": 10})
        far = receipt_record(actor=village_operator, entry=entries[1], data={
            "outcome": "full", "collector": "self", "latitude": "-7.50", "longitude": "110.40", "accuracy_m": 10})
    finally:
        receipts.CENTROID_MIN_RECEIPTS = old
    assert far.gps_flag == "outside_village"


# ---- realisation ----------------------------------------------------------------------------------


def test_realisation_rows_each_reported_and_rerun_changes_nothing(world, dlist):
    a, b, *rest = _entries(dlist)
    c = rest[0]
    rows = [
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1"),
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-11", "", "T2"),  # paid twice
        (b.kpm_ref, "", "SALUR", b.amount + 1, "2026-02-10", "", "T3"),  # amount mismatch
        ("KZZZZZZZZZZZ", "", "SALUR", 1000, "2026-02-10", "", "T4"),  # unknown reference
        (c.kpm_ref, "", "GAGAL", 0, "2025-12-31", "tidak ditemukan", "T5"),  # date outside
        (c.kpm_ref, "", "REVERSAL", c.amount, "2026-02-12", "", "T6"),  # reversal without original
        (c.kpm_ref, "", "BAYAR", c.amount, "2026-02-12", "", "T7"),  # unknown kind
        (c.kpm_ref, "", "GAGAL", 0, "2026-02-12", "", "T8"),  # reason missing
        ("", b.nik, "GAGAL", 0, "2026-02-13", "rekening pasif", "T9"),  # by NIK
        ("", b.nik, "RETUR", b.amount, "2026-12-31", "", "T10"),  # retur after the failure
    ]
    data = _csv(rows)
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=data, file_name="real.csv")
    codes = [(e["row"], e["code"]) for e in imp.errors]
    assert codes == [(3, "paid_twice"), (4, "amount_mismatch"), (5, "unknown_ref"), (6, "date_outside"),
                     (7, "reversal_without_original"), (8, "invalid_kind"), (9, "reason_missing")]
    assert all(e["message"] and e["message_en"] for e in imp.errors)
    assert (imp.rows, imp.applied, imp.rejected) == (10, 3, 7)
    assert DistributionEntry.objects.get(pk=a.pk).paid_amount == a.amount
    b2 = DistributionEntry.objects.get(pk=b.pk)
    assert b2.failed_reason == "rekening pasif" and b2.returned_amount == b.amount and b2.paid_amount == 0
    assert_audited("distribution.realisation_import", actor=world.op, target=imp)
    lines = RealisationLine.objects.count()
    again = realisation_import(actor=world.op, dist=dlist.distribution, source=data, file_name="real.csv")
    assert again.applied == 0 and again.unchanged == 3 and RealisationLine.objects.count() == lines
    assert DistributionEntry.objects.get(pk=a.pk).paid_amount == a.amount


def test_reversal_then_payment_again(world, dlist):
    a = _entries(dlist)[0]
    realisation_import(actor=world.op, dist=dlist.distribution, file_name="1.csv",
                       source=_csv([(a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1")]))
    imp = realisation_import(actor=world.op, dist=dlist.distribution, file_name="2.csv", source=_csv([
        (a.kpm_ref, "", "REVERSAL", a.amount, "2026-02-11", "salah rekening", "R1"),
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-12", "", "T2")]))
    assert imp.applied == 2 and not imp.errors
    assert DistributionEntry.objects.get(pk=a.pk).paid_amount == a.amount
    retur = realisation_import(actor=world.op, dist=dlist.distribution, file_name="3.csv", source=_csv([
        (a.kpm_ref, "", "RETUR", a.amount, "2026-03-01", "", "X")]))
    assert [e["code"] for e in retur.errors] == ["retur_paid"]


def test_realisation_xlsx_with_mapping(world, dlist, tmp_path):
    import xlsxwriter

    a = _entries(dlist)[0]
    path = tmp_path / "bank.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for col, value in enumerate(["Kode KPM", "Status", "Nominal", "Tanggal"]):
        sheet.write_string(0, col, value)
    for col, value in enumerate([a.kpm_ref, "sukses", str(a.amount), "10/02/2026"]):
        sheet.write_string(1, col, value)
    book.close()
    imp = realisation_import(actor=world.op, dist=dlist.distribution, source=path.read_bytes(), file_name="bank.xlsx",
                             mapping={"Kode KPM": "ref"})
    assert imp.applied == 1, imp.errors


def test_realisation_refused_for_wrong_role(world, dlist, village_operator):
    a = _entries(dlist)[0]
    with pytest.raises(PermissionDeniedError):
        realisation_import(actor=village_operator, dist=dlist.distribution, file_name="x.csv",
                           source=_csv([(a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1")]))
    assert not RealisationLine.objects.exists()


def test_channel_returns_go_to_the_queue(world, dlist):
    a = _entries(dlist)[0]
    data = f"ID_KPM;ALASAN\n{a.kpm_ref};alamat tidak ditemukan\nKNOTKNOWN234;x\n".encode()
    out = returns_import(actor=world.op, dist=dlist.distribution, source=data, file_name="retur-pos.csv")
    assert out["queued"] == 1 and [e["code"] for e in out["errors"]] == ["unknown_ref"]
    item = ReturnItem.objects.get(kpm_ref=a.kpm_ref)
    assert item.source == "channel" and item.region_code == a.region_code


# ---- reconciliation and close ---------------------------------------------------------------------


def test_reconciliation_lists_discrepancies(world, dlist, village_operator):
    a, b, *_ = _entries(dlist)
    receipt_record(actor=village_operator, entry=a, data={"outcome": "none", "reason": "absent"})
    realisation_import(actor=world.op, dist=dlist.distribution, file_name="r.csv", source=_csv([
        (a.kpm_ref, "", "SALUR", a.amount, "2026-02-10", "", "T1"),
        (b.kpm_ref, "", "GAGAL", 0, "2026-02-10", "rekening pasif", "T2"),
        ("KZZZZZZZZZZZ", "", "SALUR", 5, "2026-02-10", "", "T3")]))
    rec = reconciliation(actor=world.op, dist=dlist.distribution)
    codes = {d["code"] for d in rec["discrepancies"]}
    assert {"paid_not_received", "not_returned", "unknown_ref"} <= codes
    assert rec["totals"]["entitled"] == dlist.entry_count and rec["totals"]["paid"] == 1
    assert rec["totals"]["failed"] == 1


def test_two_person_close_locks_the_tahap(world, dlist, dinsos_supervisor, village_operator, make_user):
    dist = dlist.distribution
    close_request(actor=dinsos_supervisor, dist=dist)
    seq = audit_seq()
    with pytest.raises(BusinessRuleViolation):
        close_approve(actor=dinsos_supervisor, dist=dist)  # the same person
    assert audit_seq() == seq
    dist.refresh_from_db()
    assert dist.status == "close_requested"
    with pytest.raises(PermissionDeniedError):
        close_approve(actor=world.op, dist=dist)  # an operator may not close
    second = make_user("dinsos_supervisor", [DISTRICT], "spv_kedua")
    closed = close_approve(actor=second, dist=dist)
    assert closed.status == "closed" and closed.closed_by == second
    assert_audited("distribution.close", actor=second, target=dist)
    e = _entries(dlist)[0]
    with pytest.raises(BusinessRuleViolation):
        receipt_record(actor=village_operator, entry=e, data={"outcome": "none", "reason": "absent"})
    with pytest.raises(BusinessRuleViolation):
        realisation_import(actor=world.op, dist=dist, file_name="x.csv",
                           source=_csv([(e.kpm_ref, "", "SALUR", e.amount, "2026-02-10", "", "T1")]))


def test_close_refused_goes_back_to_open(world, dlist, dinsos_supervisor):
    dist = dlist.distribution
    close_request(actor=world.op, dist=dist)
    with pytest.raises(ValidationFailed):
        close_refuse(actor=dinsos_supervisor, dist=dist, note="")
    reopened = close_refuse(actor=dinsos_supervisor, dist=dist, note="retur belum lengkap")
    assert reopened.status == "open"
    assert_audited("distribution.reopen", actor=dinsos_supervisor, target=dist)
