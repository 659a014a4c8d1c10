"""The probable-duplicate engine on every shape of registry (issue 9 item 2): nothing, one person, two people,
no duplicates at all, every person listed twice, one village, NIKs kept unique, and the independent
population (`tepat.quality.synthetic`) at the accuracy targets. No database."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tepat.quality.matching.names import match_key, name_key, name_key_expr
from tepat.quality.matching.probable import evidence, evidence_text, probable_pairs
from tepat.quality.synthetic import population, truth_pairs

COLUMNS = ["id", "family_id", "nik", "name_key", "birth_date", "sex", "village"]


def _frame(people: pl.DataFrame) -> pl.DataFrame:
    return people.with_columns(name_key_expr("name").alias("name_key"))


def _found(pairs: pl.DataFrame) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for a, b in zip(pairs["left_id"], pairs["right_id"], strict=True)}


def _score(found: set, truth: set) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if tp else 0.0


def _person(i: str, family: str, name: str, born: date, nik: str = "", sex: int = 2,
            village: str = "32.05.01.2001") -> dict:
    return {"id": i, "family_id": family, "nik": nik, "name_key": name_key(name), "birth_date": born, "sex": sex,
            "village": village}


def test_empty_and_single_record_registries_give_no_pairs():
    empty = pl.DataFrame(schema={"id": pl.String, "family_id": pl.String, "nik": pl.String, "name_key": pl.String,
                                 "birth_date": pl.Date, "sex": pl.Int16, "village": pl.String})
    assert probable_pairs(empty).is_empty()
    one = pl.DataFrame([_person("a", "F1", "Euis Kurniasih", date(1980, 3, 4), "3205014403800001")])
    assert probable_pairs(one).is_empty()


def test_registry_of_two_people():
    born = date(1975, 8, 17)
    same = pl.DataFrame([_person("a", "F1", "Siti Aminah", born, "3205015708750001"),
                         _person("b", "F2", "Siti Aminah", born, "")])
    pairs = probable_pairs(same)
    assert _found(pairs) == {("a", "b")}
    assert "NIK missing on one side" in evidence_text(evidence(pairs.row(0, named=True)))
    different = pl.DataFrame([_person("a", "F1", "Siti Aminah", born, "3205015708750001"),
                              _person("b", "F2", "Budi Santoso", date(1990, 1, 2), "3205010201900001", sex=1)])
    assert probable_pairs(different).is_empty()


def test_registry_without_any_duplicate():
    people = _frame(population(people=6000, seed=3, duplicate_share=0.0).people)
    assert people["person"].n_unique() == people.height
    pairs = probable_pairs(people)
    assert pairs.height <= 3  # namesakes born the same day exist; almost none pass the threshold


def test_registry_where_everyone_is_listed_twice():
    base = population(people=3000, seed=4, duplicate_share=0.0).people
    again = base.with_columns(
        (pl.col("id") + "-again").alias("id"), (pl.col("family_id") + "-again").alias("family_id"),
        # every third listing without its NIK: a registry with NIK-equal pairs and without
        pl.when(pl.int_range(pl.len()) % 3 == 0).then(pl.lit("")).otherwise(pl.col("nik")).alias("nik"))
    people = _frame(pl.concat([base, again]))
    precision, recall, _ = _score(_found(probable_pairs(people)), truth_pairs(people))
    assert precision >= 0.99 and recall >= 0.97, (precision, recall)


def test_one_village():
    pop = population(people=60000, seed=5)
    village = pop.people.group_by("village").len().sort("len", descending=True)["village"][0]
    people = _frame(pop.people.filter(pl.col("village") == village))
    truth = truth_pairs(people)
    assert truth  # second listings within the desa
    precision, recall, _ = _score(_found(probable_pairs(people)), truth)
    assert precision >= 0.97 and recall >= 0.9, (precision, recall)


def test_registry_that_keeps_niks_unique():
    """No two records share a NIK (the prior used to be estimated from them, and Splink crashed)."""
    pop = population(people=20000, seed=6)
    people = _frame(pop.people).with_columns(
        pl.when(pl.col("planted") != "").then(pl.lit("")).otherwise(pl.col("nik")).alias("nik"))
    assert people.filter(pl.col("nik") != "")["nik"].is_duplicated().sum() == 0
    precision, recall, _ = _score(_found(probable_pairs(people)), truth_pairs(people))
    assert precision >= 0.97 and recall >= 0.85, (precision, recall)


@pytest.mark.parametrize("seed", [7, 8])
def test_independent_population_meets_the_targets(seed):
    people = _frame(population(people=40000, seed=seed).people)
    precision, recall, f1 = _score(_found(probable_pairs(people)), truth_pairs(people))
    assert precision >= 0.99 and f1 >= 0.98, (precision, recall, f1)


def test_twins_and_namesakes_are_not_duplicates():
    born = date(2015, 4, 9)
    people = pl.DataFrame([
        # twins in one household: same surname and birth date, serials 0001/0002
        _person("t1", "F1", "Rina Simanjuntak", born, "3205014904150001"),
        _person("t2", "F1", "Rini Simanjuntak", born, "3205014904150002"),
        # namesakes born the same day, NIKs of two kecamatan
        _person("n1", "F2", "Dewi", born, "3205014904150003"),
        _person("n2", "F3", "Dewi", born, "3205074904150001", village="32.05.07.2001"),
    ])
    assert probable_pairs(people).is_empty()


def test_a_household_listed_again_brings_the_mistyped_member():
    """A family listed again in another kecamatan, one member without NIK and with a name typo."""
    born = [date(1970, 5, 1), date(1974, 9, 12), date(2001, 2, 20), date(2004, 7, 7)]
    names = ["Jajang Supriatna", "Euis Kurniasih", "Rizal Supriatna", "Tiara Supriatna"]
    niks = ["3205010105700001", "3205015209740001", "3205012002010001", "3205014707040001"]
    sexes = [1, 2, 1, 2]
    first = [_person(f"a{i}", "FA", n, b, k, s) for i, (n, b, k, s) in enumerate(zip(names, born, niks, sexes,
                                                                                       strict=True))]
    moved = [_person(f"b{i}", "FB", n, b, k, s, village="32.05.09.2003")
             for i, (n, b, k, s) in enumerate(zip(names, born, niks, sexes, strict=True))]
    moved[2] = {**moved[2], "name_key": name_key("Rijal Suprianta"), "nik": ""}
    pairs = probable_pairs(pl.DataFrame(first + moved))
    found = _found(pairs)
    assert ("a2", "b2") in found
    row = pairs.filter(pl.col("left_id") == "a2").row(0, named=True)
    assert "3 other family member(s) also match" in evidence_text(evidence(row))
    assert ("a2", "b3") not in found and ("a3", "b2") not in found


@pytest.mark.parametrize(("a", "b"), [
    ("Achmad Djunaedi", "Ahmad Junaedi"), ("Moh. Yusuf", "Muhammad Jusuf"), ("Mochamad Joesoef", "M. Yusuf"),
    ("Siti Aminah", "Siti Amina"), ("Abd. Rahman", "Abdul Rahman"), ("Tjahjono", "Cahyono"),
    ("Khadijah", "Hadijah"),
])
def test_spelling_variants_share_the_match_key(a, b):
    assert match_key(name_key(a)) == match_key(name_key(b))
    frame = pl.DataFrame({"k": [name_key(a), name_key(b)]})
    from tepat.quality.matching.names import match_key_expr

    keys = frame.select(match_key_expr("k"))["k"].to_list()
    assert keys == [match_key(name_key(a)), match_key(name_key(b))]


def test_different_names_keep_different_match_keys():
    assert match_key(name_key("Dewi")) != match_key(name_key("Dedi"))
    assert match_key(name_key("Yuli")) != match_key(name_key("Juli Astuti"))


def test_the_splink_model_is_set_and_every_probability_is_inside_zero_one():
    """Nothing is trained: every level of the Splink settings carries m and u strictly between 0 and 1, on a
    registry of two people with unique NIKs as on a district (no logarithm can fail)."""
    from tepat.quality.matching.probable.engine import ProbableOptions, features
    from tepat.quality.matching.probable.model import estimate, splink_settings

    two = pl.DataFrame([_person("a", "F1", "Siti Aminah", date(1975, 8, 17), "3205015708750001"),
                        _person("b", "F2", "Budi Santoso", date(1990, 1, 2), "3205010201900001", sex=1)])
    district = _frame(population(people=5000, seed=9).people)
    for people in (two, district):
        prepared, links = features(people, ProbableOptions())
        settings = splink_settings(estimate(prepared, links, u_pairs=2e4, seed=1))
        assert 0 < settings["probability_two_random_records_match"] < 1
        for comparison in settings["comparisons"]:
            for level in comparison["comparison_levels"]:
                if not level.get("is_null_level"):
                    assert 0 < level["m_probability"] <= 1 and 0 < level["u_probability"] < 1, level


def test_a_registry_where_everyone_shares_one_birth_date():
    """Heaped dates ("unknown" written as 1 January): the broad blocks are past their cap and left out; the
    equal-NIK and equal-name blocks still find the second listing."""
    born = date(1950, 1, 1)
    people = pl.DataFrame([_person(f"p{i}", f"F{i}", f"Orang {chr(97 + i % 26)}{i}", born,
                                   f"32050141015{i:05d}") for i in range(400)]
                          + [_person("dup", "FX", "Orang a0", born, "3205014101500000")])
    assert _found(probable_pairs(people)) == {("dup", "p0")}
