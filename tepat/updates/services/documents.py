"""Supporting documents: type checked by content (allow-list), size limited, stored in file storage."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tepat.audit.services import audit_record
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.updates import conf
from tepat.updates.actions import ensure_proposal_action
from tepat.updates.models import Document, Proposal


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...]


ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
CSV_TYPE = {"csv": FileType("text/csv", ())}
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png"})
# Active content has no place in a scanned letter: such PDFs are refused rather than scanned.
_PDF_ACTIVE = (b"/JavaScript", b"/Launch", b"/EmbeddedFile")
OPEN_STAGES = frozenset(
    {Proposal.Status.DRAFT, Proposal.Status.SUBMITTED, Proposal.Status.IN_VERIFICATION, Proposal.Status.VERIFIED,
     Proposal.Status.ACCEPTED, Proposal.Status.AWAITING_SUPERVISOR, Proposal.Status.APPROVED}
)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    content: bytes
    sha256: str


_PDF_ACTIVE_KEYS = frozenset({"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile",
                              "/EmbeddedFiles", "/RichMedia", "/XFA", "/SubmitForm", "/ImportData"})
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"})
_PDF_MAX_OBJECTS = 200_000


def pdf_active_content(content: bytes) -> list[str]:
    """What active content a PDF holds (empty: none), found by a real parser (pypdf): names are decoded
    (`/J#61vaScript` is `/JavaScript`) and compressed object streams are read, every object in the file
    is walked, not only those reachable from the catalogue. A PDF the parser cannot read counts as active
    (fail closed); so does one with too many objects."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: list[str] = [marker.decode() for marker in _PDF_ACTIVE if marker in content]
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return ["/Encrypt"]
        roots: list[Any] = [reader.trailer]
        numbers = {num for table in reader.xref.values() for num in table} | set(reader.xref_objStm)
        if len(numbers) > _PDF_MAX_OBJECTS:
            return ["too_many_objects"]
        roots += [IndirectObject(num, 0, reader) for num in numbers]
        seen: set[int] = set()
        stack = roots
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                if item.idnum in seen:
                    continue
                seen.add(item.idnum)
                item = item.get_object()
            if isinstance(item, DictionaryObject):
                for key, value in item.items():
                    # An open action that only goes to a page (an array destination) is harmless; an
                    # action dictionary is walked and its /S judged below.
                    harmless = key == "/OpenAction" and isinstance(value.get_object(), ArrayObject)
                    if key in _PDF_ACTIVE_KEYS and not harmless:
                        found.append(str(key))
                    if key == "/S" and isinstance(value, NameObject) and value in _PDF_ACTIVE_ACTIONS:
                        found.append(str(value))
                    stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    except Exception:  # anything the parser cannot read is refused
        return ["unreadable"]
    return sorted(set(found))


def _issue(field: str, code: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, field, id_text, en_text)])


def check_upload(upload: Any, *, field: str = "file", allowed: dict[str, FileType] | None = None,
                 images_only: bool = False) -> CheckedFile:
    """Refuse anything not on the allow-list by extension *and* content, empty, or over the size limit."""
    allowed = allowed or ALLOWED_TYPES
    name = str(getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if images_only:
        allowed = {k: v for k, v in allowed.items() if k in IMAGE_EXTENSIONS}
    if extension not in allowed:
        names = ", ".join(sorted(allowed))
        raise _issue(field, "file_type", f"jenis berkas '{extension or '?'}' tidak diterima (hanya {names})",
                     f"file type '{extension or '?'}' is not accepted (only {names})")
    limit = conf.max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _issue(field, "file_size", f"berkas lebih dari {limit // 1024} KB", f"file is over {limit // 1024} KB")
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if not content:
        raise _issue(field, "file_empty", "berkas kosong", "the file is empty")
    if len(content) > limit:
        raise _issue(field, "file_size", f"berkas lebih dari {limit // 1024} KB", f"file is over {limit // 1024} KB")
    kind = allowed[extension]
    if kind.magic and not any(content.startswith(magic) for magic in kind.magic):
        raise _issue(field, "file_content", f"isi berkas bukan {extension.upper()} yang sah",
                     f"the file's content is not a valid {extension.upper()}")
    if extension == "pdf" and pdf_active_content(content):
        raise _issue(field, "file_active", "PDF berisi konten aktif (skrip/aksi/lampiran) dan ditolak",
                     "the PDF contains active content (script/action/attachment) and is refused")
    if extension == "csv":
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _issue(field, "file_encoding", "berkas CSV harus UTF-8", "the CSV file must be UTF-8") from exc
    return CheckedFile(name, extension, kind.content_type, content, hashlib.sha256(content).hexdigest())


def store_document(*, actor: Any, checked: CheckedFile, kind: str, region_code: str, **links: Any) -> Document:
    """Save a checked file and its row; the caller has checked permission and runs the transaction."""
    if kind not in Document.Kind.values:
        raise _issue("kind", "choice", "jenis dokumen tidak dikenal", "unknown document type")
    document = Document(kind=kind, region_id=region_code, original_name=checked.name,
                        content_type=checked.content_type, size=len(checked.content), sha256=checked.sha256,
                        uploaded_by=actor, **links)
    document.file.save(checked.name, ContentFile(checked.content), save=False)
    document.full_clean()
    document.save()
    audit_record(actor=actor, action="document.add", target=document, region_code=region_code,
                 data={"kind": kind, "name": checked.name, "size": document.size, "sha256": checked.sha256,
                       **{key: str(getattr(value, "pk", value)) for key, value in links.items()}})
    return document


@transaction.atomic
def document_add(*, actor: Any, proposal: Proposal, kind: str, upload: Any) -> Document:
    """Attach a supporting document to an open proposal."""
    ensure_proposal_action(actor, proposal, "add_document")
    checked = check_upload(upload)
    return store_document(actor=actor, checked=checked, kind=kind, region_code=proposal.region_id, proposal=proposal)
