"""The planning JSON API (/api/v1/planning/…)."""

from ninja import Router

router = Router(tags=["planning"])
