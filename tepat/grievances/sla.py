"""The working-day clock, as pure functions (no database): weekends and the office's holidays are off, and
days the case waited for the citizen do not count.

Counting rule, in dates (Asia/Jakarta): a stage entered on day S has used, by day E, every working day d
with S < d <= E (the day of entry is free, like "within N working days" in a service standard). A pause
that began on day P and ended on day Q takes out the days P <= d < Q (the day of resumption counts); a
pause still running takes out every day from P on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

WEEKEND = frozenset({5, 6})  # Saturday, Sunday

Pause = tuple[date, date | None]


def is_working_day(day: date, holidays: frozenset[date] | set[date]) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def _paused(day: date, pauses: Iterable[Pause]) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in pauses)


def working_days_elapsed(start: date, end: date, *, holidays: frozenset[date] | set[date] = frozenset(),
                         pauses: Iterable[Pause] = ()) -> int:
    """Working days used from `start` (exclusive) to `end` (inclusive), pauses taken out."""
    pauses = list(pauses)
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        if is_working_day(day, holidays) and not _paused(day, pauses):
            count += 1
        day += timedelta(days=1)
    return count


def due_date(start: date, working_days: int, *, holidays: frozenset[date] | set[date] = frozenset(),
             pauses: Iterable[Pause] = (), limit_days: int = 3660) -> date | None:
    """The day on which the `working_days`-th working day is used (None while a pause without end holds it)."""
    pauses = list(pauses)
    if any(end is None for _, end in pauses):
        return None
    used, day = 0, start
    for _ in range(limit_days):
        if used >= working_days:
            return day
        day += timedelta(days=1)
        if is_working_day(day, holidays) and not _paused(day, pauses):
            used += 1
    return None


@dataclass(frozen=True, slots=True)
class Clock:
    elapsed: int
    target: int
    due: date | None
    state: str  # "ok", "at_risk", "breached", "paused"


def clock(start: date, today: date, *, target: int, at_risk_days: int, holidays: frozenset[date] | set[date],
          pauses: Iterable[Pause] = ()) -> Clock:
    """The stage's clock today: breached past the target, at risk within `at_risk_days` of it, paused
    while a pause is running (a paused case is never escalated)."""
    pauses = list(pauses)
    elapsed = working_days_elapsed(start, today, holidays=holidays, pauses=pauses)
    due = due_date(start, target, holidays=holidays, pauses=pauses)
    if any(end is None for _, end in pauses):
        state = "paused"
    elif elapsed > target:
        state = "breached"
    elif elapsed >= max(target - at_risk_days, 0):
        state = "at_risk"
    else:
        state = "ok"
    return Clock(elapsed, target, due, state)
