"""The realisation dashboard (tepat/reports/realisation.py): the matrix (anonymous, wrong role, wrong region,
right; a village operator sees only their villages), per kecamatan and per village figures, sorting, and the
chart served as SVG under its own narrow policy."""

from __future__ import annotations

import pytest

from conftest import KECAMATAN, VILLAGE, audit_seq, client_for
from tepat.distribution.models import DistributionEntry
from tepat.distribution.services.receipts import receipt_record
from tepat.distribution.tests.conftest import approved, dist, dlist, pos  # noqa: F401 - shared fixtures
from tepat.programs.tests.conftest import world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db
MATRIX_ROUTES = {"page reports:realisation", "page reports:realisation_chart"}


def _urls(dist):  # noqa: F811
    return f"/laporan/penyaluran/{dist.pk}/", f"/laporan/penyaluran/{dist.pk}/grafik.svg"


def test_matrix(world, dist, dlist, village_head, other_dinsos_operator, village_operator):  # noqa: F811
    seq = audit_seq()
    for url in _urls(dist):
        assert client_for(None).get(url).status_code == 302
        assert client_for(village_head).get(url).status_code == 403  # no distribution.view
        assert client_for(other_dinsos_operator).get(url).status_code == 404
        assert client_for(world.op).get(url).status_code == 200
        assert client_for(village_operator).get(url).status_code == 200
        assert client_for(world.op).get(url, {"region": "36.99"}).status_code == 404  # outside the tahap
    assert audit_seq() == seq  # reading writes nothing


def test_figures_per_kecamatan_and_village_scoped_to_the_viewer(world, dist, dlist, village_operator):  # noqa: F811
    entries = list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))
    receipt_record(actor=village_operator, entry=entries[0], data={"outcome": "full", "collector": "self"})
    receipt_record(actor=village_operator, entry=entries[1], data={"outcome": "none", "reason": "absent"})
    page, _chart = _urls(dist)
    district = client_for(world.op).get(page)
    rows = district.context["rows"]
    assert [r["code"] for r in rows] == [KECAMATAN] and district.context["drill"]
    total = DistributionEntry.objects.filter(list=dlist).count()
    assert (rows[0]["entitled"], rows[0]["delivered"], rows[0]["not_delivered"]) == (total, 1, 1)
    assert rows[0]["delivered_pct"] == round(100 / total, 1)
    villages = client_for(world.op).get(page, {"region": KECAMATAN, "sort": "-entitled"}).context["rows"]
    assert len(villages) == 2 and villages[0]["entitled"] >= villages[1]["entitled"]
    by_code = {r["code"]: r for r in villages}
    assert by_code[VILLAGE]["entitled"] == len(entries)
    assert by_code[VILLAGE]["delivered_pct"] == round(100 / len(entries), 1)
    text = client_for(world.op).get(page, {"region": KECAMATAN}).content.decode()
    assert f'data-row="{VILLAGE}"' in text and 'data-sort="delivered_pct"' in text and 'data-chart="realisation"' in text
    mine = client_for(village_operator).get(page, {"region": KECAMATAN}).context["rows"]
    assert [r["code"] for r in mine] == [VILLAGE]  # the other village is not theirs


def test_the_chart_is_svg_under_its_own_policy(world, dist, dlist):  # noqa: F811
    _page, chart = _urls(dist)
    response = client_for(world.op).get(chart, {"region": KECAMATAN})
    assert response["Content-Type"] == "image/svg+xml" and b"<script" not in response.content
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"<svg" in response.content


def test_the_distribution_pages_link_to_the_dashboard(world, dist, dlist):  # noqa: F811
    url = f"/laporan/penyaluran/{dist.pk}/"
    assert url in client_for(world.op).get(f"/penyaluran/tahap/{dist.pk}/").content.decode()
    assert url in client_for(world.op).get(f"/penyaluran/tahap/{dist.pk}/rekonsiliasi/").content.decode()
