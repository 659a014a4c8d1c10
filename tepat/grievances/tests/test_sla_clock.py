"""The working-day clock as pure functions: weekends, holidays, pauses."""

from datetime import date

from tepat.grievances.sla import clock, due_date, working_days_elapsed

MON = date(2026, 8, 10)  # Monday; 17 August 2026 (Monday) is Independence Day
HOLIDAYS = frozenset({date(2026, 8, 17)})


def test_weekend_is_not_counted():
    fri = date(2026, 8, 14)
    assert working_days_elapsed(fri, date(2026, 8, 15)) == 0  # Saturday
    assert working_days_elapsed(fri, date(2026, 8, 16)) == 0  # Sunday
    assert working_days_elapsed(fri, date(2026, 8, 18)) == 2  # Monday + Tuesday


def test_holiday_is_not_counted():
    fri = date(2026, 8, 14)
    assert working_days_elapsed(fri, date(2026, 8, 18), holidays=HOLIDAYS) == 1  # Monday is a holiday
    # five working days from Friday 14 Aug: 18, 19, 20, 21, 24 (17 is the holiday, 22-23 the weekend)
    assert due_date(fri, 5, holidays=HOLIDAYS) == date(2026, 8, 24)


def test_day_of_entry_is_free():
    assert working_days_elapsed(MON, MON) == 0
    assert working_days_elapsed(MON, date(2026, 8, 11)) == 1


def test_closed_pause_takes_its_days_out():
    # paused Tuesday, resumed Thursday: Tuesday and Wednesday do not count, Thursday does
    pauses = [(date(2026, 8, 11), date(2026, 8, 13))]
    assert working_days_elapsed(MON, date(2026, 8, 14), pauses=pauses) == 2
    assert due_date(MON, 2, pauses=pauses) == date(2026, 8, 14)


def test_running_pause_stops_the_clock():
    pauses = [(date(2026, 8, 11), None)]
    assert working_days_elapsed(MON, date(2026, 8, 28), pauses=pauses) == 0
    assert due_date(MON, 2, pauses=pauses) is None
    assert clock(MON, date(2026, 8, 28), target=2, at_risk_days=1, holidays=HOLIDAYS, pauses=pauses).state == "paused"


def test_states_ok_at_risk_breached():
    fri = date(2026, 8, 14)
    common = {"target": 3, "at_risk_days": 1, "holidays": HOLIDAYS}
    assert clock(fri, date(2026, 8, 18), **common).state == "ok"  # 1 used
    assert clock(fri, date(2026, 8, 19), **common).state == "at_risk"  # 2 used
    assert clock(fri, date(2026, 8, 20), **common).state == "at_risk"  # 3 used: due today
    late = clock(fri, date(2026, 8, 21), **common)
    assert late.state == "breached" and late.elapsed == 4 and late.due == date(2026, 8, 20)


def test_weekend_and_holiday_and_pause_together():
    # Thursday 13 Aug, paused Friday 14 → Wednesday 19 (resumed): only 19, 20 count until Thursday 20
    pauses = [(date(2026, 8, 14), date(2026, 8, 19))]
    assert working_days_elapsed(date(2026, 8, 13), date(2026, 8, 20), holidays=HOLIDAYS, pauses=pauses) == 2
