"""PKH amounts at every cap against figures computed by hand (FACTS §4 amounts), Sembako and PBI-JK per
tahap, and the trace of every decision."""

from __future__ import annotations

import pytest
from django.db.models.functions import Substr

from conftest import VILLAGE, assert_audited
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.programs.services.lists import list_determine

pytestmark = pytest.mark.django_db


def _entry(blist, family):
    return ListEntry.objects.get(list=blist, family_id=family.pk)


def test_pkh_amounts_at_every_cap(world):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    assert blist.status == BeneficiaryList.Status.DETERMINED
    assert_audited("beneficiary_list.determine", actor=world.op, target=blist)
    # three pregnant women, cap 2: 2 × 3,000,000
    preg = _entry(blist, world.f_preg3)
    assert preg.components == {"pregnant": 2} and preg.annual_amount == 6_000_000
    assert preg.tahap_amount == 1_500_000 and preg.status == "recipient"
    # three children 0–6, cap 2: 2 × 3,000,000
    kids = _entry(blist, world.f_kids3)
    assert kids.components == {"early_childhood": 2} and kids.annual_amount == 6_000_000
    # two elderly ≥ 70, cap 1: 2,400,000
    old = _entry(blist, world.f_old2)
    assert old.components == {"elderly": 1} and old.annual_amount == 2_400_000 and old.tahap_amount == 600_000
    # five components, max 4, highest amount first: pregnant 3,000,000 + early 3,000,000 + elderly 2,400,000
    # + SMP 1,500,000 = 9,900,000 (the SD pupil, 900,000, is the one left out)
    five = _entry(blist, world.f_five)
    assert five.components == {"pregnant": 1, "early_childhood": 1, "elderly": 1, "smp": 1}
    assert five.annual_amount == 9_900_000 and five.tahap_amount == 2_475_000
    assert isinstance(five.annual_amount, int)


def test_priority_in_configured_order_changes_the_fourth_component(world):
    from tepat.programs.services.releases import release_new_version, release_release, release_update

    draft = release_new_version(actor=world.op, release=world.pkh, note="SD before SMP")
    comps = [{"code": c.code, "kind": c.kind, "annual_amount": c.annual_amount, "cap_per_family": c.cap_per_family,
              "age_min": c.age_min, "age_max": c.age_max, "order": c.order} for c in draft.components.all()]
    release_update(actor=world.op, release=draft, data={"component_priority": "order", "components": comps})
    released = release_release(actor=world.op, release=draft)
    blist = list_determine(actor=world.op, release=released, period=world.period, tahap=2)
    five = _entry(blist, world.f_five)
    # configured order: pregnant, early childhood, SD, SMP → 3,000,000 + 3,000,000 + 900,000 + 1,500,000
    assert five.components == {"pregnant": 1, "early_childhood": 1, "sd": 1, "smp": 1}
    assert five.annual_amount == 8_400_000


def test_sembako_and_pbi_per_tahap(world):
    sembako = list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1)
    adults = _entry(sembako, world.f_adults)
    assert adults.status == "recipient" and adults.annual_amount == 2_400_000 and adults.tahap_amount == 600_000
    assert _entry(sembako, world.f_rich).reason_codes == ["DESIL_ABOVE_LIMIT"]
    pbi = list_determine(actor=world.op, release=world.pbi, period=world.period, tahap=3)
    kids = _entry(pbi, world.f_kids3)  # 5 people × 42,000 × 12 = 2,520,000 a year, 210,000 in one month
    assert kids.persons == 5 and kids.annual_amount == 2_520_000 and kids.tahap_amount == 210_000


def test_the_trace_explains_every_decision(world):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    clauses = blist.inputs["clauses"]
    entries = list(ListEntry.objects.filter(list=blist))
    assert all(len(entry.clause_passed) == len(clauses) for entry in entries)
    for entry in entries:
        trace = entry.trace
        assert [number for number, _, _ in trace] == list(range(len(clauses)))
        failed = [clauses[number]["reason"] for number, passed, _ in trace if not passed]
        assert entry.eligible == (not failed)
        expected = ["DESIL_MISSING" if r == "DESIL_ABOVE_LIMIT" and entry.desil is None else r for r in failed]
        assert entry.reason_codes == list(dict.fromkeys(expected)), entry
    rich = _entry(blist, world.f_rich)
    assert rich.trace[0] == (0, False, "6")
    # "who failed the desil clause" is a query, not a recomputation
    failing = ListEntry.objects.filter(list=blist).annotate(c0=Substr("clause_passed", 1, 1)).filter(c0="0")
    assert rich.pk in set(failing.values_list("pk", flat=True))
    assert all(not e.eligible for e in failing)
    assert _entry(blist, world.f_nodesil).reason_codes == ["DESIL_MISSING"]
    assert _entry(blist, world.f_adults).reason_codes == ["NO_COMPONENT"]
    assert blist.inputs["desil_period"] == "2026-T4" and blist.inputs["period"] == world.period.label


def test_list_reads_the_frozen_version_not_live_data(world):
    from datetime import date

    from tepat.registry.services import individual_add

    individual_add(actor=world.op, family=world.f_adults,
                   data={**__import__("conftest").member_data(relation=3, born=date(2024, 1, 1), name="Baru")}, correction_reason="test fixture")
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    assert _entry(blist, world.f_adults).eligible is False  # the new child is not in the determined version
    assert ListEntry.objects.filter(list=blist, region_code=VILLAGE).count() == 7
