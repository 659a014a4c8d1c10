"""Programmes, their yearly releases (components, amounts, tahap schedule, eligibility rules, quotas) and the
beneficiary lists determined from a determination version, with the trace of every clause per family.

Only `tepat.programs.services` writes these tables. A released `ProgrammeRelease` never changes: every
write to it, its components, rules, schedule and quotas checks `status == draft` first (a change is a new
version). Money is integer rupiah (`BigIntegerField`), never a float.

The list table `ListEntry` is written in bulk (`tepat.programs.bulk`): a family is identified inside a
list by its dense index `idx` (0…n-1); its trace (every clause: passed, value seen) is two compact columns
of the entry, so "why eligible / why not" is one row and "who failed clause i" one query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class Programme(BaseModel):
    class Kind(models.TextChoices):
        PKH = "pkh", "PKH"
        SEMBAKO = "sembako", "Sembako/BPNT"
        PBI_JK = "pbi_jk", "PBI-JK"
        BLT = "blt", "BLT"
        REGIONAL = "regional", _("Regional programme")

    class Funding(models.TextChoices):
        APBN = "apbn", "APBN"
        APBD_PROVINCE = "apbd_prov", _("APBD province")
        APBD_DISTRICT = "apbd_kab", _("APBD district")
        VILLAGE_FUND = "dana_desa", _("Village Fund (Dana Desa)")

    code = models.CharField(_("code"), max_length=30, unique=True)  # PKH, SEMBAKO, PBI_JK, BLT_KESRA, …
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    funding = models.CharField(_("funding source"), max_length=12, choices=Funding.choices)
    # The registry's participation code (`registry.choices.Program`) that marks a current recipient in the
    # frozen version ("pkh", "bpnt", "pbi_jk", "blt_dd", "regional"); blank when the registry has none.
    participation_code = models.CharField(max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProgrammeRelease(BaseModel):
    """A programme's parameters for one year in one regency, as a version: draft → released (→ retired)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RELEASED = "released", _("Released")
        RETIRED = "retired", _("Retired")

    class Basis(models.TextChoices):
        COMPONENTS = "components", _("Per eligible member and component per year (PKH)")
        FAMILY_MONTH = "family_month", _("Per family per month (Sembako, monthly BLT)")
        PERSON_MONTH = "person_month", _("Per person per month (PBI-JK)")
        ONE_OFF = "one_off", _("One-off per family (BLT)")

    class Priority(models.TextChoices):
        AMOUNT = "amount", _("Highest amount first")
        ORDER = "order", _("In the configured order")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="releases")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    basis = models.CharField(_("benefit basis"), max_length=14, choices=Basis.choices)
    amount = models.BigIntegerField(_("amount (Rp)"), default=0)  # per family/person per month, or one-off
    months = models.PositiveSmallIntegerField(_("months in the year"), default=12)
    max_components = models.PositiveSmallIntegerField(_("maximum components per family"), null=True, blank=True)
    component_priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.AMOUNT)
    # [{"tahap": 1, "label": "Jan–Mar", "share_bp": 2500}, …]: shares of the annual amount in basis points
    # (1/10,000), summing to 10,000.
    schedule = models.JSONField(_("tahap schedule"), default=list)
    source = models.TextField(_("source of the amounts"), blank=True)
    note = models.TextField(_("what changed"), blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["programme__code", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "region", "year", "version"], name="release_version_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="release_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year} v{self.version}"


class Component(models.Model):
    """One PKH-style component: which members qualify (`kind` + ages/levels), its annual amount per member,
    how many members of one family count at most."""

    id = models.BigAutoField(primary_key=True)
    release = models.ForeignKey(ProgrammeRelease, on_delete=models.PROTECT, related_name="components")
    code = models.CharField(_("code"), max_length=30)
    kind = models.CharField(_("who qualifies"), max_length=20)  # tepat.programs.catalogue.COMPONENT_KINDS
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    annual_amount = models.BigIntegerField(_("annual amount (Rp)"))
    cap_per_family = models.PositiveSmallIntegerField(_("at most per family"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["release_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="component_code_unique"),
            models.CheckConstraint(condition=models.Q(annual_amount__gte=0), name="component_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.code}"


class Rule(models.Model):
    """One clause of a release's eligibility: a family passes when `field op value` holds; failing it gives
    the clause's reason code. Every clause of a release must pass for a family to be eligible."""

    id = models.BigAutoField(primary_key=True)
    release = models.ForeignKey(ProgrammeRelease, on_delete=models.PROTECT, related_name="rules")
    order = models.PositiveSmallIntegerField(default=0)
    field = models.CharField(_("fact"), max_length=60)  # tepat.programs.catalogue.FIELDS (or programme.<CODE>)
    op = models.CharField(_("test"), max_length=10)
    value = models.JSONField(_("value"), default=None, null=True, blank=True)
    reason = models.CharField(_("reason code"), max_length=40)  # tepat.programs.catalogue.REASONS
    # 0: required (every such clause must pass); 1, 2, …: alternatives — a family must also pass every
    # clause of at least one alternative group when the release has any.
    group = models.PositiveSmallIntegerField(_("group"), default=0)

    class Meta:
        ordering = ["release_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value}"


class Quota(models.Model):
    """How many families one area (village or kecamatan) may receive; the rest of the eligible form the
    ranked reserve list."""

    id = models.BigAutoField(primary_key=True)
    release = models.ForeignKey(ProgrammeRelease, on_delete=models.PROTECT, related_name="quotas")
    region_code = models.CharField(_("area"), max_length=13)
    families = models.PositiveIntegerField(_("families"))

    class Meta:
        ordering = ["release_id", "region_code"]
        constraints = [models.UniqueConstraint(fields=["release", "region_code"], name="quota_area_unique")]

    def __str__(self) -> str:
        return f"{self.region_code}={self.families}"


class BeneficiaryList(BaseModel):
    """The list of one tahap of one programme release, determined from one determination version and one
    desil release (frozen in `inputs`): determining → determined → approved (or rejected)."""

    class Status(models.TextChoices):
        DETERMINING = "determining", _("Being determined")
        DETERMINED = "determined", _("Determined")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    release = models.ForeignKey(ProgrammeRelease, on_delete=models.PROTECT, related_name="lists")
    period = models.ForeignKey("updates.DeterminationPeriod", on_delete=models.PROTECT, related_name="+")
    desil_release = models.ForeignKey("targeting.DesilRelease", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region"), max_length=13)
    tahap = models.PositiveSmallIntegerField(_("tahap"))
    reference_date = models.DateField(_("ages on"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DETERMINING)
    inputs = models.JSONField(default=dict)  # what the run read: period, release version, desil period, rules
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.release} tahap {self.tahap} {self.region_code}"

    @property
    def percent(self) -> int:
        if self.status != self.Status.DETERMINING:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class ListEntry(models.Model):
    """One family in a list. `status` recipient / reserve / not_eligible / left (a previous recipient who is
    no longer in the determination version). Amounts are integer rupiah."""

    class Status(models.TextChoices):
        RECIPIENT = "recipient", _("Recipient")
        RESERVE = "reserve", _("Reserve")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        LEFT = "left", _("No longer listed")

    class Change(models.TextChoices):
        NEW = "new", _("New")
        CONTINUING = "continuing", _("Continuing")
        LEAVING = "leaving", _("Leaving")
        NONE = "", "–"

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the unique (list, idx) index starts with it (fewer b-trees per bulk-inserted row).
    # No per-row foreign-key constraint either (ADR 0034): a list writes 300,000 entries at once,
    # and the deferred check of each row at COMMIT cost ~5 s. The same integrity is kept set-based by
    # triggers (migration programs.0005): one check per INSERT/UPDATE statement that every list_id exists
    # (taking the same key-share lock the foreign key took), and a list cannot be deleted while entries
    # refer to it. Django's ORM cascade is unchanged.
    list = models.ForeignKey(BeneficiaryList, on_delete=models.CASCADE, related_name="entries", db_index=False,
                             db_constraint=False)
    idx = models.PositiveIntegerField()
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    region_code = models.CharField(max_length=13)  # the village
    kk_number = models.CharField(max_length=16, blank=True)  # as frozen; shown only through masking
    desil = models.PositiveSmallIntegerField(null=True, blank=True)
    eligible = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices)
    rank = models.PositiveIntegerField(null=True, blank=True)  # within the quota area, eligible only
    components = models.JSONField(default=dict, blank=True)  # {"sd": 1, "elderly": 1}
    persons = models.PositiveSmallIntegerField(default=0)
    annual_amount = models.BigIntegerField(default=0)
    tahap_amount = models.BigIntegerField(default=0)
    reasons = models.CharField(max_length=400, blank=True)  # reason codes, space-separated
    change = models.CharField(max_length=10, choices=Change.choices, blank=True)
    receiving = models.BooleanField(default=False)  # a current participant in the frozen version
    # The trace (ADR 0017 as amended by ADR 0025): every clause of list.inputs["clauses"] for this family.
    # Clause i passed ⇔ clause_passed[i] == "1"; the value it saw is clause_seen.split("\x1f")[i].
    # "Who failed clause i" stays a query: Substr("clause_passed", i + 1, 1) == "0".
    clause_passed = models.CharField(max_length=100, blank=True)
    clause_seen = models.TextField(blank=True)

    class Meta:
        ordering = ["list_id", "idx"]
        constraints = [models.UniqueConstraint(fields=["list", "idx"], name="list_entry_idx_unique")]
        # (list, family), not (family, list): a new list's entries go into its own key range of the index
        # (pages that stay in memory), not into random pages across every list ever written.
        indexes = [models.Index(fields=["list", "family"], name="list_entry_list_family"),
                   models.Index(fields=["list", "region_code", "status"], name="list_entry_village")]

    def __str__(self) -> str:
        return f"{self.list_id}#{self.idx}"

    @property
    def reason_codes(self) -> list[str]:
        return self.reasons.split() if self.reasons else []

    @property
    def trace(self) -> list[tuple[int, bool, str]]:
        """(clause index, passed, value seen) for every clause, in clause order."""
        seen = self.clause_seen.split("\x1f") if self.clause_passed else []
        return [(i, flag == "1", seen[i] if i < len(seen) else "") for i, flag in enumerate(self.clause_passed)]


class Substitution(BaseModel):
    """A recipient replaced by the next family of the reserve list of the same area."""

    list = models.ForeignKey(BeneficiaryList, on_delete=models.PROTECT, related_name="substitutions")
    removed = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="+")
    added = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["list_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.removed_id}→{self.added_id}"


class ReviewItem(BaseModel):
    """An inclusion error (a current recipient no longer eligible) or an exclusion error (an eligible family
    receiving nothing) found by a list, for review; confirming it creates a proposal."""

    class Kind(models.TextChoices):
        DECEASED = "deceased", _("Recipient: all members died or none left")
        MOVED = "moved", _("Recipient: moved away")
        DESIL_ABOVE = "desil_above", _("Recipient: desil above the limit")
        EXCLUDED = "excluded", _("Recipient: on an exclusion list")
        DUPLICATE = "duplicate", _("Recipient: duplicate record")
        NOT_ELIGIBLE = "not_eligible", _("Recipient: no longer eligible")
        NOT_RECEIVING = "not_receiving", _("Eligible but receiving nothing")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    # Checked set-based like ListEntry.list (no per-row constraint; migration programs.0005).
    list = models.ForeignKey(BeneficiaryList, on_delete=models.PROTECT, related_name="review_items", db_index=False,
                             db_constraint=False)
    idx = models.PositiveIntegerField()  # the family's entry in the list (ListEntry.idx)
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    region_code = models.CharField(max_length=13)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    proposal_reference = models.CharField(max_length=40, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["region_code", "kind", "created_at"]
        constraints = [models.UniqueConstraint(fields=["list", "idx"], name="review_item_entry_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.family_id}"


class VersionFacts(BaseModel):
    """The facts frame of one determination version under one region, packed once (ADR 0034): the
    two frames `engine.facts.read_version` extracts from the frozen JSON (families; members with the index
    of their family), as Parquet. A determined version never changes, so every later list, rule check and
    worker process reads these bytes instead of extracting ~1M members from the JSON again. `layout` names
    the extraction that made them (a change of the facts read makes a new row; old ones are ignored);
    `frozen_count` must equal the period's, or the row is not used."""

    period = models.ForeignKey("updates.DeterminationPeriod", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=13)
    layout = models.CharField(max_length=16)
    frozen_count = models.PositiveIntegerField()
    families = models.BinaryField()
    members = models.BinaryField()
    family_count = models.PositiveIntegerField(default=0)
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "region_code", "layout"],
                                               name="version_facts_unique")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.region_code} {self.layout}"
