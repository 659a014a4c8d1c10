import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from conftest import assert_audited, assert_moved
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.updates.models import Document, Proposal
from tepat.updates.services.documents import document_add
from tepat.updates.services.proposals import proposal_withdraw
from tepat.updates.tests.factories import PDF_BYTES, create, new_family_payload, pdf_upload, png_upload


@pytest.fixture
def proposal(actors):
    return create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(), source="citizen_request",
                  source_reference="470/12/DS/2025")


def test_document_is_stored_outside_the_database_under_a_random_name(actors, proposal):
    document = document_add(actor=actors.village_operator, proposal=proposal, kind="kk", upload=pdf_upload("KK Budi.pdf"))
    assert document.original_name == "KK Budi.pdf"
    assert_audited("document.add", actor=actors.village_operator, target=document)
    assert "Budi" not in document.file.name
    assert document.file.name.startswith("updates/")
    assert default_storage.open(document.file.name).read() == PDF_BYTES
    assert document.size == len(PDF_BYTES)
    assert len(document.sha256) == 64


@pytest.mark.parametrize(("name", "content", "code"), [
    ("virus.exe", b"MZ\x90\x00", "file_type"),
    ("surat.docx", b"PK\x03\x04", "file_type"),
    ("foto.jpg", b"%PDF-1.4 pretending", "file_content"),
    ("surat.pdf", b"%PDF-1.4 /JavaScript (app.alert(1))", "file_active"),
    ("kosong.pdf", b"", "file_empty"),
])
def test_refused_uploads(actors, proposal, name, content, code):
    with pytest.raises(ValidationFailed) as exc:
        document_add(actor=actors.village_operator, proposal=proposal, kind="other",
                     upload=SimpleUploadedFile(name, content))
    assert exc.value.issues[0].code == code
    assert not Document.objects.exists()


@override_settings(TEPAT_UPDATES_MAX_UPLOAD_BYTES=100)
def test_size_limit(actors, proposal):
    with pytest.raises(ValidationFailed) as exc:
        document_add(actor=actors.village_operator, proposal=proposal, kind="ktp",
                     upload=SimpleUploadedFile("ktp.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200))
    assert exc.value.issues[0].code == "file_size"


def test_no_documents_on_a_closed_proposal(actors, proposal):
    proposal_withdraw(actor=actors.village_operator, proposal=proposal, reason="salah input")
    assert_moved(proposal, "withdraw", actor=actors.village_operator, to_status=Proposal.Status.WITHDRAWN)
    with pytest.raises(BusinessRuleViolation):
        document_add(actor=actors.village_operator, proposal=Proposal.objects.get(pk=proposal.pk), kind="ktp",
                     upload=png_upload())


def test_citizen_request_needs_the_village_letter_number(actors):
    with pytest.raises(ValidationFailed) as exc:
        create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(), source="citizen_request")
    assert "source_reference" in exc.value.by_field()


def _pdf(build) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _raw_pdf(catalog_extra: str) -> bytes:
    """A minimal hand-written PDF whose catalogue carries `catalog_extra` (names may be #-escaped)."""
    objects = [f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>",
               "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
               "<< /S /J#61vaScript /J#53 (app.alert(1)) >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, text in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{text}\nendobj\n".encode()
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


def _compressed_js_pdf() -> bytes:
    """JavaScript inside a compressed object stream: no marker in the raw bytes."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    script = StreamObject()
    script.set_data(b"app.alert(1)")
    script = script.flate_encode()  # the script itself compressed
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): writer._add_object(script)})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("label", "content"), [
    ("escaped name in an open action", lambda: _raw_pdf("/OpenAction 4 0 R")),
    ("additional actions", lambda: _raw_pdf("/AA << /O 4 0 R >>")),
    ("document javascript", _compressed_js_pdf),
    ("embedded file", lambda: _pdf(lambda w: w.add_attachment("x.exe", b"MZ"))),
    ("unreadable", lambda: b"%PDF-1.4 garbage that is no pdf"),
])
def test_pdf_active_content_found_by_a_real_parser(actors, proposal, label, content):
    data = content()
    with pytest.raises(ValidationFailed) as exc:
        document_add(actor=actors.village_operator, proposal=proposal, kind="other",
                     upload=SimpleUploadedFile("surat.pdf", data))
    assert exc.value.issues[0].code == "file_active", label
    assert not Document.objects.exists()


def test_escaped_javascript_name_has_no_raw_marker_but_is_found():
    from tepat.updates.services.documents import pdf_active_content

    data = _raw_pdf("/OpenAction 4 0 R")
    assert b"/JavaScript" not in data
    assert "/JavaScript" in pdf_active_content(data) and "/OpenAction" in pdf_active_content(data)


def test_an_ordinary_pdf_passes(actors, proposal):
    from tepat.updates.services.documents import pdf_active_content

    assert pdf_active_content(_pdf(lambda w: None)) == []
    assert pdf_active_content(PDF_BYTES) == []


def test_open_action_that_only_goes_to_a_page_is_harmless():
    from tepat.updates.services.documents import pdf_active_content

    found = pdf_active_content(_raw_pdf("/OpenAction [3 0 R /Fit]"))
    # the page destination is not flagged; the script object that no one references still is (every
    # object is walked, as a lenient reader may recover it)
    assert "/OpenAction" not in found and "/JavaScript" in found
