"""The background worker's sign of life, read by /healthz (no personal data)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process (`tepat worker`), touched every few seconds by a thread of that process."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"
