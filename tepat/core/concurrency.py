"""Optimistic concurrency for API updates (issue 14): an ETag per row, checked against `If-Match`.

The ETag is derived from the row's id and `updated_at` (every domain table has it, `BaseModel`), so any saved
change gives a new one. `if_match` locks the row, compares, and raises `StaleVersion` (409, with the current
state given by the caller) when the client's version is not the current one; the update then runs in the
same transaction, under the lock, so a parallel writer cannot slip in between the check and the change.
Without the header the update runs as before (session pages, older clients).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from tepat.core.exceptions import ApplicationError


class StaleVersion(ApplicationError):
    status_code = 409
    code = "stale_version"

    def __init__(self, *, current: Any, etag: str) -> None:
        super().__init__(
            "Data sudah diubah orang lain; muat ulang dan ulangi / The record was changed meanwhile; "
            "reload and try again",
            extra={"etag": etag, "current": current},
        )


def etag_of(obj: Any) -> str:
    stamp = obj.updated_at.isoformat() if getattr(obj, "updated_at", None) else ""
    return '"' + hashlib.sha256(f"{obj._meta.label_lower}:{obj.pk}:{stamp}".encode()).hexdigest()[:20] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates


@contextmanager
def if_match(request: Any, obj: Any, current: Callable[[Any], Any]) -> Iterator[Any]:
    """Inside: the row, locked and fresh. On a mismatch, `current(row)` (called after the lock is released,
    in its own transaction, so that a personal-data view it records is kept) is the 409's `current`."""
    header = request.headers.get("If-Match")
    if not header:
        yield obj
        return
    with transaction.atomic():
        row = type(obj).objects.select_for_update().get(pk=obj.pk)
        etag = etag_of(row)
        fresh = _matches(header, etag)
        if fresh:
            yield row
    if not fresh:
        with transaction.atomic():
            state = current(row)
        raise StaleVersion(current=state, etag=etag)


def set_etag(request: Any, obj: Any) -> None:
    """The response to this request carries `obj`'s ETag (config/api.py adds the header)."""
    request.tepat_etag = etag_of(obj)


def guarded(load: Callable[..., Any], current: Callable[[Any, Any], Any]) -> Callable:
    """For an API handler that changes one row: `load(request, **path)` finds it (scoped, as the handler
    does); with `If-Match` the handler runs under the row's lock only if the version matches (else 409
    `stale_version` with `current(request, row)`); the response carries the new ETag."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            obj = load(request, **kwargs)
            with if_match(request, obj, lambda row: current(request, row)):
                result = view(request, *args, **kwargs)
            set_etag(request, type(obj).objects.get(pk=obj.pk))
            return result

        return wrapper

    return decorator
