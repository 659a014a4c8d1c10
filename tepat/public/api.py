"""The public JSON API (/api/v1/public/…)."""

from ninja import Router

router = Router(tags=["public"])
