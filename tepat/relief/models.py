"""Emergency relief outside the registry: disaster events (kejadian bencana), the quick intake of the affected
households and persons (documents may be lost: the NIK is optional and matched to the registry later), the
catalogue of standard relief items (source 002), warehouses and their stock.

Stock is an append-only ledger (`StockMovement`) and one balance row per warehouse × lot (`StockBalance`) that
the services lock (`select_for_update`) before changing it; the database refuses a negative balance (CHECK).
A lot belongs to one item and may carry an expiry date; issues take the earliest expiry first (FIFO).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class DisasterEvent(BaseModel):
    """One disaster (kejadian bencana) in one village, from its report to its closing."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("Fire")
        FLOOD = "flood", _("Flood")
        LANDSLIDE = "landslide", _("Landslide")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the village
    place = models.CharField(max_length=250)  # hamlet, RT/RW, landmark
    occurred_on = models.DateField()
    description = models.TextField(blank=True)
    decree_number = models.CharField(max_length=100, blank=True)  # SK tanggap darurat, when there is one
    decree_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        indexes = [models.Index(fields=["region", "occurred_on"], name="relief_event_region_date")]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()} {self.place}"


class IntakeHousehold(BaseModel):
    """A household affected by an event, as recorded on the spot (pendataan cepat)."""

    class Damage(models.TextChoices):
        NONE = "none", _("Not damaged")
        LIGHT = "light", _("Lightly damaged")
        MODERATE = "moderate", _("Moderately damaged")
        HEAVY = "heavy", _("Heavily damaged")
        DESTROYED = "destroyed", _("Destroyed")

    class Match(models.TextChoices):
        PENDING = "pending", _("Not matched yet")
        MATCHED = "matched", _("Found in the registry")
        PROPOSED = "proposed", _("Proposed for the registry")
        REVIEW = "review", _("Needs review before a proposal")
        NO_IDENTITY = "no_identity", _("No identity numbers")

    event = models.ForeignKey(DisasterEvent, on_delete=models.PROTECT, related_name="households")
    reference = models.CharField(max_length=30, unique=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # village
    rt = models.CharField(max_length=3, blank=True)
    rw = models.CharField(max_length=3, blank=True)
    address = models.CharField(max_length=250, blank=True)
    kk_number = models.CharField(max_length=16, blank=True)
    head_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=30, blank=True)
    damage = models.CharField(max_length=10, choices=Damage.choices, default=Damage.NONE)
    displaced = models.BooleanField(default=False)  # mengungsi
    shelter = models.CharField(max_length=150, blank=True)  # where they stay now
    note = models.TextField(blank=True)
    match_status = models.CharField(max_length=12, choices=Match.choices, default=Match.PENDING)
    family = models.ForeignKey("registry.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey("updates.Proposal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # Why no proposal could be made yet (the proposal's own validation issues, as dicts), for the review list.
    proposal_issues = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.head_name}"


class IntakePerson(BaseModel):
    """A person of an intake household. NIK optional (validated structurally when given)."""

    class Match(models.TextChoices):
        PENDING = "pending", _("Not matched yet")
        MATCHED = "matched", _("Found in the registry")
        NOT_FOUND = "not_found", _("Not in the registry")
        NO_NIK = "no_nik", _("No NIK")

    household = models.ForeignKey(IntakeHousehold, on_delete=models.CASCADE, related_name="persons")
    name = models.CharField(max_length=150)
    nik = models.CharField(max_length=16, blank=True, db_index=True)
    sex = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 male, 2 female (registry codes)
    birth_date = models.DateField(null=True, blank=True)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)  # when the birth date is unknown
    relation = models.PositiveSmallIntegerField(null=True, blank=True)  # registry relation code
    match_status = models.CharField(max_length=10, choices=Match.choices, default=Match.PENDING)
    individual = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["household", "created_at"]


class ReliefItem(BaseModel):
    """A standard relief item (barang bantuan), per household or per person, with its unit."""

    class Basis(models.TextChoices):
        HOUSEHOLD = "household", _("Per household")
        PERSON = "person", _("Per person")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)  # the Indonesian name of the source's list
    unit = models.CharField(max_length=20)  # lembar, potong, paket, dus, unit
    basis = models.CharField(max_length=10, choices=Basis.choices)
    per_recipient = models.PositiveSmallIntegerField(default=1)  # the standard quantity per household/person
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Warehouse(BaseModel):
    """A relief warehouse (gudang / buffer stock) of a region (the district's, a kecamatan's, a village's)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=250, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class StockLot(BaseModel):
    """A lot of one item (one delivery or donation), with its expiry date when it has one."""

    item = models.ForeignKey(ReliefItem, on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(max_length=60)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["item", "expires_on", "created_at"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="relief_lot_item_code_unique")]

    def __str__(self) -> str:
        return self.code


class StockBalance(models.Model):
    """What a warehouse holds of a lot now. Changed only by the stock services, row locked; never below zero."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    lot = models.ForeignKey(StockLot, on_delete=models.PROTECT, related_name="balances")
    item = models.ForeignKey(ReliefItem, on_delete=models.PROTECT, related_name="+")  # = lot.item, for queries
    quantity = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "lot"], name="relief_balance_warehouse_lot_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="relief_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "item"], name="relief_balance_wh_item")]

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.lot_id}: {self.quantity}"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The stock ledger is append-only: record a new movement instead")

    def delete(self):
        raise TypeError("The stock ledger is append-only: record a new movement instead")


class StockMovement(models.Model):
    """One line of the append-only stock ledger. Quantity is signed (in > 0, out < 0); one operation (an issue
    over two lots, a transfer) writes several lines sharing its `reference`."""

    class Kind(models.TextChoices):
        RECEIPT_DONATION = "receipt_donation", _("Receipt (donation)")
        RECEIPT_PURCHASE = "receipt_purchase", _("Receipt (purchase)")
        ISSUE = "issue", _("Issue")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        RETURN = "return", _("Return")
        ADJUSTMENT = "adjustment", _("Stock-take adjustment")

    seq = models.BigAutoField(primary_key=True)
    reference = models.CharField(max_length=30, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(ReliefItem, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(StockLot, on_delete=models.PROTECT, related_name="movements")
    quantity = models.IntegerField()
    balance_after = models.IntegerField()  # the lot's balance in this warehouse after this line
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(DisasterEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    household = models.ForeignKey(IntakeHousehold, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="movements")
    person = models.ForeignKey(IntakePerson, null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    counterpart = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=150, blank=True)  # donor or supplier
    document = models.CharField(max_length=100, blank=True)  # delivery note, BAST, receipt number
    unit_price = models.PositiveBigIntegerField(null=True, blank=True)  # rupiah, purchases
    note = models.CharField(max_length=250, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["warehouse", "item", "seq"], name="relief_move_wh_item_seq"),
                   models.Index(fields=["kind", "occurred_on"], name="relief_move_kind_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="relief_move_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="relief_move_balance_not_negative"),
            # every issue names its event and its recipient household
            models.CheckConstraint(condition=~Q(kind="issue") | (Q(event__isnull=False) & Q(household__isnull=False)),
                                   name="relief_issue_has_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} {self.quantity}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The stock ledger is append-only: record a new movement instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The stock ledger is append-only: record a new movement instead")


class MealRecord(BaseModel):
    """Meals served to a household (dapur umum / permakanan), counted in person-days."""

    event = models.ForeignKey(DisasterEvent, on_delete=models.PROTECT, related_name="meals")
    household = models.ForeignKey(IntakeHousehold, on_delete=models.PROTECT, related_name="meals")
    served_from = models.DateField()
    days = models.PositiveSmallIntegerField()
    persons = models.PositiveSmallIntegerField()
    person_days = models.PositiveIntegerField()
    note = models.CharField(max_length=250, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["served_from", "created_at"]
        constraints = [models.CheckConstraint(condition=Q(person_days__gt=0), name="relief_meals_positive")]
