"""What `make demo` runs after loading the demo district: the duplicate search finds the planted second
listings, and the civil-registry match against the generated Dukcapil extract raises died/moved flags."""

from __future__ import annotations

import json
from io import StringIO

import polars as pl
from django.core.management import call_command

from conftest import KECAMATAN
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.quality.models import CandidatePair, Flag, MatchRun
from tepat.registry.models import Individual


def test_demo_district_fills_both_review_queues(db, tmp_path):
    from tepat.registry.demo import demo_data_load, demo_generate_for_region

    data = demo_generate_for_region(region_code=KECAMATAN, families=600, seed=2025, duplicates=20)
    planted = data.individuals.filter(pl.col("relation") == 8)
    assert planted.height >= 15
    demo_data_load(actor=SYSTEM, data=data, region_code=KECAMATAN)

    out = StringIO()
    call_command("find-duplicates", "--region", KECAMATAN, "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["flags"] > 0
    planted_ids = set(planted["id"].to_list())
    paired = {str(i) for pair in CandidatePair.objects.filter(kind__in=["probable", "nik_two_families"])
              .values_list("left_id", "right_id") for i in pair}
    assert len(planted_ids & paired) >= 0.8 * len(planted_ids)
    assert Flag.objects.filter(kind=Flag.Kind.DUPLICATE, status=Flag.Status.OPEN).count() >= 0.8 * len(planted_ids)
    run = MatchRun.objects.get(kind=MatchRun.Kind.DUPLICATES)
    assert AuditEvent.objects.filter(action="quality.run_finish", target_id=str(run.pk)).exists()

    extract = tmp_path / "dukcapil.csv"
    call_command("demo-civil-extract", "--region", KECAMATAN, "--out", str(extract), stdout=StringIO())
    rows = pl.read_csv(extract, infer_schema_length=0)
    assert rows.height > 0.9 * Individual.objects.exclude(nik="").count() * 0.9
    call_command("match-civil-registry", "--region", KECAMATAN, "--file", str(extract), stdout=StringIO())
    assert Flag.objects.filter(kind=Flag.Kind.DIED).exists() and Flag.objects.filter(kind=Flag.Kind.MOVED).exists()
    # a rerun (make demo is rerunnable) raises nothing new
    before = Flag.objects.count()
    call_command("find-duplicates", "--region", KECAMATAN, stdout=StringIO())
    call_command("match-civil-registry", "--region", KECAMATAN, "--file", str(extract), stdout=StringIO())
    assert Flag.objects.count() == before


def _run(actor, region):
    from tepat.quality.services.runs import duplicates_run, run_create

    run = run_create(actor=actor, kind=MatchRun.Kind.DUPLICATES, region_code=region)
    return duplicates_run(actor=actor, run=run)


def test_duplicate_run_on_an_empty_and_a_two_person_registry(db, dinsos_operator):
    """Registries the old trained model crashed on: nobody, and two people (one listed twice, no NIK)."""
    from datetime import date

    from conftest import VILLAGE
    from tepat.quality.tests.factories import raw_family, raw_member

    empty = _run(dinsos_operator, VILLAGE)
    assert empty.status == MatchRun.Status.DONE and empty.counts["individuals"] == 0
    assert not CandidatePair.objects.exists()
    first = raw_member(raw_family(region=VILLAGE), name="Siti Aminah", born=date(1979, 4, 2), sex=2)
    again = raw_member(raw_family(region=VILLAGE), name="SITI AMINAH", born=date(1979, 4, 2), sex=2, nik="")
    run = _run(dinsos_operator, VILLAGE)
    assert run.status == MatchRun.Status.DONE
    pair = CandidatePair.objects.get(run=run, kind="probable")
    assert {pair.left_id, pair.right_id} == {first.pk, again.pk} and pair.probability >= 0.9
    flag = Flag.objects.get(pair=pair)
    assert flag.kind == Flag.Kind.DUPLICATE and flag.status == Flag.Status.OPEN
    event = AuditEvent.objects.filter(action="quality.run_finish", target_id=str(run.pk)).get()
    assert event.actor_id == dinsos_operator.pk
