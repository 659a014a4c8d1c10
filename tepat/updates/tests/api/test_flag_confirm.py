"""Confirming a data-quality flag through the API: anonymous 401, wrong role 403, wrong region 404, right 201."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from conftest import VILLAGE, client_for
from tepat.quality.adapters import FileAdapter
from tepat.quality.models import Flag, MatchRun
from tepat.quality.services.runs import civil_match_run, run_create
from tepat.quality.tests.conftest import extract_rows, stale_world  # noqa: F401 - fixture
from tepat.updates.models import Proposal


@pytest.fixture
def flags(stale_world, dinsos_operator, tmp_path):  # noqa: F811
    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_run(actor=dinsos_operator, run=run, adapter=FileAdapter(path), today=date(2026, 6, 1))
    return {f.kind: f for f in Flag.objects.all()}


def _status(user, method, url, **kwargs):
    return getattr(client_for(user), method)(url, **kwargs)


def test_confirm_matrix_creates_the_proposal(flags, village_operator, village_head, other_dinsos_operator):
    flag = flags["died"]
    url = f"/api/v1/updates/flags/{flag.pk}/confirm"
    for user, code in ((None, 401), (village_head, 403), (other_dinsos_operator, 404)):
        assert _status(user, "post", url, data={}, content_type="application/json").status_code == code
    assert not Proposal.objects.exists()
    response = _status(village_operator, "post", url, data={}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "remove_member" and body["source"] == "data_quality"
    flag.refresh_from_db()
    assert flag.status == "confirmed" and flag.proposal_reference == body["reference"]




def test_flag_page_confirm_opens_the_proposal(flags, village_operator, other_village_operator):
    died, moved = flags["died"], flags["moved"]
    client = client_for(village_operator)
    response = client.post(f"/pemutakhiran/tanda-kualitas/{died.pk}/konfirmasi/")
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pemutakhiran/usulan/{proposal.pk}/"
    assert proposal.reference in client.get(response["Location"]).content.decode()
    assert client_for(other_village_operator).post(f"/pemutakhiran/tanda-kualitas/{moved.pk}/konfirmasi/") \
        .status_code == 404
    again = client.post(f"/pemutakhiran/tanda-kualitas/{died.pk}/konfirmasi/")
    assert again.status_code == 302 and again["Location"] == f"/kualitas/tanda/{died.pk}/"
    assert Proposal.objects.count() == 1
