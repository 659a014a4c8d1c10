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
    # The import as a job (page uploads run in the background worker): where the file is kept, the column
    # mapping, progress, the counts of the report and why it failed.
    file_path = models.CharField(max_length=500, blank=True)
    file_stored = models.BooleanField(default=False)
    mapping = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["region_id", "-period", "-created_at"]

    def __str__(self) -> str:
        return f"{self.region_id} desil {self.period}"

    @property
    def progress(self) -> float:
        return min(1.0, self.rows_done / self.rows_total) if self.rows_total else 0.0


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


class DesilIssue(models.Model):
    """One problem with one row of a desil file: an error rejects the row, a warning keeps it.

    The columns are the registry import's (`registry.ImportIssue`), so the same report writer serves both."""

    release = models.ForeignKey(DesilRelease, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(help_text="Row number as the spreadsheet shows it (header = row 1)")
    column = models.CharField(max_length=120, blank=True)
    value = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    message_id = models.CharField(max_length=400)
    message_en = models.CharField(max_length=400)

    class Meta:
        ordering = ["release", "row", "id"]
        indexes = [models.Index(fields=["release", "severity", "row"], name="desilissue_release_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.code}"


class PmtWeightSet(BaseModel):
    """One version of the local proxy-means weights of a district (a local estimate, never the official
    desil). Immutable once created: a change is a new version. Its `weights` rows may override a weight for
    the villages under a region prefix (the longest matching prefix wins)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    version = models.PositiveIntegerField(_("version"))
    label = models.CharField(_("label"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # The estimate of this version, computed once over the registry as it stood then (`PmtEstimate` rows);
    # null until the first computation. Recomputing (a service) replaces the rows and moves this time.
    estimated_at = models.DateTimeField(_("estimated at"), null=True, blank=True)
    estimated_families = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["region_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "version"], name="pmt_weight_set_version")]

    def __str__(self) -> str:
        return f"{self.region_id} PMT v{self.version}"


class PmtWeight(models.Model):
    """Points one answer adds to a family's local welfare score (higher = better off).

    `variable` names a registry fact (a coded family field, `asset:<key>`, `livestock:<key>` per head,
    `members` per member, `floor_area_per_member` per m²); `value` is the answer's code for coded fields
    ("" for the per-unit ones). `region_prefix` "" applies everywhere in the set's region."""

    id = models.BigAutoField(primary_key=True)
    weight_set = models.ForeignKey(PmtWeightSet, on_delete=models.PROTECT, related_name="weights")
    variable = models.CharField(max_length=60)
    value = models.CharField(max_length=20, blank=True)
    region_prefix = models.CharField(max_length=13, blank=True)
    points = models.IntegerField()

    class Meta:
        ordering = ["weight_set_id", "variable", "value", "region_prefix"]
        constraints = [models.UniqueConstraint(fields=["weight_set", "variable", "value", "region_prefix"],
                                               name="pmt_weight_unique")]

    def __str__(self) -> str:
        return f"{self.variable}={self.value}@{self.region_prefix or '*'}: {self.points}"


class PmtEstimate(models.Model):
    """A family's local score and estimated decile under one weight-set version, stored when the version is
    estimated (never recomputed per view). A local estimate, never the official desil."""

    id = models.BigAutoField(primary_key=True)
    weight_set = models.ForeignKey(PmtWeightSet, on_delete=models.CASCADE, related_name="estimates", db_index=False)
    family = models.ForeignKey("registry.Family", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    region_code = models.CharField(max_length=13)  # the village, for scoped reads and the recap
    score = models.IntegerField()
    estimate = models.PositiveSmallIntegerField()  # 1–10

    class Meta:
        ordering = ["weight_set_id", "region_code", "family_id"]
        constraints = [models.UniqueConstraint(fields=["weight_set", "family"], name="pmt_estimate_family")]
        indexes = [models.Index(fields=["weight_set", "region_code"], name="pmt_estimate_village")]

    def __str__(self) -> str:
        return f"{self.weight_set_id}:{self.family_id}={self.estimate}"
