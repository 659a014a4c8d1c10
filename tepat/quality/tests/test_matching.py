"""The engine on polars frames: names, exact kinds, civil comparison, probable pairs."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tepat.quality.matching.civil import civil_compare
from tepat.quality.matching.exact import exact_pairs
from tepat.quality.matching.names import name_key, name_key_expr, name_similarity
from tepat.quality.matching.probable import ProbableOptions, evidence, evidence_text, probable_pairs


@pytest.mark.parametrize(("a", "b"), [
    ("Hj. Siti  Aminah", "SITI AMINAH"), ("Djoko Soesilo", "Joko Susilo"), ("H. Muhammad Yusuf", "muhamad yusuf"),
    ("Ahmad Suryana, S.Pd", "Ahmad Suryana"),
])
def test_names_compare_tolerantly(a, b):
    assert name_similarity(a, b) == 1.0


def test_different_names_are_not_similar():
    assert name_similarity("Budi Santoso", "Siti Aminah") < 0.7
    assert 0.9 < name_similarity("Ahmad Suryana", "Ahmad Suryan") < 1.0


def test_name_key_expression_equals_python_rule():
    names = ["H. Djoko Soesilo", "Hj. Siti  Aminah, S.Pd", "Moehammad Joesoef", "Drs. Ahmad", "Nurul  Qomariyah"]
    frame = pl.DataFrame({"name": names}).with_columns(name_key_expr("name").alias("k"))
    assert frame["k"].to_list() == [name_key(n) for n in names]


def test_exact_kinds():
    people = pl.DataFrame({
        "id": ["a", "b", "c", "d", "e"], "family_id": ["F1", "F2", "F3", "F3", "F4"],
        "nik": ["3604051403850001", "3604051403850001", "3604052101100002", "3604052101100002", ""],
        "village": ["36.04.05.2001"] * 5,
    })
    families = pl.DataFrame({"id": ["F1", "F2", "F3", "F4"], "kk_number": ["K1", "K2", "K3", "K1"],
                             "village": ["36.04.05.2001"] * 4})
    pairs = exact_pairs(people, families)
    kinds = sorted(pairs["kind"].to_list())
    assert kinds == ["kk_two_families", "nik_in_household", "nik_two_families"]
    household = pairs.filter(pl.col("kind") == "nik_in_household").row(0, named=True)
    assert (household["left_id"], household["right_id"]) == ("c", "d")


def test_civil_compare_results():
    people = pl.DataFrame({
        "id": ["1", "2", "3", "4", "5", "6"],
        "nik": ["N1", "N2", "N3", "N4", "N5", "N6"],
        "name": ["Hj. Siti Aminah", "Budi Santoso", "Dedi", "Rina", "Joko", "Asep"],
        "birth_date": [date(1980, 1, 5)] * 6,
    })
    extract = pl.DataFrame({
        "nik": ["N1", "N2", "N3", "N4", "N5"],
        "name": ["SITI AMINAH", "BUDI SANTOSO", "DEDI", "MAEMUNAH", "DJOKO"],
        "birth_date": [date(1980, 1, 5), date(1980, 1, 5), date(1980, 1, 5), date(1980, 1, 5), date(1981, 1, 5)],
        "death_date": [None, date(2026, 1, 2), None, None, None],
        "move_date": [None, None, date(2026, 2, 3), None, None],
        "move_destination": [None, None, "Kota Tangerang", None, None],
    })
    out = dict(civil_compare(people, extract).select("id", "result").iter_rows())
    assert out == {"1": "matched", "2": "died", "3": "moved", "4": "name_differs", "5": "birth_date_differs",
                   "6": "nik_unknown"}


def _population(n: int = 300) -> pl.DataFrame:
    first = ["Ahmad", "Budi", "Siti", "Dewi", "Rizki", "Agus", "Nur", "Eka", "Yanti", "Dedi", "Rina", "Asep"]
    second = ["Suryana", "Santoso", "Aminah", "Lestari", "Pratama", "Hidayat", "Halimah", "Saputra", "Wahyuni"]
    rows = []
    for i in range(n):
        born = date(1950 + (i * 7) % 60, 1 + (i * 5) % 12, 1 + (i * 11) % 28)
        sex = 1 + i % 2
        day = born.day + (40 if sex == 2 else 0)
        rows.append({"id": f"p{i:04d}", "family_id": f"F{i // 3:04d}",
                     "nik": f"3604{1 + i % 9:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{1 + i % 7:04d}",
                     "name_key": name_key(f"{first[i % len(first)]} {second[(i // 3) % len(second)]}"),
                     "birth_date": born, "sex": sex, "village": f"36.04.0{1 + i % 9}.2001"})
    return pl.DataFrame(rows)


def test_probable_pairs_find_typo_swap_and_missing_nik():
    people = _population()
    base = {r["id"]: r for r in people.iter_rows(named=True)}
    typo = {**base["p0010"], "id": "d1", "family_id": "G1", "name_key": base["p0010"]["name_key"][:-1]}
    b = base["p0020"]["birth_date"]
    swap_source = next(r for r in base.values() if r["birth_date"].day <= 12 and r["birth_date"].day != r["birth_date"].month)
    sb = swap_source["birth_date"]
    swap = {**swap_source, "id": "d2", "family_id": "G2", "birth_date": date(sb.year, sb.day, sb.month)}
    missing = {**base["p0030"], "id": "d3", "family_id": "G3", "nik": ""}
    household = {**base["p0040"], "id": "d4", "name_key": "rina wahyuni", "birth_date": b}  # same family, same NIK
    planted = pl.concat([people, pl.DataFrame([typo, swap, missing, household], schema=people.schema)])
    pairs = probable_pairs(planted, ProbableOptions(threshold=0.5, u_pairs=2e4))
    found = {tuple(sorted(p)) for p in zip(pairs["left_id"], pairs["right_id"], strict=True)}
    assert tuple(sorted(("p0010", "d1"))) in found
    assert tuple(sorted((swap_source["id"], "d2"))) in found
    assert tuple(sorted(("p0030", "d3"))) in found
    assert tuple(sorted(("p0040", "d4"))) not in found  # a NIK reused in a household is its own kind
    row = pairs.filter((pl.col("left_id") == "d1") | (pl.col("right_id") == "d1")).row(0, named=True)
    text = evidence_text(evidence(row))
    assert "similar" in text and "birth date equal" in text and "NIK equal" in text
