"""Trends over determination periods on the dashboard (issue 13 item 8): the indicators per determined
period, scoped to the viewer's first region (village operator: the village; supervisor: the district),
each shown with its capability; the trend chart is SVG without script and answers like the recap."""

from __future__ import annotations

import pytest

from conftest import DISTRICT, OTHER_VILLAGE, VILLAGE, client_for
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.programs.tests.conftest import world  # noqa: F401 - the shared programme fixture
from tepat.quality.models import Flag
from tepat.reports.trends import period_trends, period_trends_recent

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = {"page reports:trend_chart"}


def _flag(family, kind, status=Flag.Status.OPEN):
    return Flag.objects.create(
        kind=kind,
        status=status,
        region_code=family.region_id,
        family=family,
        fingerprint=f"{kind}:{family.pk}:{status}",
        summary="uji",
    )


def test_indicators_per_period(world, village_operator):  # noqa: F811
    from tepat.programs.models import ListEntry
    from tepat.programs.services.lists import list_approve, list_determine

    _flag(world.f_old2, Flag.Kind.DIED)
    _flag(world.f_five, Flag.Kind.MOVED)
    _flag(world.f_rich, Flag.Kind.DUPLICATE_FAMILY, status=Flag.Status.DISMISSED)  # dismissed: not counted
    _flag(world.f_other, Flag.Kind.DIED)  # the other village
    blist = list_approve(
        actor=world.spv,
        blist=list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1),
    )
    district = period_trends(actor=world.spv, region_code=DISTRICT)
    assert [p["id"] for p in district.periods] == [str(world.period.pk)]
    row = district.periods[0]
    assert (row["listed"], row["deceased"], row["moved"], row["duplicates"]) == (8, 2, 1, 0)
    expected = (
        ListEntry.objects.filter(list=blist, eligible=True)
        .exclude(status="recipient")
        .values("family_id")
        .distinct()
        .count()
    )
    assert row["not_receiving"] == expected
    village = period_trends(actor=village_operator)
    assert village.region.code == VILLAGE
    assert (village.periods[0]["listed"], village.periods[0]["deceased"]) == (7, 1)


def test_trends_scope_fails_closed(world, village_operator, other_dinsos_operator):  # noqa: F811
    with pytest.raises(ObjectNotFound):
        period_trends(actor=village_operator, region_code=OTHER_VILLAGE)
    with pytest.raises(ObjectNotFound):
        period_trends(actor=other_dinsos_operator, region_code=DISTRICT)


def test_recent_trends_are_kept_per_region_and_indicators(world, village_operator, make_user, settings):  # noqa: F811
    settings.TEPAT_DASHBOARD_COUNTS_SECONDS = 60  # the start page's window (ADR 0033)
    first = period_trends_recent(actor=world.spv)
    _flag(world.f_old2, Flag.Kind.DIED)

    assert period_trends_recent(actor=world.spv).periods == first.periods  # not recounted within the window
    assert period_trends(actor=world.spv).periods != first.periods
    village = period_trends_recent(actor=village_operator)  # another region: its own figures
    assert village.region.code == VILLAGE and village.periods == period_trends(actor=village_operator).periods
    head = make_user("village_head", [VILLAGE])  # the same village, fewer indicators: not the operator's copy
    assert [key for key, _label in period_trends_recent(actor=head).indicators] == ["listed"]


def test_recent_trends_check_capability_and_scope_before_the_cache(world, village_operator, settings):  # noqa: F811
    settings.TEPAT_DASHBOARD_COUNTS_SECONDS = 60
    period_trends_recent(actor=village_operator)  # the village's trends are in the cache
    village_operator.is_active = False
    with pytest.raises(PermissionDeniedError):
        period_trends_recent(actor=village_operator)


def test_indicators_follow_capabilities(world, make_user):  # noqa: F811
    head = make_user("village_head", [VILLAGE])  # registry.view, no quality.view nor programs.view
    keys = [key for key, _label in period_trends(actor=head).indicators]
    assert keys == ["listed"]


def test_dashboard_shows_the_trends_of_the_viewers_region(world, village_operator):  # noqa: F811
    html = client_for(village_operator).get("/").content.decode()
    assert 'data-section="trends"' in html and f"/laporan/tren.svg?region={VILLAGE}" in html
    assert f'data-period="{world.period.pk}"' in html
    html = client_for(world.spv).get("/").content.decode()
    assert f"/laporan/tren.svg?region={DISTRICT}" in html


def test_trend_chart_matrix(world, village_operator, other_village_operator, make_user):  # noqa: F811
    url = f"/laporan/tren.svg?region={VILLAGE}"
    assert client_for(None).get(url).status_code == 302
    assert client_for(other_village_operator).get(url).status_code == 404
    from tepat.accounts.roles import ROLE_CAPABILITIES, Capability

    for role, caps in ROLE_CAPABILITIES.items():
        if Capability.REGISTRY_VIEW not in caps:
            assert client_for(make_user(str(role), [VILLAGE])).get(url).status_code == 403
    response = client_for(village_operator).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "<script" not in response.content.decode()
    assert "script-src 'none'" in response["Content-Security-Policy"]
