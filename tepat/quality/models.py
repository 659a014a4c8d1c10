"""Data quality: civil-registry match results, duplicate candidate pairs, external lists matched against the
registry, review flags, and the merge journal.

Only `tepat.quality.services` writes these tables. Region codes are kept as text (the village of the record
concerned) so that scope is the usual code-prefix filter.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class MatchRun(BaseModel):
    """One background run (civil-registry matching, duplicate search, list matching) with its progress."""

    class Kind(models.TextChoices):
        CIVIL_REGISTRY = "civil_registry", _("Civil-registry matching")
        DUPLICATES = "duplicates", _("Duplicate search")
        EXTERNAL_LIST = "external_list", _("List matching")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    region_code = models.CharField(_("region"), max_length=13)
    source = models.CharField(_("source"), max_length=200, blank=True)  # "file:extract.csv", "http:…", list name
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.region_code} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)

    def count_rows(self) -> list[tuple[str, Any]]:
        """The run's counts as (label, value) for the pages: words, not the stored keys ("flags", "nik_unknown")."""
        labels = {**run_count_labels(), **dict(CivilRegistryMatch.Result.choices), **dict(CandidatePair.Kind.choices)}
        return [(str(labels.get(key, key)), value) for key, value in (self.counts or {}).items()]


def run_count_labels() -> dict[str, Any]:
    return {
        "flags": _("Flags raised"), "rows": _("Rows read"), "matches": _("Matches"),
        "individuals": _("People checked"), "families": _("Families checked"), "pairs": _("Candidate pairs"),
        "seconds": _("Seconds"), "seconds_exact": _("Seconds (exact rules)"), "seconds_total": _("Seconds in all"),
    }


class CivilRegistryMatch(BaseModel):
    """The result of matching one individual with the civil registry (Dukcapil), with date and source."""

    class Result(models.TextChoices):
        MATCHED = "matched", _("Matched (padan)")
        NIK_UNKNOWN = "nik_unknown", _("Not matched: NIK unknown")
        NAME_DIFFERS = "name_differs", _("Not matched: name differs")
        BIRTH_DATE_DIFFERS = "birth_date_differs", _("Not matched: birth date differs")
        DIED = "died", _("Died")
        MOVED = "moved", _("Moved")

    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="civil_matches")
    individual = models.ForeignKey("registry.Individual", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)
    source = models.CharField(max_length=200)
    matched_on = models.DateField()
    result = models.CharField(max_length=20, choices=Result.choices)
    name_similarity = models.FloatField(null=True, blank=True)
    registry_values = models.JSONField(default=dict, blank=True)  # what the civil registry holds
    event_date = models.DateField(null=True, blank=True)  # death or move date
    destination = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-matched_on", "-created_at"]
        indexes = [models.Index(fields=["individual", "-matched_on"], name="civil_match_latest")]

    def __str__(self) -> str:
        return f"{self.individual_id}: {self.result}"


class ExternalList(BaseModel):
    """A list received from elsewhere (civil servants, death records, PLN customers, …) with its column mapping."""

    class Kind(models.TextChoices):
        CIVIL_SERVANTS = "civil_servants", _("Civil servants (ASN/TNI/Polri)")
        DEATHS = "deaths", _("Death records")
        ELECTRICITY = "electricity", _("Electricity customers above the power threshold")
        OTHER_PROGRAM = "other_program", _("Another program's recipients")
        NEIGHBOUR = "neighbour", _("A neighbouring district's list")
        OTHER = "other", _("Other list")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region_code = models.CharField(_("region"), max_length=13)
    file_name = models.CharField(max_length=255)
    mapping = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    run = models.OneToOneField(MatchRun, null=True, blank=True, on_delete=models.PROTECT, related_name="external_list")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ListMatch(BaseModel):
    """One row of an external list found in the registry, with the evidence."""

    external_list = models.ForeignKey(ExternalList, on_delete=models.PROTECT, related_name="matches")
    row_number = models.PositiveIntegerField()
    row = models.JSONField(default=dict)
    individual = models.ForeignKey("registry.Individual", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)
    score = models.FloatField()
    evidence = models.JSONField(default=list)

    class Meta:
        ordering = ["external_list_id", "row_number"]

    def __str__(self) -> str:
        return f"{self.external_list_id}#{self.row_number}"


class CandidatePair(BaseModel):
    """Two registry records that may be one person (or one family), with probability and readable evidence."""

    class Kind(models.TextChoices):
        NIK_TWO_FAMILIES = "nik_two_families", _("One NIK in two families")
        KK_TWO_FAMILIES = "kk_two_families", _("One KK number on two families")
        NIK_IN_HOUSEHOLD = "nik_in_household", _("One NIK used twice in a household")
        PROBABLE = "probable", _("Probably the same person")

    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="pairs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    left_family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+")
    right_family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+")
    left = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    region_code = models.CharField(max_length=13, db_index=True)  # the left record's village
    other_region_code = models.CharField(max_length=13, blank=True)
    probability = models.FloatField()
    evidence = models.JSONField(default=list)  # [{"field", "level", "similarity", "text_id", "text_en"}]

    class Meta:
        ordering = ["-probability", "created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.left_id or self.left_family_id} ~ {self.right_id or self.right_family_id}"


class Flag(BaseModel):
    """A stale-record or mis-targeting signal waiting for review in the record's village queue.

    `fingerprint` identifies the evidence (kind, records, the facts that raised it): a flag is raised once
    per fingerprint, so evidence that was dismissed is not raised again; new evidence raises a new flag.
    """

    class Kind(models.TextChoices):
        DIED = "died", _("Died")
        MOVED = "moved", _("Moved")
        DUPLICATE = "duplicate", _("Duplicate person")
        DUPLICATE_FAMILY = "duplicate_family", _("Duplicate family (KK)")
        NIK_IN_HOUSEHOLD = "nik_in_household", _("NIK used twice in a household")
        NIK_NOT_MATCHED = "nik_not_matched", _("NIK not matched")
        ON_LIST = "on_list", _("On a civil-servant or well-off list")
        NOT_FOUND = "not_found", _("Not found in the field")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    region_code = models.CharField(max_length=13, db_index=True)
    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="+")
    individual = models.ForeignKey("registry.Individual", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    pair = models.ForeignKey(CandidatePair, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    civil_match = models.ForeignKey(CivilRegistryMatch, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="flags")
    list_match = models.ForeignKey(ListMatch, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    fingerprint = models.CharField(max_length=64, unique=True)
    summary = models.CharField(max_length=300)
    evidence = models.JSONField(default=list)
    probability = models.FloatField(null=True, blank=True)
    event_date = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)
    proposal_reference = models.CharField(max_length=24, blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["region_code", "status"], name="flag_region_status")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class MergeJournal(BaseModel):
    """A merge of two records of one person: which is kept, which leaves, and every value that differed."""

    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="merges")
    kept = models.ForeignKey("registry.Individual", on_delete=models.PROTECT, related_name="+")
    dropped = models.ForeignKey("registry.Individual", on_delete=models.PROTECT, related_name="+")
    conflicts = models.JSONField(default=list)  # [{"field": ..., "kept": ..., "dropped": ...}]
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dropped_id} → {self.kept_id}"
