"""The recap as a file: XLSX (xlsxwriter) and PDF (reportlab). Anything that leaves the system has its
small cells suppressed by the one rule of `tepat.public.suppression` (1–4 shown as "< 5", the amount
of such a cell hidden with it)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from tepat.public import suppression
from tepat.reports.selectors import Recap


def _cell(recap: Recap, row: dict[str, Any], key: str) -> Any:
    column = next(col for col in recap.columns if col.key == key)
    if column.amount:
        return suppression.amount(row.get(column.count_key), row[key]) \
            if suppression.suppressed(row.get(column.count_key)) else int(row[key])
    return suppression.cell(row[key]) if suppression.suppressed(row[key]) else int(row[key])


def table(recap: Recap) -> tuple[list[str], list[list[Any]]]:
    header = [_("Code"), _("Region"), *[str(col.label) for col in recap.columns]]
    body = [[row["code"], row["name"], *[_cell(recap, row, col.key) for col in recap.columns]]
            for row in recap.rows]
    body.append(["", _("Total"), *[_cell(recap, recap.totals, col.key) for col in recap.columns]])
    return header, body


def title(recap: Recap) -> str:
    return _("Regional recap: %(region)s") % {"region": recap.region.display_name}


def to_xlsx(recap: Recap) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Recap")[:31])
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "#,##0"})
    header, body = table(recap)
    sheet.write(0, 0, title(recap), bold)
    sheet.write(1, 0, _("Generated %(when)s; counts from 1 to 4 are shown as \"< 5\".")
                % {"when": formats.date_format(recap.generated_at, "DATETIME_FORMAT")})
    sheet.write_row(3, 0, header, bold)
    for r, values in enumerate(body, start=4):
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(r, col, value, number)
            else:
                sheet.write_string(r, col, str(value))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, len(header), 14)
    sheet.freeze_panes(4, 2)
    book.close()
    return buffer.getvalue()


def to_pdf(recap: Recap) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title(recap))
    header, body = table(recap)

    def fmt(value: Any) -> str:
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)

    data = [[Paragraph(str(h), small) for h in header]] + [[Paragraph(fmt(v), small) for v in row] for row in body]
    widths = [22 * mm, 38 * mm] + [(277 - 60) * mm / max(1, len(header) - 2)] * (len(header) - 2)
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f0ea")),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [Paragraph(title(recap), styles["Heading2"]),
             Paragraph(_("Generated %(when)s; counts from 1 to 4 are shown as \"< 5\".")
                       % {"when": formats.date_format(recap.generated_at, "DATETIME_FORMAT")}, small),
             Spacer(1, 4 * mm), grid]
    doc.build(story)
    return buffer.getvalue()
