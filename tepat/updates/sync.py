"""Sync for a field device (issue 14 item 3): what changed since a cursor, and a batch upload of visits.

Changes: three streams, each paged by keyset on (updated_at, id), their positions held together in one
opaque cursor:
- `assignments`: the proposals assigned to the actor (every status, so that the device learns when one
  moved on and can drop it), each with its facts to check, its ETag, and (when still to be visited) the
  family and members it concerns as they are now;
- `families` and `members`: later changes to the families of the actor's open assignments;
- `reference` (regions in scope and the registry's code lists) only when its version changed.
A stream reads only rows older than a small lag (`TEPAT_SYNC_LAG_SECONDS`, default 2 s) so that a row
committed late with an earlier `updated_at` is not skipped. Every page is one `personal_data.view` event.

Upload: each item carries its own `client_id` (idempotency per item, tepat.accounts.idempotency) and
optionally the proposal's ETag when the visit was recorded; it is applied in its own savepoint through the
one `verification_record` service and reported as ok / error (code, field, message) / conflict (the
current proposal and the item as sent, never overwritten).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from tepat.accounts.access import ensure_capability, scope_q
from tepat.accounts.idempotency import item_client_id, item_remember, item_replayed
from tepat.accounts.roles import Capability
from tepat.core.concurrency import etag_of
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.registry import choices
from tepat.registry.models import Family, Individual
from tepat.registry.selectors import personal_data_viewed
from tepat.updates.models import Proposal
from tepat.updates.selectors.proposals import fact_rows
from tepat.updates.services.verification import verification_record

STREAMS = ("assignments", "families", "members")
MAX_LIMIT = 500
MAX_REGIONS = 5000
OPEN = (Proposal.Status.IN_VERIFICATION,)


def _lag() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "TEPAT_SYNC_LAG_SECONDS", 2)))


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed([Issue("invalid_cursor", "cursor", "Kursor tidak sah", "Invalid cursor")])


def decode_cursor(cursor: str) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
        if not isinstance(data, dict):
            raise ValueError
        for name in STREAMS:
            if name in data:
                stamp, pk = data[name]
                datetime.fromisoformat(stamp)
                data[name] = [stamp, str(pk)]
        return data
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _after(queryset: models.QuerySet, position: list[str] | None, until: datetime) -> models.QuerySet:
    queryset = queryset.filter(updated_at__lt=until)
    if position:
        stamp = datetime.fromisoformat(position[0])
        queryset = queryset.filter(Q(updated_at__gt=stamp) | Q(updated_at=stamp, id__gt=position[1]))
    return queryset.order_by("updated_at", "id")


def _page(queryset: models.QuerySet, limit: int) -> tuple[list[Any], bool]:
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def _position(rows: list[Any], old: list[str] | None) -> list[str] | None:
    if not rows:
        return old
    last = rows[-1]
    return [last.updated_at.isoformat(), str(last.pk)]


def reference_lists(actor: Any) -> dict[str, Any]:
    regions = list(Region.objects.filter(scope_q(actor, "code")).order_by("code")
                   .values("code", "name", "level", "parent_id")[:MAX_REGIONS])
    codes = {}
    for name in dir(choices):
        value = getattr(choices, name)
        if isinstance(value, type) and issubclass(value, models.Choices) and value.__module__ == choices.__name__:
            codes[name] = [{"code": code, "label": str(label)} for code, label in value.choices]
    return {"regions": regions, "codes": codes}


def _version(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class Assignment:
    proposal: Proposal
    etag: str
    facts: list[Any]
    family: Family | None = None
    members: list[Individual] = field(default_factory=list)


@dataclass
class ChangesPage:
    assignments: list[Assignment]
    families: list[Family]
    members: list[Individual]
    reference: dict[str, Any] | None
    cursor: str
    has_more: bool


def _assigned(actor: Any) -> models.QuerySet:
    ensure_capability(actor=actor, capability=Capability.UPDATES_VIEW)
    ensure_capability(actor=actor, capability=Capability.UPDATES_VERIFY)  # the field device's sync
    return Proposal.objects.filter(scope_q(actor, "region__code"), assigned_to_id=actor.pk)


def sync_changes(*, actor: Any, cursor: str = "", limit: int = 100) -> ChangesPage:
    """One page of each stream after `cursor` (see the module docstring). Scoped to the actor's regions;
    a member list carries personal data, so the page is recorded (`personal_data.view`)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    position = decode_cursor(cursor)
    until = timezone.now() - _lag()
    assigned = _assigned(actor)
    proposals, more_p = _page(_after(assigned.select_related("family"), position.get("assignments"), until), limit)
    open_family_ids = assigned.filter(status__in=OPEN, family_id__isnull=False).values("family_id")
    families_q = Family.objects.filter(scope_q(actor, "region__code"), pk__in=open_family_ids)
    families, more_f = _page(_after(families_q.select_related("region"), position.get("families"), until), limit)
    members, more_m = _page(_after(Individual.objects.filter(family__in=families_q), position.get("members"), until),
                            limit)

    snapshot_ids = [p.family_id for p in proposals if p.status in OPEN and p.family_id]
    snapshot_families = {f.pk: f for f in Family.objects.filter(scope_q(actor, "region__code"), pk__in=snapshot_ids)
                         .select_related("region")}
    snapshot_members: dict[Any, list[Individual]] = {}
    for member in Individual.objects.filter(family_id__in=list(snapshot_families)).order_by("family_id", "created_at"):
        snapshot_members.setdefault(member.family_id, []).append(member)
    assignments = [
        Assignment(p, etag_of(p), fact_rows(actor, p) if p.status in OPEN else [],
                   snapshot_families.get(p.family_id), snapshot_members.get(p.family_id, []))
        for p in proposals
    ]

    reference = reference_lists(actor)
    version = _version(reference)
    new_position = {
        "assignments": _position(proposals, position.get("assignments")),
        "families": _position(families, position.get("families")),
        "members": _position(members, position.get("members")),
        "reference": version,
    }
    shown = len(members) + sum(len(a.members) for a in assignments)
    if shown or families:
        personal_data_viewed(actor=actor, kind="sync_changes", count=shown + len(families),
                             extra={"api": True, "assignments": len(assignments)})
    return ChangesPage(
        assignments=assignments, families=families, members=members,
        reference={"version": version, **reference} if position.get("reference") != version else None,
        cursor=encode_cursor({k: v for k, v in new_position.items() if v is not None}),
        has_more=more_p or more_f or more_m,
    )


# --- batch upload ------------------------------------------------------------------------------------------

MAX_ITEMS = 50
MAX_PHOTO_BYTES = 2 * 1024 * 1024


def _item_hash(item: dict[str, Any], photos: list[Any]) -> str:
    digest = hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode())
    for photo in photos:
        for chunk in photo.chunks():
            digest.update(chunk)
        photo.seek(0)
    return digest.hexdigest()


def _error_result(client_id: str, exc: ApplicationError) -> dict[str, Any]:
    if isinstance(exc, ValidationFailed) and exc.issues:
        first = exc.issues[0]
        return {"client_id": client_id, "status": "error", "code": exc.code, "field": first.field,
                "message": {"id": "; ".join(i.id for i in exc.issues), "en": "; ".join(i.en for i in exc.issues)},
                "errors": exc.extra.get("errors", [])}
    id_text, sep, en_text = exc.message.partition(" / ")
    return {"client_id": client_id, "status": "error", "code": exc.code, "field": None,
            "message": {"id": id_text, "en": en_text if sep else id_text}}


error_result = _error_result  # one per-item error shape for every sync upload (the receipts' too)


def photos_from_item(item: dict[str, Any], files: dict[str, list[Any]]) -> list[Any]:
    """The item's photos: multipart files named `photo:<client_id>` (preferred: no base64 overhead), or
    `photos: [{"name", "content_type", "data"}]` in the JSON (base64)."""
    photos = list(files.get(f"photo:{item.get('client_id', '')}", []))
    for index, photo in enumerate(item.get("photos") or []):
        try:
            data = base64.b64decode(photo["data"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise ValidationFailed([Issue("invalid_photo", f"photos.{index}", "foto tidak sah (base64)",
                                          "invalid photo (base64)")]) from None
        if len(data) > MAX_PHOTO_BYTES:
            raise ValidationFailed([Issue("too_large", f"photos.{index}", "foto terlalu besar", "photo too large")])
        photos.append(SimpleUploadedFile(str(photo.get("name") or f"foto-{index}.jpg")[:100], data,
                                         content_type=str(photo.get("content_type") or "image/jpeg")))
    return photos


def _conflict(client_id: str, code: str, proposal: Proposal, item: dict[str, Any], current: Any) -> dict[str, Any]:
    messages = {
        "stale_version": ("Usulan sudah berubah sejak kunjungan dicatat", "The proposal changed since the visit was recorded"),
        "not_open": ("Usulan tidak lagi menunggu verifikasi lapangan", "The proposal no longer waits for a field visit"),
    }
    id_text, en_text = messages[code]
    sent = {k: v for k, v in item.items() if k != "photos"}
    return {"client_id": client_id, "status": "conflict", "code": code, "field": None,
            "message": {"id": id_text, "en": en_text}, "current": current, "sent": sent, "etag": etag_of(proposal)}


def visits_upload(*, actor: Any, items: list[dict[str, Any]], files: dict[str, list[Any]],
                  current: Any) -> list[dict[str, Any]]:
    """Apply each visit on its own (one savepoint each) and report each. `current(proposal)` renders the
    proposal's state for a conflict. A repeated item (same client_id, same content) returns its first
    result; the same client_id with another content is an error `idempotency_key_reused`."""
    ensure_capability(actor=actor, capability=Capability.UPDATES_VERIFY)
    if len(items) > MAX_ITEMS:
        raise ValidationFailed([Issue("too_many", "items", f"paling banyak {MAX_ITEMS} kunjungan per kiriman",
                                      f"at most {MAX_ITEMS} visits per batch")])
    from tepat.updates.access import access_proposal
    from tepat.updates.schemas import VerificationIn

    results = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        client_id, refused = item_client_id(item, index, seen)
        if refused:
            results.append(refused)
            continue
        key = f"sync-visit:{client_id}"
        try:
            photos = photos_from_item(item, files)
            body_hash = _item_hash(item, photos)
            replayed = item_replayed(actor, key, "sync/visits", body_hash, client_id=client_id, index=index,
                                     noun=("kunjungan", "visit"))
            if replayed is not None:
                results.append(replayed)
                continue
            proposal = access_proposal(actor=actor, proposal_id=item.get("proposal_id"))
            visit = VerificationIn.model_validate(item.get("visit") or {})
            with transaction.atomic():
                locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
                expected = item.get("if_match")
                if expected and expected.strip().removeprefix("W/") != etag_of(locked):
                    result = _conflict(client_id, "stale_version", locked, item, current(locked))
                elif locked.status not in OPEN:
                    result = _conflict(client_id, "not_open", locked, item, current(locked))
                else:
                    verification = verification_record(
                        actor=actor, proposal=locked, visited_on=visit.visited_on,
                        household_found=visit.household_found, outcome=visit.outcome,
                        results=visit.result_dicts(), notes=visit.notes, latitude=visit.latitude,
                        longitude=visit.longitude, accuracy_m=visit.accuracy_m,
                        rejection_reason=visit.rejection_reason, photos=photos)
                    locked.refresh_from_db()
                    result = {"client_id": client_id, "status": "ok", "verification_id": str(verification.pk),
                              "proposal_status": locked.status, "etag": etag_of(locked)}
                    item_remember(actor, key, "sync/visits", body_hash, result)
            results.append(result)
        except ApplicationError as exc:
            results.append(_error_result(client_id, exc))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            errors = getattr(exc, "errors", None)
            field_name = ".".join(str(p) for p in errors()[0]["loc"]) if callable(errors) and errors() else "visit"
            results.append({"client_id": client_id, "status": "error", "code": "validation_failed",
                            "field": f"visit.{field_name}",
                            "message": {"id": f"visit.{field_name}: nilai tidak sah",
                                        "en": f"visit.{field_name}: invalid value"}})
    return results
