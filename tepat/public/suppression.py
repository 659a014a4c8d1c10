"""The one small-cell rule of the public pages and files: a count of people or families from 1 to
`suppress_below() - 1` is shown as "< 5", and the amount of such a cell is hidden with it (an amount
divided by the per-family benefit gives the count back)."""

from __future__ import annotations

from typing import Any

from tepat.public import conf


def suppressed(count: int | None) -> bool:
    return bool(count) and 0 < int(count) < conf.suppress_below()


def cell(count: int | None) -> str:
    """A count as a public page shows it."""
    if suppressed(count):
        return f"< {conf.suppress_below()}"
    return f"{int(count or 0):,}".replace(",", ".")


def amount(count: int | None, rupiah: int | None) -> str:
    """An amount of a cell, hidden when its count is suppressed."""
    if suppressed(count):
        return "–"
    return f"Rp {int(rupiah or 0):,}".replace(",", ".")


def row(count: int | None, rupiah: int | None = None) -> dict[str, Any]:
    return {"count": cell(count), "amount": amount(count, rupiah), "suppressed": suppressed(count)}
