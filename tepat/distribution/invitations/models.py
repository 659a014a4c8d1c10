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
