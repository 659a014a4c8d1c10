"""The relief JSON API (/api/v1/relief/…)."""

from ninja import Router

router = Router(tags=["relief"])
