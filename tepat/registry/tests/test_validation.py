from datetime import date, timedelta

import pytest
from django.utils import timezone

from tepat.registry.validation import clean_family, clean_individual

NIK = "3604051403850001"  # male, born 14-03-1985


def _person(**extra) -> dict:
    return {"nik": NIK, "name": "Budi Santoso", "sex": 1, "birth_date": date(1985, 3, 14), "relation": 1,
            **extra}


def _fields(issues) -> list[tuple[str, str]]:
    return [(issue.field, issue.code) for issue in issues]


# --- family ---------------------------------------------------------------------------------------


def test_clean_family_normalises_values():
    values, errors, warnings = clean_family({
        "kk_number": "'3604 0502 0615 0001", "rw": "2", "rt": " 05 ", "address": "  Kp.   Kramat ",
        "floor_area_m2": "36", "floor": "8", "wall": 4, "power_capacity": 900,
        "assets": {"refrigerator": 1, "television": True, "land": False},
        "livestock": {"goat": "3", "cattle": 0},
    })

    assert (errors, warnings) == ([], [])
    assert values == {
        "kk_number": "3604050206150001", "rw": "002", "rt": "005", "address": "Kp. Kramat", "floor_area_m2": 36,
        "floor": 8, "wall": 4, "power_capacity": 900, "assets": {"refrigerator": True, "television": True},
        "livestock": {"goat": 3},
    }


def test_clean_family_empty_values_become_empty():
    values, errors, _ = clean_family({"rw": "", "rt": None, "floor": "", "floor_area_m2": None, "assets": None,
                                      "livestock": {}})

    assert errors == []
    assert values == {"rw": "", "rt": "", "floor": None, "floor_area_m2": None, "assets": {}, "livestock": {}}


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"kk_number": ""}, "kk_number", "required"),
    ({"kk_number": "3.60405E+15"}, "kk_number", "spreadsheet_scientific"),
    ({"rw": "12a"}, "rw", "rt_rw"),
    ({"rt": "1234"}, "rt", "rt_rw"),
    ({"floor": 99}, "floor", "choice"),
    ({"floor": "keramik"}, "floor", "choice"),
    ({"power_capacity": 1000}, "power_capacity", "choice"),
    ({"floor_area_m2": 0}, "floor_area_m2", "floor_area"),
    ({"floor_area_m2": "luas"}, "floor_area_m2", "floor_area"),
    ({"floor_area_m2": 100000}, "floor_area_m2", "floor_area"),
    ({"assets": {"yacht": True}}, "assets", "unknown_asset"),
    ({"livestock": {"goat": -1}}, "livestock", "livestock"),
    ({"livestock": {"dragon": 1}}, "livestock", "livestock"),
    ({"livestock": {"goat": "banyak"}}, "livestock", "livestock"),
    ({"region": "36.04.05.2001"}, "region", "unknown_field"),
    ({"status": "removed"}, "status", "unknown_field"),
])
def test_clean_family_errors(data, field, code):
    _, errors, _ = clean_family(data)

    assert _fields(errors) == [(field, code)]
    assert errors[0].id and errors[0].en and errors[0].id != errors[0].en


def test_clean_family_warns_for_an_old_kk_prefix():
    values, errors, warnings = clean_family({"kk_number": "9101010206150001"})

    assert errors == []
    assert _fields(warnings) == [("kk_number", "region_unknown")]
    assert values["kk_number"] == "9101010206150001"


# --- individual ---------------------------------------------------------------------------------------


def test_clean_individual_normalises_values():
    values, errors, warnings = clean_individual(_person(
        nik="3604 0514 0385 0001", name="  budi   SANTOSO ", birth_place=" Serang ", birth_date="1985-03-14",
        sex="1", relation="1", marital_status=2, education="9", pregnant=False, difficulty_seeing=4,
        occupation=" Petani  padi ",
    ))

    assert (errors, warnings) == ([], [])
    assert values == {
        "nik": NIK, "name": "budi SANTOSO", "birth_place": "Serang", "birth_date": date(1985, 3, 14), "sex": 1,
        "relation": 1, "marital_status": 2, "education": 9, "pregnant": False, "difficulty_seeing": 4,
        "occupation": "Petani padi",
    }


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"nik": ""}, "nik", "required"),
    ({"nik": "3604051413850001"}, "nik", "month"),
    ({"name": "   "}, "name", "required"),
    ({"sex": None}, "sex", "required"),
    ({"sex": 3}, "sex", "choice"),
    ({"relation": ""}, "relation", "required"),
    ({"relation": 9}, "relation", "choice"),
    ({"birth_date": None}, "birth_date", "required"),
    ({"birth_date": "14-03-1985"}, "birth_date", "date_format"),
    ({"birth_date": timezone.localdate() + timedelta(days=1)}, "birth_date", "future"),
    ({"education": 15}, "education", "choice"),
    ({"difficulty_walking": 5}, "difficulty_walking", "choice"),
    ({"pregnant": True}, "pregnant", "pregnant_male"),
    ({"pregnant": "mungkin"}, "pregnant", "yes_no"),
    ({"presence": 2}, "presence", "unknown_field"),
    ({"family": "x"}, "family", "unknown_field"),
])
def test_clean_individual_errors(data, field, code):
    _, errors, _ = clean_individual(_person(**data))

    assert (field, code) in _fields(errors)


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (None, False), (1, True), (0, False),
    ("1", True), ("0", False), ("true", True), ("false", False), ("Ya", True), ("Tidak", False), ("", False),
])
def test_pregnant_is_a_real_yes_or_no(value, expected):
    values, errors, _ = clean_individual(_person(sex=2, nik="3604055403850001", pregnant=value))

    assert errors == []
    assert values["pregnant"] is expected


def test_nik_birth_date_and_sex_differences_are_warnings_not_errors():
    values, errors, warnings = clean_individual(_person(birth_date=date(1986, 3, 14), sex=2))

    assert errors == []
    assert _fields(warnings) == [("nik", "birth_date_differs"), ("nik", "sex_differs")]
    assert all(w.severity == "warning" for w in warnings)
    assert values["nik"] == NIK


def test_an_old_nik_prefix_is_a_warning():
    _, errors, warnings = clean_individual(_person(nik="9101011403850001"))

    assert errors == []
    assert _fields(warnings) == [("nik", "region_unknown")]


def test_partial_update_uses_the_stored_values():
    current = {"nik": NIK, "name": "Budi Santoso", "sex": 1, "birth_date": date(1985, 3, 14), "relation": 1,
               "pregnant": False}

    values, errors, warnings = clean_individual({"occupation": "Buruh"}, current=current)
    assert (values, errors, warnings) == ({"occupation": "Buruh"}, [], [])

    # Changing the recorded sex alone makes the stored NIK disagree: a warning, computed from the stored NIK.
    values, errors, warnings = clean_individual({"sex": 2}, current=current)
    assert (values, errors) == ({"sex": 2}, [])
    assert _fields(warnings) == [("nik", "sex_differs")]

    # A required field cannot be emptied.
    _, errors, _ = clean_individual({"name": ""}, current=current)
    assert _fields(errors) == [("name", "required")]


def test_marking_a_stored_man_pregnant_is_refused():
    current = {"nik": NIK, "name": "Budi", "sex": 1, "birth_date": date(1985, 3, 14), "relation": 1}

    _, errors, _ = clean_individual({"pregnant": True}, current=current)

    assert _fields(errors) == [("pregnant", "pregnant_male")]
