"""tepat find-duplicates [--region CODE] [--out PAIRS.csv] [--json] [--threshold P] [--no-store]

Runs the duplicate search (exact kinds and probable pairs) over a region, stores the pairs and
raises flags (unless --no-store; without --region the whole registry is searched and nothing is stored), writes every candidate pair to a CSV with both records' NIK and external id
(ID_DTKS), the probability and the evidence; --json prints counts and seconds.
"""

from __future__ import annotations

import json
import time

import polars as pl
from django.core.management.base import BaseCommand

from tepat.core.actors import SYSTEM
from tepat.core.uploads import formula_guard_frame
from tepat.quality.matching.probable import DEFAULT_THRESHOLD, ProbableOptions, evidence_text
from tepat.quality.models import MatchRun
from tepat.quality.selectors import registry_families, registry_people
from tepat.quality.services.runs import duplicates_run, find_duplicates, run_create


class Command(BaseCommand):
    help = "Find duplicate records (exact and probable) in the registry"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="region code (a kabupaten, kecamatan or desa)")
        parser.add_argument("--out", default="", help="write the candidate pairs to this CSV file")
        parser.add_argument("--json", action="store_true", help="print counts and seconds as JSON")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument("--no-store", action="store_true", help="do not store pairs nor raise flags")

    def handle(self, *args, **options):
        started = time.perf_counter()
        probable = ProbableOptions(threshold=options["threshold"])
        region = options["region"]
        frame, stats = find_duplicates(region, probable)
        if not options["no_store"] and region:
            run = run_create(actor=SYSTEM, kind=MatchRun.Kind.DUPLICATES, region_code=region, source="command line",
                             options={"threshold": options["threshold"]})
            run = duplicates_run(actor=SYSTEM, run=run, options=probable, computed=(frame, stats))
            stats["flags"] = run.counts.get("flags", 0)
        if options["out"]:
            self._write(frame, region, options["out"])
        stats["pairs"] = frame.height
        stats["seconds_total"] = round(time.perf_counter() - started, 3)
        if options["json"]:
            self.stdout.write(json.dumps(stats))
        else:
            self.stdout.write(f"{frame.height} candidate pairs in {stats['seconds_total']} s")

    def _write(self, frame: pl.DataFrame, region: str, path: str) -> None:
        people = registry_people(region).select("id", "nik", "external_id", "name")
        families = registry_families(region).select("id", "kk_number", "external_id")
        out = frame.with_columns(
            pl.col("evidence").map_elements(evidence_text, return_dtype=pl.String).alias("evidence_text")
        ).drop("evidence")
        for side in ("left", "right"):
            out = out.join(people.rename({"id": f"{side}_id", "nik": f"{side}_nik",
                                          "external_id": f"{side}_external_id", "name": f"{side}_name"}),
                           on=f"{side}_id", how="left")
            out = out.join(families.rename({"id": f"{side}_family_id", "kk_number": f"{side}_kk_number",
                                            "external_id": f"{side}_family_external_id"}),
                           on=f"{side}_family_id", how="left")
        out.select(
            "kind", "probability", "left_nik", "left_external_id", "left_name", "left_kk_number",
            "left_family_external_id", "left_village", "right_nik", "right_external_id", "right_name",
            "right_kk_number", "right_family_external_id", "right_village", "evidence_text",
            "left_id", "right_id", "left_family_id", "right_family_id",
        ).sort("probability", descending=True).pipe(formula_guard_frame).write_csv(path)
