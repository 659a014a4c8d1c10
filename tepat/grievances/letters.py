"""The referral letter (surat rujukan): a signed verification token, the PDF with its QR code, and the answer of
the public verification page.

The token is `django.core.signing` over the referral's id and letter number (salted, keyed by SECRET_KEY): a
changed character fails the signature. The verification answer holds only: valid or not, the letter number,
its date and the receiving institution — never a name, NIK or the case (a phone camera must not become a
lookup of people).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing

SALT = "tepat.grievances.referral-letter"


def letter_token(referral: Any) -> str:
    return signing.dumps({"r": str(referral.pk), "n": referral.letter_number}, salt=SALT, compress=True)


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    letter_number: str = ""
    issued_on: date | None = None
    institution: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "letter_number": self.letter_number,
                "issued_on": self.issued_on.isoformat() if self.issued_on else None, "institution": self.institution}


def verify_token(token: str) -> Verification:
    """Valid only when the signature holds and the referral exists with that number and is not cancelled."""
    from tepat.grievances.models import Referral

    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return Verification(False)
    referral = (Referral.objects.select_related("institution").filter(pk=data.get("r"), letter_number=data.get("n"))
                .exclude(status=Referral.Status.CANCELLED).first()) if isinstance(data, dict) else None
    if referral is None:
        return Verification(False)
    return Verification(True, referral.letter_number, referral.issued_on, referral.institution.name)


def letter_pdf(referral: Any, *, verify_url: str, subject_name: str, subject_identity: str, office: str) -> bytes:
    """A4 letter: number and date, addressee, the person referred (name and masked-as-the-reader-may-see
    identity, passed in by the caller), the service, the note, and the QR code of `verify_url`."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Surat rujukan {referral.letter_number}")
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(20 * mm, y, office.upper()[:80])
    y -= 7 * mm
    pdf.setFont("Helvetica", 10)
    pdf.drawString(20 * mm, y, "Sistem Layanan dan Rujukan Terpadu (SLRT)")
    y -= 12 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(20 * mm, y, "SURAT RUJUKAN")
    y -= 6 * mm
    pdf.setFont("Helvetica", 10)
    complaint = referral.complaint
    lines = [
        f"Nomor: {referral.letter_number}",
        f"Tanggal: {referral.issued_on:%d-%m-%Y}",
        f"Nomor kasus: {complaint.reference}",
        "",
        f"Kepada Yth. {referral.institution.name}",
        referral.institution.address or "",
        "",
        "Dengan hormat, bersama ini kami rujuk:",
        f"    Nama: {subject_name}",
        f"    NIK: {subject_identity or '-'}",
        f"    Desa/Kelurahan: {complaint.region.name} ({complaint.region_id})",
        "",
        f"untuk mendapatkan layanan: {referral.service.name_id}",
        "",
        "Keterangan:",
        *_wrap(referral.note or complaint.decision or "-", 95),
        "",
        "Mohon tanda terima dan hasil layanan disampaikan kembali kepada kami.",
        "Keaslian surat ini dapat diperiksa dengan memindai kode QR.",
    ]
    for line in lines:
        y -= 5.5 * mm
        pdf.drawString(20 * mm, y, line)
    widget = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    size = 38 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, width - 20 * mm - size, 25 * mm)
    pdf.setFont("Helvetica", 7)
    pdf.drawString(20 * mm, 20 * mm, "Verifikasi: " + verify_url[:110])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*out, line] if line else out
