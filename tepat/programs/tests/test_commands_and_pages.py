"""The command line (eligibility with a CSV export), the pages people read (explanation, preview, recap,
family page section), masking of what a masked role sees."""

from __future__ import annotations

import json
from io import StringIO

import polars as pl
import pytest
from django.core.management import call_command

from conftest import assert_audited, client_for
from tepat.core.actors import SYSTEM
from tepat.programs.models import BeneficiaryList
from tepat.programs.services.lists import list_determine

pytestmark = pytest.mark.django_db


def test_eligibility_command_writes_a_masked_csv(world, tmp_path):
    out = tmp_path / "pkh.csv"
    stdout = StringIO()
    call_command("eligibility", "--programme", "PKH", "--period", world.period.label, "--tahap", "1",
                 "--out", str(out), "--json", stdout=stdout)
    result = json.loads(stdout.getvalue())
    assert result["recipients"] == 5 and result["written"] == 8 and result["desil_period"] == "2026-T4"
    assert result["tahap_amount"] == 1_500_000 + 1_500_000 + 600_000 + 2_475_000 + 600_000
    frame = pl.read_csv(out, infer_schema_length=0)
    assert set(frame.columns) >= {"kk", "village", "eligible", "components", "annual_amount", "tahap_amount", "reasons"}
    assert all(kk.endswith("**********") for kk in frame["kk"])  # the system actor sees masked KK numbers
    assert frame.filter(pl.col("reasons").str.contains("DESIL_ABOVE_LIMIT")).height == 1
    blist = BeneficiaryList.objects.get(pk=result["list"])
    assert_audited("beneficiary_list.export", actor=SYSTEM, target=blist, rows=8)


def test_eligibility_command_as_a_user_sees_whole_kk(world, tmp_path):
    out = tmp_path / "sembako.csv"
    call_command("eligibility", "--programme", "SEMBAKO", "--period", world.period.label, "--out", str(out),
                 "--user", world.op.username, stdout=StringIO())
    frame = pl.read_csv(out, infer_schema_length=0)
    assert world.f_adults.kk_number in frame["kk"].to_list()


def test_eligibility_command_refuses_unknown_period(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("eligibility", "--programme", "PKH", "--period", "1999-01", stdout=StringIO())
    assert not BeneficiaryList.objects.exists()


def test_explanation_page_lists_every_clause_and_masks_for_a_masked_role(world, auditor):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    page = client_for(world.op).get(f"/program/daftar/{blist.pk}/keluarga/{world.f_rich.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and world.f_rich.kk_number in text
    assert "Peringkat kesejahteraan (desil) keluarga Anda di atas batas program ini." in text
    assert text.count("<tr>") >= len(blist.inputs["clauses"]) + 1
    assert_audited("personal_data.view", actor=world.op, kind="programme_explanation")
    five = client_for(auditor).get(f"/program/daftar/{blist.pk}/keluarga/{world.f_five.pk}/").content.decode()
    assert world.f_five.kk_number not in five and world.f_five.kk_number[:6] + "**********" in five
    assert "•••" in five  # the pregnancy component and the component count are health data


def test_preview_counts_entering_and_leaving(world):
    from tepat.programs.services.releases import release_new_version, release_update

    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    from tepat.programs.services.lists import list_approve

    list_approve(actor=world.spv, blist=blist)
    draft = release_new_version(actor=world.op, release=world.pkh)
    rules = [{"field": r.field, "op": r.op, "value": 2 if r.field == "desil" else r.value, "reason": r.reason}
             for r in draft.rules.all()]
    release_update(actor=world.op, release=draft, data={"rules": rules})
    page = client_for(world.op).get(f"/program/rilis/{draft.pk}/pratinjau/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-leaving>2<' in text and 'data-entering>0<' in text


def test_family_page_shows_programmes_received(world, family):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    page = client_for(world.op).get(f"/registri/keluarga/{world.f_five.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "data-programmes-received" in text
    assert "PKH" in text and f"/program/daftar/{blist.pk}/keluarga/{world.f_five.pk}/" in text


def test_recap_sums_per_village(world):
    blist = list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1)
    from tepat.programs.selectors import village_recap

    rows = {r["region_code"]: r for r in village_recap(actor=world.op, blist=blist)}
    assert rows["36.04.05.2001"]["recipients"] == 5 and rows["36.04.05.2001"]["tahap_amount"] == 5 * 600_000
    assert rows["36.04.05.2002"]["recipients"] == 1
    page = client_for(world.op).get(f"/program/daftar/{blist.pk}/rekap/")
    assert page.status_code == 200 and "3,000,000" in page.content.decode().replace(".", ",")
