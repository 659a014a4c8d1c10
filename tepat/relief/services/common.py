"""Small helpers shared by the relief services."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.utils import timezone

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue


def reference(prefix: str) -> str:
    """A short readable reference: BNC-20261203-7F3A9C."""
    return f"{prefix}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def raise_if(issues: list[Issue]) -> None:
    if issues:
        raise ValidationFailed(issues)


def text(value: Any, field: str, id_name: str, en_name: str, issues: list[Issue], *, required: bool = False,
         max_length: int = 250) -> str:
    value = " ".join(str(value or "").split())
    if required and not value:
        issues.append(Issue("required", field, f"{id_name} wajib diisi", f"{en_name} is required"))
    elif len(value) > max_length:
        issues.append(Issue("too_long", field, f"{id_name}: paling banyak {max_length} karakter",
                            f"{en_name}: at most {max_length} characters"))
    return value


def positive_int(value: Any, field: str, id_name: str, en_name: str, issues: list[Issue], *,
                 allow_zero: bool = False) -> int:
    try:
        number = int(str(value).strip())
        if isinstance(value, float) and value != int(value):
            raise ValueError
    except (TypeError, ValueError):
        issues.append(Issue("integer", field, f"{id_name} harus bilangan bulat", f"{en_name} must be a whole number"))
        return 0
    if number < 0 or (number == 0 and not allow_zero):
        low = "0" if allow_zero else "1"
        issues.append(Issue("min", field, f"{id_name} paling kecil {low}", f"{en_name} must be at least {low}"))
        return 0
    return number


def a_date(value: Any, field: str, id_name: str, en_name: str, issues: list[Issue], *, required: bool = True,
           not_future: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            issues.append(Issue("required", field, f"{id_name} wajib diisi", f"{en_name} is required"))
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            issues.append(Issue("date", field, f"{id_name}: tanggal tidak sah (YYYY-MM-DD)",
                                f"{en_name}: invalid date (YYYY-MM-DD)"))
            return None
    if not_future and day > timezone.localdate():
        issues.append(Issue("future", field, f"{id_name} tidak boleh di masa depan", f"{en_name} cannot be in the future"))
    return day
