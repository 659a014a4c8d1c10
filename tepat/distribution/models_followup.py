"""What follows a tahap's main distribution (issue 11 part 5, and the receipt evidence of part 4):

- `SusulanBatch` → `SusulanEntry`: the follow-up (susulan) batch of the same tahap for missed KPM with an
  eligible reason (`services.susulan.ELIGIBLE_REASONS`) and for payment re-issues a complaint asks for.
  Guarded against double payment: at most one live (pending or paid) susulan entry per KPM per tahap
  (a conditional unique constraint), a paid amount never above the entry's amount and "paid" only with an
  amount (check constraints); the service checks the main list again, under a lock, before paying.
- `PostCheck` → `PostCheckItem`: the post-distribution check of one village, a random sample of the KPM
  recorded as delivered (size from a confidence target), the answer to "received how much?"; a shortfall
  opens a complaint through `services.postcheck.postcheck_shortfall` (the grievances app listens).
- `ReceiptFile`: a photo or the signature of a receipt, an uploaded image (type checked, size capped).

Registered in the `distribution` app from `DistributionConfig.ready()` (one migrations folder); only the
services in `tepat.distribution.services.{susulan,postcheck,evidence}` write them, statuses move only
through `tepat.distribution.transitions_followup`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class SusulanBatch(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open to additions")
        CLOSED = "closed", _("Closed to additions")

    distribution = models.ForeignKey("distribution.Distribution", on_delete=models.PROTECT, related_name="susulan")
    number = models.PositiveSmallIntegerField(_("susulan number"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        app_label = "distribution"
        ordering = ["distribution_id", "number"]
        constraints = [models.UniqueConstraint(fields=["distribution", "number"], name="susulan_batch_number_unique")]

    def __str__(self) -> str:
        return f"{self.distribution} susulan {self.number}"


class SusulanEntry(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    class Origin(models.TextChoices):
        MISSED = "missed", _("Missed in the main distribution")
        COMPLAINT = "complaint", _("Payment re-issue asked by a complaint")

    batch = models.ForeignKey(SusulanBatch, on_delete=models.PROTECT, related_name="entries")
    distribution = models.ForeignKey("distribution.Distribution", on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    source_entry = models.ForeignKey("distribution.DistributionEntry", on_delete=models.PROTECT, related_name="+")
    kpm_ref = models.CharField(_("KPM reference"), max_length=12)
    region_code = models.CharField(max_length=13)  # the village
    amount = models.BigIntegerField(_("amount (Rp)"))  # what the main distribution left outstanding
    reason = models.CharField(_("reason"), max_length=30)  # services.susulan.ELIGIBLE_REASONS
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MISSED)
    origin_reference = models.CharField(max_length=40, blank=True)  # the complaint's reference
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_amount = models.BigIntegerField(default=0)
    paid_on = models.DateField(null=True, blank=True)
    paid_reference = models.CharField(max_length=60, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        app_label = "distribution"
        ordering = ["batch_id", "region_code", "kpm_ref"]
        constraints = [
            # A KPM is in at most one live susulan entry of a tahap: two susulan can never both pay it.
            models.UniqueConstraint(fields=["distribution", "family"], condition=~Q(status="cancelled"),
                                    name="susulan_one_live_entry_per_kpm"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="susulan_amount_positive"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("amount")),
                                   name="susulan_paid_within_amount"),
            models.CheckConstraint(condition=(Q(status="paid") & Q(paid_amount__gt=0))
                                   | (~Q(status="paid") & Q(paid_amount=0)), name="susulan_paid_has_amount"),
        ]
        indexes = [models.Index(fields=["distribution", "region_code"], name="susulan_entry_village")]

    def __str__(self) -> str:
        return f"{self.kpm_ref} susulan {self.status}"


class PostCheck(BaseModel):
    """The post-distribution check of one village: parameters, population and the drawn sample size."""

    distribution = models.ForeignKey("distribution.Distribution", on_delete=models.PROTECT,
                                     related_name="postchecks")
    region_code = models.CharField(_("village"), max_length=13)
    confidence = models.DecimalField(_("confidence"), max_digits=4, decimal_places=3)  # 0.950
    margin = models.DecimalField(_("margin of error"), max_digits=4, decimal_places=3)  # 0.100
    proportion = models.DecimalField(max_digits=4, decimal_places=3, default=0.5)
    population = models.PositiveIntegerField()  # KPM recorded as delivered in the village
    sample_size = models.PositiveIntegerField()
    seed = models.CharField(max_length=32)  # the draw can be repeated from it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        app_label = "distribution"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["distribution", "region_code"],
                                               name="postcheck_one_per_village")]

    def __str__(self) -> str:
        return f"{self.distribution} check {self.region_code}"


class PostCheckItem(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("To ask")
        ANSWERED = "answered", _("Answered")
        UNREACHABLE = "unreachable", _("Could not be reached")

    postcheck = models.ForeignKey(PostCheck, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey("distribution.DistributionEntry", on_delete=models.PROTECT, related_name="+")
    kpm_ref = models.CharField(max_length=12)
    recorded_amount = models.BigIntegerField()  # what the receipt / realisation says was delivered
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    answered_amount = models.BigIntegerField(null=True, blank=True)  # "received how much?"
    shortfall = models.BigIntegerField(default=0)
    complaint_reference = models.CharField(max_length=40, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        app_label = "distribution"
        ordering = ["postcheck_id", "kpm_ref"]
        constraints = [models.UniqueConstraint(fields=["postcheck", "entry"], name="postcheck_item_once")]

    def __str__(self) -> str:
        return f"{self.kpm_ref} {self.status}"


class ReceiptFile(BaseModel):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        SIGNATURE = "signature", _("Signature")

    receipt = models.ForeignKey("distribution.Receipt", on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="distribution/receipts/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        app_label = "distribution"
        ordering = ["receipt_id", "kind", "created_at"]
        constraints = [models.UniqueConstraint(fields=["receipt"], condition=Q(kind="signature"),
                                               name="receipt_one_signature_file")]

    def __str__(self) -> str:
        return self.original_name
