"""Distribution of an approved tahap list (issue 11): channels as data, the distribution of one tahap
(`Distribution`, open → close requested → closed by a second person), its versioned per-channel lists
(`DistributionList`, draft → exported → superseded: an exported version never changes, a correction is a new
version) with one `DistributionEntry` per KPM, the export files with their declared totals and SHA-256, the
"dikembalikan untuk dilengkapi" queue (`ReturnItem`), the per-person `Receipt`, and the realisation
ledger (`RealisationImport` → `RealisationLine`: salur, gagal salur, reversal, retur).

Only `tepat.distribution.services` writes these tables; statuses move only through
`tepat.distribution.transitions` (ADR 0014). Money is integer rupiah.

`DistributionEntry.kpm_ref` is the stable pseudonymous reference of one KPM in one tahap: random, not derived
from NIK or KK, carried over to every new version of the same distribution (the invitations and the field
app key on it; the channel's realisation report quotes it).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


def new_kpm_ref() -> str:
    """`K` + 11 random symbols (55 bits): pseudonymous, unique by constraint, never from NIK/KK."""
    return "K" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(11))


class Channel(models.Model):
    """A distribution channel and its export layout, as data (seeded by migration 0002)."""

    class Kind(models.TextChoices):
        POST = "post", _("PT Pos")
        BANK = "bank", _("Himbara bank (KKS account)")
        IN_KIND = "in_kind", _("In kind (Bulog)")

    code = models.CharField(_("code"), max_length=30, primary_key=True)  # POS_KANTOR, BRI, BULOG, …
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # How the KPM receives: at the post office, a collective point, door to door, a bank account, in kind.
    mode = models.CharField(_("mode"), max_length=30, blank=True)
    # The export layout: [["header as the channel reads it", "field"], …]; fields in services.export.FIELDS.
    columns = models.JSONField(_("export columns"), default=list)
    # Address parts the channel needs to find the KPM (cleansing checks them): rt, rw, village, street.
    address_standard = models.JSONField(default=list, blank=True)
    password_protected = models.BooleanField(default=True)  # XLSX leaves encrypted (msoffcrypto)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code


class Distribution(BaseModel):
    """The distribution of one approved beneficiary list (one programme, one tahap, one region)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSE_REQUESTED = "close_requested", _("Close requested")
        CLOSED = "closed", _("Closed")

    beneficiary_list = models.OneToOneField("programs.BeneficiaryList", on_delete=models.PROTECT,
                                            related_name="distribution")
    region_code = models.CharField(_("region"), max_length=13)
    programme_code = models.CharField(max_length=30)
    tahap = models.PositiveSmallIntegerField(_("tahap"))
    # The window a realisation date must fall in (inclusive).
    starts_on = models.DateField(_("tahap starts"))
    ends_on = models.DateField(_("tahap ends"))
    return_deadline_days = models.PositiveSmallIntegerField(_("days to complete a returned record"), default=14)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    close_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    close_requested_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)  # the reconciliation frozen at close

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme_code} tahap {self.tahap} {self.region_code}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.CLOSED


class DistributionList(BaseModel):
    """One version of the list of one channel in one distribution (danom / BNBA)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        EXPORTED = "exported", _("Exported (immutable)")
        SUPERSEDED = "superseded", _("Replaced by a newer version")

    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="lists")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    entry_count = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0)
    held_back = models.PositiveIntegerField(default=0)  # families in the return queue, not in this version
    area_codes = models.JSONField(default=list, blank=True)  # kecamatan/village codes; empty = whole region
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["distribution_id", "channel_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["distribution", "channel", "version"],
                                               name="distribution_list_version_unique")]

    def __str__(self) -> str:
        return f"{self.distribution} {self.channel_id} v{self.version}"


class DistributionEntry(models.Model):
    """One KPM in one list version: the frozen recipient, address and amount, and the receipt outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting distribution")
        DELIVERED = "delivered", _("Delivered in full")
        PARTLY = "partly", _("Delivered in part")
        NOT_DELIVERED = "not_delivered", _("Not delivered")

    id = models.BigAutoField(primary_key=True)
    list = models.ForeignKey(DistributionList, on_delete=models.CASCADE, related_name="entries", db_index=False)
    kpm_ref = models.CharField(_("KPM reference"), max_length=12, default=new_kpm_ref)
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    list_entry = models.ForeignKey("programs.ListEntry", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    region_code = models.CharField(max_length=13)  # the village
    rt = models.CharField(max_length=3, blank=True)
    rw = models.CharField(max_length=3, blank=True)
    address = models.CharField(max_length=200, blank=True)
    kk_number = models.CharField(max_length=16, blank=True)  # shown only through tepat.registry.masking
    nik = models.CharField(max_length=16, blank=True)  # the recipient (head of family)
    name = models.CharField(max_length=150, blank=True)
    amount = models.BigIntegerField(_("amount (Rp)"))
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    # The realisation ledger summed (services.realisation keeps these in step with RealisationLine).
    paid_amount = models.BigIntegerField(default=0)
    returned_amount = models.BigIntegerField(default=0)
    failed_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["list_id", "region_code", "rt", "id"]
        constraints = [
            models.UniqueConstraint(fields=["list", "kpm_ref"], name="distribution_entry_ref_unique"),
            models.UniqueConstraint(fields=["list", "family"], name="distribution_entry_family_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="distribution_entry_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["kpm_ref"], name="distribution_entry_ref"),
                   models.Index(fields=["list", "region_code"], name="distribution_entry_village")]

    def __str__(self) -> str:
        return self.kpm_ref


class ExportFile(BaseModel):
    """One file that left the system: which version, scope, format, declared totals and SHA-256."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    list = models.ForeignKey(DistributionList, on_delete=models.PROTECT, related_name="exports")
    scope_code = models.CharField(max_length=13)  # district, kecamatan or village
    format = models.CharField(max_length=4, choices=Format.choices)
    entry_count = models.PositiveIntegerField()
    total_amount = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=200)
    masked = models.BooleanField(default=True)
    password_protected = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ReturnItem(BaseModel):
    """A record sent back to its village to be completed ("dikembalikan untuk dilengkapi"), from the
    pre-flight cleansing or from the channel's own returns. Completed items rejoin the next version."""

    class Source(models.TextChoices):
        PREFLIGHT = "preflight", _("Pre-flight check")
        CHANNEL = "channel", _("Returned by the channel")

    class Status(models.TextChoices):
        OPEN = "open", _("To be completed")
        COMPLETED = "completed", _("Completed")
        DROPPED = "dropped", _("Dropped from this tahap")

    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="returns")
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kpm_ref = models.CharField(max_length=12, blank=True)
    region_code = models.CharField(max_length=13)  # the village whose queue it is in
    source = models.CharField(max_length=10, choices=Source.choices)
    reasons = models.CharField(max_length=300)  # reason codes (services.cleansing.REASONS), space-separated
    detail = models.CharField(max_length=300, blank=True)
    deadline = models.DateField(_("complete by"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["region_code", "deadline", "created_at"]
        indexes = [models.Index(fields=["distribution", "region_code", "status"], name="return_item_queue")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.reasons}"

    @property
    def reason_codes(self) -> list[str]:
        return self.reasons.split()


class Receipt(BaseModel):
    """What happened when the KPM was met: one per entry (a correction replaces nothing: it is refused)."""

    class Outcome(models.TextChoices):
        FULL = "full", _("Delivered in full")
        PARTLY = "partly", _("Delivered in part")
        NONE = "none", _("Not delivered")

    class Collector(models.TextChoices):
        SELF = "self", _("The KPM in person")
        KK_MEMBER = "kk_member", _("A member of the same KK")
        AUTHORISED = "authorised", _("Someone outside the KK with a letter of authority")

    entry = models.OneToOneField(DistributionEntry, on_delete=models.PROTECT, related_name="receipt")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    amount = models.BigIntegerField(_("amount received (Rp)"), default=0)
    collector = models.CharField(_("collected by"), max_length=12, choices=Collector.choices, blank=True)
    collector_name = models.CharField(_("collector's name"), max_length=150, blank=True)
    authority_letter = models.CharField(_("letter of authority (number)"), max_length=100, blank=True)
    reason = models.CharField(_("reason not delivered"), max_length=20, blank=True)  # services.receipts.REASONS
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    gps_flag = models.CharField(max_length=20, blank=True)  # "outside_village" when the data allows saying so
    received_at = models.DateTimeField(_("time"))
    signature = models.TextField(_("signature"), blank=True)  # an SVG path or data URL from the device
    photos = models.JSONField(default=list, blank=True)  # stored file names under MEDIA_ROOT/distribution/
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(_("device"), max_length=100, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.outcome}"


class RealisationImport(BaseModel):
    """One channel realisation report or bank statement, applied in chunks of whole KPMs with a report;
    `running` until its last chunk is committed (the same file imported again continues it)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="imports")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)  # already applied by an earlier import (a rerun)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "code", "field", "message", "message_en"}]
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DONE)
    chunks_done = models.PositiveIntegerField(default=0)  # the checkpoint: chunks committed
    chunks_total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class RealisationLine(models.Model):
    """One applied realisation fact for one KPM; `key` makes applying the same fact twice impossible."""

    class Kind(models.TextChoices):
        SALUR = "salur", _("Paid out (salur)")
        GAGAL = "gagal", _("Failed (gagal salur)")
        REVERSAL = "reversal", _("Reversal")
        RETUR = "retur", _("Returned to the treasury (retur)")

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(DistributionEntry, on_delete=models.PROTECT, related_name="realisations")
    # No index of its own (ADR 0035): nothing reads lines by their import, and a btree of one
    # value per import cost about a third of the bulk COPY of the lines.
    source = models.ForeignKey(RealisationImport, on_delete=models.PROTECT, related_name="lines", db_index=False)
    row = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.BigIntegerField(default=0)
    date = models.DateField()
    reason = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=60, blank=True)  # the channel's transaction reference
    key = models.CharField(max_length=64)  # unique: the constraint below (no `_like` copy of its index)

    class Meta:
        ordering = ["entry_id", "date", "id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="distribution_realisationline_key_uniq")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} {self.amount}"
