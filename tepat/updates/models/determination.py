from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class DeterminationPeriod(BaseModel):
    """A penetapan: the approved changes applied in one transaction, and the list frozen as a version."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        SEMIANNUAL = "semiannual", _("Every six months")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DETERMINING = "determining", _("Being determined")
        DETERMINED = "determined", _("Determined")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("period"), max_length=40)
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.MONTHLY)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    decree_number = models.CharField(_("decree number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    determined_at = models.DateTimeField(null=True, blank=True)
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    applied_count = models.PositiveIntegerField(default=0)
    held_count = models.PositiveIntegerField(default=0)
    # The background run (`period_determine_run`): when it started, how far it got, where the freeze stands.
    started_at = models.DateTimeField(null=True, blank=True)
    proposals_total = models.PositiveIntegerField(default=0)
    families_total = models.PositiveIntegerField(default=0)
    frozen_count = models.PositiveIntegerField(default=0)
    frozen_individuals = models.PositiveIntegerField(default=0)
    freeze_cursor = models.CharField(max_length=40, blank=True)  # the last family frozen (keyset)
    error = models.TextField(blank=True)
    family_count = models.PositiveIntegerField(default=0)
    individual_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["region_id", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["region", "starts_on"], name="period_region_start_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.label}"


class DeterminedFamily(models.Model):
    """One family as it stood in a determined version (the frozen list), with a digest for comparison."""

    id = models.BigAutoField(primary_key=True)
    period = models.ForeignKey(DeterminationPeriod, on_delete=models.PROTECT, related_name="families")
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=13)
    data = models.JSONField()
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["period_id", "region_code"]
        constraints = [models.UniqueConstraint(fields=["period", "family"], name="determined_family_unique")]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.family_id}"


class DeterminationHold(models.Model):
    """An approved proposal that a determination could not apply (it conflicts with the registry or with
    another change): it stays approved for the next period, and the reasons are kept here per proposal."""

    id = models.BigAutoField(primary_key=True)
    period = models.ForeignKey(DeterminationPeriod, on_delete=models.PROTECT, related_name="holds")
    proposal = models.ForeignKey("updates.Proposal", on_delete=models.PROTECT, related_name="holds")
    issues = models.JSONField(default=list)
    held_at = models.DateTimeField()

    class Meta:
        ordering = ["period_id", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "proposal"], name="determination_hold_unique")]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.proposal_id}"


class FreezePeriod(BaseModel):
    """Approvals and determinations suspended in a region for a date range (e.g. election restrictions)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="freeze_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.starts_on}–{self.ends_on}"
