"""The printed invitations: the text read back with pypdf, and the token printed under each QR code
verifies to the payload of that KPM; the QR image itself decodes when zxing-cpp and pypdfium2 are present."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tepat.distribution.invitations import signing
from tepat.distribution.invitations.pdf import TOKEN_LABEL, invitations_pdf, qr_matrix
from tepat.distribution.invitations.tests.factories import TODAY, invitation, village_batch

TOKEN_LINE = re.compile(r"^[A-Za-z0-9_.-]+$")


def printed_tokens(text: str) -> list[str]:
    """Every token printed in `text`: the lines after each TOKEN_LABEL, joined, until a line of other text."""
    tokens, current = [], None
    for line in (raw.strip() for raw in text.splitlines()):
        if line == TOKEN_LABEL:
            current = []
            tokens.append(current)
        elif current is not None and TOKEN_LINE.match(line):
            current.append(line)
        else:
            current = None
    return ["".join(parts) for parts in tokens]


def _rows(items):
    return [(item, signing.sign(item)) for item in items]


@pytest.mark.parametrize("per_page,pages", [(4, 3), (1, 9)])
def test_text_and_token_read_back(per_page, pages):
    items = village_batch(9)
    reader = PdfReader(io.BytesIO(invitations_pdf(_rows(items), per_page=per_page)))
    assert len(reader.pages) == pages
    text = "\n".join(page.extract_text() for page in reader.pages)
    for needle in ("UNDANGAN PENYALURAN BANTUAN SOSIAL", "Program BPNT — Tahap 4", "Ahmad S. P.", "Kramatwatu",
                   "Rp 600.000", "31 Desember 2026", "Balai Desa Kramatwatu", "002/001"):
        assert needle in text
    tokens = printed_tokens(text)
    assert len(tokens) == 9
    payloads = [signing.verify(token, today=TODAY) for token in tokens]
    assert [p.kpm_ref for p in payloads] == [i.kpm_ref for i in items]
    assert all((p.amount, p.tahap, p.programme, p.village_code) == (600_000, 4, "BPNT", "36.04.05.2001")
               for p in payloads)


def test_no_identity_number_or_full_name_in_the_document():
    text = PdfReader(io.BytesIO(invitations_pdf(_rows([invitation()])))).pages[0].extract_text()
    assert not re.search(r"\d{16}", text)


def test_fixed_mask_matrix_is_reportlabs_own_encoding():
    from reportlab.graphics.barcode import qrencoder

    token = signing.sign(invitation())
    reference = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    reference.addData(token)
    reference.make()
    modules = [list(row) for row in reference.modules]
    best = reference.getBestMaskPattern()  # the mask make() chose (recomputed; it redraws the test matrices)
    assert qr_matrix(token, mask=best) == modules


def test_qr_image_decodes_to_the_token():
    zxingcpp = pytest.importorskip("zxingcpp")
    pdfium = pytest.importorskip("pypdfium2")
    rows = _rows(village_batch(4))
    document = pdfium.PdfDocument(invitations_pdf(rows, per_page=4))
    found = {result.text for result in zxingcpp.read_barcodes(document[0].render(scale=1.5).to_pil())}
    assert found == {token for _, token in rows}
