"""The precomputed recap (ADR 0027): a run computes the recap's figures once per village under its
root region and stores them as (village, key, value) cells; pages sum the cells of the latest finished run
that covers the region they show, and say when that run computed them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecapRun(models.Model):
    """One computation of the recap figures of every village under `root_code`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.BigAutoField(primary_key=True)
    root_code = models.CharField(_("region"), max_length=13)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=40, blank=True)  # on_demand, list_approved, registry_import, command
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)  # the moment the figures describe
    seconds = models.FloatField(default=0)
    cells = models.PositiveIntegerField(default=0)
    list_ids = models.JSONField(default=list, blank=True)  # the approved lists whose coverage it holds
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["root_code", "status", "computed_at"], name="recap_run_current")]

    def __str__(self) -> str:
        return f"{self.root_code} {self.status} {self.computed_at}"


class RecapFigure(models.Model):
    """One figure of one village (or of the region a record sits on, when it is not a village) in a run."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(RecapRun, on_delete=models.CASCADE, related_name="figures", db_index=False)
    region_code = models.CharField(max_length=13)
    key = models.CharField(max_length=80)
    value = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["run", "region_code"], name="recap_figure_region")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.region_code} {self.key}={self.value}"
