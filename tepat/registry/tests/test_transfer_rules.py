"""The set-based import rules agree, value by value, with the foundation's per-value rules."""

from datetime import date

import polars as pl
import pytest

from tepat.core.exceptions import ValidationFailed
from tepat.registry.identity import name_key, validate_kk, validate_nik
from tepat.registry.transfer.identity_rules import add_identity, identity_codes
from tepat.registry.transfer.normalise import name_key_expr, parse_dates
from tepat.registry.transfer.presets import SIKS, Mapping, header_key, mapping_parse, match_headers
from tepat.registry.transfer.reader import _cell_text

# Strings as typed or exported, and numbers as spreadsheet cells hold them.
IDENTITY_CORPUS = [
    "3604051503850001", " 3604 0515 0385 0001 ", "3604.0515.0385.0001", "3604-0515-0385-0001",
    "'3604051503850001", "’3604051503850001", "`3604051503850001", "3604051503850001\u00a0", "\u200b3604051503850001",
    "３６０４０５１５０３８５０００１",  # full-width digits
    "3,60405E+15", "3.60405E+15", "3.604051503850001e15", "3604051503850001.0", "3604051503850000.00",
    "360405150385001", "36040515038500011", "abc", "", None, "99040515", "0000000000000000",
    "3604055503850001", "3604053203850001", "3604057203850001", "3604050003850001", "3604054003850001",
    "3604052902000001", "3604056902000001", "3604052902010001", "3604052902040001", "3604053102850001",
    "3604053104850001", "3604051513850001", "3604051500850001", "3604051503850000", "9904051503850001",
    "3600051503850001", "3604001503850001", "5401011503850001", "9101011503850001", "9301011503850001",
    "3604054103850001", "3604057103850001", "1101011503850001", "3604051503009999",
    3604051503850000.0, 3604051503850001.0, 360405150385001.0, 3.6e15, 3604051503850012, 3604051503850010,
    36040515038500010.0,
]


def _vectorised(values: list, *, nik: bool) -> pl.DataFrame:
    texts = [v if isinstance(v, str) or v is None else _cell_text(v) for v in values]
    numeric = [isinstance(v, int | float) and not isinstance(v, bool) for v in values]
    frame = pl.DataFrame({"raw": texts, "num": numeric}, schema={"raw": pl.String, "num": pl.Boolean})
    return add_identity(frame, "raw", "num", female_offset=nik, prefix="x")


@pytest.mark.parametrize(("validate", "nik"), [(validate_nik, True), (validate_kk, False)])
def test_identity_rules_agree_with_the_per_value_rules(validate, nik):
    frame = _vectorised(IDENTITY_CORPUS, nik=nik)
    codes = identity_codes(frame, "x")
    for value, got, row in zip(IDENTITY_CORPUS, codes, frame.iter_rows(named=True), strict=True):
        expected = validate(value)
        assert got == [e.code for e in expected.errors], value
        assert row["x_ok"] == expected.ok, value
        assert row["x_region_unknown"] == any(w.code == "region_unknown" for w in expected.warnings), value
        if expected.ok:
            assert row["x_value"] == expected.value
            assert row["x_date"] == expected.birth_date
            if nik:
                assert row["x_sex"] == expected.sex
        else:
            assert row["x_value"] == ""


def test_identity_corpus_covers_every_error_code():
    seen = {code for row in identity_codes(_vectorised(IDENTITY_CORPUS, nik=True), "x") for code in row}
    assert seen >= {"required", "spreadsheet_scientific", "spreadsheet_precision", "not_digits", "length",
                    "unknown_province", "zero_region", "month", "date", "serial"}


NAMES = [
    "Budi Santoso", "  Siti   Aminah ", "Djoko Soesilo", "H. Muhammad Yusuf, S.Pd", "Hj. Siti Chodijah",
    "Dra. Nurhayati", "Ir. Soekarno", "Zulkifli", "Yayah Qomariah", "Nur'aini", "Muhammad", "Muhamad",
    "Tjahjo Kumolo", "O'Neil Phillips", "Ёлка Ǆemal", "Ni Luh Putu Ayu", "ABDUL-RAHMAN", "", "   ",
    "Prof. Dr. Ir. Haji Agus Salim", "Sh. Noor", "Amd.", "Vivi Zahra", "Nyoman", "Sjahrir", "Teuku Nja' Arif",
]


def test_name_key_agrees_with_identity_name_key():
    frame = pl.DataFrame({"name": NAMES}).select(name_key_expr(pl.col("name")).alias("key"))
    assert frame.get_column("key").to_list() == [name_key(n) for n in NAMES]


@pytest.mark.parametrize(("text", "expected"), [
    ("14-01-1980", date(1980, 1, 14)), ("1-2-1985", date(1985, 2, 1)), ("14/01/1980", date(1980, 1, 14)),
    ("14.01.1980", date(1980, 1, 14)), ("1980-01-14", date(1980, 1, 14)), ("1980/1/14", date(1980, 1, 14)),
    ("1980-01-14 00:00:00", date(1980, 1, 14)), ("29-02-2000", date(2000, 2, 29)),
    ("29324", date(1980, 4, 13)), ("29324.0", date(1980, 4, 13)),
    ("31-02-1985", None), ("14-13-1980", None), ("01-02-85", None), ("1985", None), ("kemarin", None), ("", None),
])
def test_dates_in_the_spellings_people_use(text, expected):
    frame = parse_dates(pl.DataFrame({"t": [text]}), "t", "d")
    assert frame.get_column("d").to_list() == [expected]


def test_headers_match_case_spaces_underscores_and_slashes_alike():
    assert header_key(" desa/kelurahan ") == header_key("DESA_KELURAHAN") == header_key("Desa Kelurahan")
    assert header_key("NO. KK") == "NO_KK"
    headers = ["No KK", "nik", "Nama", "Jenis Kelamin", "Tgl Lahir", "SHDK", "Desa/Kelurahan", "Catatan"]
    match = match_headers(headers, SIKS, Mapping())
    assert match.fields["kk_number"] == "No KK"
    assert match.fields["birth_date"] == "Tgl Lahir"
    assert match.fields["relation"] == "SHDK"
    assert match.ignored == ["Catatan"]


def test_missing_required_columns_fail_the_whole_file():
    with pytest.raises(ValidationFailed) as caught:
        match_headers(["NIK", "NAMA"], SIKS, Mapping())
    assert caught.value.issues[0].code == "missing_columns"
    assert "NO_KK" in caught.value.issues[0].id


def test_mapping_renames_columns_and_adds_spellings():
    mapping = mapping_parse(
        '[columns]\n"Nomor Kartu Keluarga" = "NO_KK"\n"Nama Anggota" = "name"\n"Catatan" = ""\n'
        '[values.relation]\n"ISTRI SIRI" = 2\n'
    )
    assert mapping.values == {"relation": {"ISTRI SIRI": 2}}
    match = match_headers(["Nomor Kartu Keluarga", "NIK", "Nama Anggota", "JK", "TGL_LAHIR", "SHDK", "DESA",
                           "Catatan"], SIKS, mapping)
    assert match.fields["kk_number"] == "Nomor Kartu Keluarga"
    assert match.fields["name"] == "Nama Anggota"
    assert match.ignored == ["Catatan"]


@pytest.mark.parametrize("text", ['[columns]\n"X" = "no_such_field"\n', "[values.relation]\nISTRI = 99\n",
                                  "[values.name]\nX = 1\n", "not toml ["])
def test_bad_mappings_are_refused(text):
    with pytest.raises(ValidationFailed):
        mapping_parse(text)
