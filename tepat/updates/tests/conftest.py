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

    return period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 7, 1))
