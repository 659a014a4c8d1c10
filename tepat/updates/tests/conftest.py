import pytest

from conftest import DISTRICT
from tepat.updates.services.determination import period_create
from tepat.updates.tests.factories import Actors


@pytest.fixture
def actors(village_operator, facilitator, village_head, dinsos_operator, dinsos_supervisor):
    return Actors(village_operator, facilitator, village_head, dinsos_operator, dinsos_supervisor)


@pytest.fixture
def period(actors):
    from datetime import date

    from conftest import assert_audited

    period = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 7, 1))
    assert_audited("determination_period.create", actor=actors.dinsos_operator, target=period, region_code=DISTRICT)
    return period
