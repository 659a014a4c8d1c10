"""A quarter's realisation computed from the complaints the system holds (the records behind grievances'
STABLE selector's "resolved")."""

from datetime import UTC, date

import pytest

from conftest import assert_audited, audit_seq
from tepat.planning.computed import realisation_compute
from tepat.planning.models import Realisation
from tepat.planning.services import line_save
from tepat.planning.tests.factories import small_plan

pytestmark = pytest.mark.django_db
CODE = "1.06.04.2.01.09"


def test_complaints_resolved_in_the_quarter_become_the_realisation(dinsos_operator, family, other_village_family):
    from datetime import datetime

    from tepat.grievances.models import Complaint
    from tepat.grievances.selectors import complaint_statistics
    from tepat.grievances.tests.factories import about_family

    in_q2 = datetime(2025, 5, 10, 3, tzinfo=UTC)
    cases = [about_family(dinsos_operator, f) for f in (family, other_village_family, family)]
    Complaint.objects.filter(pk__in=[c.pk for c in cases[:2]]).update(created_at=in_q2, status="closed",
                                                                      resolved_at=in_q2)
    Complaint.objects.filter(pk=cases[2].pk).update(created_at=in_q2)  # received, not resolved
    plan = small_plan(dinsos_operator)
    line_save(actor=dinsos_operator, plan=plan, code=CODE, target=20, unit="Orang", pagu=5_000_000)
    after = audit_seq()
    got = realisation_compute(actor=dinsos_operator, plan=plan, quarter=2, today=date(2026, 1, 5))
    assert got == {CODE: 2}
    stats = complaint_statistics(region_code="36.04", date_from=date(2025, 4, 1), date_to=date(2025, 6, 30), level=2)
    assert got[CODE] == sum(r["resolved"] for r in stats)  # the same definition as the stable selector
    entry = Realisation.objects.get(item__code=CODE, snapshot__quarter=2)
    assert entry.physical == 2
    assert_audited("realisation.save", actor=dinsos_operator, target=entry, after=after,
                   computed_from="grievances.complaint_statistics: resolved")


def test_the_real_selector_counts_nothing_in_an_empty_district(dinsos_operator):
    plan = small_plan(dinsos_operator)
    line_save(actor=dinsos_operator, plan=plan, code=CODE, target=20, unit="Orang")
    assert realisation_compute(actor=dinsos_operator, plan=plan, quarter=1, today=date(2026, 1, 5)) == {CODE: 0}
    assert realisation_compute(actor=dinsos_operator, plan=plan, quarter=4, today=date(2025, 5, 1)) == {}
