import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


def document_path(instance: "Document", filename: str) -> str:
    """A random name under the month: the person's file name is kept in the row, never in the path."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    today = timezone.localdate()
    return f"updates/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Document(BaseModel):
    """A supporting file (KTP/KK scan, village letter, visit photo, signed minutes), kept in file storage."""

    class Kind(models.TextChoices):
        KTP = "ktp", _("Identity card (KTP)")
        KK = "kk", _("Family card (KK)")
        VILLAGE_LETTER = "village_letter", _("Village letter")
        DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
        MOVE_LETTER = "move_letter", _("Moving letter")
        PHOTO = "photo", _("Photo")
        SIGNED_MINUTES = "signed_minutes", _("Signed minutes (berita acara)")
        SUBMISSION_RESPONSE = "submission_response", _("Submission response file")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey("updates.Proposal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="documents")
    verification = models.ForeignKey("updates.FieldVerification", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="photos")
    deliberation = models.ForeignKey("updates.Deliberation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="documents")
    batch = models.ForeignKey("updates.SubmissionBatch", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="documents")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("document type"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"
