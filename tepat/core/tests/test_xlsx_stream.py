"""The streamed XLSX writer: what python-calamine (the importer's reader) reads back is what was written."""

import io
import zipfile

import polars as pl
from python_calamine import CalamineWorkbook

from tepat.core.uploads import xlsx_preflight
from tepat.core.xlsx_stream import XlsxStream


def _sheets(data: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_text_cells_read_back_exactly_with_empty_values_in_place():
    frame = pl.DataFrame({
        "NIK": ["3604051401800001", "0012", None],
        "NAMA": ["Budi & <Siti>", "  spasi  ", "Ujang\x07 Jaelani"],
        "RT": ["", "005", "=1+1"],
    })
    out = io.BytesIO()
    with XlsxStream(out, ["NIK", "NAMA", "RT"], sheet_name="DTKS") as book:
        book.write(frame)
    sheets = _sheets(out.getvalue())
    assert list(sheets) == ["DTKS"]
    assert sheets["DTKS"] == [
        ["NIK", "NAMA", "RT"],
        ["3604051401800001", "Budi & <Siti>", ""],
        ["0012", "  spasi  ", "005"],  # text stays text: leading zeros, spaces
        ["", "Ujang Jaelani", "=1+1"],  # a control character XML cannot hold is dropped; never a formula
    ]
    assert xlsx_preflight(out.getvalue()).rows == 4


def test_batches_fill_a_sheet_then_open_the_next_with_the_header():
    out = io.BytesIO()
    with XlsxStream(out, ["A", "B"], sheet_name="DTKS", max_rows=3) as book:
        for start in (0, 2, 4):
            book.write(pl.DataFrame({"a": [str(start), str(start + 1)], "b": ["x", "y"]}))
    assert book.rows == 6
    sheets = _sheets(out.getvalue())
    assert list(sheets) == ["DTKS", "DTKS 2"]
    assert sheets["DTKS"] == [["A", "B"], ["0", "x"], ["1", "y"], ["2", "x"]]
    assert sheets["DTKS 2"] == [["A", "B"], ["3", "y"], ["4", "x"], ["5", "y"]]
    assert zipfile.ZipFile(io.BytesIO(out.getvalue())).testzip() is None


def test_an_empty_table_is_a_sheet_with_its_header():
    out = io.BytesIO()
    XlsxStream(out, ["NIK"], sheet_name="DTKS").close()
    assert _sheets(out.getvalue()) == {"DTKS": [["NIK"]]}
