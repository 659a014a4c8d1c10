"""The distribution tests build on the programme tests' small district (`world`): the Sembako tahap-1
list determined and approved by the supervisor, its distribution opened for Jan–Mar 2026."""

from __future__ import annotations

from datetime import date

import pytest

from tepat.programs.tests.conftest import world  # noqa: F401 - the shared fixture


@pytest.fixture
def approved(world):  # noqa: F811
    from tepat.programs.services.lists import list_approve, list_determine

    blist = list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1)
    return list_approve(actor=world.spv, blist=blist)


@pytest.fixture
def dist(world, approved):  # noqa: F811
    from tepat.distribution.services.lists import distribution_create

    return distribution_create(actor=world.op, blist=approved, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))


@pytest.fixture
def pos():
    from tepat.distribution.models import Channel

    return Channel.objects.get(code="POS_KANTOR")


@pytest.fixture
def dlist(world, dist, pos):  # noqa: F811
    from tepat.distribution.services.lists import list_version_create

    return list_version_create(actor=world.op, dist=dist, channel=pos)
