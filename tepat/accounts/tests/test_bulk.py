"""Bulk user creation from CSV/XLSX: valid rows created, invalid ones reported (row, column, reason in
both languages), reruns idempotent, initial passwords only in the result, bounded reading."""

from __future__ import annotations

import csv
import io

import pytest
import xlsxwriter
from django.test import override_settings

from conftest import OTHER_DISTRICT_VILLAGE, OTHER_VILLAGE, VILLAGE
from tepat.accounts import bulk
from tepat.accounts.models import RegionAssignment, User
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.exceptions import PermissionDeniedError, ValidationFailed

GOOD = (
    "username,full_name,role,regions,email\n"
    f"op_baru,Siti Nur Aminah,village_operator,{VILLAGE},siti@example.org\n"
    f"psm_baru,Budi Santoso,Facilitator / PSM,{VILLAGE};{OTHER_VILLAGE},\n"
)
BAD = (
    f"op_raja,Raja,raja,{VILLAGE},\n"                       # row 4: unknown role
    f"op_kota,Orang Kota,village_operator,{OTHER_DISTRICT_VILLAGE},\n"  # row 5: out of scope
    f"bad name!,Nama,village_operator,{VILLAGE},\n"        # row 6: invalid username
    f"op_baru,Lagi,village_operator,{VILLAGE},\n"           # row 7: duplicate of row 2
    ",Tanpa Nama,village_operator,36.04.05.2001,\n"         # row 8: username missing
    f"op_surel,Nama,village_operator,{VILLAGE},bukan-email\n"  # row 9: bad email
)


def _state() -> tuple:
    return (list(User.objects.order_by("pk").values_list("pk", "username", "password", "role")),
            RegionAssignment.objects.count(), AuditEvent.objects.count())


def _run(actor, text: str, name: str = "pengguna.csv"):
    return bulk.user_bulk_create(actor=actor, content=text.encode(), file_name=name)


def test_valid_rows_are_created_and_invalid_rows_reported(administrator):
    result = _run(administrator, GOOD + BAD)

    by_row = {r.row: r for r in result.rows}
    assert (by_row[2].status, by_row[3].status) == ("created", "created")
    assert User.objects.get(username="op_baru").check_password(by_row[2].password)
    psm = User.objects.get(username="psm_baru")
    assert (psm.role, psm.first_name, psm.last_name) == ("facilitator", "Budi", "Santoso")
    assert sorted(psm.region_assignments.values_list("region_id", flat=True)) == [VILLAGE, OTHER_VILLAGE]
    expected = {4: ("role", "unknown_role"), 5: ("regions", "region_out_of_scope"), 6: ("username", "invalid"),
                7: ("username", "duplicate_in_file"), 8: ("username", "required"), 9: ("email", "invalid")}
    for row, (field, code) in expected.items():
        assert by_row[row].status == "rejected"
        assert (field, code) in [(i.field, i.code) for i in by_row[row].issues], row
        assert all(i.id and i.en and i.id != i.en for i in by_row[row].issues)
    assert "baris 2" in by_row[7].issues[0].id and "row 2" in by_row[7].issues[0].en
    assert not User.objects.filter(username__in=["op_raja", "op_kota", "op_surel"]).exists()
    assert len(result.rows) == 8  # nothing dropped


def test_every_created_user_and_the_batch_are_audited_without_passwords(administrator):
    result = _run(administrator, GOOD)

    creates = AuditEvent.objects.filter(action="user.create", data__bulk_row__isnull=False).order_by("seq")
    assert [e.data["username"] for e in creates] == ["op_baru", "psm_baru"]
    assert {e.actor_id for e in creates} == {administrator.pk}
    assert creates[0].target_id == str(User.objects.get(username="op_baru").pk)
    batch = AuditEvent.objects.get(action="user.bulk_create")
    assert (batch.actor_id, batch.data["created"], batch.data["rejected"]) == (administrator.pk, 2, 0)
    stored = str(list(AuditEvent.objects.values_list("data", flat=True)))
    assert all(r.password not in stored for r in result.rows)
    assert audit_verify().ok


def test_a_rerun_creates_nothing_twice(administrator):
    first = _run(administrator, GOOD + BAD)
    state = _state()[:2]

    second = _run(administrator, GOOD + BAD)

    assert _state()[:2] == state
    assert [r.status for r in second.rows][:2] == ["exists", "exists"]
    assert all(not r.password for r in second.rows)
    assert [r.status for r in second.rows][2:] == [r.status for r in first.rows][2:]


def test_an_existing_different_user_under_the_name_is_an_error(administrator, village_operator):
    result = _run(administrator, f"username,full_name,role,regions\nop_desa,Orang Lain,auditor,{VILLAGE}\n")

    assert result.rows[0].status == "rejected"
    assert result.rows[0].issues[0].code == "username_taken"
    village_operator.refresh_from_db()
    assert village_operator.role == "village_operator"


def test_indonesian_headers_semicolons_and_blank_lines(administrator):
    text = f"nama_pengguna;nama_lengkap;peran;wilayah\n\nkades_baru;Pak Kades;village_head;{VILLAGE}\n"
    result = _run(administrator, text)
    assert [(r.row, r.status) for r in result.rows] == [(3, "created")]


def test_refusals_of_the_whole_file_change_nothing(administrator, dinsos_supervisor):
    state = _state()
    with pytest.raises(PermissionDeniedError):
        _run(dinsos_supervisor, GOOD)
    cases = [
        ("username,role\nx,auditor\n", "pengguna.csv", "missing_columns"),
        ("", "pengguna.csv", "file_empty"),
        (GOOD, "pengguna.pdf", "file_type"),
        ('username,full_name,role,regions\n"op,x,auditor,36.04\n', "pengguna.csv", "csv_syntax"),
    ]
    for text, name, code in cases:
        with pytest.raises(ValidationFailed) as raised:
            _run(administrator, text, name)
        assert raised.value.issues[0].code == code
    with pytest.raises(ValidationFailed) as raised:
        bulk.user_bulk_create(actor=administrator, content=b"username\n\xff\xfe\n", file_name="a.csv")
    assert raised.value.issues[0].code == "encoding"
    assert _state() == state


def test_an_unclosed_quote_does_not_echo_the_file(administrator):
    text = 'username,full_name,role,regions\n"op,Rahasia Sekali,auditor,36.04\nlain,Nama Lain,auditor,36.04\n'
    with pytest.raises(ValidationFailed) as raised:
        _run(administrator, text)
    assert "Rahasia" not in str(raised.value.issues[0]) and "Nama Lain" not in str(raised.value.issues[0])


@override_settings(TEPAT_USER_BULK_MAX_BYTES=1000, TEPAT_USER_BULK_MAX_ROWS=3)
def test_size_and_row_limits(administrator):
    with pytest.raises(ValidationFailed) as raised:
        bulk.user_bulk_create(actor=administrator, content=b"x" * 1001, file_name="a.csv")
    assert raised.value.issues[0].code == "file_too_large" and "1000" in raised.value.issues[0].en
    rows = "".join(f"u{i},Nama,auditor,36.04\n" for i in range(4))
    with pytest.raises(ValidationFailed) as raised:
        _run(administrator, "username,full_name,role,regions\n" + rows)
    assert raised.value.issues[0].code == "too_many_rows"


def _xlsx(rows: list[list[str]], far_cell: tuple[int, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    if far_cell:
        sheet.write_string(*far_cell, "x")
    book.close()
    return buffer.getvalue()


def test_xlsx_rows_are_read_with_spreadsheet_row_numbers(administrator):
    content = _xlsx([["username", "full_name", "role", "regions"], ["op_xlsx", "Dewi", "village_operator", VILLAGE],
                     ["", "", "", ""], ["op_xlsx2", "Ayu", "raja", VILLAGE]])
    result = bulk.user_bulk_create(actor=administrator, content=content, file_name="p.xlsx")
    assert [(r.row, r.status) for r in result.rows] == [(2, "created"), (4, "rejected")]


@pytest.mark.parametrize("far_cell", [(1048575, 16383), (600, 0), (0, 30)])
def test_a_workbook_claiming_a_far_cell_is_refused_before_reading(administrator, far_cell):
    """One cell at A1 and one at XFD1048576 asked calamine for 512 GiB; refused from the XML first."""
    content = _xlsx([["username", "full_name", "role", "regions"]], far_cell=far_cell)
    assert len(content) < 10_000
    state = _state()
    with pytest.raises(ValidationFailed) as raised:
        bulk.user_bulk_create(actor=administrator, content=content, file_name="bom.xlsx")
    assert raised.value.issues[0].code == "workbook_too_large"
    assert _state() == state


def test_a_zip_bomb_is_refused_by_its_unpacked_size(administrator):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * (8 * 1024 * 1024) + "</a>")
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ValidationFailed) as raised:
        bulk.user_bulk_create(actor=administrator, content=buffer.getvalue(), file_name="bom.xlsx")
    assert raised.value.issues[0].code == "workbook_too_large"


def test_a_broken_xlsx_is_a_clear_refusal(administrator):
    with pytest.raises(ValidationFailed) as raised:
        bulk.user_bulk_create(actor=administrator, content=b"PK\x03\x04rusak", file_name="x.xlsx")
    assert raised.value.issues[0].code == "xlsx_broken"


def test_the_result_file_has_passwords_once_and_neutralises_formulas(administrator):
    text = GOOD + f"=HYPERLINK(1),=cmd|' /C calc'!A0,village_operator,{VILLAGE},\n"
    result = _run(administrator, text)
    rows = list(csv.reader(io.StringIO(bulk.result_csv(result).decode("utf-8-sig"))))

    assert rows[0][:4] == list(bulk.RESULT_HEADERS[:4])
    created = {row[1]: row[3] for row in rows[1:] if row[2].startswith("dibuat")}
    assert User.objects.get(username="op_baru").check_password(created["op_baru"])
    formula_rows = [row for row in rows[1:] if row[0] == "4"]
    assert formula_rows and all(not cell.startswith(("=", "+", "-", "@")) for row in formula_rows for cell in row)


def test_the_templates_are_read_back_by_the_reader(administrator):
    for content, name in ((bulk.template_csv(), "t.csv"), (bulk.template_xlsx(), "t.xlsx")):
        header = bulk.read_rows(content, name)[0][1]
        assert header[:5] == list(bulk.TEMPLATE_HEADERS)
