"""The JSON API reads what the pages read, masked the same way."""

from __future__ import annotations

import pytest

from conftest import client_for
from tepat.programs.services.lists import list_determine

pytestmark = pytest.mark.django_db


def test_entries_are_masked_for_a_masked_role(world, auditor):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    rows = client_for(auditor).get(f"/api/v1/programs/lists/{blist.pk}/entries?status=recipient").json()
    five = next(r for r in rows if r["family_id"] == str(world.f_five.pk))
    assert five["kk"] == world.f_five.kk_number[:6] + "*" * 10
    assert five["components"]["pregnant"] == "•••" and five["components"]["smp"] == 1
    assert five["tahap_amount"] == 2_475_000
    full = client_for(world.op).get(f"/api/v1/programs/lists/{blist.pk}/entries?status=recipient").json()
    assert next(r for r in full if r["family_id"] == str(world.f_five.pk))["kk"] == world.f_five.kk_number


def test_explanation_api_gives_every_clause_and_the_citizen_text(world):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    body = client_for(world.op).get(f"/api/v1/programs/lists/{blist.pk}/families/{world.f_adults.pk}").json()
    assert body["eligible"] is False and len(body["clauses"]) == len(blist.inputs["clauses"])
    failed = [c for c in body["clauses"] if not c["passed"]]
    assert [c["reason"] for c in failed] == ["NO_COMPONENT"]
    assert body["reasons"][0]["text_en"].startswith("No family member meets a programme component")
    assert body["inputs"]["desil_period"] == "2026-T4"


def test_village_operator_sees_only_their_village(world, village_operator):
    blist = list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1)
    rows = client_for(village_operator).get(f"/api/v1/programs/lists/{blist.pk}/entries").json()
    assert rows and {r["village"] for r in rows} == {"36.04.05.2001"}
    other = client_for(village_operator).get(f"/api/v1/programs/lists/{blist.pk}/families/{world.f_other.pk}")
    assert other.status_code == 404


def test_bad_release_patch_answers_422_with_the_field(world):
    draft_id = world.blt_draft.pk
    answer = client_for(world.op).patch(f"/api/v1/programs/releases/{draft_id}",
                                        data={"data": {"amount": 900000.5}}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "amount"
    world.blt_draft.refresh_from_db()
    assert world.blt_draft.amount == 900_000
