"""A receipt's photos and signature as uploaded images (issue 11 part 4), from the page and the JSON API.

Bounded before anything reads them (ADR 0009): the size against `TEPAT_UPLOAD_LIMITS["receipt_image"]`
(`tepat.core.uploads.ensure_upload_size`, 5 MB by default), then the type by extension *and* content
(JPEG or PNG only: `tepat.updates.services.documents.check_upload(images_only=True)`, the project's one
allow-list), read at most to the limit. Stored in the default storage under distribution/receipts/ with
their SHA-256, one `ReceiptFile` each; at most `MAX_PHOTOS` photos and one signature per receipt. All files
of one call are checked before any is stored: one bad file refuses them all, nothing changes. Audited
`distribution_receipt.file_add` per file, in the same transaction.

`receipt_record_with_files` records the receipt and its files in one transaction (the page's form)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tepat.audit.services import audit_record
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import ensure_upload_size
from tepat.distribution.models import DistributionEntry, Receipt
from tepat.distribution.models_followup import ReceiptFile
from tepat.distribution.services.common import RECEIPT, ensure, ensure_open
from tepat.distribution.services.receipts import receipt_record
from tepat.updates.services.documents import check_upload

MAX_PHOTOS = 5
K = ReceiptFile.Kind


def _checked(uploads: Sequence[Any], field: str) -> tuple[list[Any], list[Issue]]:
    checked, issues = [], []
    for upload in uploads:
        try:
            ensure_upload_size("receipt_image", getattr(upload, "size", 0) or 0, field=field)
            checked.append(check_upload(upload, field=field, images_only=True))
        except ValidationFailed as exc:
            name = str(getattr(upload, "name", "") or "?")[:80]
            issues += [Issue(i.code, i.field, f"{name}: {i.id}", f"{name}: {i.en}", params=i.params)
                       for i in exc.issues]
    return checked, issues


@transaction.atomic
def receipt_files_add(*, actor: Any, receipt: Receipt, photos: Sequence[Any] = (), signature: Any = None
                      ) -> list[ReceiptFile]:
    """Attach photos and/or the signature image to a recorded receipt (see the module text)."""
    entry = DistributionEntry.objects.select_related("list__distribution").get(pk=receipt.entry_id)
    ensure(actor, RECEIPT, entry.region_code)
    ensure_open(entry.list.distribution)
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    photos = [p for p in photos if p]
    issues: list[Issue] = []
    if not photos and signature is None:
        issues.append(Issue("required", "photos", "pilih foto atau tanda tangan", "choose a photo or the signature"))
    have = ReceiptFile.objects.filter(receipt=receipt, kind=K.PHOTO).count()
    if have + len(photos) > MAX_PHOTOS:
        issues.append(Issue("too_many", "photos", f"paling banyak {MAX_PHOTOS} foto per tanda terima (sudah {have})",
                            f"at most {MAX_PHOTOS} photos per receipt ({have} already)"))
    if signature is not None and ReceiptFile.objects.filter(receipt=receipt, kind=K.SIGNATURE).exists():
        issues.append(Issue("signature_exists", "signature_image", "tanda tangan sudah diunggah",
                            "the signature is already uploaded"))
    checked_photos, photo_issues = _checked(photos, "photos")
    checked_signature, signature_issues = _checked([signature] if signature is not None else [], "signature_image")
    issues += photo_issues + signature_issues
    if issues:
        raise ValidationFailed(issues)
    stored = []
    for kind, item in [(K.PHOTO, c) for c in checked_photos] + [(K.SIGNATURE, c) for c in checked_signature]:
        row = ReceiptFile(receipt=receipt, kind=kind, original_name=item.name, content_type=item.content_type,
                          size=len(item.content), sha256=item.sha256,
                          uploaded_by=actor if getattr(actor, "pk", None) else None)
        row.file.save(f"{uuid.uuid4().hex}.{item.extension}", ContentFile(item.content), save=False)
        row.save()
        audit_record(actor=actor, action="distribution_receipt.file_add", target=receipt,
                     region_code=entry.region_code,
                     data={"kpm_ref": entry.kpm_ref, "kind": kind, "file": str(row.pk), "size": row.size,
                           "sha256": row.sha256, "content_type": row.content_type})
        stored.append(row)
    return stored


@transaction.atomic
def receipt_record_with_files(*, actor: Any, entry: DistributionEntry, data: dict[str, Any],
                              photos: Sequence[Any] = (), signature: Any = None) -> Receipt:
    """The receipt and its uploaded evidence, all or nothing."""
    receipt = receipt_record(actor=actor, entry=entry, data=data)
    if [p for p in photos if p] or signature is not None:
        receipt_files_add(actor=actor, receipt=receipt, photos=photos, signature=signature)
    return receipt


def access_receipt_file(*, actor: Any, file_id: Any) -> ReceiptFile:
    """A receipt file for a reader of the distribution in its village (403 / 404 as everywhere)."""
    from tepat.core.exceptions import ObjectNotFound
    from tepat.distribution.services.common import VIEW

    row = ReceiptFile.objects.select_related("receipt__entry").filter(pk=file_id).first()
    if row is None:
        ensure(actor, VIEW, "")  # 403 without the capability, else 404
        raise ObjectNotFound()
    ensure(actor, VIEW, row.receipt.entry.region_code)
    return row
