"""Source 001 (the Renja 2025 of Dinas Sosial Kabupaten Serang) imported from the shipped workbook: the
system's achievements equal the office's where the office computed them correctly, the checker reports the
document's own inconsistencies, and the tables export to XLSX, CSV and PDF."""

import io

import pytest

from conftest import assert_audited
from tepat.core.actors import SYSTEM
from tepat.planning.checker import check_document, evaluation_figures, stated_matches
from tepat.planning.exporter import TABLES, export
from tepat.planning.importer import import_workbook
from tepat.planning.models import PlanLine, SourceRow
from tepat.planning.seed import SOURCE_001_WORKBOOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(dinsos_operator):
    return import_workbook(actor=dinsos_operator, source=SOURCE_001_WORKBOOK, file_name="renja-2025-source-001.xlsx")


def test_import_keeps_every_row_and_builds_the_plan(imported, dinsos_operator):
    assert imported.rows == {"evaluasi": 78, "anggaran": 70, "rencana": 72}
    assert imported.plan.year == 2025 and imported.plan.region_id == "36.04"
    lines = PlanLine.objects.filter(version=imported.plan.current_version)
    assert lines.count() == imported.lines == 71
    # nothing silently dropped: the one plan row the system could not take is in the report with its reason
    errors = [i for i in imported.issues if i["severity"] == "error"]
    assert [(i["sheet"], i["row"]) for i in errors] == [("rencana", 57)]
    assert "sudah ada di baris sebelumnya" in errors[0]["message_id"]
    assert lines.get(item__code="1.06.01.2.02.01").note == "target tertulis '33/14'"
    assert sum(line.pagu for line in lines.filter(item__level=3)) == 13_553_123_311
    assert_audited("renja.import", actor=dinsos_operator, target=imported.document, lines=71)


def test_computed_achievements_equal_the_source_where_it_computed_correctly(imported):
    agree, disagree = 0, []
    for row in imported.document.rows.filter(table=SourceRow.Table.EVALUATION):
        stated = row.stated.get("rate_year")
        computed = evaluation_figures(row)["year_rate"]
        if stated in (None, "", "-"):
            continue
        if stated == "#DIV/0!":
            assert not computed.available and computed.reason  # n/a with the reason, never a division error
            continue
        if stated_matches(computed.percent, stated):
            agree += 1
        else:
            disagree.append(row.row_number)
    assert agree == 63 and disagree == []
    renstra_agree = sum(
        1 for row in imported.document.rows.filter(table=SourceRow.Table.EVALUATION)
        if (c := evaluation_figures(row))["renstra_rate"].available and row.stated.get("rate_renstra") not in (None, "-")
        and stated_matches(c["renstra_rate"].percent, row.stated["rate_renstra"]))
    assert renstra_agree == 69  # the 8 others: their cumulative figure is already wrong (checker)


def test_the_checker_reports_the_documents_own_inconsistencies(imported):
    findings = check_document(imported.document)
    by_rule: dict[str, list] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    div0 = [f for f in by_rule["stated_rate"] if f.figures.get("stated") == "#DIV/0!"]
    assert len(div0) == 13
    cumulative = {(f.row, f.figures["stated"], f.figures["computed"]) for f in by_rule["cumulative"]}
    assert (70, 750, "1797") in cumulative  # Penyediaan Sandang (bencana): capped at the target
    assert (33, 145, "406") in cumulative  # TKSK: 348 + 29 + 29
    damaged = [f for f in by_rule["code_name"] if f.code.startswith(("2 ", "3 ", "4 ", "5 ", "6 "))]
    assert len(damaged) == 28  # 14 rows in each table: the spreadsheet fill that ran down the urusan and kegiatan digits, both tables
    counts = {f.id for f in by_rule["count"]}
    assert "narasi menyebut 52 sub-kegiatan, tabel 4.1 memuat 51" in counts
    budget_missing = next(f for f in by_rule["count"] if "missing_from_budget" in f.figures)
    assert "1.06.01.2.06.02" in budget_missing.figures["missing_from_budget"]
    assert {f.row for f in by_rule["physical_financial"]} >= {6, 54}
    assert {f.row for f in by_rule["indicator_unit"]} >= {3, 41, 64}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_export_every_table(imported, dinsos_operator, fmt):
    content = export(actor=dinsos_operator, year=2025, fmt=fmt)
    assert_audited("renja.export", actor=dinsos_operator, format=fmt, year=2025)
    if fmt == "xlsx":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        assert book.sheet_names == list(TABLES)
        plan = book.get_sheet_by_name("rencana").to_python()
        assert plan[3][:2] == ["1.06.01", "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH"]
    elif fmt == "csv":
        text = content.decode("utf-8-sig")
        assert "Tabel 2.1.a" in text and "n/a (target kosong / no target)" in text
    else:
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(content)).pages
        assert len(pages) > 5 and "Tabel 4.1" in pages[0].extract_text() + "".join(
            p.extract_text() for p in pages[:20])


def test_export_one_table_and_scope(imported, other_dinsos_operator):
    content = export(actor=SYSTEM, year=2025, names=("anggaran",), fmt="csv").decode("utf-8-sig")
    assert "Tabel 2.1.b" in content and "Tabel 4.1" not in content
    from tepat.core.exceptions import ObjectNotFound

    with pytest.raises(ObjectNotFound):
        export(actor=other_dinsos_operator, year=2025, fmt="csv")


def test_the_same_workbook_twice_is_refused(imported, dinsos_operator):
    from tepat.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed):
        import_workbook(actor=dinsos_operator, source=SOURCE_001_WORKBOOK)
