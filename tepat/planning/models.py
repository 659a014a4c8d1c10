"""The yearly work plan (Renja) as data.

- Nomenclature versions (Permendagri 90/2019 and its Kepmendagri updates): urusan → bidang → program →
  kegiatan → sub-kegiatan, each with its official code, indicator and unit; a crosswalk maps an item of one
  version to an item of another (codes drift between versions).
- A plan per region and year, chosen against one nomenclature version, moving rancangan awal → rancangan
  akhir → DPA murni → perubahan through the one transitions mechanism; each stage keeps its own frozen copy of
  the lines (PlanVersion), so any two stages can be compared line by line.
- Quarterly realisation entered by hand in a snapshot per quarter (draft → final).
- Renstra five-year targets, and the evaluation of a past year's Renja (the form of Permendagri 86/2017,
  table 2.1.a of a Renja, and the budget realisation table 2.1.b) with the figures the document stated, so the
  checker can compare what the office computed with what the system computes.

Money is integer rupiah. Volumes are decimals (a target may be 7,23 %).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorType(models.TextChoices):
    FLOW = "flow", _("Flow (quarters add up)")
    STOCK = "stock", _("Stock (the latest quarter counts)")
    PERCENTAGE = "percentage", _("Percentage (the latest quarter counts)")
    INVERSE = "inverse", _("Inverse (lower is better)")


class NomenclatureVersion(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class NomenclatureItem(models.Model):
    class Level(models.IntegerChoices):
        URUSAN = 1, _("Urusan")
        BIDANG = 2, _("Bidang urusan")
        PROGRAM = 3, _("Programme")
        KEGIATAN = 4, _("Activity (kegiatan)")
        SUB_KEGIATAN = 5, _("Sub-activity (sub-kegiatan)")

    version = models.ForeignKey(NomenclatureVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(max_length=24, help_text="Dotted official code, e.g. 1.06.04.2.01.01")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    name = models.CharField(max_length=400)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    indicator = models.CharField(max_length=500, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    indicator_type = models.CharField(max_length=12, choices=IndicatorType.choices, default=IndicatorType.FLOW)

    class Meta:
        ordering = ["version", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="planning_item_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class NomenclatureCrosswalk(models.Model):
    """`source` (an item of the older version) is `target` in the newer version."""

    source = models.ForeignKey(NomenclatureItem, on_delete=models.PROTECT, related_name="crosswalk_out")
    target = models.ForeignKey(NomenclatureItem, on_delete=models.PROTECT, related_name="crosswalk_in")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="planning_crosswalk_once")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class PredicateBand(models.Model):
    """The evaluation predicates of Permendagri 86/2017 (configurable): achievement ≥ `minimum` → label."""

    minimum = models.DecimalField(max_digits=6, decimal_places=2, unique=True)
    label_id = models.CharField(max_length=40)
    label_en = models.CharField(max_length=40)

    class Meta:
        ordering = ["-minimum"]

    def __str__(self) -> str:
        return f"≥ {self.minimum}: {self.label_id}"


class Plan(models.Model):
    class Stage(models.TextChoices):
        DRAFT_INITIAL = "rancangan_awal", _("Initial draft (rancangan awal)")
        DRAFT_FINAL = "rancangan_akhir", _("Final draft (rancangan akhir)")
        DPA = "dpa_murni", _("Budget implementation document (DPA murni)")
        AMENDED = "perubahan", _("Amendment (perubahan)")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    organisation = models.CharField(max_length=200)
    nomenclature = models.ForeignKey(NomenclatureVersion, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT_INITIAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "organisation"], name="planning_plan_once")]

    def __str__(self) -> str:
        return f"Renja {self.organisation} {self.year}"

    @property
    def current_version(self) -> PlanVersion:
        return self.versions.order_by("-number").first()


class PlanVersion(models.Model):
    """The lines of a plan at one stage. Only the latest version of a plan is editable."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=20, choices=Plan.Stage.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="planning_version_once")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number} ({self.stage})"


class PlanLine(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(NomenclatureItem, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=500)
    indicator_type = models.CharField(max_length=12, choices=IndicatorType.choices, default=IndicatorType.FLOW)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    location = models.CharField(max_length=120, blank=True)
    pagu = models.BigIntegerField(null=True, blank=True, help_text="Budget ceiling, integer rupiah")
    fund_source = models.CharField(max_length=80, blank=True)
    outlook_target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    outlook_pagu = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # Why the target or the budget differs from the previous version (required for such a change).
    change_reason = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "item__code"]
        constraints = [models.UniqueConstraint(fields=["version", "item"], name="planning_line_item_once")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.indicator}"


class RenstraTarget(models.Model):
    """A five-year (Renstra) target of an item, with the realisation the office reported before `base_year`."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    item = models.ForeignKey(NomenclatureItem, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=500)
    indicator_type = models.CharField(max_length=12, choices=IndicatorType.choices, default=IndicatorType.FLOW)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "period_start", "item"],
                                               name="planning_renstra_once")]

    def __str__(self) -> str:
        return f"Renstra {self.period_start}–{self.period_end} {self.item}"


class QuarterSnapshot(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="snapshots")
    quarter = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "quarter"]
        constraints = [models.UniqueConstraint(fields=["plan", "quarter"], name="planning_snapshot_once")]

    def __str__(self) -> str:
        return f"{self.plan} TW{self.quarter} ({self.status})"


class Realisation(models.Model):
    """What was achieved in one quarter for one item of the plan (physical volume; money spent)."""

    snapshot = models.ForeignKey(QuarterSnapshot, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(NomenclatureItem, on_delete=models.PROTECT, related_name="+")
    physical = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    financial = models.BigIntegerField(null=True, blank=True, help_text="Money spent, integer rupiah")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "item"], name="planning_realisation_once")]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.item.code}"


class SourceDocument(models.Model):
    """An imported Renja workbook: the tables as the office wrote them, kept for the checker and the export."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    nomenclature = models.ForeignKey(NomenclatureVersion, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="sources")
    stated = models.JSONField(default=dict, blank=True, help_text="Totals the narrative states")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.title


class SourceRow(models.Model):
    """One row of one table of a source document, as written (code text as typed, figures as stated)."""

    class Table(models.TextChoices):
        EVALUATION = "evaluasi", _("2.1.a Evaluation of the previous Renja")
        BUDGET = "anggaran", _("2.1.b Budget target and realisation")
        PLAN = "rencana", _("4.1 Programme and sub-activity plan")

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="rows")
    table = models.CharField(max_length=10, choices=Table.choices)
    row_number = models.PositiveIntegerField(help_text="Row in the sheet (1 = header)")
    code_text = models.CharField(max_length=40, blank=True)
    item = models.ForeignKey(NomenclatureItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=NomenclatureItem.Level.choices, null=True)
    name = models.CharField(max_length=500)
    indicator = models.CharField(max_length=600, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    figures = models.JSONField(default=dict)
    stated = models.JSONField(default=dict, help_text="Percentages the document computed, as written")

    class Meta:
        ordering = ["document", "table", "row_number"]

    def __str__(self) -> str:
        return f"{self.table} {self.row_number} {self.code_text}"
