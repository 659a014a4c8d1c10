"""tepat match-civil-registry --region CODE (--file EXTRACT.csv|xlsx | --http) [--json]

Matches every active individual of the region with the civil registry (a Dukcapil extract file, or the web
service configured by TEPAT_DUKCAPIL_URL/_USER/_PASSWORD/_TOKEN), stores the results and raises flags.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from tepat.core.actors import SYSTEM
from tepat.quality.adapters import FileAdapter, HttpAdapter
from tepat.quality.models import MatchRun
from tepat.quality.services.runs import civil_match_run, run_create


class Command(BaseCommand):
    help = "Match the registry of a region with the civil registry (Dukcapil)"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True)
        parser.add_argument("--file", default="")
        parser.add_argument("--http", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if bool(options["file"]) == bool(options["http"]):
            raise CommandError("give either --file or --http")
        adapter = FileAdapter(options["file"]) if options["file"] else HttpAdapter.from_settings()
        run = run_create(actor=SYSTEM, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=options["region"],
                         source=adapter.source, options={"path": options["file"]} if options["file"] else {})
        run = civil_match_run(actor=SYSTEM, run=run, adapter=adapter)
        out = {"run": str(run.pk), "seconds": run.seconds, **run.counts}
        self.stdout.write(json.dumps(out) if options["json"] else " ".join(f"{k}={v}" for k, v in out.items()))
