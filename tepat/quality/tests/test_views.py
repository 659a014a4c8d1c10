"""Pages: the review queue per village and per district, the evidence, confirm (→ the proposal's page),
dismiss with a reason, runs with progress, list upload."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest

from conftest import VILLAGE, client_for
from tepat.quality.adapters import FileAdapter
from tepat.quality.models import Flag, MatchRun
from tepat.quality.services.runs import civil_match_run, run_create
from tepat.quality.tests.conftest import extract_rows


@pytest.fixture
def flags(stale_world, dinsos_operator, tmp_path):
    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_run(actor=dinsos_operator, run=run, adapter=FileAdapter(path), today=date(2026, 6, 1))
    return {f.kind: f for f in Flag.objects.all()}


def test_queue_per_village_and_district(flags, village_operator, other_village_operator, dinsos_operator,
                                        village_head, client):
    assert client.get("/kualitas/").status_code == 302
    assert client_for(village_head).get("/kualitas/").status_code == 403
    page = client_for(village_operator).get("/kualitas/")
    assert page.status_code == 200 and str(flags["died"].pk) in page.content.decode()
    assert str(flags["died"].pk) not in client_for(other_village_operator).get("/kualitas/").content.decode()
    assert str(flags["died"].pk) in client_for(dinsos_operator).get("/kualitas/?status=open&kind=died").content.decode()


def test_flag_page_confirm_and_dismiss(flags, village_operator, other_village_operator):
    died, moved = flags["died"], flags["moved"]
    url = f"/kualitas/tanda/{died.pk}/"
    assert client_for(other_village_operator).get(url).status_code == 404
    client = client_for(village_operator)
    page = client.get(url).content.decode()
    assert "meninggal menurut Dukcapil" in page and "Siti Aminah" in page
    assert 'action="/pemutakhiran/tanda-kualitas/' in page
    refused = client.post(f"/kualitas/tanda/{moved.pk}/abaikan/", {"reason": ""})
    assert refused.status_code == 302 and Flag.objects.get(pk=moved.pk).status == "open"
    client.post(f"/kualitas/tanda/{moved.pk}/abaikan/", {"reason": "Sudah kembali"})
    assert Flag.objects.get(pk=moved.pk).status == "dismissed"
    assert client_for(other_village_operator).post(f"/kualitas/tanda/{moved.pk}/abaikan/",
                                                   {"reason": "x"}).status_code == 404


def test_runs_and_list_pages(stale_world, dinsos_operator, village_operator, tmp_path):
    client = client_for(dinsos_operator)
    assert client.get("/kualitas/proses/").status_code == 200
    assert client_for(village_operator).post("/kualitas/proses/", {"kind": "duplicates",
                                                                   "region_code": VILLAGE}).status_code == 403
    extract = io.BytesIO()
    pl.DataFrame(extract_rows(stale_world)).write_csv(extract)
    extract.seek(0)
    extract.name = "dukcapil.csv"
    response = client.post("/kualitas/proses/", {"kind": "civil_registry", "region_code": VILLAGE,
                                                 "extract": extract})
    run = MatchRun.objects.get()
    assert response.status_code == 302 and run.status == "done" and run.source == "file:dukcapil.csv"
    progress = client.get(f"/kualitas/proses/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="done"' in progress
    assert "nik_unknown" not in progress and "flags:" not in progress  # labels, not the stored keys
    assert str(MatchRun.objects.get().count_rows()[0][0]) in progress
    assert client.get("/kualitas/daftar/").status_code == 200
    assert client_for(village_operator).get("/kualitas/daftar/").status_code == 403


def test_list_page_stores_the_upload_and_the_worker_refuses_the_bomb(stale_world, dinsos_operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tepat.core.tests.workbooks import dimension_bomb
    from tepat.quality.models import ListMatch

    client = client_for(dinsos_operator)
    response = client.post("/kualitas/daftar/", {
        "name": "ASN", "kind": "civil_servants", "region_code": VILLAGE, "nik_column": "NIK",
        "file": SimpleUploadedFile("bomb.xlsx", dimension_bomb())})
    run = MatchRun.objects.get(kind="external_list")
    assert response.status_code == 302 and response["Location"] == f"/kualitas/proses/{run.pk}/"
    assert run.status == MatchRun.Status.FAILED and "XFD1048576" in run.error
    assert "XFD1048576" in client.get(response["Location"]).content.decode()
    assert not ListMatch.objects.exists()


def test_list_page_refuses_an_unknown_kind_of_file_on_the_form(stale_world, dinsos_operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(dinsos_operator).post("/kualitas/daftar/", {
        "name": "ASN", "kind": "civil_servants", "region_code": VILLAGE, "nik_column": "NIK",
        "file": SimpleUploadedFile("list.exe", b"MZ")})
    assert response.status_code == 422 and not MatchRun.objects.filter(kind="external_list").exists()


def test_civil_registry_command_refuses_the_bomb_extract(stale_world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tepat.core.exceptions import ValidationFailed
    from tepat.core.tests.workbooks import dimension_bomb

    bomb = tmp_path / "dukcapil.xlsx"
    bomb.write_bytes(dimension_bomb())
    with pytest.raises((CommandError, ValidationFailed)) as exc:  # refused in this process, which lives on
        call_command("match-civil-registry", "--region", VILLAGE, "--file", str(bomb))
    assert "XFD1048576" in str(exc.value)
    assert MatchRun.objects.get().status == MatchRun.Status.FAILED
