from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class FieldVerification(BaseModel):
    """A facilitator's visit (verifikasi dan validasi): each proposed fact confirmed or corrected."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Rejected")

    proposal = models.ForeignKey("updates.Proposal", on_delete=models.PROTECT, related_name="verifications")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visit date"))
    household_found = models.BooleanField(_("household found"))
    # [{"path": "family.rw", "proposed": "002", "result": "confirmed"|"corrected", "value": "003"}, ...]
    fact_results = models.JSONField(default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # The device's own estimate of the position's error (GPS accuracy, metres), e.g. from the field app.
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["proposal_id", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="verification_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="verification_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.outcome} {self.visited_on}"
