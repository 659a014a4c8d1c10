"""The berita acara (minutes) of a village deliberation, as a PDF in the usual official layout:
letterhead, title and number, legal basis, opening statement, the decision on each proposal, attendees
with a signature column, closing sentence and signature blocks. The document is in Indonesian, as the
official record is; it carries names but no identity numbers."""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from tepat.regions.models import Region
from tepat.regions.selectors import region_path
from tepat.updates.models import Deliberation

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
KIND_ID = {
    "new_family": "Usulan keluarga baru", "add_member": "Tambah anggota keluarga", "change_data": "Perbaikan data",
    "remove_member": "Penghapusan anggota keluarga", "remove_family": "Penghapusan keluarga",
    "program": "Usulan program bansos", "emergency": "Usulan darurat",
}
DECISION_ID = {"accepted": "Diterima", "rejected": "Ditolak", "deferred": "Ditunda", "pending": "Belum diputuskan"}
LEGAL_BASIS = (
    "Undang-Undang Nomor 13 Tahun 2011 tentang Penanganan Fakir Miskin dan Peraturan Menteri Sosial Nomor 5 "
    "Tahun 2019 tentang Pengelolaan Data Terpadu Kesejahteraan Sosial."
)


def long_date(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()["Normal"]
    return {
        "kop": ParagraphStyle("kop", parent=base, fontName="Helvetica-Bold", fontSize=13, leading=16,
                              alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName="Helvetica-Bold", fontSize=12, leading=15,
                                alignment=TA_CENTER),
        "center": ParagraphStyle("center", parent=base, fontSize=10, leading=13, alignment=TA_CENTER),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=14, alignment=TA_JUSTIFY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11),
        "head": ParagraphStyle("head", parent=base, fontName="Helvetica-Bold", fontSize=9, leading=11),
        "sign": ParagraphStyle("sign", parent=base, fontSize=10, leading=13, alignment=TA_CENTER),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def minutes_pdf(deliberation: Deliberation) -> bytes:
    """Render the minutes of a session (its agenda with decisions and its attendees)."""
    styles = _styles()
    path = region_path(deliberation.region)
    names = {r.level: r.name for r in path}
    village = deliberation.region
    village_word = "Kelurahan" if village.kind == Region.Kind.URBAN_VILLAGE else "Desa"
    session_word = "Musyawarah Kelurahan" if deliberation.kind == Deliberation.Kind.MUSKEL else "Musyawarah Desa"
    items = list(deliberation.items.select_related("proposal").order_by("position"))
    attendees = list(deliberation.attendees.order_by("position_order", "created_at"))
    held = deliberation.held_on
    story: list = [
        _p(f"PEMERINTAH {names.get(Region.Level.REGENCY, '').upper()}", styles["kop"]),
        _p(f"KECAMATAN {names.get(Region.Level.DISTRICT, '').upper()}", styles["kop"]),
        _p(f"{village_word.upper()} {village.name.upper()}", styles["kop"]),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=2, color=colors.black, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceAfter=10),
        _p("BERITA ACARA", styles["title"]),
        _p(f"{session_word.upper()} PEMUTAKHIRAN DATA TERPADU KESEJAHTERAAN SOSIAL", styles["title"]),
        _p(f"Nomor: {deliberation.number or '-'}", styles["center"]),
        Spacer(1, 10),
        _p(f"Dasar: {LEGAL_BASIS}", styles["body"]),
        Spacer(1, 6),
        _p(
            f"Pada hari ini {DAYS[held.weekday()]} tanggal {long_date(held)}, bertempat di {deliberation.place}, "
            f"telah dilaksanakan {session_word} {village.name} yang dipimpin oleh {deliberation.chair_name} "
            f"({deliberation.chair_title}) untuk membahas usulan pemutakhiran Data Terpadu Kesejahteraan Sosial "
            f"(DTKS) yang telah diverifikasi di lapangan, dengan hasil sebagai berikut:",
            styles["body"],
        ),
        Spacer(1, 8),
    ]
    decision_rows = [[_p(h, styles["head"]) for h in ("No", "Nomor Usulan", "Jenis Usulan", "Nama", "Keputusan",
                                                       "Alasan")]]
    for number, item in enumerate(items, start=1):
        decision_rows.append([
            _p(str(number), styles["cell"]), _p(item.proposal.reference, styles["cell"]),
            _p(KIND_ID.get(item.proposal.kind, item.proposal.kind), styles["cell"]),
            _p(item.proposal.subject_name, styles["cell"]), _p(DECISION_ID[item.decision], styles["cell"]),
            _p(item.reason or "-", styles["cell"]),
        ])
    story.append(_table(decision_rows, [0.9 * cm, 3.8 * cm, 3.2 * cm, 3.4 * cm, 2.1 * cm, 3.6 * cm]))
    counts = {key: sum(1 for i in items if i.decision == key) for key in ("accepted", "rejected", "deferred")}
    story += [
        Spacer(1, 6),
        _p(f"Jumlah usulan: {len(items)}; diterima: {counts['accepted']}; ditolak: {counts['rejected']}; "
           f"ditunda: {counts['deferred']}.", styles["body"]),
        Spacer(1, 10),
        _p("Daftar hadir:", styles["body"]),
        Spacer(1, 4),
    ]
    attendee_rows = [[_p(h, styles["head"]) for h in ("No", "Nama", "Jabatan / Unsur", "Tanda Tangan")]]
    for number, attendee in enumerate(attendees, start=1):
        attendee_rows.append([_p(str(number), styles["cell"]), _p(attendee.name, styles["cell"]),
                              _p(attendee.position, styles["cell"]), _p(f"{number}. ........................",
                                                                           styles["cell"])])
    story.append(_table(attendee_rows, [1 * cm, 5.5 * cm, 5.5 * cm, 5 * cm]))
    story += [
        Spacer(1, 10),
        _p("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.",
           styles["body"]),
        Spacer(1, 14),
    ]
    secretary = deliberation.created_by.get_full_name() or deliberation.created_by.get_username()
    signatures = Table([
        [_p("", styles["sign"]), _p(f"{village.name}, {long_date(held)}", styles["sign"])],
        [_p(f"Notulis / Operator {village_word}", styles["sign"]),
         Paragraph(f"Pimpinan Musyawarah,<br/>{escape(deliberation.chair_title)} {escape(village.name)}",
                   styles["sign"])],
        [Spacer(1, 50), Spacer(1, 50)],
        [_p(f"( {secretary} )", styles["sign"]), _p(f"( {deliberation.chair_name} )", styles["sign"])],
    ], colWidths=[8.5 * cm, 8.5 * cm])
    story.append(KeepTogether([signatures]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm,
        title=f"Berita Acara {session_word} {village.name} {deliberation.number}", author="Tepat", lang="id",
    )
    document.build(story)
    return buffer.getvalue()
