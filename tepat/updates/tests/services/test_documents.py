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
