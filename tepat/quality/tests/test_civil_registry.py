"""Civil-registry matching through both adapters, stored per individual, flags raised once."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
import xlsxwriter

from conftest import DISTRICT, VILLAGE, assert_audited
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.quality.adapters import FileAdapter, HttpAdapter
from tepat.quality.models import CivilRegistryMatch, Flag, MatchRun
from tepat.quality.services.runs import civil_match_run, run_create
from tepat.quality.tasks import civil_match_task
from tepat.quality.tests.conftest import FakeDukcapil, extract_rows

R = CivilRegistryMatch.Result


def _results(run) -> dict[str, str]:
    return {m.individual.name: m.result for m in CivilRegistryMatch.objects.filter(run=run).select_related("individual")}


def _expected(world) -> dict[str, str]:
    return {"Budi Santoso": R.MATCHED, "Siti Aminah": R.DIED, "Rizki Pratama": R.BIRTH_DATE_DIFFERS,
            "Hj. Rina Wahyuni": R.MOVED, "Asep Saepudin": R.NIK_UNKNOWN}


def test_file_adapter_csv(stale_world, dinsos_operator, tmp_path):
    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    run = civil_match_run(actor=dinsos_operator, run=run, adapter=FileAdapter(path), today=date(2026, 6, 1))
    assert _results(run) == _expected(stale_world)
    assert run.status == MatchRun.Status.DONE and run.done == run.total == 5 and run.percent == 100
    assert_audited("quality.run_create", actor=dinsos_operator, target=run, kind=MatchRun.Kind.CIVIL_REGISTRY)
    assert_audited("quality.run_start", actor=dinsos_operator, target=run, to="running")
    assert_audited("quality.run_finish", actor=dinsos_operator, target=run, to="done", counts=run.counts)
    match = CivilRegistryMatch.objects.get(run=run, result=R.MOVED)
    assert match.source == "file:extract.csv" and match.matched_on == date(2026, 6, 1)
    assert match.destination == "Kota Tangerang" and match.event_date == date(2026, 3, 1)
    kinds = sorted(Flag.objects.values_list("kind", flat=True))
    assert kinds == ["died", "moved", "nik_not_matched", "nik_not_matched"]
    # the same evidence again raises nothing new
    again = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_run(actor=dinsos_operator, run=again, adapter=FileAdapter(path), today=date(2026, 6, 2))
    assert Flag.objects.count() == 4


def test_file_adapter_xlsx_reads_identity_numbers_as_text(stale_world, tmp_path):
    path = tmp_path / "extract.xlsx"
    rows = extract_rows(stale_world)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    headers = sorted({k for r in rows for k in r})
    sheet.write_row(0, 0, headers)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [row.get(h, "") for h in headers])
    book.close()
    frame = FileAdapter(path).frame()
    assert frame["nik"].to_list() == [r["NIK"] for r in rows]
    assert frame["sex"].to_list() == [1, 2, 1, 2]
    assert frame["death_date"].to_list()[1] == date(2026, 1, 2)


def test_http_adapter_against_local_fake_server(stale_world, dinsos_operator, fake_dukcapil, settings):
    _, url = fake_dukcapil
    FakeDukcapil.records = extract_rows(stale_world)
    settings.TEPAT_DUKCAPIL_URL = url
    settings.TEPAT_DUKCAPIL_TOKEN = "rahasia"
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_task.enqueue(str(run.pk))  # the immediate backend in tests
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE
    assert _results(run) == _expected(stale_world)
    assert run.source == f"http:{url}"
    assert sorted(FakeDukcapil.calls[0]) == sorted(m.nik for m in
                                                   __import__("tepat.registry.models", fromlist=["Individual"])
                                                   .Individual.objects.filter(family__region_id=VILLAGE))


def test_http_adapter_wrong_credentials_fails_the_run(stale_world, dinsos_operator, fake_dukcapil):
    _, url = fake_dukcapil
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    with pytest.raises(Exception, match="401"):
        civil_match_run(actor=dinsos_operator, run=run, adapter=HttpAdapter(url=url, token="salah"))
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED and "401" in run.error
    assert not CivilRegistryMatch.objects.exists() and not Flag.objects.exists()


def test_running_needs_the_district_capability_and_scope(stale_world, village_operator, other_dinsos_operator):
    with pytest.raises(PermissionDeniedError):
        run_create(actor=village_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    with pytest.raises(ObjectNotFound):
        run_create(actor=other_dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=DISTRICT)
    assert not MatchRun.objects.exists()


def test_match_civil_registry_command(stale_world, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    out = StringIO()
    call_command("match-civil-registry", "--region", VILLAGE, "--file", str(path), "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["died"] == 1 and counts["moved"] == 1 and counts["matched"] == 1 and counts["flags"] == 4
