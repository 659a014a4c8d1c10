"""The distribution JSON API (/api/v1/distribution/…)."""

from ninja import Router

router = Router(tags=["distribution"])
