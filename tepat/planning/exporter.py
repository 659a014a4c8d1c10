"""`tepat renja-export --year 2025 [--table NAME] --format xlsx|pdf|csv OUT`: the Renja tables in the official
layouts (the column order and the numbering of source 001's tables), with the system's own computations.

Tables: evaluasi (2.1.a, the rates computed here beside the ones the document stated), anggaran (2.1.b),
rencana (4.1, from the plan's current version), capaian (quarterly realisation and achievement by indicator
type), temuan (the checker's findings).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from tepat.planning.achievement import achievement, format_percent
from tepat.planning.checker import Finding, check_document, check_plan, evaluation_figures, num
from tepat.planning.models import Plan, SourceDocument, SourceRow
from tepat.planning.selectors import plan_figures

TABLES = ("evaluasi", "anggaran", "rencana", "capaian", "temuan")
FORMATS = ("xlsx", "pdf", "csv")


@dataclass(slots=True)
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list[Any]]


def _v(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "is_finite"):  # Decimal
        return format_percent(value, 2)
    return value


def _rp(value: Any) -> str:
    n = num(value)
    return "" if n is None else f"{int(n):,}".replace(",", ".")


def evaluation_table(document: SourceDocument) -> Table:
    rows = []
    for row in document.rows.filter(table=SourceRow.Table.EVALUATION).select_related("item"):
        f, s = row.figures, row.stated
        c = evaluation_figures(row)
        rows.append([row.code_text, row.name, row.indicator, _v(f.get("target_renstra")), row.unit,
                     _v(f.get("realised_before")), _v(f.get("target_year")), _v(f.get("realised_year")),
                     c["year_rate"].display(), _v(s.get("rate_year")), _v(f.get("target_next")),
                     _v(c["cumulative"]), c["renstra_rate"].display(), _v(s.get("rate_renstra"))])
    return Table("evaluasi", f"Tabel 2.1.a Rekapitulasi evaluasi hasil pelaksanaan Renja s.d. {document.year - 2}",
                 ["Kode", "Urusan/Program/Kegiatan/Sub Kegiatan", "Indikator", "Target Renstra (4)", "Satuan",
                  "Realisasi s.d. tahun lalu (5)", "Target tahun (6)", "Realisasi tahun (7)",
                  "Tingkat realisasi (8=7/6) terhitung", "(8) tertulis", "Target tahun berikut (9)",
                  "Realisasi kumulatif (10) terhitung", "Capaian Renstra (11=10/4) terhitung", "(11) tertulis"], rows)


def budget_table(document: SourceDocument) -> Table:
    rows = []
    for row in document.rows.filter(table=SourceRow.Table.BUDGET):
        f = row.figures
        rate = achievement("flow", num(f.get("pagu")), num(f.get("realised")))
        rows.append([_v(f.get("no")), row.name, _rp(f.get("pagu")), _rp(f.get("realised")), rate.display(),
                     _v(row.stated.get("rate"))])
    return Table("anggaran", f"Tabel 2.1.b Target dan realisasi anggaran tahun {document.year - 2}",
                 ["No", "Program/Kegiatan/Sub Kegiatan", "Pagu anggaran (Rp)", "Realisasi anggaran (Rp)",
                  "Capaian (%) terhitung", "Capaian (%) tertulis"], rows)


def plan_table(plan: Plan) -> Table:
    rows = []
    for line in plan.current_version.lines.select_related("item").order_by("position", "item__code"):
        rows.append([line.item.code, line.item.name, line.indicator, line.location, _v(line.target), line.unit,
                     _rp(line.pagu), line.fund_source, line.note, _v(line.outlook_target), _rp(line.outlook_pagu)])
    return Table("rencana", f"Tabel 4.1 Rumusan rencana program dan kegiatan tahun {plan.year} dan prakiraan maju "
                 f"{plan.year + 1} ({plan.get_status_display()}, versi {plan.current_version.number})",
                 ["Kode", "Program/Kegiatan/Sub Kegiatan", "Indikator", "Lokasi", "Target", "Satuan",
                  "Pagu indikatif (Rp)", "Sumber dana", "Catatan", f"Target {plan.year + 1}",
                  f"Pagu {plan.year + 1} (Rp)"], rows)


def achievement_table(plan: Plan) -> Table:
    rows = []
    for f in plan_figures(plan):
        line = f.line
        rows.append([line.item.code, line.item.name, line.indicator_type, _v(line.target), line.unit,
                     *[_v(q) for q in f.quarters], _v(f.realisation), f.achievement.display(),
                     f.predicate[0] if f.predicate else "", _rp(line.pagu), _rp(f.financial),
                     f.financial_achievement.display()])
    return Table("capaian", f"Realisasi dan capaian Renja {plan.year} per triwulan",
                 ["Kode", "Sub Kegiatan", "Jenis indikator", "Target", "Satuan", "TW1", "TW2", "TW3", "TW4",
                  "Realisasi tahun", "Capaian (%)", "Predikat", "Pagu (Rp)", "Realisasi keuangan (Rp)",
                  "Capaian keuangan (%)"], rows)


def findings_table(findings: list[Finding], year: int) -> Table:
    return Table("temuan", f"Temuan pemeriksa konsistensi Renja {year}",
                 ["Aturan", "Tabel", "Baris", "Kode", "Temuan", "Finding", "Tingkat"],
                 [[f.rule, f.table, f.row, f.code, f.id, f.en, f.severity] for f in findings])


def tables_for(*, plan: Plan | None, document: SourceDocument | None, names: tuple[str, ...] = TABLES,
               registry_size: dict[str, int] | None = None) -> list[Table]:
    out = []
    for name in names:
        if name == "evaluasi" and document is not None:
            out.append(evaluation_table(document))
        elif name == "anggaran" and document is not None:
            out.append(budget_table(document))
        elif name == "rencana" and plan is not None:
            out.append(plan_table(plan))
        elif name == "capaian" and plan is not None:
            out.append(achievement_table(plan))
        elif name == "temuan":
            findings = (check_document(document, registry_size=registry_size) if document is not None else [])
            findings += check_plan(plan, registry_size=registry_size) if plan is not None else []
            out.append(findings_table(findings, plan.year if plan else document.year))
    return out


def render(tables: list[Table], fmt: str) -> bytes:
    if fmt == "csv":
        return render_csv(tables)
    if fmt == "xlsx":
        return render_xlsx(tables)
    if fmt == "pdf":
        return render_pdf(tables)
    raise ValueError(f"unknown format {fmt!r}")


def _safe(value: Any) -> Any:
    """Cells that a spreadsheet would run as a formula are written as text with a leading quote."""
    from tepat.core.uploads import formula_guard

    return formula_guard(value) if isinstance(value, str) else value


def render_csv(tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([[_safe(c) for c in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_xlsx(tables: list[Table]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for table in tables:
        sheet = book.add_worksheet(table.name)
        sheet.write(0, 0, table.title, book.add_format({"bold": True}))
        sheet.write_row(2, 0, table.header, bold)
        for r, row in enumerate(table.rows, start=3):
            for c, value in enumerate(row):
                sheet.write_string(r, c, str(_safe(value)), wrap) if isinstance(value, str) else sheet.write(r, c, value, wrap)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 2, 40)
        sheet.set_column(3, len(table.header), 14)
        sheet.freeze_panes(3, 2)
    book.close()
    return buffer.getvalue()


def render_pdf(tables: list[Table]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=6.5, leading=7.5)
    head = cell.clone("head", fontName="Helvetica-Bold")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=8 * mm, rightMargin=8 * mm,
                            topMargin=10 * mm, bottomMargin=10 * mm, title="Renja")
    story: list[Any] = []
    width = landscape(A4)[0] - 16 * mm
    for i, table in enumerate(tables):
        if i:
            story.append(PageBreak())
        story += [Paragraph(_esc(table.title), styles["Heading3"]), Spacer(1, 2 * mm)]
        n = len(table.header)
        wide = {1, 2} if table.name != "temuan" else {4, 5}
        unit = width / (n + 3 * len(wide))
        widths = [unit * (4 if j in wide else 1) for j in range(n)]
        data = [[Paragraph(_esc(h), head) for h in table.header]]
        data += [[Paragraph(_esc(str(v)), cell) for v in row] for row in table.rows]
        grid = LongTable(data, colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(grid)
    doc.build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def export(*, actor: Any, year: int, region_code: str = "", names: tuple[str, ...] = TABLES, fmt: str = "xlsx",
           registry_size: dict[str, int] | None = None) -> bytes:
    """The tables of the year's Renja in scope of the actor, rendered; the export is audited."""
    from django.db import transaction

    from tepat.accounts.roles import Capability
    from tepat.audit.actions import AuditAction
    from tepat.audit.services import audit_record
    from tepat.core.actors import is_system
    from tepat.core.exceptions import ObjectNotFound, ValidationFailed
    from tepat.core.messages import Issue
    from tepat.planning.selectors import plans_visible, sources_visible
    from tepat.planning.services import ensure_planning

    if fmt not in FORMATS:
        raise ValidationFailed([Issue("format", "format", f"format '{fmt}' tidak dikenal (xlsx, pdf, csv)",
                                      f"unknown format '{fmt}' (xlsx, pdf, csv)")])
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        raise ValidationFailed([Issue("table", "table", f"tabel {', '.join(unknown)} tidak dikenal ({', '.join(TABLES)})",
                                      f"unknown table(s) {', '.join(unknown)} ({', '.join(TABLES)})")])
    plans = Plan.objects.all() if is_system(actor) else plans_visible(actor)
    documents = SourceDocument.objects.all() if is_system(actor) else sources_visible(actor)
    if region_code:
        plans, documents = plans.filter(region_id=region_code), documents.filter(region_id=region_code)
    plan = plans.filter(year=year).order_by("pk").first()
    document = documents.filter(year=year).order_by("-pk").first()
    if plan is None and document is None:
        raise ObjectNotFound(f"Renja {year} tidak ditemukan / Renja {year} not found")
    region = (plan or document).region_id
    ensure_planning(actor=actor, capability=Capability.PLANNING_VIEW, region_code=region)
    if registry_size is None and "temuan" in names:
        from tepat.planning.checker import registry_size as size_of

        registry_size = size_of(region)
    with transaction.atomic():
        content = render(tables_for(plan=plan, document=document, names=names, registry_size=registry_size), fmt)
        audit_record(actor=actor, action=AuditAction.RENJA_EXPORT, target=plan or document, region_code=region,
                     data={"year": year, "tables": list(names), "format": fmt, "bytes": len(content)})
    return content
