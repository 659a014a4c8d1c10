"""`tepat import-desil` and `tepat demo-desil` from the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from conftest import DISTRICT, assert_audited
from tepat.core.actors import SYSTEM
from tepat.targeting.models import DesilRelease, FamilyDesil, PmtWeightSet
from tepat.targeting.tests.conftest import desil_csv

pytestmark = pytest.mark.django_db


def _run(*args) -> dict:
    out = io.StringIO()
    call_command("import-desil", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_import_desil_json_dry_run_report_and_rerun(families, tmp_path):
    path = tmp_path / "desil.csv"
    path.write_bytes(desil_csv((families[0].kk_number, "", "1"), (families[1].kk_number, "", "12")))
    report = tmp_path / "laporan.csv"
    dry = _run(str(path), "--region", DISTRICT, "--period", "2026-T4", "--dry-run", "--report", str(report))
    assert dry["status"] == "dry_run" and dry["families"] == 1 and not DesilRelease.objects.exists()
    assert "desil_range" in report.read_text(encoding="utf-8-sig")
    done = _run(str(path), "--region", DISTRICT, "--period", "2026-T4", "--decree-number", "SK 1",
                "--decree-date", "2026-11-02")
    assert done["status"] == "published" and done["changed"] and done["rows_rejected"] == 1
    release = DesilRelease.objects.get(pk=done["release_id"])
    assert_audited("desil_release.publish", actor=SYSTEM, target=release)
    again = _run(str(path), "--region", DISTRICT, "--period", "2026-T4", "--decree-number", "SK 1",
                 "--decree-date", "2026-11-02")
    assert again["release_id"] == done["release_id"] and not again["changed"]
    assert FamilyDesil.objects.count() == 1


def test_import_desil_refuses_bad_arguments_with_json(families, tmp_path):
    with pytest.raises(SystemExit):
        call_command("import-desil", str(tmp_path / "missing.csv"), "--period", "P", "--json", stdout=io.StringIO())
    assert not DesilRelease.objects.exists()


def test_demo_desil_writes_imports_and_is_idempotent(families, tmp_path):
    out = tmp_path / "demo.csv"
    first = io.StringIO()
    call_command("demo-desil", "--region", DISTRICT, "--out", str(out), "--json", stdout=first)
    summary = json.loads(first.getvalue())
    assert summary["status"] == "published" and summary["rows_rejected"] >= 4
    assert PmtWeightSet.objects.filter(region_id=DISTRICT).count() == 1
    again = io.StringIO()
    call_command("demo-desil", "--region", DISTRICT, "--out", str(out), "--json", stdout=again)
    assert json.loads(again.getvalue())["changed"] is False
