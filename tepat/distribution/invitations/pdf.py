"""The printed undangan (A4, one or four per page) with its signed QR code and, under it, the same token in
text, so that an officer can type it when a code does not scan. In Indonesian, as the printed letter is.

Drawn straight on the canvas (no flowables): 300 invitations of one village in well under a second or two."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from functools import lru_cache

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from tepat.distribution.invitations.data import InvitationData

PER_PAGE_CHOICES = (1, 4)
TOKEN_LABEL = "KODE UNDANGAN:"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def rupiah(amount: int) -> str:
    return f"Rp {int(amount):,}".replace(",", ".")


def long_date(value) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def token_lines(token: str, width: int) -> list[str]:
    return [token[i:i + width] for i in range(0, len(token), width)]


QR_MASK = 2  # one fixed mask pattern: choosing the best of eight costs nine encodings per code (see qr_matrix)


def qr_matrix(token: str, *, mask: int = QR_MASK) -> list[list[bool]]:
    """The QR modules of `token` (reportlab's encoder, level M), made cheaper in two ways that give the same
    modules: (1) the encoder's own `make()` tries all eight mask patterns and keeps the one with the lowest
    penalty (nine encodings, 0.1–0.4 s per code on a busy 2-core machine); every mask decodes alike, so one
    fixed mask is used; (2) the Reed–Solomon error correction is computed with a cached generator and log
    tables (`_create_data`) instead of rebuilding the generator polynomial for every block of every code."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(token)
    code.version = code.calculate_version()
    code.dataCache = _create_data(code.version, code.errorCorrectLevel, code.dataList)
    code.makeImpl(False, mask)
    return code.modules


_EXP, _LOG = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE


@lru_cache(maxsize=64)
def _generator_rows(ec_count: int) -> tuple[tuple[int, ...], ...]:
    """For each byte value f, f × (the RS generator polynomial of `ec_count` bytes, after its leading 1)."""
    logs = [_LOG[c] for c in qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count).num[1:]]
    return ((0,) * ec_count, *(tuple(_EXP[(lg + _LOG[f]) % 255] for lg in logs) for f in range(1, 256)))


def _rs_remainder(data: list[int], ec_count: int) -> list[int]:
    rows = _generator_rows(ec_count)
    remainder = [0] * ec_count
    for byte in data:
        row = rows[byte ^ remainder[0]]
        remainder = [a ^ b for a, b in zip([*remainder[1:], 0], row, strict=True)]
    return remainder


def _create_data(version: int, level: int, data_list: list) -> list[int]:
    """reportlab's QRCode.createData and createBytes, with the fast remainder above."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = sum(block.dataCount for block in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"QR code length overflow ({buffer.getLengthInBits()} > {capacity})")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    while buffer.getLengthInBits() < capacity:
        buffer.put(next(pads), 8)
    offset, dc_data, ec_data = 0, [], []
    for block in blocks:
        dc = buffer.buffer[offset:offset + block.dataCount]
        offset += block.dataCount
        dc_data.append(dc)
        ec_data.append(_rs_remainder(dc, block.totalCount - block.dataCount))
    return [d for group in itertools.chain(itertools.zip_longest(*dc_data), itertools.zip_longest(*ec_data))
            for d in group if d is not None]


def _qr(canvas: Canvas, token: str, x: float, y: float, size: float) -> None:
    """The code drawn as one filled path of horizontal runs, in module units (a quiet zone of 2 modules),
    written as literal PDF operators: formatting ~1,000 rectangles through the canvas API per code is
    most of the page time otherwise."""
    modules = qr_matrix(token)
    count = len(modules)
    unit = size / (count + 4)
    ops: list[str] = []
    for r, row in enumerate(modules):
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                ops.append(f"{start} {r} {c - start} 1 re")
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.transform(unit, 0, 0, -unit, x + 2 * unit, y + size - 2 * unit)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


def _cell(canvas: Canvas, item: InvitationData, token: str, x: float, y: float, w: float, h: float,
          scale: float) -> None:
    """One invitation in the box whose lower-left corner is (x, y)."""
    pad = 8 * mm * scale
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.5)
    canvas.rect(x + 2, y + 2, w - 4, h - 4)  # cutting line
    canvas.setDash()
    top = y + h - pad
    left, right = x + pad, x + w - pad
    canvas.setFont("Helvetica-Bold", 11 * scale)
    canvas.drawCentredString(x + w / 2, top - 11 * scale, "UNDANGAN PENYALURAN BANTUAN SOSIAL")
    canvas.setFont("Helvetica", 8.5 * scale)
    canvas.drawCentredString(x + w / 2, top - 23 * scale, f"Program {item.programme} — Tahap {item.tahap}")
    canvas.line(left, top - 29 * scale, right, top - 29 * scale)
    rows = [
        ("Kepada", item.recipient_name or "-"),
        ("Desa/Kelurahan", item.village_name or item.village_code),
        ("RT/RW", "/".join(v for v in (item.rt, item.rw) if v) or "-"),
        ("Nominal", rupiah(item.amount)),
        ("Tempat", item.place or "-"),
        ("Waktu", item.when or "-"),
        ("Berlaku s.d.", long_date(item.expires_on)),
        ("No. referensi", item.kpm_ref),
    ]
    label_w = 30 * mm * scale
    value_w = right - left - label_w
    line = 11 * scale
    cursor = top - 29 * scale - line
    for label, value in rows:
        canvas.setFont("Helvetica", 8.5 * scale)
        canvas.drawString(left, cursor, label)
        canvas.setFont("Helvetica-Bold" if label in ("Kepada", "Nominal") else "Helvetica", 8.5 * scale)
        for part in simpleSplit(str(value), canvas._fontname, 8.5 * scale, value_w)[:2] or [""]:
            canvas.drawString(left + label_w, cursor, part)
            cursor -= line
    text_w = 48 if scale < 1.5 else 64
    lines = token_lines(token, text_w)
    qr_top = cursor - 2 * scale
    text_height = (len(lines) + 2) * 7 * scale + 10 * scale
    qr_size = max(min(w - 2 * pad, qr_top - (y + pad + text_height), 100 * mm), 30 * mm)
    qr_y = qr_top - qr_size
    _qr(canvas, token, x + (w - qr_size) / 2, qr_y, qr_size)
    canvas.setFont("Helvetica", 6.5 * scale)
    text_y = qr_y - 8 * scale
    canvas.drawCentredString(x + w / 2, text_y, TOKEN_LABEL)
    canvas.setFont("Courier", 6.5 * scale)
    for part in lines:
        text_y -= 7 * scale
        canvas.drawCentredString(x + w / 2, text_y, part)
    canvas.setFont("Helvetica-Oblique", 6 * scale)
    canvas.drawCentredString(x + w / 2, y + pad / 2, "Bawa undangan ini dan KTP/KK saat pengambilan. Berlaku satu kali.")


def invitations_pdf(rows: Sequence[tuple[InvitationData, str]], *, per_page: int = 4) -> bytes:
    """The PDF of (invitation, token) rows, in the given order, `per_page` (1 or 4: 2 × 2) to an A4 page.

    reportlab wraps compressed streams in ASCII85 by default (rl_config.useA85), in pure Python here: a tenth
    of a batch's time. Binary streams are as valid; the flag is read while the document is built."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        return _render(rows, per_page)
    finally:
        rl_config.useA85 = previous


def _render(rows: Sequence[tuple[InvitationData, str]], per_page: int) -> bytes:
    if per_page not in PER_PAGE_CHOICES:
        raise ValueError("per_page must be 1 or 4")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Undangan penyaluran bantuan sosial")
    canvas.setAuthor("Tepat")
    page_w, page_h = A4
    if per_page == 1:
        cells, scale = [(0, 0, page_w, page_h)], 1.6
    else:
        cw, ch = page_w / 2, page_h / 2
        cells, scale = [(0, ch, cw, ch), (cw, ch, cw, ch), (0, 0, cw, ch), (cw, 0, cw, ch)], 1.0
    for index, (item, token) in enumerate(rows):
        slot = index % per_page
        if index and slot == 0:
            canvas.showPage()
        _cell(canvas, item, token, *cells[slot], scale=scale)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

