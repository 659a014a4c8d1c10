"""The public pages' world: the programmes' small district (`tepat.programs.tests.conftest.world`) with
approved PKH and Sembako lists, a small proof-of-work, and helpers to solve it like the browser."""

from __future__ import annotations

import pytest

from tepat.programs.tests.conftest import world  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _small_pow(settings):
    settings.TEPAT_PUBLIC_POW_MAX_NUMBER = 300
    settings.TEPAT_PUBLIC_LIMIT_IP = 30
    settings.TEPAT_PUBLIC_LIMIT_SUBJECT = 5
    settings.TEPAT_PUBLIC_LIMIT_GLOBAL = 5000


def solved() -> str:
    from tepat.public.challenge import challenge_new, challenge_solve

    return challenge_solve(challenge_new())


@pytest.fixture
def approved(world):  # noqa: F811
    """world + approved tahap-1 lists of PKH and Sembako for the district."""
    from conftest import DISTRICT
    from tepat.programs.services.lists import list_approve, list_determine

    world.pkh_list = list_approve(actor=world.spv, blist=list_determine(actor=world.op, release=world.pkh,
                                                                       period=world.period, tahap=1, region_code=DISTRICT))
    world.sembako_list = list_approve(actor=world.spv, blist=list_determine(
        actor=world.op, release=world.sembako, period=world.period, tahap=1, region_code=DISTRICT))
    return world
