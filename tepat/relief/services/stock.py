"""Relief stock: warehouses, receipts (donations, purchases), issues to an event's recipients, transfers,
returns and stock-takes, written to the append-only ledger with the balance rows locked.

Concurrency: every operation locks the balance rows it changes (`select_for_update`, in a fixed order: the
lots' ids) before reading their quantity, so two issues from the same stock run one after the other and the
second sees what the first left. The database refuses a negative balance (CHECK constraint) as a last guard.
Issues and transfers take the lots by expiry date, earliest first, lots without an expiry last, and skip lots
already expired on the day of the movement (FIFO by expiry). A refusal names the available balance in
Indonesian and English and changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction as A
from tepat.audit.services import audit_record
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.relief.actions import ensure_event_action
from tepat.relief.models import (
    DisasterEvent,
    IntakeHousehold,
    IntakePerson,
    ReliefItem,
    StockBalance,
    StockLot,
    StockMovement,
    Warehouse,
)
from tepat.relief.services.common import a_date, positive_int, raise_if, reference, text

C = Capability
K = StockMovement.Kind
RECEIPT_KINDS = {"donation": K.RECEIPT_DONATION, "purchase": K.RECEIPT_PURCHASE}


@dataclass(frozen=True, slots=True)
class Taken:
    lot: StockLot
    quantity: int
    balance_after: int


def _item(code_or_item: Any, issues: list[Issue], field: str = "item") -> ReliefItem | None:
    if isinstance(code_or_item, ReliefItem):
        return code_or_item
    item = ReliefItem.objects.filter(code=str(code_or_item or "").strip(), active=True).first()
    if item is None:
        issues.append(Issue("choice", field, f"barang '{code_or_item}' tidak ada di katalog",
                            f"item '{code_or_item}' is not in the catalogue"))
    return item


def _stock_permission(actor: Any, warehouse: Warehouse) -> None:
    ensure_permission(actor=actor, capability=C.RELIEF_STOCK, region_code=warehouse.region_id)


def _locked_balances(warehouse: Warehouse, item: ReliefItem) -> list[StockBalance]:
    """The warehouse's balance rows of `item`, locked, in FIFO order (earliest expiry first, none last)."""
    rows = list(StockBalance.objects.select_for_update().filter(warehouse=warehouse, item=item)
                .select_related("lot").order_by("lot_id"))  # lock in one fixed order
    return sorted(rows, key=lambda b: (b.lot.expires_on is None, b.lot.expires_on or date.max, b.lot.created_at,
                                       b.lot_id))


def _usable(balance: StockBalance, on: date) -> bool:
    return balance.quantity > 0 and (balance.lot.expires_on is None or balance.lot.expires_on >= on)


def _refuse_beyond(item: ReliefItem, warehouse: Warehouse, wanted: int, available: int, expired: int) -> None:
    extra_id = f" (ditambah {expired} {item.unit} kedaluwarsa yang tidak dapat dikeluarkan)" if expired else ""
    extra_en = f" (plus {expired} {item.unit} expired, which cannot be issued)" if expired else ""
    raise BusinessRuleViolation(
        f"Stok tidak cukup: saldo {item.name} di {warehouse.name} {available} {item.unit}{extra_id}, diminta "
        f"{wanted} / Not enough stock: the balance of {item.name} at {warehouse.name} is {available} {item.unit}"
        f"{extra_en}, {wanted} requested",
        extra={"item": item.code, "warehouse": warehouse.code, "balance": available, "requested": wanted,
               "expired": expired})


def _take_fifo(warehouse: Warehouse, item: ReliefItem, quantity: int, on: date) -> list[Taken]:
    """Take `quantity` from the locked balances, earliest expiry first; refuse (changing nothing) beyond them."""
    balances = _locked_balances(warehouse, item)
    usable = [b for b in balances if _usable(b, on)]
    available = sum(b.quantity for b in usable)
    if quantity > available:
        expired = sum(b.quantity for b in balances if b.quantity > 0 and not _usable(b, on))
        _refuse_beyond(item, warehouse, quantity, available, expired)
    taken: list[Taken] = []
    left = quantity
    for balance in usable:
        if not left:
            break
        part = min(left, balance.quantity)
        balance.quantity -= part
        balance.save(update_fields=["quantity", "updated_at"])
        taken.append(Taken(balance.lot, part, balance.quantity))
        left -= part
    return taken


def _add(warehouse: Warehouse, lot: StockLot, quantity: int) -> int:
    """Add to (or create) the locked balance row of `lot`; returns the new balance."""
    balance = StockBalance.objects.select_for_update().filter(warehouse=warehouse, lot=lot).first()
    if balance is None:
        balance, _created = StockBalance.objects.get_or_create(warehouse=warehouse, lot=lot,
                                                               defaults={"item": lot.item})
        balance = StockBalance.objects.select_for_update().get(pk=balance.pk)
    StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity)
    balance.refresh_from_db(fields=["quantity"])
    return balance.quantity


def _lot(item: ReliefItem, lot_code: str, expires_on: date | None, ref: str, issues: list[Issue]) -> StockLot | None:
    code = lot_code or ref
    lot = StockLot.objects.filter(item=item, code=code).first()
    if lot is None:
        return StockLot.objects.create(item=item, code=code, expires_on=expires_on)
    if lot.expires_on != expires_on:
        issues.append(Issue("lot_expiry", "expires_on",
                            f"lot {code} sudah tercatat dengan tanggal kedaluwarsa {lot.expires_on or '-'}",
                            f"lot {code} is already recorded with expiry date {lot.expires_on or '-'}"))
        return None
    return lot


def _ledger(ref: str, kind: str, warehouse: Warehouse, lot: StockLot, quantity: int, balance_after: int,
            on: date, actor: Any, **extra: Any) -> StockMovement:
    return StockMovement.objects.create(reference=ref, kind=kind, warehouse=warehouse, item=lot.item, lot=lot,
                                        quantity=quantity, balance_after=balance_after, occurred_on=on,
                                        actor=actor if getattr(actor, "pk", None) else None, **extra)


def _lines(movements: list[StockMovement]) -> list[dict[str, Any]]:
    return [{"lot": m.lot.code, "quantity": m.quantity, "balance_after": m.balance_after} for m in movements]


# ---- warehouses ---------------------------------------------------------------------------------------------

@transaction.atomic
def warehouse_create(*, actor: Any, code: str, name: str, region_code: str, address: str = "") -> Warehouse:
    ensure_permission(actor=actor, capability=C.RELIEF_STOCK, region_code=region_code or "-")
    issues: list[Issue] = []
    code = text(code, "code", "Kode gudang", "Warehouse code", issues, required=True, max_length=40).lower()
    name = text(name, "name", "Nama gudang", "Warehouse name", issues, required=True, max_length=150)
    address = text(address, "address", "Alamat", "Address", issues)
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        issues.append(Issue("region", "region_code", f"wilayah '{region_code}' tidak dikenal",
                            f"unknown region '{region_code}'"))
    if code and Warehouse.objects.filter(code=code).exists():
        issues.append(Issue("unique", "code", f"kode gudang '{code}' sudah dipakai", f"warehouse code '{code}' is taken"))
    raise_if(issues)
    warehouse = Warehouse.objects.create(code=code, name=name, region=region, address=address)
    audit_record(actor=actor, action=A.RELIEF_WAREHOUSE_CREATE, target=warehouse, region_code=region.code,
                 data={"code": code, "name": name})
    return warehouse


# ---- receipts -----------------------------------------------------------------------------------------------

@transaction.atomic
def stock_receive(*, actor: Any, warehouse: Warehouse, item: Any, quantity: Any, kind: str, occurred_on: Any,
                  source: str, lot_code: str = "", expires_on: Any = None, document: str = "",
                  unit_price: Any = None, note: str = "") -> list[StockMovement]:
    """A receipt: a donation (source = the donor) or a purchase (source = the supplier, unit price in rupiah)."""
    _stock_permission(actor, warehouse)
    issues: list[Issue] = []
    relief_item = _item(item, issues)
    qty = positive_int(quantity, "quantity", "Jumlah", "Quantity", issues)
    movement_kind = RECEIPT_KINDS.get(kind)
    if movement_kind is None:
        issues.append(Issue("choice", "kind", "jenis penerimaan harus 'donation' (sumbangan) atau 'purchase' "
                            "(pembelian)", "the receipt kind must be 'donation' or 'purchase'"))
    on = a_date(occurred_on, "occurred_on", "Tanggal terima", "Date received", issues)
    expiry = a_date(expires_on, "expires_on", "Tanggal kedaluwarsa", "Expiry date", issues, required=False,
                    not_future=False)
    source = text(source, "source", "Donatur / pemasok", "Donor / supplier", issues, required=True, max_length=150)
    document = text(document, "document", "Nomor dokumen", "Document number", issues, max_length=100)
    note = text(note, "note", "Catatan", "Note", issues)
    lot_code = text(lot_code, "lot_code", "Kode lot", "Lot code", issues, max_length=60)
    price = None
    if unit_price not in (None, ""):
        price = positive_int(unit_price, "unit_price", "Harga satuan (Rp)", "Unit price (IDR)", issues, allow_zero=True)
    if movement_kind == K.RECEIPT_PURCHASE and price is None:
        issues.append(Issue("required", "unit_price", "harga satuan wajib diisi untuk pembelian",
                            "the unit price is required for a purchase"))
    raise_if(issues)
    ref = reference("TRM")
    lot = _lot(relief_item, lot_code, expiry, ref, issues)
    raise_if(issues)
    balance = _add(warehouse, lot, qty)
    movement = _ledger(ref, movement_kind, warehouse, lot, qty, balance, on, actor, source=source, document=document,
                       unit_price=price, note=note)
    audit_record(actor=actor, action=A.RELIEF_STOCK_RECEIVE, target=warehouse, region_code=warehouse.region_id,
                 data={"reference": ref, "kind": movement_kind, "item": relief_item.code, "quantity": qty,
                       "lot": lot.code, "expires_on": expiry.isoformat() if expiry else None, "source": source,
                       "document": document, "unit_price": price, "balance_after": balance})
    return [movement]


# ---- issues -------------------------------------------------------------------------------------------------

@transaction.atomic
def stock_issue(*, actor: Any, warehouse: Warehouse, item: Any, quantity: Any, event: DisasterEvent,
                household: IntakeHousehold, person: IntakePerson | None = None, occurred_on: Any = None,
                document: str = "", note: str = "") -> list[StockMovement]:
    """Issue `quantity` of an item to a household (and optionally one of its persons) of an open event, FIFO
    by expiry. Refused beyond the usable balance, naming it."""
    _stock_permission(actor, warehouse)
    ensure_event_action(actor, event, "issue")
    issues: list[Issue] = []
    relief_item = _item(item, issues)
    qty = positive_int(quantity, "quantity", "Jumlah", "Quantity", issues)
    on = a_date(occurred_on or timezone.localdate(), "occurred_on", "Tanggal keluar", "Date issued", issues)
    if household.event_id != event.pk:
        issues.append(Issue("household", "household", "rumah tangga bukan dari kejadian ini",
                            "the household is not of this event"))
    if person is not None and person.household_id != household.pk:
        issues.append(Issue("person", "person", "orang ini bukan anggota rumah tangga tersebut",
                            "this person is not of that household"))
    document = text(document, "document", "Nomor BAST", "Handover record number", issues, max_length=100)
    note = text(note, "note", "Catatan", "Note", issues)
    raise_if(issues)
    ensure_permission(actor=actor, capability=C.RELIEF_STOCK, region_code=household.region_id)
    ref = reference("KLR")
    taken = _take_fifo(warehouse, relief_item, qty, on)
    movements = [_ledger(ref, K.ISSUE, warehouse, t.lot, -t.quantity, t.balance_after, on, actor, event=event,
                         household=household, person=person, document=document, note=note) for t in taken]
    audit_record(actor=actor, action=A.RELIEF_STOCK_ISSUE, target=warehouse, region_code=household.region_id,
                 data={"reference": ref, "item": relief_item.code, "quantity": qty, "event": event.reference,
                       "household": household.reference, "person": str(person.pk) if person else None,
                       "lines": _lines(movements)})
    return movements


# ---- transfers ----------------------------------------------------------------------------------------------

@transaction.atomic
def stock_transfer(*, actor: Any, source: Warehouse, destination: Warehouse, item: Any, quantity: Any,
                   occurred_on: Any = None, document: str = "", note: str = "") -> list[StockMovement]:
    """Move stock between two warehouses in the actor's regions, lot by lot (FIFO by expiry); the lots and
    their expiry dates travel with it."""
    _stock_permission(actor, source)
    _stock_permission(actor, destination)
    issues: list[Issue] = []
    if source.pk == destination.pk:
        issues.append(Issue("same", "destination", "gudang tujuan sama dengan gudang asal",
                            "the destination is the source warehouse"))
    relief_item = _item(item, issues)
    qty = positive_int(quantity, "quantity", "Jumlah", "Quantity", issues)
    on = a_date(occurred_on or timezone.localdate(), "occurred_on", "Tanggal", "Date", issues)
    document = text(document, "document", "Nomor dokumen", "Document number", issues, max_length=100)
    note = text(note, "note", "Catatan", "Note", issues)
    raise_if(issues)
    ref = reference("PND")
    first, second = source, destination  # both warehouses locked, in pk order: no crossed transfers deadlock
    list(Warehouse.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")
         .values_list("pk", flat=True))
    movements: list[StockMovement] = []
    for part in _take_fifo(source, relief_item, qty, on):
        movements.append(_ledger(ref, K.TRANSFER_OUT, source, part.lot, -part.quantity, part.balance_after, on, actor,
                                 counterpart=destination, document=document, note=note))
        after = _add(destination, part.lot, part.quantity)
        movements.append(_ledger(ref, K.TRANSFER_IN, destination, part.lot, part.quantity, after, on, actor,
                                 counterpart=source, document=document, note=note))
    audit_record(actor=actor, action=A.RELIEF_STOCK_TRANSFER, target=source, region_code=source.region_id,
                 data={"reference": ref, "item": relief_item.code, "quantity": qty, "to": destination.code,
                       "lines": _lines(movements)})
    return movements


# ---- returns ------------------------------------------------------------------------------------------------

@transaction.atomic
def stock_return(*, actor: Any, warehouse: Warehouse, issue_reference: str, quantity: Any, occurred_on: Any = None,
                 note: str = "") -> list[StockMovement]:
    """Goods given back (unused, undelivered) against an earlier issue: into the lots they left from, latest
    expiry first, never more than was issued under that reference less what already came back."""
    _stock_permission(actor, warehouse)
    issues: list[Issue] = []
    qty = positive_int(quantity, "quantity", "Jumlah", "Quantity", issues)
    on = a_date(occurred_on or timezone.localdate(), "occurred_on", "Tanggal", "Date", issues)
    note = text(note, "note", "Catatan", "Note", issues)
    issued = list(StockMovement.objects.filter(reference=(issue_reference or "").strip(), kind=K.ISSUE,
                                               warehouse=warehouse).select_related("lot", "event", "household"))
    if not issued:
        issues.append(Issue("unknown", "issue_reference", f"pengeluaran '{issue_reference}' tidak ditemukan di gudang "
                            "ini", f"issue '{issue_reference}' not found at this warehouse"))
    raise_if(issues)
    first = issued[0]
    returned = dict(StockMovement.objects.filter(kind=K.RETURN, warehouse=warehouse, document=first.reference)
                    .values_list("lot_id").annotate(total=Sum("quantity")))
    open_by_lot = []
    for line in sorted(issued, key=lambda m: (m.lot.expires_on is None, m.lot.expires_on or date.max), reverse=True):
        left = -line.quantity - returned.get(line.lot_id, 0)
        if left > 0:
            open_by_lot.append((line.lot, left))
    returnable = sum(left for _lot_, left in open_by_lot)
    if qty > returnable:
        raise BusinessRuleViolation(
            f"Jumlah retur melebihi yang dikeluarkan: paling banyak {returnable} {first.item.unit} / The return "
            f"exceeds what was issued: at most {returnable} {first.item.unit}",
            extra={"returnable": returnable, "requested": qty})
    ref = reference("RTR")
    movements: list[StockMovement] = []
    left = qty
    for lot, open_qty in open_by_lot:
        if not left:
            break
        part = min(left, open_qty)
        after = _add(warehouse, lot, part)
        movements.append(_ledger(ref, K.RETURN, warehouse, lot, part, after, on, actor, event=first.event,
                                 household=first.household, document=first.reference, note=note))
        left -= part
    audit_record(actor=actor, action=A.RELIEF_STOCK_RETURN, target=warehouse, region_code=warehouse.region_id,
                 data={"reference": ref, "issue": first.reference, "item": first.item.code, "quantity": qty,
                       "lines": _lines(movements)})
    return movements


# ---- stock-take ---------------------------------------------------------------------------------------------

@transaction.atomic
def stock_take(*, actor: Any, warehouse: Warehouse, counts: dict[Any, Any], reason: str, occurred_on: Any = None,
               ) -> list[StockMovement]:
    """A stock-take (stock opname): the counted quantity per lot id; every difference becomes an adjustment
    line. Lots not counted are left as they are. Refused whole when one count is invalid."""
    _stock_permission(actor, warehouse)
    issues: list[Issue] = []
    reason = text(reason, "reason", "Alasan / berita acara", "Reason / record", issues, required=True)
    on = a_date(occurred_on or timezone.localdate(), "occurred_on", "Tanggal", "Date", issues)
    if not counts:
        issues.append(Issue("required", "counts", "isi minimal satu hitungan", "enter at least one count"))
    lot_ids = [key for key in (str(k) for k in (counts or {})) if _is_uuid(key)]
    balances = {str(b.lot_id): b for b in StockBalance.objects.select_for_update().filter(
        warehouse=warehouse, lot_id__in=lot_ids).select_related("lot", "item").order_by("lot_id")}
    wanted: dict[str, int] = {}
    for lot_id, counted in (counts or {}).items():
        key = str(lot_id)
        if key not in balances:
            issues.append(Issue("unknown_lot", f"counts.{key}", f"lot {key} tidak ada di gudang ini",
                                f"lot {key} is not held at this warehouse"))
            continue
        wanted[key] = positive_int(counted, f"counts.{key}", f"Hitungan lot {balances[key].lot.code}",
                                   f"Count of lot {balances[key].lot.code}", issues, allow_zero=True)
    raise_if(issues)
    ref = reference("OPN")
    movements: list[StockMovement] = []
    for key, counted in sorted(wanted.items()):
        balance = balances[key]
        difference = counted - balance.quantity
        if not difference:
            continue
        balance.quantity = counted
        balance.save(update_fields=["quantity", "updated_at"])
        movements.append(_ledger(ref, K.ADJUSTMENT, warehouse, balance.lot, difference, counted, on, actor,
                                 note=reason[:250]))
    audit_record(actor=actor, action=A.RELIEF_STOCK_TAKE, target=warehouse, region_code=warehouse.region_id,
                 data={"reference": ref, "reason": reason, "counted": len(wanted),
                       "lines": [{"item": m.item.code, **line} for m, line in zip(movements, _lines(movements),
                                                                                   strict=True)]})
    return movements


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def stock_available(warehouse: Warehouse, item: ReliefItem, on: date | None = None) -> int:
    """The usable (not expired) balance of an item at a warehouse."""
    on = on or timezone.localdate()
    return StockBalance.objects.filter(warehouse=warehouse, item=item).filter(
        Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=on)).aggregate(total=Sum("quantity"))["total"] or 0


__all__ = ["ValidationFailed", "stock_available", "stock_issue", "stock_receive", "stock_return", "stock_take",
           "stock_transfer", "warehouse_create"]
