"""The offline field app's distribution part (issue 14 item 7): what a distributor's device downloads to
record receipts without a connection, and the batch upload of the receipts it recorded.

Download (`field_download`): the entries of the open (or close-requested) distributions in the actor's
regions, current list versions only (never a superseded one, as `selectors.entry_by_ref`), paged by
keyset on the entry id. An entry still awaiting distribution carries only what the receipt needs: the
pseudonymous reference, the name, village, RT/RW, address, the NIK as the reader may see it
(`tepat.registry.masking.identity`) and the amount; an entry already met carries its reference and status
only (the device shows "already received", nothing more). The first page adds the distributions
(programme, tahap, last day) and the catalogues (not-delivered reasons, who collected). Every page is one
`personal_data.view` event. Needs the receipt capability: a device downloads only what it may record.

Upload (`field_receipts_upload`): each item carries its own `client_id` (idempotency per item, the same
`item_replay`/`item_remember` as the visits), the KPM reference, the receipt as the API's `ReceiptIn`, the
invitation's QR text when one was scanned, and files `photo:<client_id>` (photos, the letter of authority
among them), `signature:<client_id>` (the PNG drawn on screen). Each is applied in its own transaction
through `receipt_record_with_files` (audited) and reported as ok / error / conflict. A KPM that already has
a receipt is a conflict with the server's receipt and the item as sent: never overwritten. A scanned
invitation must be genuine, unexpired on the day received and of this KPM, programme and tahap; its single
scan is recorded (`invitation_scan` with the device's time) in the same transaction. An invitation already
scanned at the desk does not refuse the receipt: the one-receipt-per-entry rule is the single-use guard.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import ensure_capability
from tepat.accounts.idempotency import item_client_id, item_remember, item_replayed
from tepat.core.exceptions import ApplicationError, BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.distribution import selectors as sel
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.services import INVALID, invitation_scan
from tepat.distribution.models import Distribution, DistributionEntry, DistributionList, Receipt
from tepat.distribution.services.common import RECEIPT, scoped
from tepat.distribution.services.evidence import MAX_PHOTOS, receipt_record_with_files
from tepat.distribution.services.receipts import REASONS
from tepat.registry import masking
from tepat.registry.selectors import personal_data_viewed
from tepat.updates.sync import error_result

OPEN = (Distribution.Status.OPEN, Distribution.Status.CLOSE_REQUESTED)
MAX_LIMIT = 1000
MAX_ITEMS = 20
PATH = "distribution/field/receipts"


def _bad(code: str, field: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, field, id_text, en_text)])


def field_download(*, actor: Any, cursor: str = "", limit: int = 500) -> dict[str, Any]:
    ensure_capability(actor=actor, capability=RECEIPT)
    try:
        after = int(cursor or 0)
    except ValueError:
        raise _bad("invalid_cursor", "cursor", "Kursor tidak sah", "Invalid cursor") from None
    limit = min(max(int(limit), 1), MAX_LIMIT)
    entries = (scoped(actor, DistributionEntry.objects.filter(list__distribution__status__in=OPEN))
               .exclude(list__status=DistributionList.Status.SUPERSEDED))
    page = list(entries.filter(id__gt=after).select_related("list").order_by("id")[:limit + 1])
    more, page = len(page) > limit, page[:limit]
    rows = []
    for e in page:
        row = {"kpm_ref": e.kpm_ref, "distribution_id": str(e.list.distribution_id), "village": e.region_code,
               "status": e.status}
        if e.status == DistributionEntry.Status.PENDING:
            row.update(name=e.name, rt=e.rt, rw=e.rw, address=e.address, nik=masking.identity(actor, e.nik),
                       amount=e.amount)
        rows.append(row)
    people = sum(1 for r in rows if "name" in r)
    if people:
        personal_data_viewed(actor=actor, kind="distribution_field_download", count=people)
    out: dict[str, Any] = {"entries": rows, "cursor": str(page[-1].id) if page else str(after), "has_more": more}
    if not after:
        out["distributions"] = [
            {"id": str(d.pk), "programme": d.programme_code, "tahap": d.tahap, "region": d.region_code,
             "starts_on": d.starts_on.isoformat(), "ends_on": d.ends_on.isoformat(), "status": d.status}
            for d in sel.distributions_visible(actor).filter(status__in=OPEN)[:50]]
        out["reasons"] = [{"code": code, "name_id": pair[0], "name_en": pair[1]} for code, pair in REASONS.items()]
        out["collectors"] = [{"code": c.value, "label": str(c.label)} for c in Receipt.Collector]
        out["max_photos"] = MAX_PHOTOS
    return out


# --- upload ------------------------------------------------------------------------------------------------


def _hash(item: dict[str, Any], files: list[Any]) -> str:
    digest = hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode())
    for upload in files:
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def _when(value: Any) -> datetime:
    if not value:
        return timezone.now()
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise _bad("invalid", "receipt.received_at", "waktu tidak valid (ISO 8601)", "time is not ISO 8601") from None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _check_invitation(entry: DistributionEntry, token: str, when: datetime) -> None:
    """The scanned invitation is genuine, unexpired on the day received, and this KPM's for this tahap."""
    try:
        payload = signing.verify(token, today=timezone.localdate(when))
    except signing.InvitationTokenError as error:
        raise _bad(f"invitation_{error.code}", "token", error.id_text, error.en_text) from None
    dist = entry.list.distribution
    if (payload.kpm_ref, payload.programme, payload.tahap) != (entry.kpm_ref, dist.programme_code, dist.tahap):
        raise _bad("invitation_mismatch", "token", "Undangan ini bukan untuk KPM dan tahap ini",
                   "This invitation is not for this KPM and tahap")


def _receipt_out(receipt: Receipt) -> dict[str, Any]:
    return {"outcome": receipt.outcome, "amount": receipt.amount, "collector": receipt.collector,
            "reason": receipt.reason, "received_at": receipt.received_at.isoformat(),
            "officer": receipt.officer.get_username(), "device": receipt.device}


def _conflict(client_id: str, existing: Receipt, entry: DistributionEntry, data: dict[str, Any]) -> dict[str, Any]:
    return {"client_id": client_id, "status": "conflict", "code": "already_received", "field": None,
            "message": {"id": "Tanda terima KPM ini sudah dicatat di server; tidak ditimpa",
                        "en": "This KPM's receipt is already on the server; not overwritten"},
            "current": _receipt_out(existing), "sent": {"kpm_ref": entry.kpm_ref, **data}}


def field_receipts_upload(*, actor: Any, items: list[Any], files: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Apply each receipt on its own and report each (see the module text)."""
    ensure_capability(actor=actor, capability=RECEIPT)
    if len(items) > MAX_ITEMS:
        raise _bad("too_many", "items", f"paling banyak {MAX_ITEMS} tanda terima per kiriman",
                   f"at most {MAX_ITEMS} receipts per batch")
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        client_id, refused = item_client_id(item, index, seen)
        if refused:
            results.append(refused)
            continue
        key = f"field-receipt:{client_id}"
        entry, data = None, {}
        photos = list(files.get(f"photo:{client_id}", []))
        signatures = list(files.get(f"signature:{client_id}", []))
        try:
            body_hash = _hash(item, photos + signatures)
            replayed = item_replayed(actor, key, PATH, body_hash, client_id=client_id, index=index,
                                     noun=("tanda terima", "receipt"))
            if replayed is not None:
                results.append(replayed)
                continue
            if len(signatures) > 1:
                raise _bad("too_many", "signature", "satu tanda tangan per tanda terima", "one signature per receipt")
            entry = sel.entry_by_ref(actor=actor, kpm_ref=str(item.get("kpm_ref") or ""))
            data = item.get("receipt") if isinstance(item.get("receipt"), dict) else {}
            existing = Receipt.objects.select_related("officer").filter(entry=entry).first()
            if existing is not None:
                results.append(_conflict(client_id, existing, entry, data))
                continue
            when = _when(data.get("received_at"))
            token = str(item.get("token") or "").strip()
            with transaction.atomic():
                if token:
                    _check_invitation(entry, token, when)
                receipt = receipt_record_with_files(actor=actor, entry=entry, data={**data, "received_at": when},
                                                    photos=photos, signature=signatures[0] if signatures else None)
                verdict = ""
                if token:
                    scan = invitation_scan(actor=actor, token=token, device=str(data.get("device") or ""),
                                           offline_at=min(when, timezone.now()))
                    if scan.verdict == INVALID:  # checked above; a key revoked in between
                        raise _bad(f"invitation_{scan.reason}", "token", scan.message_id, scan.message_en)
                    verdict = scan.verdict
                result = {"client_id": client_id, "status": "ok", "receipt_id": str(receipt.pk),
                          "kpm_ref": entry.kpm_ref, "outcome": receipt.outcome, "amount": receipt.amount,
                          "gps_flag": receipt.gps_flag, "files": len(photos) + len(signatures),
                          "invitation": verdict}
                item_remember(actor, key, PATH, body_hash, result)
            results.append(result)
        except BusinessRuleViolation as exc:  # recorded by someone else between the check and the lock
            existing = (Receipt.objects.select_related("officer").filter(entry=entry).first()
                        if entry is not None else None)
            results.append(_conflict(client_id, existing, entry, data) if existing is not None
                           else error_result(client_id, exc))
        except ApplicationError as exc:
            result = error_result(client_id, exc)
            if isinstance(exc, ValidationFailed) and exc.issues and exc.issues[0].field == "token":
                result["code"] = exc.issues[0].code  # invitation_expired, invitation_mismatch, …
            results.append(result)
    return results
