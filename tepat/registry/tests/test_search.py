"""Name search runs on whichever database the suite uses: pg_trgm on PostgreSQL, RapidFuzz on SQLite.

Run the suite on both (TEPAT_TEST_DATABASE_URL=postgres://...) to exercise both backends.
"""

from datetime import date

import pytest
from django.db import connection

from conftest import OTHER_VILLAGE, VILLAGE, make_kk, member_data
from tepat.registry.models import Individual
from tepat.registry.search import name_match_ids, uses_trigram_index
from tepat.registry.services import family_create

NAMES = ["Budi Santoso", "Budiman Santika", "Siti Aminah", "Joko Widodo", "Muhammad Rizki", "Dedi Kurniawan"]


@pytest.fixture
def people(dinsos_operator) -> dict[str, Individual]:
    """Each name heads its own family, half in VILLAGE and half in OTHER_VILLAGE."""
    made = {}
    for i, name in enumerate(NAMES):
        family = family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE if i % 2 == 0 else OTHER_VILLAGE,
                               data={"kk_number": make_kk()},
                               members=[member_data(name=name, born=date(1970 + i, 1, 1))])
        made[name] = family.members.get()
    return made


def _names(ids, people) -> list[str]:
    by_id = {person.pk: name for name, person in people.items()}
    return [by_id[i] for i in ids]


def test_the_backend_follows_the_database():
    assert uses_trigram_index() is (connection.vendor == "postgresql")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_has_the_trigram_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'registry_individual_name_key_trgm'")
        [(definition,)] = cursor.fetchall()
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchall() == [(1,)]
    assert "gin" in definition and "gin_trgm_ops" in definition


@pytest.mark.parametrize(("query", "expected"), [
    ("Budi Santoso", "Budi Santoso"),
    ("Budi Santosa", "Budi Santoso"),
    ("budi  santoso", "Budi Santoso"),
    ("Bdi Santoso", "Budi Santoso"),
    ("Siti Aminh", "Siti Aminah"),
    ("Hj. Siti Aminah", "Siti Aminah"),
    ("Djoko Widodo", "Joko Widodo"),
    ("Mohammad Rizky", "Muhammad Rizki"),
    ("Dedi Kurniawan, S.Sos", "Dedi Kurniawan"),
])
def test_typo_tolerant_match_best_first(people, query, expected):
    ids = name_match_ids(Individual.objects.all(), query)

    assert _names(ids, people)[0] == expected


def test_a_close_but_different_name_is_not_a_match(people):
    # The same answer on both backends: "Budiman Santika" is too far from "Budi Santosa".
    assert _names(name_match_ids(Individual.objects.all(), "Budi Santosa"), people) == ["Budi Santoso"]


def test_a_first_name_alone_finds_every_person_who_has_it(people):
    assert set(_names(name_match_ids(Individual.objects.all(), "Budi"), people)) == {"Budi Santoso",
                                                                                    "Budiman Santika"}


def test_only_the_given_rows_are_searched(people):
    in_village = Individual.objects.filter(family__region_id=VILLAGE)

    assert _names(name_match_ids(in_village, "Siti Aminah"), people) == ["Siti Aminah"]
    assert name_match_ids(in_village, "Joko Widodo") == []  # lives in OTHER_VILLAGE
    assert name_match_ids(Individual.objects.none(), "Siti Aminah") == []


@pytest.mark.parametrize("query", ["", "   ", "H.", "123", "!!"])
def test_a_query_without_letters_matches_nothing(people, query):
    assert name_match_ids(Individual.objects.all(), query) == []


def test_nobody_matches_an_unrelated_name(people):
    assert name_match_ids(Individual.objects.all(), "Wayan Sudarsana") == []


def test_limit(people):
    assert len(name_match_ids(Individual.objects.all(), "Budi", limit=1)) == 1
