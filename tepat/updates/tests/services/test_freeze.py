"""The freeze (issue 9 item 5): both implementations of `freeze_batch` store the same `data` and `digest`,
in keyset batches, with only active families, active members and open programmes."""

import hashlib
from datetime import date

import pytest
from django.db import connection, transaction

from conftest import VILLAGE, make_kk, member_data
from tepat.audit.hashing import canonical_json
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, ProgramParticipation
from tepat.registry.services import family_create, individual_set_presence, program_participation_add
from tepat.updates.models import DeterminedFamily
from tepat.updates.services.freeze import active_families, freeze_batch

AWKWARD = 'Jl. "Melati" \\ 5\nRT\t01\x01 é ñ 中 😀 \u2028 \x7f'


@pytest.fixture
def families(actors, family, period):
    """The conftest family plus one with awkward text, JSON fields, a dead member and programmes."""
    odd = family_create(
        actor=actors.dinsos_operator, correction_reason="test fixture", region_code=VILLAGE,
        data={"kk_number": make_kk(), "rw": "3", "rt": "7", "floor_area_m2": 36,
              "assets": {"television": True, "gold": True}, "livestock": {"goat": 3, "cattle": 1}},
        members=[member_data(relation=1, name="Wayan Ñoman", born=date(1970, 2, 3)),
                 member_data(relation=2, sex=2, name="Ni Ketut", born=date(1972, 9, 30), pregnant=True),
                 member_data(relation=3, name="Putu", born=date(2001, 5, 6))],
    )
    Family.objects.filter(pk=odd.pk).update(address=AWKWARD, external_id="")  # past validation: any text
    members = list(odd.members.order_by("birth_date"))
    Individual.objects.filter(pk=members[1].pk).update(name=AWKWARD[:40], occupation="Petani \"kopi\"")
    individual_set_presence(actor=actors.dinsos_operator, correction_reason="test fixture", individual=members[2], presence=c.Presence.DIED)
    program_participation_add(actor=actors.dinsos_operator, correction_reason="test fixture", family=odd, program="pkh")
    program_participation_add(actor=actors.dinsos_operator, correction_reason="test fixture", family=odd, program="bpnt", individual=members[0])
    ended = program_participation_add(actor=actors.dinsos_operator, correction_reason="test fixture", family=family, program="pip")
    ProgramParticipation.objects.filter(pk=ended.pk).update(until=date(2025, 1, 1))
    removed = family_create(actor=actors.dinsos_operator, correction_reason="test fixture", region_code=VILLAGE, data={"kk_number": make_kk()},
                            members=[member_data(relation=1, name="Pergi")])
    Family.objects.filter(pk=removed.pk).update(status=c.FamilyStatus.REMOVED)
    return family, odd, removed


def _frozen(period):
    return {str(row.family_id): (row.data, row.digest, row.region_code)
            for row in DeterminedFamily.objects.filter(period=period)}


def _freeze_all(period, *, portable, limit):
    batches, people, cursor = [], 0, ""
    while True:
        done, members, cursor = freeze_batch(period, cursor, limit, portable=portable)
        if not done:
            return batches, people
        batches.append(done)
        people += members


def _expected(family):
    members = {
        str(m.pk): {**{name: getattr(m, name) for name in (
            "nik", "name", "birth_place", "occupation", "pregnant", "external_id", "sex", "relation",
            "marital_status", "education", "school_participation", "employment_status", "chronic_illness",
            "difficulty_seeing", "difficulty_hearing", "difficulty_walking", "difficulty_hands",
            "difficulty_learning", "difficulty_behaviour", "difficulty_communicating", "difficulty_self_care",
            "difficulty_remembering", "presence")}, "birth_date": m.birth_date.isoformat()}
        for m in Individual.objects.filter(family=family, presence__in=c.ACTIVE_PRESENCE)
    }
    programs = sorted(f"{p.program}:{p.individual_id}" if p.individual_id else p.program
                      for p in ProgramParticipation.objects.filter(family=family, until__isnull=True))
    return members, programs


@pytest.mark.parametrize("portable", [True, False], ids=["portable", "sql"])
def test_a_freeze_stores_active_families_in_keyset_batches(actors, families, period, portable):
    if not portable and connection.vendor != "postgresql":
        pytest.skip("the INSERT … SELECT freeze is PostgreSQL's; SQLite uses the portable one")
    family, odd, _removed = families

    batches, people = _freeze_all(period, portable=portable, limit=1)

    frozen = _frozen(period)
    assert batches == [1, 1] and set(frozen) == {str(family.pk), str(odd.pk)}  # not the removed family
    assert people == 3 + 2  # the dead member is not in the version
    data, digest, region = frozen[str(odd.pk)]
    members, programs = _expected(odd)
    assert region == VILLAGE and data["region_id"] == VILLAGE
    assert data["address"] == AWKWARD and data["assets"] == {"gold": True, "television": True}
    assert data["livestock"] == {"cattle": 1, "goat": 3} and data["floor_area_m2"] == 36
    assert data["members"] == members and len(members) == 2
    assert data["programs"] == programs and len(programs) == 2
    assert digest == hashlib.sha256(canonical_json(data).encode()).hexdigest()
    assert frozen[str(family.pk)][0]["programs"] == []  # the ended programme is not open
    # Nothing after the last batch.
    assert freeze_batch(period, "ffffffff-ffff-ffff-ffff-ffffffffffff", portable=portable) == (
        0, 0, "ffffffff-ffff-ffff-ffff-ffffffffffff")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the PostgreSQL copy with the portable one")
def test_the_sql_copy_and_the_portable_copy_store_the_same(actors, families, period):
    with transaction.atomic():
        _freeze_all(period, portable=True, limit=2000)
        portable = _frozen(period)
        transaction.set_rollback(True)
    assert not DeterminedFamily.objects.exists()

    _freeze_all(period, portable=False, limit=2000)

    assert _frozen(period) == portable and len(portable) == 2
    assert active_families(period).count() == 2
