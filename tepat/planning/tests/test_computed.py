"""A quarter's realisation computed from the complaints the system holds (grievances' STABLE selector)."""

from datetime import date
from unittest import mock

import pytest

from conftest import assert_audited, audit_seq
from tepat.planning.computed import realisation_compute
from tepat.planning.models import Realisation
from tepat.planning.services import line_save
from tepat.planning.tests.factories import small_plan

pytestmark = pytest.mark.django_db
CODE = "1.06.04.2.01.09"


def test_complaints_resolved_in_the_quarter_become_the_realisation(dinsos_operator):
    plan = small_plan(dinsos_operator)
    line_save(actor=dinsos_operator, plan=plan, code=CODE, target=20, unit="Orang", pagu=5_000_000)
    rows = [{"region_code": "36.04", "received": 9, "resolved": 7, "median_days": 3}]
    after = audit_seq()
    with mock.patch("tepat.grievances.selectors.complaint_statistics", return_value=rows) as stats:
        got = realisation_compute(actor=dinsos_operator, plan=plan, quarter=2, today=date(2026, 1, 5))
    assert got == {CODE: 7}
    assert stats.call_args.kwargs == {"region_code": "36.04", "date_from": date(2025, 4, 1),
                                      "date_to": date(2025, 6, 30), "level": 2}
    entry = Realisation.objects.get(item__code=CODE, snapshot__quarter=2)
    assert entry.physical == 7
    assert_audited("realisation.save", actor=dinsos_operator, target=entry, after=after,
                   computed_from="grievances.complaint_statistics: resolved")


def test_the_real_selector_counts_nothing_in_an_empty_district(dinsos_operator):
    plan = small_plan(dinsos_operator)
    line_save(actor=dinsos_operator, plan=plan, code=CODE, target=20, unit="Orang")
    assert realisation_compute(actor=dinsos_operator, plan=plan, quarter=1, today=date(2026, 1, 5)) == {CODE: 0}
    assert realisation_compute(actor=dinsos_operator, plan=plan, quarter=4, today=date(2025, 5, 1)) == {}
