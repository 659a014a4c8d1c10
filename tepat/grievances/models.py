"""Complaints (SLRT/Puskesos cases), their follow-up objects, referrals (rujukan), and the data the office
edits: the category catalogue, the institutions and services it refers to, working-day SLA targets and the
holiday calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class FollowUpKind(models.TextChoices):
    """What a category's case turns into once assessed (the routing rule, kept on the category as data)."""

    NONE = "none", _("Answered directly")
    DATA_CHANGE = "data_change", _("Data change (proposal)")
    OBJECTION = "objection", _("Objection review")
    DUPLICATE_REVIEW = "duplicate_review", _("Duplicate review")
    PAYMENT_REISSUE = "payment_reissue", _("Payment re-issue")
    REFERRAL = "referral", _("Referral")


class Desk(models.TextChoices):
    VILLAGE = "village", _("Village (Puskesos)")
    DINSOS = "dinsos", _("Dinsos desk")
    PROGRAMME = "programme", _("Programme desk")


class Stage(models.TextChoices):
    """The stages an SLA target is set for (the open statuses a case waits in)."""

    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    REFERRED = "referred", _("Referred")
    FOLLOWED_UP = "followed_up", _("Followed up")


class Category(BaseModel):
    """A complaint category (parent empty) or sub-category. Cases name a sub-category."""

    code = models.SlugField(max_length=40, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_id = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    follow_up = models.CharField(max_length=20, choices=FollowUpKind.choices, default=FollowUpKind.NONE)
    # For a data change: the proposal kind it suggests (new_family, change_data, …); empty = chosen at follow-up.
    proposal_kind = models.CharField(max_length=20, blank=True)
    desk = models.CharField(max_length=10, choices=Desk.choices, default=Desk.VILLAGE)
    sensitive = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_id

    def label(self, language: str = "id") -> str:
        return self.name_en if language == "en" else self.name_id


class Complaint(BaseModel):
    """One case (kasus) from intake to closing."""

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Dinsos counter")
        PUSKESOS = "puskesos", _("Village Puskesos")
        PHONE = "phone", _("Phone")
        WHATSAPP = "whatsapp", _("WhatsApp")
        PUBLIC_SITE = "public_site", _("Public website")
        LAPOR = "lapor", _("LAPOR! (SP4N)")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSESSED = "assessed", _("Assessed")
        REFERRED = "referred", _("Referred")
        FOLLOWED_UP = "followed_up", _("Followed up")
        CLOSED = "closed", _("Closed")
        WAITING = "waiting", _("Waiting for the citizen")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

    class SubjectKind(models.TextChoices):
        FAMILY = "family", _("Family in the registry")
        INDIVIDUAL = "individual", _("Person in the registry")
        UNREGISTERED = "unregistered", _("Person not in the registry")

    class SlaState(models.TextChoices):
        OK = "ok", _("On time")
        AT_RISK = "at_risk", _("At risk")
        BREACHED = "breached", _("Breached")
        PAUSED = "paused", _("Paused")
        NONE = "none", _("Not running")

    reference = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    external_reference = models.CharField(_("LAPOR! ticket"), max_length=60, blank=True)
    complainant_anonymous = models.BooleanField(default=False)
    complainant_name = models.CharField(max_length=150, blank=True)
    complainant_contact = models.CharField(max_length=100, blank=True)
    complainant_region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    subject_kind = models.CharField(max_length=12, choices=SubjectKind.choices)
    family = models.ForeignKey("registry.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # The profile of a subject not in the registry (SLRT: "if not, record the person's profile").
    subject_name = models.CharField(max_length=150, blank=True)
    subject_nik = models.CharField(max_length=16, blank=True)
    subject_address = models.CharField(max_length=250, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints")
    description = models.TextField()
    sensitive = models.BooleanField(default=False, db_index=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    desk = models.CharField(max_length=10, choices=Desk.choices)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    stage_entered_at = models.DateTimeField()
    paused_from = models.CharField(max_length=12, blank=True)  # the status a waiting case goes back to
    assessment = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    decision = models.TextField(blank=True)  # penetapan layanan
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sla_state = models.CharField(max_length=10, choices=SlaState.choices, default=SlaState.OK, db_index=True)
    sla_due = models.DateField(null=True, blank=True)
    sla_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "status"]), models.Index(fields=["status", "sla_state"])]

    def __str__(self) -> str:
        return self.reference


class ComplaintPause(BaseModel):
    """A period the case waited for the citizen: the SLA clock does not run in it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=250)

    class Meta:
        ordering = ["started_at"]


class Attachment(BaseModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="grievances/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")


class FollowUp(BaseModel):
    """The object a case's category made it into: a proposal, an objection, a data-quality flag, a referral,
    or a payment re-issue waiting for the distribution app (status pending until that app takes it)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING_DISTRIBUTION = "pending_distribution", _("Waiting for the distribution desk")
        DONE = "done", _("Done")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    status = models.CharField(max_length=22, choices=Status.choices, default=Status.OPEN)
    proposal = models.ForeignKey("updates.Proposal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    objection = models.ForeignKey("updates.Objection", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    flag = models.ForeignKey("quality.Flag", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("grievances.Referral", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # A payment re-issue: the programme and period concerned, for the distribution desk.
    programme_code = models.CharField(max_length=30, blank=True)
    period = models.CharField(max_length=30, blank=True)
    # The susulan entry the distribution desk's service created for it (services.follow_ups), or why none was
    # (then it waits, pending_distribution, in payment_reissues_pending()).
    susulan_entry = models.ForeignKey("distribution.SusulanEntry", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    distribution_note = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]


class Institution(BaseModel):
    """A receiving institution of referrals (Dinas Kesehatan, Dukcapil, UPTD PPA, …)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=250, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReferralService(BaseModel):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField(max_length=40)
    name_id = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["institution__name", "name_id"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="grievances_service_code")]

    def __str__(self) -> str:
        return self.name_id


class LetterSequence(models.Model):
    """The last referral letter number of a year (numbers restart every year)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Referral(BaseModel):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Letter issued")
        ACKNOWLEDGED = "acknowledged", _("Received by the institution")
        COMPLETED = "completed", _("Outcome recorded")
        CANCELLED = "cancelled", _("Cancelled")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="referrals")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(ReferralService, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    letter_number = models.CharField(max_length=40, unique=True)
    issued_on = models.DateField()
    note = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ISSUED)
    acknowledged_by_name = models.CharField(max_length=150, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="grievances_letter_sequence")]

    def __str__(self) -> str:
        return self.letter_number


class SlaTarget(BaseModel):
    """Working days a case may spend in a stage; `category` empty = the default for every category."""

    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    working_days = models.PositiveSmallIntegerField()
    at_risk_days = models.PositiveSmallIntegerField(default=1)  # at risk this many working days before due

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "stage"], name="grievances_sla_category_stage"),
            models.UniqueConstraint(fields=["stage"], condition=models.Q(category__isnull=True),
                                    name="grievances_sla_default_stage"),
        ]


class Holiday(models.Model):
    """A day off (national holiday or joint leave, cuti bersama) in the office's calendar."""

    date = models.DateField(primary_key=True)
    name = models.CharField(max_length=150)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Escalation(BaseModel):
    """A case that became at risk or breached its stage's target, raised to the supervisors of its region."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="escalations")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    state = models.CharField(max_length=10, choices=Complaint.SlaState.choices)
    due = models.DateField(null=True, blank=True)
    region_code = models.CharField(max_length=13, db_index=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["complaint", "stage", "state"],
                                               name="grievances_escalation_once")]
