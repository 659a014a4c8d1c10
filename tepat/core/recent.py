"""Short-lived copies of expensive reads (ADR 0033): a figure counted at most every `seconds` per key, in
Django's default cache (the process's memory unless CACHES says otherwise), returned with when it was counted.
Callers check capability and scope before calling and build the key from everything the figure depends on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

T = TypeVar("T")


def recent(key: str, seconds: int, compute: Callable[[], T]) -> tuple[T, datetime]:
    """(value, counted at): from the cache if counted less than `seconds` ago, else `compute()` now (and kept).
    `seconds` 0 computes every time."""
    if seconds <= 0:
        return compute(), timezone.now()
    key = "tepat:recent:" + key
    cached = cache.get(key)
    if cached is not None:
        return cached
    counted = (compute(), timezone.now())
    cache.set(key, counted, seconds)
    return counted
