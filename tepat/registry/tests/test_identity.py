"""NIK and KK rules, FACTS §1: structural checks, spreadsheet damage, and warnings for legal disagreements."""

from datetime import date

import pytest
from django.utils import translation

from tepat.registry.identity import (
    century_year,
    clean_identity_text,
    name_key,
    nik_consistency,
    normalise_name,
    validate_kk,
    validate_nik,
)

NIK = "3604051403850001"  # Kec. Kramatwatu (36.04.05), male, born 14-03-85, serial 0001
KK = "3604050206150001"  # issued in 36.04.05 on 02-06-15


def _codes(result) -> list[str]:
    return [issue.code for issue in result.errors]


def _warning_codes(result) -> list[str]:
    return [issue.code for issue in result.warnings]


# --- valid numbers ---------------------------------------------------------------------------------------


def test_a_valid_male_nik():
    result = validate_nik(NIK)

    assert result.ok
    assert (result.value, result.birth_date, result.sex) == (NIK, date(1985, 3, 14), 1)
    assert result.warnings == []


@pytest.mark.parametrize(("day", "born"), [("41", date(1985, 3, 1)), ("54", date(1985, 3, 14)),
                                           ("71", date(1985, 3, 31))])
def test_female_days_41_to_71_are_the_day_plus_40(day, born):
    result = validate_nik(f"360405{day}0385" + "0001")

    assert result.ok, result.errors
    assert (result.birth_date, result.sex) == (born, 2)


def test_the_nik_is_always_text_leading_zeros_kept():
    result = validate_nik("1101010101900001")  # Aceh: starts with 1; serial with leading zeros

    assert result.ok
    assert result.value == "1101010101900001"
    assert isinstance(result.value, str)


# --- structural errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "code", "id_part", "en_part"), [
    ("360405140385001", "length", "harus 16 digit, ditemukan 15", "must be 16 digits, found 15"),
    ("36040514038500011", "length", "ditemukan 17", "found 17"),
    ("3604O51403850001", "not_digits", "harus berisi angka saja", "must contain digits only"),
    ("3604051403850OO1", "not_digits", "angka saja", "digits only"),
    ("3604053002850001", "date", "tanggal lahir 30-02-85 tidak ada", "birth date 30-02-85 does not exist"),
    ("3604053104850001", "date", "31-04-85 tidak ada", "31-04-85 does not exist"),
    ("3604050003850001", "date", "00-03-85", "00-03-85"),
    ("3604053603850001", "date", "36-03-85", "36-03-85"),  # between male 31 and female 41
    ("3604057203850001", "date", "72-03-85", "72-03-85"),  # female day 72 = 32
    ("3604057102850001", "date", "71-02-85", "71-02-85"),  # female 31 February
    ("3604051413850001", "month", "bulan 13 tidak ada", "month 13 does not exist"),
    ("3604051400850001", "month", "bulan 00", "month 00"),
    ("3604051403850000", "serial", "nomor urut 0000 tidak sah", "serial number 0000 is invalid"),
    ("9904051403850001", "unknown_province", "kode provinsi 99 tidak dikenal", "province code 99 is unknown"),
    ("0004051403850001", "unknown_province", "kode provinsi 00", "province code 00"),
    ("3600051403850001", "zero_region", "kabupaten/kecamatan tidak boleh 00", "must not be 00"),
    ("3604001403850001", "zero_region", "kabupaten/kecamatan tidak boleh 00", "must not be 00"),
    ("", "required", "wajib diisi", "is required"),
    (None, "required", "wajib diisi", "is required"),
])
def test_structural_errors_name_the_field_and_problem_in_both_languages(raw, code, id_part, en_part):
    result = validate_nik(raw)

    assert not result.ok
    assert code in _codes(result)
    issue = next(i for i in result.errors if i.code == code)
    assert (issue.field, issue.severity) == ("nik", "error")
    assert issue.id.startswith("NIK: ") and id_part in issue.id
    assert issue.en.startswith("NIK: ") and en_part in issue.en
    assert result.birth_date is None
    with translation.override("en"):
        assert issue.text == issue.en
    with translation.override("id"):
        assert issue.text == issue.id


def test_several_structural_errors_are_all_reported():
    result = validate_nik("9900000113850000")

    assert set(_codes(result)) == {"unknown_province", "zero_region", "month", "serial"}


def test_kk_messages_name_the_kk_field():
    issue = validate_kk("36040502061500").errors[0]

    assert (issue.field, issue.code) == ("kk_number", "length")
    assert issue.id.startswith("No. KK: ") and issue.en.startswith("No. KK: ")


def test_a_historical_province_code_is_accepted():
    result = validate_nik("5401011403850001")  # 54 Timor Timur: no longer in the master, still on old NIKs

    assert result.ok
    assert _warning_codes(result) == ["region_unknown"]


# --- spreadsheet damage -------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["3.60401E+15", "3,60401E+15", "3.60405140385E+15", "3.604051403850001e15",
                                 " 3.60401E+15 ", "1e+17"])
def test_scientific_notation_is_rejected_with_that_reason(raw):
    result = validate_nik(raw)

    assert _codes(result) == ["spreadsheet_scientific"]
    assert "notasi ilmiah" in result.errors[0].id
    assert "scientific notation" in result.errors[0].en


@pytest.mark.parametrize("raw", [3604051403850010, 3604051403850010.0, 3.60405140385e15, "3604051403850010.0",
                                 "3604051403850010,0", "3604051403850020.00"])
def test_a_number_ending_in_0_from_a_numeric_cell_is_rejected(raw):
    result = validate_nik(raw)

    assert _codes(result) == ["spreadsheet_precision"]
    assert "15 digit" in result.errors[0].id
    assert "15 digits" in result.errors[0].en


def test_the_same_digits_typed_as_text_are_accepted():
    assert validate_nik("3604051403850010").ok


def test_the_caller_can_say_the_value_came_from_a_numeric_cell():
    assert _codes(validate_nik("3604051403850010", from_number=True)) == ["spreadsheet_precision"]
    assert validate_nik("3604051403850011", from_number=True).ok


@pytest.mark.parametrize("raw", [3604051403850001, 3604051403850001.0, "3604051403850001.0",
                                 "3604051403850001,0"])
def test_numeric_values_not_ending_in_0_are_kept(raw):
    result = validate_nik(raw)

    assert result.ok, result.errors
    assert result.value == NIK


def test_a_15_digit_number_hints_at_the_lost_digit():
    result = validate_nik(360405140385001)

    assert _codes(result) == ["length"]
    assert "digit terakhir mungkin hilang" in result.errors[0].id
    assert "last digit may be lost" in result.errors[0].en


@pytest.mark.parametrize(("raw", "expected"), [
    (None, ("", False)),
    (float("nan"), ("", False)),
    (3604051403850001, ("3604051403850001", True)),
    (3604051403850001.0, ("3604051403850001", True)),
    ("  '3604051403850001 ", ("3604051403850001", False)),
    ("’3604051403850001", ("3604051403850001", False)),
    ("３６０４０５１４０３８５０００１", ("3604051403850001", False)),  # full-width digits
    (True, ("True", False)),
])
def test_clean_identity_text(raw, expected):
    assert clean_identity_text(raw) == expected


# --- cleaning ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "3604 0514 0385 0001",
    "3604.0514.0385.0001",
    "3604-0514-0385-0001",
    "'3604051403850001",
    "`3604051403850001",
    " 3604051403850001\t",
    "36.04.05.140385.0001",
    "3604\u00a00514\u00a00385\u00a00001",
    "3604051403850001\u200b",
])
def test_spaces_dots_dashes_and_a_leading_apostrophe_are_cleaned(raw):
    result = validate_nik(raw)

    assert result.ok, result.errors
    assert result.value == NIK


@pytest.mark.parametrize("raw", ["٣٦٠٤٠٥١٤٠٣٨٥٠٠٠١", "3604051403850001x", "3604/0514/0385/0001"])
def test_other_characters_are_not_digits(raw):
    assert _codes(validate_nik(raw)) == ["not_digits"]


# --- legal disagreements are warnings ---------------------------------------------------------------------


def test_an_old_region_prefix_from_before_a_split_is_a_warning():
    # Kab. Merauke was 91.01 before 2022 and is 93.01 (Papua Selatan) now; old NIKs keep 9101…
    result = validate_nik("9101011403850001")

    assert result.ok
    assert _warning_codes(result) == ["region_unknown"]
    warning = result.warnings[0]
    assert (warning.field, warning.severity) == ("nik", "warning")
    assert "91.01.01" in warning.id and "pemekaran" in warning.id
    assert "91.01.01" in warning.en and "before a split" in warning.en
    assert validate_nik("9301011403850001").warnings == []


def test_a_kecamatan_not_in_the_current_master_is_a_warning():
    # Kabupaten Serang has no kecamatan 36.04.01 in the 2025 master (its numbering starts at 05).
    for raw in ("3604011403850001", "3604991403850001"):
        result = validate_nik(raw)
        assert result.ok
        assert _warning_codes(result) == ["region_unknown"]


def test_an_old_region_prefix_on_a_kk_is_a_warning_too():
    result = validate_kk("9101010206150001")

    assert result.ok
    assert _warning_codes(result) == ["region_unknown"]


def test_nik_consistency_warns_on_birth_date_and_sex():
    nik = validate_nik(NIK)

    assert nik_consistency(nik, birth_date=date(1985, 3, 14), sex=1) == []
    warnings = nik_consistency(nik, birth_date=date(1985, 3, 15), sex=2)
    assert [w.code for w in warnings] == ["birth_date_differs", "sex_differs"]
    assert all(w.severity == "warning" and w.field == "nik" for w in warnings)
    assert "14-03-85" in warnings[0].id and "15-03-1985" in warnings[0].id
    assert "differs from the recorded birth date" in warnings[0].en
    assert "jenis kelamin" in warnings[1].id and "sex encoded in the NIK" in warnings[1].en


def test_nik_consistency_compares_only_the_two_digit_year():
    # The century is inferred, so a NIK saying 85 agrees with 1985 and with 2085 alike.
    assert nik_consistency(validate_nik(NIK), birth_date=date(1885, 3, 14), sex=1) == []


def test_nik_consistency_of_a_female_nik():
    nik = validate_nik("3604055403850001")

    assert nik_consistency(nik, birth_date=date(1985, 3, 14), sex=2) == []
    assert [w.code for w in nik_consistency(nik, birth_date=date(1985, 3, 14), sex=1)] == ["sex_differs"]


def test_nik_consistency_is_silent_without_values_or_for_invalid_niks():
    assert nik_consistency(validate_nik(NIK), birth_date=None, sex=None) == []
    assert nik_consistency(validate_nik("3604051413850001"), birth_date=date(1985, 3, 14), sex=2) == []


# --- dates and centuries ---------------------------------------------------------------------------------


def test_29_february_in_a_leap_year():
    assert validate_nik("3604052902840001").birth_date == date(1984, 2, 29)
    assert validate_nik("3604056902840001").birth_date == date(1984, 2, 29)  # female
    assert _codes(validate_nik("3604052902850001")) == ["date"]
    assert _codes(validate_nik("3604052902010001")) == ["date"]


def test_29_february_of_year_00_is_accepted_because_the_century_is_ambiguous():
    # 1900 was not a leap year, 2000 was: "00" could be either, so the date is accepted.
    result = validate_nik("3604052902000001")

    assert result.ok
    assert result.birth_date == date(2000, 2, 29)


def test_century_heuristic():
    today = date(2026, 11, 23)

    assert century_year(0, today) == 2000
    assert century_year(26, today) == 2026
    assert century_year(27, today) == 1927
    assert century_year(85, today) == 1985


def test_kk_issue_date_has_no_plus_40():
    result = validate_kk(KK)

    assert result.ok
    assert result.birth_date == date(2015, 6, 2)  # the issue date
    assert result.sex is None
    bad = validate_kk("3604054206150001")  # day 42 would be a woman's 2nd on a NIK, not on a KK
    assert _codes(bad) == ["date"]
    assert "tanggal penerbitan 42-06-15 tidak ada" in bad.errors[0].id
    assert "issue date 42-06-15 does not exist" in bad.errors[0].en


@pytest.mark.parametrize(("raw", "code"), [
    ("3604050213150001", "month"), ("3604053102150001", "date"), ("3604050206150000", "serial"),
    ("3.60405E+15", "spreadsheet_scientific"), (3604050206150010, "spreadsheet_precision"),
    ("3600000206150001", "zero_region"),
])
def test_kk_structural_errors(raw, code):
    assert code in _codes(validate_kk(raw))


# --- names (masking: test_masking.py) ---------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Budi   Santoso ", "Budi Santoso"),
    ("Siti\tAminah\n", "Siti Aminah"),
    ("Siti\u00a0Aminah", "Siti Aminah"),
    ("BUDI santoso", "BUDI santoso"),  # case kept as written
    (None, ""),
])
def test_normalise_name(raw, clean):
    assert normalise_name(raw) == clean


@pytest.mark.parametrize(("variants", "key"), [
    (["Djoko Susilo", "Joko Susilo", "JOKO  SUSILO", " joko susilo "], "joko susilo"),
    (["Soekarno", "Sukarno"], "sukarno"),
    (["Muhammad", "Muhamad", "MUHAMMAD"], "muhamad"),
    (["H. Ahmad Fauzi", "Haji Ahmad Fauzi", "Ahmad Fauzi"], "ahmad fausi"),
    (["Hj. Siti Aminah", "Hj Siti Aminah", "Hajjah Siti Aminah", "Siti Aminah"], "siti aminah"),
    (["Siti Aminah, S.Pd.", "Siti Aminah, S.Pd., M.Si.", "Dra. Siti Aminah"], "siti aminah"),
    (["Dr. Ir. H. Budi Santoso, M.T.", "Prof. Budi Santoso", "Budi Santoso, SE"], "budi santoso"),
    (["Tjipto", "Cipto"], "cipto"),
    (["Sjahrir", "Syahrir"], "siahrir"),
    (["Chairul", "Khairul"], "khairul"),
    (["Dédé Rohmat", "Dede Rohmat"], "dede rohmat"),
])
def test_name_key_unifies_variants(variants, key):
    assert {name_key(v) for v in variants} == {key}


def test_name_key_keeps_different_names_apart():
    assert name_key("Budi Santoso") != name_key("Budi Santosa")
    assert name_key("Siti Aminah") != name_key("Siti Amina")
    assert name_key("") == name_key(None) == ""
