"""Values shown on pages in the active locale's way (dates as 02-12-2026 in Indonesian, not 2026-12-02)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import formats

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_text(value: Any) -> str | None:
    """A date (or an ISO date string, as payloads and audit data store them) in the locale's short date
    format; None when the value is not a date."""
    if isinstance(value, datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return None
    return None
