"""Registry import jobs: one row per import run, and the problems found in its file.

A job is the checkpoint that makes an import resumable: each batch of families is written in one
transaction that also advances `batches_done`, `rows_done` and `counts`, so a run killed half-way
continues from the last committed batch. Only `tepat.registry.transfer` writes these tables.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.core.models import BaseModel


class ImportJob(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    file_name = models.CharField(_("file name"), max_length=255)
    # A path on disk (command line) or a name in the default storage (uploads), see `file_stored`.
    file_path = models.CharField(max_length=500)
    file_stored = models.BooleanField(default=False)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(default=0)
    preset = models.CharField(_("preset"), max_length=20)
    mapping = models.JSONField(default=dict, blank=True)
    region_code = models.CharField(_("region limit"), max_length=13, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    batch_rows = models.PositiveIntegerField(default=10000)
    # sha256 of everything that decides the outcome (file, preset, mapping, region, dry run, actor):
    # a rerun with the same key continues an unfinished job instead of starting another.
    resume_key = models.CharField(max_length=64, db_index=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    prepared = models.BooleanField(default=False)  # file validated, its row-level problems stored
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    report_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process running the job ("host:pid") and when it last showed life: a job whose worker died is
    # found by these and marked failed (resumable), never left running.
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When the uploaded file was deleted under the retention policy (the job and its report stay).
    file_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resume_key", "status"], name="importjob_resume")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def progress(self) -> float:
        """Share of rows processed, 0.0–1.0."""
        return min(1.0, self.rows_done / self.rows_total) if self.rows_total else 0.0


class ImportIssue(models.Model):
    """One problem with one cell of an import file: an error rejects its row, a warning is kept."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(help_text="Row number as the spreadsheet shows it (header = row 1)")
    column = models.CharField(max_length=120, blank=True)
    value = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    message_id = models.CharField(max_length=400)
    message_en = models.CharField(max_length=400)

    class Meta:
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "severity", "row"], name="importissue_job_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.code}"


class ExportJob(BaseModel):
    """One export of a region's registry run in the background (`registry_export_task`): its progress, and the
    file to download once done (kept in the default storage, shown to the person who asked only)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region"), max_length=13)
    fmt = models.CharField(_("format"), max_length=4)
    preset = models.CharField(_("preset"), max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    families_total = models.PositiveIntegerField(default=0)
    families_done = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    masked = models.BooleanField(default=True)
    file_name = models.CharField(max_length=500, blank=True)  # in the default storage, when done
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.region_code}.{self.fmt} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, 100 * self.families_done // self.families_total) if self.families_total else 0
