"""A duplicate pair across villages: the side outside the reader's villages is masked (issue 8 item 11)."""

import pytest

from tepat.quality.selectors import _person

pytestmark = pytest.mark.django_db


def test_the_out_of_scope_side_of_a_pair_is_masked(village_operator, family, other_village_family):
    mine = family.members.get(relation=1)
    theirs = other_village_family.members.get(relation=1)

    shown_mine, shown_theirs = _person(village_operator, mine), _person(village_operator, theirs)

    assert (shown_mine["nik"], shown_mine["name"]) == (mine.nik, mine.name)
    assert shown_theirs["nik"] == theirs.nik[:6] + "*" * 10 and theirs.nik not in str(shown_theirs)
    assert shown_theirs["kk_number"] == other_village_family.kk_number[:6] + "*" * 10
    assert shown_theirs["birth_date"] == theirs.birth_date.year
    assert shown_theirs["name"] != theirs.name and shown_theirs["name"].endswith(".")
