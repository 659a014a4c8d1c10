"""The registry: families (keluarga, with their KK number history) and individuals (anggota keluarga).

Nothing is hard-deleted: a family is removed and a member leaves through a status with reason and date.
Only `tepat.registry.services` writes these tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel
from tepat.registry import choices as c


class Family(BaseModel):
    # Indexes (ADR 0030): one `varchar_pattern_ops` index per searched number serves both the
    # exact and the prefix search (`=` and `LIKE 'x%'`); no index on created_at or external_id, which no
    # query filters or sorts on. Each index costs every bulk load.
    created_at = models.DateTimeField(auto_now_add=True)
    kk_number = models.CharField(_("KK number"), max_length=16)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    address = models.CharField(_("street / kampung"), max_length=200, blank=True)
    external_id = models.CharField(_("DTKS ID"), max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=c.FamilyStatus.choices, default=c.FamilyStatus.ACTIVE)
    status_reason = models.CharField(max_length=20, choices=c.FamilyRemovalReason.choices, blank=True)
    status_note = models.CharField(max_length=300, blank=True)
    status_date = models.DateField(null=True, blank=True)

    # Housing (Blok 3)
    building_tenure = models.PositiveSmallIntegerField(_("building tenure"), choices=c.BuildingTenure.choices, null=True, blank=True)
    land_proof = models.PositiveSmallIntegerField(_("proof of land"), choices=c.LandProof.choices, null=True, blank=True)
    floor_area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    floor = models.PositiveSmallIntegerField(_("floor"), choices=c.Floor.choices, null=True, blank=True)
    wall = models.PositiveSmallIntegerField(_("wall"), choices=c.Wall.choices, null=True, blank=True)
    roof = models.PositiveSmallIntegerField(_("roof"), choices=c.Roof.choices, null=True, blank=True)
    drinking_water = models.PositiveSmallIntegerField(_("drinking water"), choices=c.DrinkingWater.choices, null=True, blank=True)
    water_distance = models.PositiveSmallIntegerField(_("distance water–sewage"), choices=c.WaterDistance.choices, null=True, blank=True)
    lighting = models.PositiveSmallIntegerField(_("lighting"), choices=c.Lighting.choices, null=True, blank=True)
    power_capacity = models.PositiveSmallIntegerField(_("installed power"), choices=c.PowerCapacity.choices, null=True, blank=True)
    cooking_fuel = models.PositiveSmallIntegerField(_("cooking fuel"), choices=c.CookingFuel.choices, null=True, blank=True)
    toilet_facility = models.PositiveSmallIntegerField(_("toilet facility"), choices=c.ToiletFacility.choices, null=True, blank=True)
    toilet_type = models.PositiveSmallIntegerField(_("toilet type"), choices=c.ToiletType.choices, null=True, blank=True)
    sewage_disposal = models.PositiveSmallIntegerField(_("sewage disposal"), choices=c.SewageDisposal.choices, null=True, blank=True)
    internet = models.PositiveSmallIntegerField(_("internet"), choices=c.Internet.choices, null=True, blank=True)
    # {"refrigerator": true, ...} with keys from choices.ASSETS; {"goat": 3} with keys from choices.LIVESTOCK.
    assets = models.JSONField(_("assets"), default=dict, blank=True)
    livestock = models.JSONField(_("livestock"), default=dict, blank=True)

    validation_warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["region_id", "rw", "rt", "kk_number"]
        indexes = [
            models.Index(fields=["region", "status"], name="family_region_status"),
            models.Index(fields=["kk_number"], name="family_kk_number", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.kk_number


class KKNumberHistory(BaseModel):
    """Every KK number a family has had: a new card (pecah KK, reissue) gets a new number."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="kk_history")
    kk_number = models.CharField(max_length=16, db_index=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["family_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.kk_number} ({self.valid_from}–{self.valid_to or ''})"


class Individual(BaseModel):
    # Five indexes (ADR 0030): the primary key, family, NIK (one `varchar_pattern_ops` index for
    # the exact and the prefix search), name_key (a plain btree for the exact key) and, on PostgreSQL, the
    # trigram GIN on name_key (migration 0002). Nothing filters or sorts on created_at or external_id.
    created_at = models.DateTimeField(auto_now_add=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members")
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("name"), max_length=150)
    name_key = models.CharField(max_length=150)
    sex = models.PositiveSmallIntegerField(_("sex"), choices=c.Sex.choices)
    birth_place = models.CharField(_("birth place"), max_length=80, blank=True)
    birth_date = models.DateField(_("birth date"))
    relation = models.PositiveSmallIntegerField(_("relation to head"), choices=c.Relation.choices)
    marital_status = models.PositiveSmallIntegerField(_("marital status"), choices=c.MaritalStatus.choices, null=True, blank=True)
    education = models.PositiveSmallIntegerField(_("education"), choices=c.Education.choices, null=True, blank=True)
    school_participation = models.PositiveSmallIntegerField(_("school participation"), choices=c.SchoolParticipation.choices, null=True, blank=True)
    employment_status = models.PositiveSmallIntegerField(_("employment status"), choices=c.EmploymentStatus.choices, null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    # Functional difficulty (428a–i), scale 1–4; null = not asked.
    difficulty_seeing = models.PositiveSmallIntegerField(_("seeing"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_hearing = models.PositiveSmallIntegerField(_("hearing"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_walking = models.PositiveSmallIntegerField(_("walking"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_hands = models.PositiveSmallIntegerField(_("hands/fingers"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_learning = models.PositiveSmallIntegerField(_("learning"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_behaviour = models.PositiveSmallIntegerField(_("behaviour"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_communicating = models.PositiveSmallIntegerField(_("communicating"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_self_care = models.PositiveSmallIntegerField(_("self-care"), choices=c.Difficulty.choices, null=True, blank=True)
    difficulty_remembering = models.PositiveSmallIntegerField(_("remembering"), choices=c.Difficulty.choices, null=True, blank=True)
    chronic_illness = models.PositiveSmallIntegerField(_("chronic illness"), choices=c.ChronicIllness.choices, null=True, blank=True)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    presence = models.PositiveSmallIntegerField(_("presence"), choices=c.Presence.choices, default=c.Presence.LIVING)
    presence_note = models.CharField(_("presence note"), max_length=300, blank=True)
    presence_date = models.DateField(_("presence date"), null=True, blank=True)
    external_id = models.CharField(_("DTKS ID"), max_length=40, blank=True)
    validation_warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["family_id", "relation", "birth_date"]
        indexes = [
            models.Index(fields=["nik"], name="individual_nik", opclasses=["varchar_pattern_ops"]),
            # The public lookup's `name_key = x` in a village: 0.05 ms through a btree, 7 ms through the
            # trigram GIN on 1M rows (docs/BENCHMARKS.md, issue 15.3).
            models.Index(fields=["name_key"], name="individual_name_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.presence in c.ACTIVE_PRESENCE


class WelfareStatus(BaseModel):
    """A family or one member listed under a welfare category (fakir miskin, a PPKS type) or a PSKS."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="welfare_statuses")
    individual = models.ForeignKey(Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="welfare_statuses")
    category = models.CharField(max_length=30, choices=[*c.WelfareCategory.choices, *c.ResourceCategory.choices])
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family_id", "category"]

    def __str__(self) -> str:
        return self.category


class ProgramParticipation(BaseModel):
    class Channel(models.TextChoices):
        BANK = "bank", _("Bank (Himbara)")
        POST = "post", _("PT Pos")
        OTHER = "other", _("Other")

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="programs")
    individual = models.ForeignKey(Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="programs")
    program = models.CharField(max_length=30, choices=c.Program.choices)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)

    class Meta:
        ordering = ["family_id", "program"]

    def __str__(self) -> str:
        return self.program


from tepat.registry.models_transfer import ExportJob, ImportIssue, ImportJob  # noqa: E402, F401
