from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class Proposal(BaseModel):
    """One proposed change to the registry (usulan), from entry to determination.

    `payload` is what was proposed, validated per kind (`tepat.updates.kinds`); `verified_payload` is the
    same after the facilitator's corrections in the field. Determination applies `verified_payload`.
    """

    class Kind(models.TextChoices):
        NEW_FAMILY = "new_family", _("New family")
        ADD_MEMBER = "add_member", _("Add member")
        CHANGE_DATA = "change_data", _("Change data")
        REMOVE_MEMBER = "remove_member", _("Remove member")
        REMOVE_FAMILY = "remove_family", _("Remove family")
        PROGRAM = "program", _("Propose for a program")
        EMERGENCY = "emergency", _("Emergency")

    class Source(models.TextChoices):
        VILLAGE_OPERATOR = "village_operator", _("Village operator")
        OUTREACH = "outreach", _("Facilitator outreach")
        CITIZEN_REQUEST = "citizen_request", _("Citizen request (village letter)")
        RT_RW_REPORT = "rt_rw_report", _("RT/RW report")
        COMPLAINT = "complaint", _("Complaint")
        DATA_QUALITY = "data_quality", _("Data-quality flag")
        OBJECTION = "objection", _("Objection")
        DISTRICT = "district", _("Dinsos operator")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for assignment")
        IN_VERIFICATION = "in_verification", _("Field verification")
        VERIFIED = "verified", _("Waiting for village deliberation")
        ACCEPTED = "accepted", _("Waiting for district check")
        AWAITING_SUPERVISOR = "awaiting_supervisor", _("Waiting for supervisor approval")
        APPROVED = "approved", _("Approved, waiting for determination")
        APPLIED = "applied", _("Determined")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned by the centre/province")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Destination(models.TextChoices):
        CENTRAL = "central", _("Centre (Kemensos)")
        PROVINCE = "province", _("Province")

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_reference = models.CharField(_("letter / report number"), max_length=100, blank=True)
    reporter_name = models.CharField(_("reported by"), max_length=150, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    family = models.ForeignKey("registry.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    subject_name = models.CharField(_("subject"), max_length=150, blank=True)
    payload = models.JSONField(default=dict)
    verified_payload = models.JSONField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    destination = models.CharField(max_length=10, choices=Destination.choices, default=Destination.CENTRAL)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    stage_entered_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_period = models.ForeignKey("updates.DeterminationPeriod", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="applied_proposals")
    applied_result = models.JSONField(default=dict, blank=True)
    closed_stage = models.CharField(max_length=20, blank=True)  # the stage a rejection/return came from
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["region", "status"], name="proposal_region_status"),
            models.Index(fields=["status", "stage_entered_at"], name="proposal_status_age"),
            models.Index(fields=["assigned_to", "status"], name="proposal_assignee"),
        ]

    def __str__(self) -> str:
        return self.reference


class ProposalTransition(models.Model):
    """The proposal's own history: each stage change, who made it and why (the audit trail has it too)."""

    id = models.BigAutoField(primary_key=True)
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["proposal_id", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class ProposalClaim(models.Model):
    """What an open proposal would change (a KK number, a NIK, a family, a member), held while the proposal
    is open. The unique key makes a second open proposal for the same thing impossible, even when two are
    entered at the same moment; the claim is released when the proposal leaves the flow."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=120, unique=True)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="claims")

    class Meta:
        ordering = ["proposal_id", "key"]

    def __str__(self) -> str:
        return f"{self.key} → {self.proposal_id}"


class DistrictReview(BaseModel):
    """The Dinsos check of an accepted proposal: approve or reject, by operator or supervisor."""

    class Level(models.TextChoices):
        OPERATOR = "operator", _("Dinsos operator")
        SUPERVISOR = "supervisor", _("Dinsos supervisor")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        FORWARDED = "forwarded", _("Checked, forwarded to supervisor")
        REJECTED = "rejected", _("Rejected")
        PULLED_BACK = "pulled_back", _("Pulled back before determination")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=12, choices=Level.choices)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["proposal_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.decision}"


class Objection(BaseModel):
    """A sanggah against a listed family or person; it becomes a removal or change proposal."""

    class Source(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        OPERATOR = "operator", _("Operator")

    class Reason(models.TextChoices):
        DIED = "died", _("Has died")
        MOVED = "moved", _("Has moved away")
        NOT_ELIGIBLE = "not_eligible", _("No longer eligible (well-off)")
        NOT_FOUND = "not_found", _("Not found at the address")
        DUPLICATE = "duplicate", _("Listed twice")
        WRONG_DATA = "wrong_data", _("Data is wrong")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    objector_name = models.CharField(_("objector"), max_length=150, blank=True)
    objector_contact = models.CharField(_("contact"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    statement = models.TextField(_("statement"))
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="objection")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reason} ({self.family_id})"
