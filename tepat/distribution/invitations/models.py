"""The one table of invitations: the record of the first scan of each invitation (single use).

Registered in the `distribution` app (Meta.app_label) so that the app keeps one migrations folder."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class InvitationScan(BaseModel):
    """An invitation presented and accepted at a distribution point. One row per token id (one per KPM per
    programme tahap, see signing.token_id): a second scan finds this row and is refused."""

    token_id = models.CharField(_("invitation id"), max_length=32, unique=True)
    key_id = models.CharField(_("signing key"), max_length=64)
    kpm_ref = models.CharField(_("KPM reference"), max_length=32, db_index=True)
    programme = models.CharField(_("programme"), max_length=20)
    tahap = models.PositiveSmallIntegerField(_("tahap"))
    amount = models.BigIntegerField(_("amount (rupiah)"))
    expires_on = models.DateField(_("valid until"))
    region_code = models.CharField(_("village"), max_length=13, db_index=True)
    scanned_at = models.DateTimeField(_("scanned at"))
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(_("device"), max_length=100, blank=True)

    class Meta:
        app_label = "distribution"
        ordering = ("-scanned_at",)
        verbose_name = _("invitation scan")
        verbose_name_plural = _("invitation scans")
        indexes = [models.Index(fields=("programme", "tahap", "region_code"), name="invitation_scan_tahap")]

    def __str__(self) -> str:
        return f"{self.programme} tahap {self.tahap} {self.kpm_ref}"


class InvitationPrintJob(BaseModel):
    """The invitations of a kecamatan or the whole district, printed in the background (one PDF per village
    in one ZIP), with its progress in villages."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    region_code = models.CharField(_("region"), max_length=13, db_index=True)
    programme = models.CharField(_("programme"), max_length=20)
    tahap = models.PositiveSmallIntegerField(_("tahap"))
    per_page = models.PositiveSmallIntegerField(_("per page"), default=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    done = models.PositiveIntegerField(_("villages done"), default=0)
    total = models.PositiveIntegerField(_("villages"), default=0)
    invitations = models.PositiveIntegerField(_("invitations"), default=0)
    file = models.FileField(_("file"), upload_to="invitations/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        app_label = "distribution"
        ordering = ("-created_at",)
        verbose_name = _("invitation print job")
        verbose_name_plural = _("invitation print jobs")

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.done / self.total) if self.total else 0
