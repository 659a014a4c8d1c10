"""tepat purge-uploads [--days N] [--json]

Deletes uploaded import files, civil-registry extracts and external lists N days (default
TEPAT_UPLOAD_RETENTION_DAYS) after their job finished, failed jobs included, each deletion recorded in the
audit trail; marks import jobs whose worker died as failed first. Run it daily (cron or the worker).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from tepat.core.actors import SYSTEM
from tepat.quality.services.retention import uploads_purge


class Command(BaseCommand):
    help = "Delete uploads past their retention period (audited)"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="retention in days (default: the setting)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        counts = uploads_purge(actor=SYSTEM, days=options["days"])
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
