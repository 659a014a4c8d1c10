"""The upload guards and the formula guard, on their own (no database)."""

import polars as pl
import pytest

from tepat.core.exceptions import ValidationFailed
from tepat.core.tests.workbooks import cell_bomb, dimension_bomb, workbook
from tepat.core.uploads import (
    cell_excerpt,
    ensure_upload_size,
    formula_guard,
    formula_guard_frame,
    formula_unguard,
    formula_unguard_expr,
    xlsx_preflight,
)

DANGEROUS = ["=HYPERLINK(\"http://x\",\"klik\")", "=cmd|' /C calc'!A0", "+62 812", "-1+1", "@SUM(A1)", "\t=1",
             "\r=1", "'=already quoted"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_guard_prefixes_a_quote_and_unguard_gives_the_value_back(value):
    guarded = formula_guard(value)
    assert guarded == "'" + value
    assert formula_unguard(guarded) == value
    frame = pl.DataFrame({"v": [value]})
    assert formula_guard_frame(frame)["v"][0] == guarded
    assert pl.DataFrame({"v": [guarded]}).select(formula_unguard_expr(pl.col("v")))["v"][0] == value


@pytest.mark.parametrize("value", ["Budi Santoso", "Kp. Kramat RT 01", "'quoted name", "", "3604051401800001", "a=b"])
def test_ordinary_values_are_left_alone(value):
    assert formula_guard(value) == value
    assert formula_unguard(value) == value


def test_numbers_are_not_text_and_stay_as_they_are():
    frame = formula_guard_frame(pl.DataFrame({"n": [-5, 3], "s": ["-5", "x"]}))
    assert frame["n"].to_list() == [-5, 3] and frame["s"].to_list() == ["'-5", "x"]


def test_dimension_bomb_is_refused_with_its_span_and_the_limit():
    bomb = dimension_bomb()
    assert len(bomb) < 2000
    with pytest.raises(ValidationFailed) as exc:
        xlsx_preflight(bomb)
    issue = exc.value.issues[0]
    assert issue.code == "xlsx_dimensions"
    assert "1,048,576 rows × 16,384 columns" in issue.en and "XFD1048576" in issue.en and "500 columns" in issue.en


def test_declared_dimension_alone_is_enough_to_refuse():
    with pytest.raises(ValidationFailed) as exc:
        xlsx_preflight(workbook({"A1": "NIK", "B1": "NAMA"}, dimension="A1:XFD1048576"))
    assert exc.value.issues[0].code == "xlsx_dimensions"


def test_a_cell_longer_than_excel_allows_is_refused_while_streaming():
    with pytest.raises(ValidationFailed) as exc:
        xlsx_preflight(cell_bomb(5), limits={"ratio": 10**9})
    assert exc.value.issues[0].code == "cell_too_large" and "32,767" in exc.value.issues[0].en


def test_a_part_that_expands_too_much_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        xlsx_preflight(cell_bomb(5))
    assert exc.value.issues[0].code == "xlsx_bomb"


def test_total_decompressed_size_limit():
    with pytest.raises(ValidationFailed) as exc:
        xlsx_preflight(workbook({"A1": "NIK", "A2": "x" * 5000}), limits={"uncompressed": 1000})
    assert exc.value.issues[0].code == "xlsx_too_large"


def test_not_a_zip_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        xlsx_preflight(b"NIK;NAMA\n1;a\n")
    assert exc.value.issues[0].code == "xlsx_unreadable"


def test_an_ordinary_workbook_passes():
    span = xlsx_preflight(workbook({"A1": "NIK", "B1": "NAMA", "A2": "1", "B2": "x"}))
    assert (span.rows, span.columns) == (2, 2)


def test_size_limit_names_size_and_limit(settings):
    settings.TEPAT_UPLOAD_LIMITS = {"registry_import": 1000}
    ensure_upload_size("registry_import", 1000)
    with pytest.raises(ValidationFailed) as exc:
        ensure_upload_size("registry_import", 3 * 1024 * 1024)
    assert exc.value.issues[0].code == "file_too_large"
    assert "3.0 MB" in exc.value.issues[0].en and "1,000 B" in exc.value.issues[0].en


def test_cell_excerpt_truncates_and_hides_control_characters():
    assert cell_excerpt("a\x00b") == "a?b"
    assert len(cell_excerpt("x" * 10_000)) == 40
