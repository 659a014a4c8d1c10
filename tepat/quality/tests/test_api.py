"""The JSON API: one authorization matrix per endpoint (anonymous 401, wrong role 403, wrong region 404,
right one 2xx), refused actions change nothing, list matching with a column mapping."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pytest

from conftest import VILLAGE, client_for
from tepat.audit.models import AuditEvent
from tepat.quality.adapters import FileAdapter
from tepat.quality.models import Flag, ListMatch, MatchRun
from tepat.quality.services.runs import civil_match_run, run_create
from tepat.quality.tests.conftest import extract_rows

API = "/api/v1/quality"


@pytest.fixture
def flags(stale_world, dinsos_operator, tmp_path):
    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_run(actor=dinsos_operator, run=run, adapter=FileAdapter(path), today=date(2026, 6, 1))
    return {"died": Flag.objects.get(kind="died"), "moved": Flag.objects.get(kind="moved"), "run": run}


def _status(user, method, url, **kwargs):
    client = client_for(user)
    return getattr(client, method)(url, **kwargs)


def test_flag_list_matrix(flags, village_operator, village_head, other_dinsos_operator, dinsos_operator):
    assert _status(None, "get", f"{API}/flags").status_code == 401
    assert _status(village_head, "get", f"{API}/flags").status_code == 403
    other = _status(other_dinsos_operator, "get", f"{API}/flags")
    assert other.status_code == 200 and other.json() == []
    mine = _status(village_operator, "get", f"{API}/flags")
    assert mine.status_code == 200 and {f["kind"] for f in mine.json()} == {"died", "moved", "nik_not_matched"}
    assert len(_status(dinsos_operator, "get", f"{API}/flags?kind=died").json()) == 1


def test_flag_detail_matrix(flags, village_operator, village_head, other_village_operator):
    url = f"{API}/flags/{flags['died'].pk}"
    assert _status(None, "get", url).status_code == 401
    assert _status(village_head, "get", url).status_code == 403
    assert _status(other_village_operator, "get", url).status_code == 404
    response = _status(village_operator, "get", url)
    assert response.status_code == 200
    body = response.json()
    assert body["records"][0]["name"] == "Siti Aminah"
    assert "died according to the civil registry" in [e["text_en"] for e in body["evidence"]]


def test_dismiss_matrix_and_refusals_change_nothing(flags, village_operator, village_head, other_dinsos_operator):
    flag = flags["moved"]
    url = f"{API}/flags/{flag.pk}/dismiss"
    events = AuditEvent.objects.count()
    for user, code in ((None, 401), (village_head, 403), (other_dinsos_operator, 404)):
        response = _status(user, "post", url, data={"reason": "tidak"}, content_type="application/json")
        assert response.status_code == code
    assert _status(village_operator, "post", url, data={"reason": " "},
                   content_type="application/json").status_code == 422
    flag.refresh_from_db()
    assert flag.status == "open" and AuditEvent.objects.count() == events
    response = _status(village_operator, "post", url, data={"reason": "Sudah kembali ke desa"},
                       content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert _status(village_operator, "post", url, data={"reason": "lagi"},
                   content_type="application/json").status_code == 409


def test_run_matrix(flags, village_operator, other_dinsos_operator, dinsos_operator, village_head):
    url = f"{API}/runs"
    data = {"kind": "duplicates", "region_code": VILLAGE}
    runs = MatchRun.objects.count()
    for user, code in ((None, 401), (village_operator, 403), (other_dinsos_operator, 404)):
        assert _status(user, "post", url, data=data, content_type="application/json").status_code == code
    assert MatchRun.objects.count() == runs
    response = _status(dinsos_operator, "post", url, data=data, content_type="application/json")
    assert response.status_code == 202 and response.json()["status"] == "done"
    run_url = f"{API}/runs/{flags['run'].pk}"
    assert _status(None, "get", run_url).status_code == 401
    assert _status(village_head, "get", run_url).status_code == 403
    assert _status(other_dinsos_operator, "get", run_url).status_code == 404
    body = _status(dinsos_operator, "get", run_url).json()
    assert body["percent"] == 100 and body["counts"]["died"] == 1
    not_configured = _status(dinsos_operator, "post", url, data={"kind": "civil_registry", "region_code": VILLAGE},
                             content_type="application/json")
    assert not_configured.status_code == 422


def _list_file(world) -> io.BytesIO:
    head = world["family"].members.get(relation=1)
    moved = world["moved"]
    frame = pl.DataFrame({"NIP": ["1", "2", "3"], "Nomor KTP": [head.nik, "", "3604999999990001"],
                          "Nama Pegawai": ["BUDI SANTOSO", "Rina Wahyuni", "Orang Lain"],
                          "Tgl Lahir": ["", moved.birth_date.isoformat(), "1990-01-01"]})
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    buffer.seek(0)
    buffer.name = "asn.csv"
    return buffer


def test_list_upload_matrix_and_matching(stale_world, village_operator, other_dinsos_operator, dinsos_operator):
    mapping = json.dumps({"nik": "Nomor KTP", "name": "Nama Pegawai", "birth_date": "Tgl Lahir"})

    def post(user):
        return _status(user, "post", f"{API}/lists", data={
            "name": "ASN Kab. Serang 2026", "kind": "civil_servants", "region_code": VILLAGE, "mapping": mapping,
            "file": _list_file(stale_world)})

    assert post(None).status_code == 401
    assert post(village_operator).status_code == 403
    assert post(other_dinsos_operator).status_code == 404
    assert not ListMatch.objects.exists()
    assert not MatchRun.objects.filter(kind="external_list").exists()
    response = post(dinsos_operator)
    # Accepted: the worker reads and matches the file; the run says how it went and names the list.
    assert response.status_code == 202 and response.json()["kind"] == "external_list"
    run = MatchRun.objects.get(pk=response.json()["id"])
    assert run.status == MatchRun.Status.DONE and run.counts["matches"] == 2
    assert _status(dinsos_operator, "get", f"{API}/runs/{run.pk}").json()["counts"]["list_id"] == run.counts["list_id"]
    rules = {m.individual.name: m.evidence[0]["level"] for m in ListMatch.objects.select_related("individual")}
    assert rules == {"Budi Santoso": "nik", "Hj. Rina Wahyuni": "name_birth_date"}
    by_nik = ListMatch.objects.get(individual__name="Budi Santoso")
    assert by_nik.score == 1.0  # an equal NIK is certain, not "0,000"
    assert all("0.00" not in item["text_en"] for item in by_nik.evidence)
    assert Flag.objects.filter(kind="on_list").count() == 2
    assert AuditEvent.objects.filter(action="quality.list_match", actor=dinsos_operator).count() == 1
    assert post(dinsos_operator).status_code == 202
    assert Flag.objects.filter(kind="on_list").count() == 2  # same evidence, not raised again
    bad = _status(dinsos_operator, "post", f"{API}/lists", data={
        "name": "x", "kind": "civil_servants", "region_code": VILLAGE, "mapping": json.dumps({"nik": "NIKX"}),
        "file": _list_file(stale_world)})
    assert bad.status_code == 202  # the column is looked for in the worker, which fails the run, naming it
    failed = MatchRun.objects.get(pk=bad.json()["id"])
    assert failed.status == MatchRun.Status.FAILED and "column 'NIKX' is not in the file" in failed.error


def _post_list(user, content: bytes, name: str, mapping: str = '{"nik": "NIK"}'):
    file = io.BytesIO(content)
    file.name = name
    return _status(user, "post", f"{API}/lists", data={
        "name": "Daftar", "kind": "civil_servants", "region_code": VILLAGE, "mapping": mapping, "file": file})


def test_list_upload_bomb_workbook_fails_the_run_and_the_server_lives(stale_world, dinsos_operator):
    from tepat.core.tests.workbooks import dimension_bomb

    response = _post_list(dinsos_operator, dimension_bomb(), "bomb.xlsx")
    assert response.status_code == 202
    run = MatchRun.objects.get(pk=response.json()["id"])
    assert run.status == MatchRun.Status.FAILED
    assert "1,048,576 rows × 16,384 columns" in run.error and "XFD1048576" in run.error
    assert not ListMatch.objects.exists()
    assert _status(dinsos_operator, "get", f"{API}/runs/{run.pk}").json()["status"] == "failed"


@pytest.mark.parametrize("mapping", ["[1,2]", '{"nik": 5}', '"nik"', '{"nope": "NIK"}'])
def test_list_upload_with_a_mapping_of_the_wrong_shape_is_422_naming_the_field(stale_world, dinsos_operator,
                                                                               mapping):
    runs = MatchRun.objects.count()
    response = _post_list(dinsos_operator, b"NIK\n1\n", "l.csv", mapping=mapping)
    assert response.status_code == 422
    assert any(e["field"].startswith("mapping") for e in response.json()["errors"])
    assert MatchRun.objects.count() == runs


def test_list_upload_over_the_size_limit_is_refused_before_storing(stale_world, dinsos_operator, settings):
    settings.TEPAT_UPLOAD_LIMITS = {"external_list": 10}
    response = _post_list(dinsos_operator, b"NIK\n3604051401800001\n", "l.csv")
    assert response.status_code == 422 and "limit is 10 B" in json.dumps(response.json())
    assert not MatchRun.objects.filter(kind="external_list").exists()


def test_list_upload_unclosed_quote_does_not_echo_the_file(stale_world, dinsos_operator):
    content = b'NIK,NAMA\n3604051401800001,"Budi\n3604051401800002,Siti\n3604051401800003,Ani\n'
    run = MatchRun.objects.get(pk=_post_list(dinsos_operator, content, "l.csv").json()["id"])
    assert run.status in (MatchRun.Status.FAILED, MatchRun.Status.DONE)
    assert "3604051401800002" not in run.error and "3604051401800003" not in run.error
