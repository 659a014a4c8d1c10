"""The facts frame kept per determined version (`VersionFacts`) and the list references checked per statement
(ADR 0034) change no answer: a list determined from the packed facts has the same entries, traces
("why eligible / why not"), counts and review items as one determined from the frozen JSON; the packed frames
are the extracted frames exactly; a preview writes nothing; an entry naming no list is refused."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from conftest import assert_audited, audit_seq
from tepat.programs.engine import facts
from tepat.programs.models import BeneficiaryList, ListEntry, VersionFacts
from tepat.programs.services.evaluation import inputs_for
from tepat.programs.services.lists import list_determine, list_reject

pytestmark = pytest.mark.django_db

FIELDS = ["idx", "family_id", "region_code", "kk_number", "desil", "eligible", "status", "rank", "components",
          "persons", "annual_amount", "tahap_amount", "reasons", "change", "receiving", "clause_passed",
          "clause_seen"]


def _list_state(blist):
    entries = [tuple(e) for e in ListEntry.objects.filter(list=blist).order_by("idx").values_list(*FIELDS)]
    traces = {str(e.family_id): e.trace for e in ListEntry.objects.filter(list=blist)}
    reviews = sorted(blist.review_items.values_list("idx", "family_id", "kind"))
    counts = {k: v for k, v in blist.counts.items() if k != "timings"}
    return entries, traces, reviews, counts


def test_a_list_from_the_packed_facts_equals_one_from_the_json(world):
    facts._CACHE.clear()
    seq = audit_seq()
    first = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    assert first.counts["timings"]["read_json_s"] >= 0 and "read_packed_s" not in first.counts["timings"]
    row = VersionFacts.objects.get(period=world.period, region_code=world.pkh.region_id, layout=facts.LAYOUT)
    assert (row.frozen_count, row.family_count) == (world.period.frozen_count, world.period.frozen_count)
    assert_audited("version_facts.pack", actor=world.op, target=world.period, after=seq,
                   families=row.family_count, members=row.member_count, layout=facts.LAYOUT)

    # another worker process: nothing cached, the packed row is read (and not packed again); the first list
    # is rejected so that the second has no previous list either (same diff)
    list_reject(actor=world.spv, blist=first, reason="uji")
    facts._CACHE.clear()
    seq = audit_seq()
    second = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    assert "read_packed_s" in second.counts["timings"]
    assert VersionFacts.objects.filter(period=world.period).count() == 1
    from tepat.audit.models import AuditEvent
    assert not AuditEvent.objects.filter(action="version_facts.pack", seq__gt=seq).exists()

    a, b = _list_state(first), _list_state(second)
    assert a[0] == b[0]  # every entry, column by column (trace columns included)
    assert a[1] == b[1]  # "why eligible / why not" per family
    assert a[2] == b[2]
    assert a[3] == b[3]


def test_the_packed_frames_are_the_extracted_frames(world):
    from polars.testing import assert_frame_equal

    extracted = facts._read_version_sql(world.period, world.pkh.region_id)
    families, members = facts.unpack(*facts.pack(extracted))
    assert_frame_equal(families, extracted.families)
    assert_frame_equal(members, extracted.members)


def test_a_preview_reads_but_keeps_nothing(world):
    facts._CACHE.clear()
    inputs_for(world.period, world.pkh.region_id)
    assert not VersionFacts.objects.exists()


def test_a_packed_row_of_another_count_or_layout_is_not_used(world):
    facts._CACHE.clear()
    list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    VersionFacts.objects.update(layout="old")
    facts._CACHE.clear()
    assert not facts.read_version(world.period, world.pkh.region_id).packed
    VersionFacts.objects.update(layout=facts.LAYOUT, frozen_count=world.period.frozen_count + 1)
    facts._CACHE.clear()
    assert not facts.read_version(world.period, world.pkh.region_id).packed


def test_an_entry_naming_no_list_is_refused(world):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    entry = ListEntry.objects.filter(list=blist).first()
    before = ListEntry.objects.count()
    missing = BeneficiaryList(pk="00000000-0000-4000-8000-000000000000")
    with pytest.raises(IntegrityError), transaction.atomic():
        ListEntry.objects.create(list=missing, idx=999, family_id=entry.family_id, region_code=entry.region_code,
                                 status="not_eligible")
    with pytest.raises(IntegrityError), transaction.atomic():
        ListEntry.objects.filter(pk=entry.pk).update(list=missing)
    assert ListEntry.objects.count() == before
    assert ListEntry.objects.get(pk=entry.pk).list_id == blist.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete guard is a PostgreSQL statement trigger")
def test_a_list_with_entries_cannot_be_deleted_behind_the_orm(world):
    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    count = ListEntry.objects.filter(list=blist).count()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_beneficiarylist WHERE id = %s", [blist.pk])
    assert BeneficiaryList.objects.filter(pk=blist.pk).exists()
    assert ListEntry.objects.filter(list=blist).count() == count
