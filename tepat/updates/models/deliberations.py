from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class Deliberation(BaseModel):
    """A village deliberation session (musdes / muskel) and its minutes (berita acara).

    Decisions are recorded while the session is planned; finalising locks them and produces the minutes;
    uploading the signed scan makes them take effect and locks the session for good.
    """

    class Kind(models.TextChoices):
        MUSDES = "musdes", _("Village deliberation (musdes)")
        MUSKEL = "muskel", _("Urban-village deliberation (muskel)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        FINALISED = "finalised", _("Minutes ready for signature")
        SIGNED = "signed", _("Signed and locked")
        CANCELLED = "cancelled", _("Cancelled")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.CharField(_("minutes number"), max_length=100, blank=True)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    chair_name = models.CharField(_("chair"), max_length=150)
    chair_title = models.CharField(_("chair's title"), max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["region", "status"], name="deliberation_region_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.region_id} {self.held_on}"


class DeliberationAttendee(BaseModel):
    deliberation = models.ForeignKey(Deliberation, on_delete=models.PROTECT, related_name="attendees")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position / role"), max_length=150)
    position_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["deliberation_id", "position_order", "created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"


class DeliberationItem(BaseModel):
    """A verified proposal on the session's agenda, with the decision taken on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not yet decided")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Deferred")

    deliberation = models.ForeignKey(Deliberation, on_delete=models.PROTECT, related_name="items")
    proposal = models.ForeignKey("updates.Proposal", on_delete=models.PROTECT, related_name="deliberation_items")
    position = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deliberation_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "proposal"], name="deliberation_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation_id}:{self.proposal_id} {self.decision}"
