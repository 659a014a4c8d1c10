"""The precomputed recap (ADR 0027): a run's cells summed per child region equal the live
computation; the page shows the run's time (staleness) and a supervisor's refresh; refreshes are audited;
scope, sections and small-cell suppression are unchanged; distribution realisation and relief columns."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import (
    DISTRICT,
    KECAMATAN,
    OTHER_VILLAGE,
    VILLAGE,
    assert_audited,
    audit_seq,
    client_for,
    make_kk,
    member_data,
)
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.programs.tests.conftest import world  # noqa: F401 - the shared programme fixture
from tepat.reports import exports
from tepat.reports.models import RecapFigure, RecapRun
from tepat.reports.precompute import recap_refresh_request, recap_refresh_run, refresh_after_change
from tepat.reports.selectors import region_recap

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = {"page reports:recap_refresh"}


def _precompute(code: str = DISTRICT) -> RecapRun:
    run = recap_refresh_run(run_id=recap_refresh_request(actor=SYSTEM, region_code=code, reason="test").pk)
    assert run.status == RecapRun.Status.DONE, run.error
    return run


def _family(actor, village: str = VILLAGE, *, members: int = 2):
    from tepat.registry.services import family_create

    region6 = village.replace(".", "")[:6]
    return family_create(
        correction_reason="test fixture",
        actor=actor,
        region_code=village,
        data={"kk_number": make_kk(region6=region6), "rw": "1", "rt": "1"},
        members=[
            member_data(relation=1 if i == 0 else 3, name=f"Anggota {i}", born=date(1970 + i, 1, 1))
            for i in range(members)
        ],
    )


def _figures(recap) -> dict:
    return {row["code"]: {col.key: row[col.key] for col in recap.columns} for row in recap.rows}


@pytest.mark.parametrize("code", [DISTRICT, KECAMATAN, VILLAGE])
def test_precomputed_figures_equal_the_live_count(code, dinsos_operator, family, other_village_family):
    _family(dinsos_operator, OTHER_VILLAGE, members=4)
    live = region_recap(actor=dinsos_operator, region_code=code)
    assert live.run is None
    run = _precompute(DISTRICT)
    cached = region_recap(actor=dinsos_operator, region_code=code)
    assert cached.run == run and cached.precomputed
    assert [c.key for c in cached.columns] == [c.key for c in live.columns]
    assert _figures(cached) == _figures(live)
    assert cached.totals == live.totals and cached.totals["families_active"] >= 1


def test_aggregation_equals_a_direct_count(dinsos_operator, family, other_village_family):
    from tepat.registry.models import Family, Individual

    _family(dinsos_operator, OTHER_VILLAGE, members=3)
    _precompute(DISTRICT)
    recap = region_recap(actor=dinsos_operator, region_code=KECAMATAN)
    for row in recap.rows:
        assert (
            row["families_active"]
            == Family.objects.filter(region__code__startswith=row["code"], status="active").count()
        )
        assert (
            row["individuals_living"]
            == Individual.objects.filter(
                family__region__code__startswith=row["code"], family__status="active", presence=1
            ).count()
        )
    district = region_recap(actor=dinsos_operator, region_code=DISTRICT)
    assert (
        district.totals["families_active"] == Family.objects.filter(region__code__startswith=DISTRICT).count()
    )


def test_stale_figures_say_so_until_refreshed(dinsos_operator, dinsos_supervisor, family):
    run = _precompute(DISTRICT)
    _family(dinsos_operator, OTHER_VILLAGE)  # after the run
    recap = region_recap(actor=dinsos_operator, region_code=KECAMATAN)
    assert recap.generated_at == run.computed_at
    assert recap.totals["families_active"] == 1  # the run's figure, not today's
    html = client_for(dinsos_operator).get(f"/laporan/?region={KECAMATAN}").content.decode()
    assert 'data-staleness="precomputed"' in html and "precomputed" in html
    assert (
        region_recap(actor=dinsos_operator, region_code=KECAMATAN, live=True).totals["families_active"] == 2
    )
    _precompute(DISTRICT)
    assert region_recap(actor=dinsos_operator, region_code=KECAMATAN).totals["families_active"] == 2
    assert RecapRun.objects.filter(root_code=DISTRICT).count() == 1  # the older run and its cells dropped
    assert not RecapFigure.objects.filter(run=run).exists()


def test_without_a_run_the_page_says_it_computed_live(dinsos_operator, family):
    html = client_for(dinsos_operator).get(f"/laporan/?region={KECAMATAN}").content.decode()
    assert 'data-staleness="live"' in html


def test_a_kecamatan_run_serves_the_kecamatan_but_not_the_district(dinsos_operator, family):
    run = _precompute(KECAMATAN)
    assert region_recap(actor=dinsos_operator, region_code=VILLAGE).run == run
    assert region_recap(actor=dinsos_operator, region_code=DISTRICT).run is None


def test_scope_and_sections_are_unchanged_with_a_run(
    village_operator, other_dinsos_operator, dinsos_operator, family
):
    _precompute(DISTRICT)
    with pytest.raises(ObjectNotFound):
        region_recap(actor=village_operator, region_code=KECAMATAN)
    with pytest.raises(ObjectNotFound):
        region_recap(actor=other_dinsos_operator, region_code=DISTRICT)
    village = region_recap(actor=village_operator)
    assert village.run is not None and [r["code"] for r in village.rows] == [VILLAGE]
    live = region_recap(actor=village_operator, live=True)
    assert [c.key for c in village.columns] == [c.key for c in live.columns]


def test_small_cells_are_suppressed_in_files_from_a_run(dinsos_operator, family):
    _precompute(DISTRICT)
    recap = region_recap(actor=dinsos_operator, region_code=KECAMATAN)
    assert recap.precomputed
    header, body = exports.table(recap)
    village = next(row for row in body if row[0] == VILLAGE)
    column = header.index(str(next(c.label for c in recap.columns if c.key == "families_active")))
    assert village[column] == "< 5"


# ---- refresh: who may, and the audit trail -------------------------------------------------------------


def test_supervisor_refresh_is_audited_and_computed(dinsos_supervisor, family):
    before = audit_seq()
    response = client_for(dinsos_supervisor).post("/laporan/segarkan/", {"region": DISTRICT})
    assert response.status_code == 302 and response["Location"].endswith(f"?region={DISTRICT}")
    run = RecapRun.objects.get(root_code=DISTRICT)
    assert run.requested_by == dinsos_supervisor and run.reason == "on_demand"
    assert_audited(
        "report.refresh",
        actor=dinsos_supervisor,
        target=run,
        region_code=DISTRICT,
        after=before,
        step="requested",
    )
    # the test settings run tasks at once, but only after commit: run it as the worker would
    run = recap_refresh_run(run_id=run.pk)
    assert run.status == "done" and run.cells > 0
    assert AuditEvent.objects.filter(seq__gt=before, action="report.refresh", data__step="computed").exists()


def test_refresh_refused_without_the_capability_or_outside_scope(dinsos_operator, make_user, family):
    other = make_user("dinsos_supervisor", ["36.73"])
    before = audit_seq()
    with pytest.raises(PermissionDeniedError):
        recap_refresh_request(actor=dinsos_operator, region_code=DISTRICT)
    with pytest.raises(ObjectNotFound):
        recap_refresh_request(actor=other, region_code=DISTRICT)
    assert not RecapRun.objects.exists() and audit_seq() == before


def test_refresh_matrix(dinsos_supervisor, dinsos_operator, village_operator, make_user):
    url = "/laporan/segarkan/"
    anonymous = client_for(None).post(url, {"region": DISTRICT})
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]
    assert client_for(dinsos_operator).post(url, {"region": DISTRICT}).status_code == 403  # wrong role
    assert client_for(village_operator).post(url, {"region": VILLAGE}).status_code == 403
    other = make_user("dinsos_supervisor", ["36.73"])
    assert client_for(other).post(url, {"region": DISTRICT}).status_code == 404  # wrong region
    assert client_for(dinsos_supervisor).get(url).status_code == 405
    assert not RecapRun.objects.exists()
    assert client_for(dinsos_supervisor).post(url, {"region": DISTRICT}).status_code == 302
    assert RecapRun.objects.count() == 1


def test_refresh_button_only_for_supervisors(dinsos_supervisor, dinsos_operator, family):
    assert (
        'data-action="refresh"'
        in client_for(dinsos_supervisor).get(f"/laporan/?region={DISTRICT}").content.decode()
    )
    assert (
        'data-action="refresh"'
        not in client_for(dinsos_operator).get(f"/laporan/?region={DISTRICT}").content.decode()
    )


def test_a_failed_run_keeps_the_previous_one(dinsos_operator, family, monkeypatch):
    good = _precompute(DISTRICT)
    from tepat.reports import precompute

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(precompute, "compute_figures", boom)
    bad = recap_refresh_run(run_id=recap_refresh_request(actor=SYSTEM, region_code=DISTRICT).pk)
    assert bad.status == "failed" and "disk full" in bad.error
    assert region_recap(actor=dinsos_operator, region_code=DISTRICT).run == good


def test_changes_ask_for_a_refresh_of_related_roots(dinsos_operator, family):
    _precompute(KECAMATAN)
    runs = refresh_after_change(region_code=VILLAGE, reason="registry_import")
    assert sorted(r.root_code for r in runs) == [DISTRICT, KECAMATAN]
    assert all(r.status == "pending" and r.reason == "registry_import" for r in runs)
    assert refresh_after_change(region_code=VILLAGE, reason="registry_import") == []  # already waiting


# ---- distribution realisation and relief ----------------------------------------------------------------


def test_distribution_realisation_columns_equal_the_reconciliation(world):  # noqa: F811
    from tepat.distribution.models import Channel
    from tepat.distribution.services.lists import distribution_create, list_version_create
    from tepat.distribution.services.realisation import reconciliation
    from tepat.programs.services.lists import list_approve, list_determine

    blist = list_approve(
        actor=world.spv,
        blist=list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1),
    )
    dist = distribution_create(
        actor=world.op, blist=blist, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    dlist = list_version_create(actor=world.op, dist=dist, channel=Channel.objects.get(code="POS_KANTOR"))
    rec = reconciliation(actor=world.op, dist=dist)
    code = blist.release.programme.code
    live = region_recap(actor=world.spv, region_code=DISTRICT)
    assert live.totals[f"entitled_{code}"] == rec["totals"]["entitled"] == dlist.entry_count > 0
    assert live.totals[f"paid_{code}"] == rec["totals"]["paid"]
    _precompute(DISTRICT)
    cached = region_recap(actor=world.spv, region_code=DISTRICT)
    assert cached.run is not None and cached.totals == live.totals


def test_relief_columns(dinsos_operator, village_operator, family):
    from tepat.relief.services.events import meals_record
    from tepat.relief.tests.factories import day, flood, household

    event = flood(dinsos_operator)
    hh = household(dinsos_operator, event)
    meals_record(actor=dinsos_operator, event=event, household=hh, served_from=day(0), days=2)
    live = region_recap(actor=dinsos_operator, region_code=KECAMATAN)
    row = next(r for r in live.rows if r["code"] == VILLAGE)
    assert (row["relief_households"], row["relief_persons"], row["relief_meal_person_days"]) == (1, 2, 4)
    _precompute(DISTRICT)
    assert _figures(region_recap(actor=dinsos_operator, region_code=KECAMATAN)) == _figures(live)
    assert region_recap(actor=dinsos_operator, region_code=DISTRICT).totals["relief_households"] == 1
