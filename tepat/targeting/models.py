"""Official desil (handed down by the centre, never computed or overwritten here) and local estimates.

`DesilRelease` is one imported desil file: the period it is valid for, where it came from, the decree that
published it. `FamilyDesil` is one family's official desil in that release. A release is immutable once
`published`: a correction is a new release. Only `tepat.targeting` writes these tables.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class DesilRelease(BaseModel):
    class Status(models.TextChoices):
        IMPORTING = "importing", _("Being imported")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    period = models.CharField(_("desil period"), max_length=20)  # e.g. "2026-S2" as the centre labels it
    source = models.CharField(_("source"), max_length=200)  # e.g. "DTSEN Kemensos, 2026-11"
    decree_number = models.CharField(_("decree number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IMPORTING)
    family_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["region_id", "-period", "-created_at"]

    def __str__(self) -> str:
        return f"{self.region_id} desil {self.period}"


class FamilyDesil(models.Model):
    """A family's official desil (1 = poorest tenth … 10) in one release."""

    id = models.BigAutoField(primary_key=True)
    release = models.ForeignKey(DesilRelease, on_delete=models.PROTECT, related_name="families")
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+")
    desil = models.PositiveSmallIntegerField()
    # The identity number the file used to find the family (KK, or a member's NIK), and the file's row.
    matched_by = models.CharField(max_length=3, choices=[("kk", "KK"), ("nik", "NIK")])
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["release_id", "family_id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "family"], name="family_desil_unique"),
            models.CheckConstraint(condition=models.Q(desil__gte=1, desil__lte=10), name="family_desil_range"),
        ]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.family_id}={self.desil}"
