"""The berita acara renders the session's decisions and attendees; the test reads the text back."""

import pytest

from tepat.updates.models import Proposal
from tepat.updates.pdf import minutes_pdf
from tepat.updates.tests.factories import create, deliberate, new_family_payload, verify
from tepat.updates.tests.pdftext import pdf_text


@pytest.fixture
def minutes(actors):
    accepted = verify(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head="Asep Saepudin")))
    rejected = verify(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head="Dadang Sunarya")))
    deliberation = deliberate(actors, [accepted, rejected], sign=False,
                              decisions={rejected.reference: "rejected"})
    return deliberation, accepted, rejected


def test_minutes_pdf_lists_decisions_and_attendees(minutes):
    deliberation, accepted, rejected = minutes

    content = minutes_pdf(deliberation)

    assert content.startswith(b"%PDF-")
    text = " ".join(pdf_text(content).split())  # wrapped lines joined
    for expected in (
        "PEMERINTAH KABUPATEN SERANG", "KECAMATAN KRAMATWATU", "DESA KRAMATWATU", "BERITA ACARA",
        f"Nomor: {deliberation.number}", "Peraturan Menteri Sosial Nomor 5", accepted.reference, rejected.reference,
        "Asep Saepudin", "Dadang Sunarya", "Diterima", "Ditolak", "alasan musyawarah", "Daftar hadir",
        "Ibu Ratna", "Ketua BPD", "Pimpinan Musyawarah", "( H. Sukarna )", "Balai Desa",
    ):
        assert expected in text or expected.replace(" ", "") in text.replace(" ", ""), expected


def test_minutes_pdf_can_be_read_by_pypdf_when_installed(minutes):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed; the built-in reader covers the text")
    import io

    deliberation, accepted, _ = minutes
    reader = pypdf.PdfReader(io.BytesIO(minutes_pdf(deliberation)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert accepted.reference in text


def test_rendered_minutes_pass_the_upload_checks(minutes):
    """The rendered minutes pass the upload checks (a village may print, sign and scan, or upload as is)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tepat.updates.services.documents import check_upload

    deliberation, *_ = minutes
    checked = check_upload(SimpleUploadedFile("ba.pdf", minutes_pdf(deliberation)))
    assert checked.content_type == "application/pdf"
