"""`Idempotency-Key` on every POST of the JSON API (issue 14), implemented once, as a middleware.

A POST under /api/ that carries the header is remembered per actor and key: the first successful (2xx)
response is stored (status, content type, body) and a repeat with the same key from the same actor returns
it again (`Idempotency-Replayed: true`) without running the handler, so a retried request never creates a
second object. The same key with another method, path or body is refused with 422
`idempotency_key_reused`; a repeat while the first is still running gets 409 `idempotency_in_progress`.
A response that is not a success is not stored: the key is free again for a corrected retry.

The actor is the user of a valid bearer token (personal or a machine client's service account) or of the
page session. Anonymous requests (the public API) pass through unchanged. Records expire after
TEPAT_IDEMPOTENCY_HOURS (default 24); `tepat purge-idempotency-keys` deletes expired ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from tepat.accounts.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,100}", re.ASCII)


def lifetime() -> timedelta:
    return timedelta(hours=int(getattr(settings, "TEPAT_IDEMPOTENCY_HOURS", 24)))


def _error(status: int, code: str, id_text: str, en_text: str) -> JsonResponse:
    return JsonResponse({"code": code, "field": HEADER, "message": {"id": id_text, "en": en_text}}, status=status)


def _actor_key(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        from tepat.accounts.tokens import authenticate_token

        user = authenticate_token(request, authorization[7:].strip())
        return f"user:{user.pk}" if user is not None else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and _csrf_passes(request):
        return f"user:{user.pk}"
    return None  # ninja answers the request as it would without the header (401, CSRF 403)


def _csrf_passes(request: HttpRequest) -> bool:
    """A session request is remembered (or replayed) only once it passed the CSRF check that ninja's
    session authentication will make: a forged request never reads or fills a stored answer."""
    from django.middleware.csrf import CsrfViewMiddleware

    def _view(request):  # not csrf_exempt: the check runs
        return None

    return CsrfViewMiddleware(lambda r: None).process_view(request, _view, (), {}) is None


def _body_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type == "multipart/form-data":
        # The boundary changes between retries of the same form: hash the fields and the files' bytes.
        digest.update(json.dumps(sorted(request.POST.lists()), ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"\n{name}={upload.name};".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def replay_or_claim(request: HttpRequest, actor_key: str, key: str) -> HttpResponse | IdempotencyRecord:
    """The stored answer (or a refusal) for this actor and key, or a new claim to fill after the handler."""
    body_hash = _body_hash(request)
    now = timezone.now()
    record = IdempotencyRecord.objects.filter(actor_key=actor_key, key=key).first()
    if record is not None and record.expires_at <= now:
        record.delete()
        record = None
    if record is not None:
        if record.body_hash != body_hash or record.path != request.path or record.method != request.method:
            return _error(422, "idempotency_key_reused",
                          "Kunci idempotensi ini sudah dipakai untuk permintaan lain",
                          "This idempotency key was already used for a different request")
        if record.status == 0:
            response = _error(409, "idempotency_in_progress", "Permintaan dengan kunci ini masih diproses",
                              "A request with this key is still being processed")
            response["Retry-After"] = "1"
            return response
        response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
        response[REPLAYED_HEADER] = "true"
        return response
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(actor_key=actor_key, key=key, method=request.method,
                                                    path=request.path[:300], body_hash=body_hash,
                                                    expires_at=now + lifetime())
    except IntegrityError:  # a parallel request with the same key claimed it first
        return replay_or_claim(request, actor_key, key)


def remember(record: IdempotencyRecord, response: HttpResponse) -> None:
    if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=response.status_code, content_type=response.get("Content-Type", "")[:100],
            body=response.content)
    else:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()


class IdempotencyMiddleware:
    """After authentication; only POST under /api/ with the header (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _VALID_KEY.fullmatch(key):
            return _error(422, "idempotency_key_invalid",
                          "Kunci idempotensi harus 1–100 karakter ASCII tanpa spasi",
                          "The idempotency key must be 1–100 ASCII characters without spaces")
        actor_key = _actor_key(request)
        if actor_key is None:
            return self.get_response(request)
        claim = replay_or_claim(request, actor_key, key)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=claim.pk).delete()
            raise
        remember(claim, response)
        return response


def actor_key_of(actor: Any) -> str:
    """The key the middleware uses for a user (session, personal token or a client's service account)."""
    return f"user:{actor.pk}"


def item_replay(actor: Any, key: str, path: str, body_hash: str) -> dict | str | None:
    """For one item of a batch (sync uploads): its stored result (a dict), "reused" when the key came
    with another item, or None when the item is new (then call `item_remember` with its result)."""
    record = IdempotencyRecord.objects.filter(actor_key=actor_key_of(actor), key=key[:100]).first()
    if record is None or record.expires_at <= timezone.now() or record.status == 0:
        return None
    if record.body_hash != body_hash or record.path != path[:300]:
        return "reused"
    return json.loads(bytes(record.body).decode())


def item_client_id(item: Any, index: int, seen: set[str]) -> tuple[str, dict | None]:
    """One item of a batch: its `client_id` (the idempotency key, at most 80 characters) and None, or the
    per-item error result when it is missing or repeated within the batch. A good id is added to `seen`."""
    client_id = str(item.get("client_id") or "")[:80] if isinstance(item, dict) else ""
    if not client_id or client_id in seen:
        return client_id, {"client_id": client_id or None, "status": "error", "code": "invalid_client_id",
                           "field": f"items.{index}.client_id",
                           "message": {"id": "client_id wajib diisi dan unik dalam kiriman",
                                       "en": "client_id is required and unique in the batch"}}
    seen.add(client_id)
    return client_id, None


def item_replayed(actor: Any, key: str, path: str, body_hash: str, *, client_id: str, index: int,
                  noun: tuple[str, str]) -> dict | None:
    """`item_replay` as the batch reports it: the first result again (marked `replayed`), the error
    `idempotency_key_reused` when the key came with another item (`noun` names the kind, Indonesian and
    English), or None when the item is new."""
    stored = item_replay(actor, key, path, body_hash)
    if stored == "reused":
        return {"client_id": client_id, "status": "error", "code": "idempotency_key_reused",
                "field": f"items.{index}.client_id",
                "message": {"id": f"client_id ini sudah dipakai untuk {noun[0]} lain",
                            "en": f"This client_id was already used for another {noun[1]}"}}
    if stored is not None:
        return {**stored, "replayed": True}
    return None


def item_remember(actor: Any, key: str, path: str, body_hash: str, result: dict) -> None:
    IdempotencyRecord.objects.update_or_create(
        actor_key=actor_key_of(actor), key=key[:100],
        defaults={"method": "ITEM", "path": path[:300], "body_hash": body_hash, "status": 200,
                  "content_type": "application/json", "expires_at": timezone.now() + lifetime(),
                  "body": json.dumps(result, default=str).encode()})


def purge_expired(now: Any = None) -> int:
    return IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]
