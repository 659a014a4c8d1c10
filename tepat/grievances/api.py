"""The grievances JSON API (/api/v1/grievances/…)."""

from ninja import Router

router = Router(tags=["grievances"])
