from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class SubmissionBatch(BaseModel):
    """Approved proposals sent up together, to the centre or the province, as one SIKS-style file."""

    class Destination(models.TextChoices):
        CENTRAL = "central", _("Centre (Kemensos)")
        PROVINCE = "province", _("Province")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for response")
        ANSWERED = "answered", _("Response imported")

    number = models.CharField(_("batch number"), max_length=40, unique=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(max_length=10, choices=Destination.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class SubmissionRecord(BaseModel):
    class Response(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    batch = models.ForeignKey(SubmissionBatch, on_delete=models.PROTECT, related_name="records")
    proposal = models.ForeignKey("updates.Proposal", on_delete=models.PROTECT, related_name="submission_records")
    line = models.PositiveIntegerField()
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    response_reason = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch_id", "line"]
        constraints = [models.UniqueConstraint(fields=["batch", "proposal"], name="submission_record_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.line}"
