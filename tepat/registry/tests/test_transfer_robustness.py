"""Issue 9 item 5b: the import failures found by fuzzing, one test each, checked against today's importer."""

from __future__ import annotations

import pytest

from conftest import VILLAGE
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ValidationFailed
from tepat.registry.models import Individual
from tepat.registry.tests.test_transfer_import import HEADER, KK1, run, siks_row
from tepat.registry.transfer.importer import import_summary, registry_import_run, registry_import_start

pytestmark = pytest.mark.django_db
HEAD = "3604051401800001"
WIFE = "3604055502820002"


def head(**values) -> dict:
    return siks_row(**{"NO_KK": KK1, "NIK": HEAD, "NAMA": "Budi Santoso", "TANGGAL_LAHIR": "14-01-1980",
                       "HUBUNGAN_KELUARGA": "1", **values})


def wife(**values) -> dict:
    return siks_row(**{"NO_KK": KK1, "NIK": WIFE, "NAMA": "Siti Aminah", "JENIS KELAMIN": "P",
                       "TANGGAL_LAHIR": "15-02-1982", "HUBUNGAN_KELUARGA": "2", **values})


def text(*rows: dict, header: list[str] = HEADER, before: str = "", header_suffix: str = "") -> str:
    return before + ";".join(header) + header_suffix + "\n" + "\n".join(";".join(r[h] for h in header) for r in rows) + "\n"


def write(tmp_path, content: str | bytes, name: str = "dtks.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_a_moved_file_resumes_its_job_from_the_new_path(tmp_path):
    first = write(tmp_path, text(head(), wife()))
    job = registry_import_start(actor=SYSTEM, source=first)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    target = moved / "dtks.csv"
    first.rename(target)
    again = registry_import_start(actor=SYSTEM, source=target)
    assert again.pk == job.pk
    done = registry_import_run(actor=SYSTEM, job_id=again.pk)
    assert import_summary(done)["rows_accepted"] == 2


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b"])
def test_control_characters_in_a_name_are_stripped_per_row(tmp_path, bad):
    _, summary = run(write(tmp_path, text(head(NAMA=f"Budi{bad}Santoso"), wife())))
    assert summary["rows_accepted"] == 2
    names = set(Individual.objects.values_list("name", flat=True))
    assert all(not any(ord(ch) < 32 for ch in name) for name in names)
    assert Individual.objects.get(nik=HEAD).name.replace(" ", "") == "BudiSantoso"


def test_two_empty_trailing_header_cells_are_not_refused(tmp_path):
    rows = text(head(), wife(), header_suffix=";;").replace("\n" + ";".join(head()[h] for h in HEADER),
                                                            "\n" + ";".join(head()[h] for h in HEADER) + ";;")
    _, summary = run(write(tmp_path, rows))
    assert summary["rows_accepted"] == 2


def test_a_blank_line_before_the_header_is_not_refused(tmp_path):
    _, summary = run(write(tmp_path, text(head(), wife(), before="\n")))
    assert summary["rows_accepted"] == 2


def test_a_title_row_with_a_form_feed_is_not_refused(tmp_path):
    _, summary = run(write(tmp_path, text(head(), wife(), before="DATA DTKS\x0cDESA KRAMATWATU\n")))
    assert summary["rows_accepted"] == 2


def test_utf16_text_from_excel_is_read(tmp_path):
    content = text(head(NAMA="Budi Santoso"), wife()).replace(";", "\t").replace("\n", "\r\n")
    _, summary = run(write(tmp_path, content.encode("utf-16"), "dtks.csv"))
    assert summary["rows_accepted"] == 2


@pytest.mark.parametrize("prefix", ["", "DESA ", "KEL. ", "KELURAHAN ", "Desa "])
def test_village_prefixes_resolve_like_the_bare_name(tmp_path, prefix):
    _, summary = run(write(tmp_path, text(head(**{"DESA/KELURAHAN": f"{prefix}KRAMATWATU"}),
                                          wife(**{"DESA/KELURAHAN": f"{prefix}KRAMATWATU"}))))
    assert summary["rows_accepted"] == 2
    assert set(Individual.objects.values_list("family__region_id", flat=True)) == {VILLAGE}


def test_a_ragged_row_is_named(tmp_path):
    content = text(head(), wife())
    lines = content.split("\n")
    lines[2] = lines[2] + ";extra;cells"
    try:
        _, summary = run(write(tmp_path, "\n".join(lines)))
    except ValidationFailed as exc:
        assert "3" in str(exc) or any(i.row for i in exc.issues)
        return
    assert summary["rows_accepted"] + summary["rows_rejected"] == 2


def test_an_xlsx_named_csv_says_why(tmp_path):
    import xlsxwriter

    path = tmp_path / "dtks.csv"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, [head()[h] for h in HEADER])
    book.close()
    with pytest.raises(ValidationFailed) as exc:
        run(path)
    assert "xlsx" in str(exc.value).lower()


def _village_only(name: str, kk: str, nik: str) -> dict:
    return siks_row(**{"PROVINSI": "", "KABUPATEN/KOTA": "", "KECAMATAN": "", "DESA/KELURAHAN": name,
                       "NO_KK": kk, "NIK": nik, "NAMA": "Budi Santoso", "TANGGAL_LAHIR": "14-01-1980",
                       "HUBUNGAN_KELUARGA": "1"})


def test_same_named_village_is_placed_where_the_numbers_point_and_reported(tmp_path):
    # Warakas is a kelurahan in Jakarta Utara and a desa in Kab. Serang (36.04.18); the numbers say Serang.
    job, summary = run(write(tmp_path, text(_village_only("KEL. WARAKAS", "3604181506150001", "3604181401800001"))))
    assert summary["rows_accepted"] == 1
    assert Individual.objects.get(nik="3604181401800001").family.region_id == "36.04.18.2005"
    warning = job.issues.get(code="region_ambiguous_resolved")
    assert warning.row and "36.04.18.2005" in warning.message_en


def test_same_named_village_without_telling_numbers_follows_the_files_other_rows(tmp_path):
    rows = [_village_only("KRAMATWATU", KK1, HEAD),
            _village_only("WARAKAS", "3171011506150001", "3171011401800002")]  # numbers point nowhere
    job, _summary = run(write(tmp_path, text(*rows)))
    warning = job.issues.get(code="region_ambiguous_resolved")
    assert "the file's other rows" in warning.message_en
    assert Individual.objects.get(nik="3171011401800002").family.region_id == "36.04.18.2005"


def test_one_cp1252_byte_does_not_corrupt_the_other_names(tmp_path):
    good = text(head(NAMA="Budi Sänto"), wife(NAMA="Siti Ámínah")).encode("utf-8")
    bad = good.replace("Sänto".encode(), "S\xe4nto".encode("cp1252"))
    try:
        _job, _summary = run(write(tmp_path, bad))
    except ValidationFailed as exc:  # refused: the line is named
        assert "2" in str(exc)
        return
    assert Individual.objects.get(nik=WIFE).name.upper() == "SITI ÁMÍNAH"


def test_a_stray_quote_pair_merging_rows_is_reported(tmp_path):
    rows = [head(PEKERJAAN='"Petani'), wife(), head(NIK="3604051401800003", NAMA="Joko", PEKERJAAN='Buruh"')]
    try:
        job, summary = run(write(tmp_path, text(*rows)))
    except ValidationFailed:
        return  # refused whole, with a reason
    read = summary["rows_accepted"] + summary["rows_rejected"]
    assert read == 3 or job.issues.exists()


def test_data_on_a_second_sheet_is_named_as_the_reason(tmp_path):
    import xlsxwriter

    path = tmp_path / "dtks.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Petunjuk").write(0, 0, "Isi data di lembar berikutnya")
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, [head()[h] for h in HEADER])
    book.close()
    try:
        _, summary = run(path)
    except ValidationFailed as exc:
        assert "Data" in str(exc) or "sheet" in str(exc).lower()  # says the data is on another sheet
        return
    assert summary["rows_accepted"] == 1  # or it reads the sheet that holds the header
