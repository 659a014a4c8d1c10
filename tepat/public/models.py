"""What the public pages keep: citizens' objections and proposals with their tracking codes, and the
proof-of-work solutions already spent (so a solved challenge is used once)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


def evidence_path(instance: CitizenReport, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"citizen-evidence/{uuid.uuid4().hex}.{extension}"


class CitizenReport(BaseModel):
    """A sanggah (a listed recipient should not receive) or an usul (propose a family) sent from the public
    site. It waits in the village queue (received) until staff enter it into the update workflow
    (forwarded: an objection or a proposal of source citizen) or mark it as abuse. The objector's contact
    is confidential: only Dinsos (updates.review) sees it, and each view is logged."""

    class Kind(models.TextChoices):
        OBJECTION = "sanggah", _("Objection (sanggah)")
        PROPOSAL = "usul", _("Proposal (usul)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, waiting for the village")
        FORWARDED = "forwarded", _("In the data-update process")
        ABUSE = "abuse", _("Not processed (marked as abuse)")

    class ProposalFor(models.TextChoices):
        SELF = "self", _("Myself")
        FAMILY = "family", _("My family")
        OTHER = "other", _("Another family in my village")

    tracking_code = models.CharField(_("tracking code"), max_length=14, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    # sanggah: the recipient named (a published list entry, or the name + RT typed by the citizen)
    list_entry = models.ForeignKey("programs.ListEntry", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    family = models.ForeignKey("registry.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_name = models.CharField(_("name"), max_length=150)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)  # sanggah: updates.Objection.Reason
    proposal_for = models.CharField(max_length=8, choices=ProposalFor.choices, blank=True)  # usul
    programme_code = models.CharField(max_length=30, blank=True)  # usul for a programme (blank: registry)
    statement = models.TextField(_("statement"))
    # confidential (Dinsos only)
    objector_name = models.CharField(_("your name"), max_length=150, blank=True)
    objector_contact = models.CharField(_("your phone or e-mail"), max_length=100, blank=True)
    evidence = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    evidence_type = models.CharField(max_length=60, blank=True)
    # the workflow object it became
    objection = models.OneToOneField("updates.Objection", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    proposal = models.ForeignKey("updates.Proposal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    handling_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "status"], name="citizen_report_queue")]

    def __str__(self) -> str:
        return self.tracking_code


class SpentChallenge(models.Model):
    """A proof-of-work solution already accepted: its signature, until the challenge expires."""

    signature = models.CharField(max_length=128, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.signature[:12]
