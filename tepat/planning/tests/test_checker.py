"""Each checker rule finds a planted error (and is silent on the clean document)."""

from datetime import date

import pytest

from conftest import DISTRICT
from tepat.planning.checker import check_document, check_plan
from tepat.planning.models import QuarterSnapshot, Realisation, SourceDocument, SourceRow
from tepat.planning.services import line_save, realisation_save
from tepat.planning.tests.factories import KEGIATAN, PROGRAMME, SUB_A, SUB_B, small_plan, version

pytestmark = pytest.mark.django_db
T = SourceRow.Table


def _document(**stated) -> SourceDocument:
    from tepat.regions.models import Region

    return SourceDocument.objects.create(region=Region.objects.get(code=DISTRICT), year=2025, title="uji",
                                         nomenclature=version(), stated=stated)


def _eval(doc, row, code_text, name, unit="Orang", indicator="Jumlah Orang", item=None, level=5, **figures):
    stated = {k: figures.pop(k) for k in ("rate_year", "cumulative", "rate_renstra") if k in figures}
    return SourceRow.objects.create(document=doc, table=T.EVALUATION, row_number=row, code_text=code_text, name=name,
                                    unit=unit, indicator=indicator, level=level, figures=figures, stated=stated,
                                    item=item)


def _item(code):
    return version().items.get(code=code)


def _clean_evaluation(doc):
    return _eval(doc, 2, "1 06 04 2.01 01", "Penyediaan Permakanan", item=_item(SUB_A), target_renstra=2630,
                 realised_before=685, target_year=94, realised_year=103, target_next=83, rate_year="109,57",
                 cumulative=871, rate_renstra="33,12")


def rules(findings):
    return sorted({f.rule for f in findings})


def test_the_clean_row_has_no_finding():
    doc = _document()
    _clean_evaluation(doc)
    assert check_document(doc) == []


def test_stated_rate_wrong_and_div0():
    doc = _document()
    _eval(doc, 2, "1 06 04 2.01 01", "Penyediaan Permakanan", item=_item(SUB_A), target_year=94, realised_year=103,
          rate_year="100")
    _eval(doc, 3, "1 06 04 2.01 10", "Pemberian Layanan Kedaruratan", item=_item(SUB_B), target_year=None,
          realised_year=1, rate_year="#DIV/0!")
    findings = [f for f in check_document(doc) if f.rule == "stated_rate"]
    assert [(f.row, f.figures["stated"]) for f in findings] == [(2, "100"), (3, "#DIV/0!")]
    assert "terhitung 109,57" in findings[0].id
    assert "n/a (target kosong" in findings[1].id and "realisasi 1 dilaporkan tanpa target" in findings[1].id


def test_cumulative_and_renstra_rate():
    doc = _document()
    _eval(doc, 2, "1 06 04 2.01 01", "Penyediaan Permakanan", item=_item(SUB_A), target_renstra=750,
          realised_before=133, target_year=150, realised_year=1514, target_next=150, rate_year="1009,33",
          cumulative=750, rate_renstra="100")
    _eval(doc, 3, "1 06 04 2.01 10", "Pemberian Layanan Kedaruratan", item=_item(SUB_B), target_renstra=6,
          realised_before=2, target_year=1, realised_year=1, target_next=1, rate_year="100", cumulative=4,
          rate_renstra="80")
    findings = [f for f in check_document(doc) if f.rule == "cumulative"]
    assert [(f.row, f.figures.get("computed")) for f in findings] == [(2, "1797"), (3, "66,67")]


def test_totals_against_parts_in_the_plan_table():
    doc = _document(total_pagu=300)
    for row, code_text, code, name, level, pagu in (
            (2, "1 06 04", PROGRAMME, "PROGRAM REHABILITASI SOSIAL", 3, 200),
            (3, "1 06 04 2.01", KEGIATAN, "Rehabilitasi Sosial Dasar", 4, 150),
            (4, "1 06 04 2.01 01", SUB_A, "Penyediaan Permakanan", 5, 100),
            (5, "1 06 04 2.01 10", SUB_B, "Pemberian Layanan Kedaruratan", 5, 40)):
        SourceRow.objects.create(document=doc, table=T.PLAN, row_number=row, code_text=code_text, name=name,
                                 level=level, item=_item(code), unit="Orang", indicator="Jumlah", figures={"pagu": pagu})
    findings = [f for f in check_document(doc) if f.rule == "total_parts"]
    described = {(f.row, f.figures["stated"], f.figures["sum_of_parts"]) for f in findings}
    assert (2, 200, 150) in described  # programme vs its kegiatan
    assert (3, 150, 140) in described  # kegiatan vs its sub-kegiatan
    assert ("total_pagu", 300, 200) in described  # the narrative's total vs the programmes


def test_counts_between_the_narrative_and_the_table():
    doc = _document(jumlah_sub_kegiatan=3)
    SourceRow.objects.create(document=doc, table=T.PLAN, row_number=2, code_text="1 06 04 2.01 01",
                             name="Penyediaan Permakanan", level=5, item=_item(SUB_A), figures={})
    findings = [f for f in check_document(doc) if f.rule == "count"]
    assert findings and findings[0].figures == {"stated": 3, "counted": 1}


def test_counts_between_evaluation_and_budget_tables():
    doc = _document()
    _clean_evaluation(doc)
    _eval(doc, 3, "1 06 04 2.01 10", "Pemberian Layanan Kedaruratan", item=_item(SUB_B))
    SourceRow.objects.create(document=doc, table=T.BUDGET, row_number=2, name="Penyediaan Permakanan", level=5,
                             item=_item(SUB_A), figures={"no": 1, "pagu": 100, "realised": 90}, stated={"rate": "90"})
    finding = next(f for f in check_document(doc) if f.rule == "count")
    assert finding.figures["missing_from_budget"] == [SUB_B]


def test_code_against_name():
    doc = _document()
    _eval(doc, 2, "2 06 04 2.01 01", "Penyediaan Permakanan")  # damaged urusan digit
    _eval(doc, 3, "1 06 04 2.01 10", "Penyediaan Sandang")  # the code's name is another
    findings = [f for f in check_document(doc) if f.rule == "code_name"]
    assert findings[0].row == 2 and findings[0].figures["suggested"] == SUB_A
    assert findings[1].row == 3 and findings[1].figures["nomenclature_name"] == "Pemberian Layanan Kedaruratan"


def test_indicator_against_unit():
    doc = _document()
    _eval(doc, 2, "1 06 04 2.01", "Rehabilitasi Sosial Dasar Penyandung Disabilitas Terlantar", level=4,
          item=_item(KEGIATAN), indicator="Persentase Penyandang Disabilitas Terlantar", unit="Orang")
    _eval(doc, 3, "1 06 04 2.01 01", "Penyediaan Permakanan", item=_item(SUB_A), indicator="Jumlah Orang", unit="%")
    findings = [f for f in check_document(doc) if f.rule == "indicator_unit"]
    assert [f.row for f in findings] == [2, 3]


def test_physical_against_financial():
    doc = _document()
    _eval(doc, 2, "1 06 04 2.01 01", "Penyediaan Permakanan", item=_item(SUB_A), target_year=10, realised_year=10,
          rate_year="100")
    SourceRow.objects.create(document=doc, table=T.BUDGET, row_number=5, name="Penyediaan Permakanan", level=5,
                             item=_item(SUB_A), figures={"no": 1, "pagu": 520000, "realised": 0}, stated={"rate": "0"})
    finding = next(f for f in check_document(doc) if f.rule == "physical_financial")
    assert finding.row == 2 and finding.figures["budget_row"] == 5


def test_implausible_target_against_the_registry():
    doc = _document()
    _eval(doc, 2, "1 06 05 2.02 02", "Pengelolaan data fakir miskin", unit="Keluarga",
          item=_item("1.06.05.2.02.02"), target_renstra=5544870)
    findings = check_document(doc, registry_size={"families": 450_000, "persons": 1_600_000})
    finding = next(f for f in findings if f.rule == "implausible_target")
    assert finding.figures == {"field": "target_renstra", "target": 5544870, "registry": 450_000}


def test_plan_rules_future_period_totals_physical_financial(dinsos_operator):
    plan = small_plan(dinsos_operator)
    line_save(actor=dinsos_operator, plan=plan, code=KEGIATAN, pagu=160_000_000)  # parts add up to 150 000 000
    realisation_save(actor=dinsos_operator, plan=plan, quarter=1, code=SUB_A, physical=20, financial=0,
                     today=date(2025, 4, 1))
    # planted directly (the service refuses it): realisation for the fourth quarter, entered in April
    snapshot = QuarterSnapshot.objects.create(plan=plan, quarter=4)
    Realisation.objects.create(snapshot=snapshot, item=_item(SUB_B), physical=3, financial=60_000_000)
    findings = check_plan(plan, today=date(2025, 4, 1), registry_size={"persons": 15})
    got = {(f.rule, str(f.row)) for f in findings}
    assert ("total_parts", KEGIATAN) in got
    assert ("future_period", "TW4") in got
    assert ("physical_financial", SUB_A) in got  # 100 % physical, nothing spent
    assert ("physical_financial", SUB_B) in got  # spent more than the ceiling
    assert ("implausible_target", SUB_A) in got  # 20 persons, the registry has 15
    assert "future_period" not in rules(check_plan(plan, today=date(2026, 1, 1)))
