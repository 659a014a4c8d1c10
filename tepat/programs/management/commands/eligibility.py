"""tepat eligibility --programme CODE --period P [--region CODE] [--tahap N] [--out FILE.csv] [--json] [--user NAME]

Determines the tahap list of a programme's released year from a determined period (the frozen version, never
live data), with the official desil release of the region and one trace row per family and clause; writes the
list to a CSV (KK masked unless --user names someone who may see it; the system actor sees it masked) and
prints counts (--json: counts, seconds and the run's timings).
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.programs.models import ProgrammeRelease
from tepat.programs.services.export import list_export
from tepat.programs.services.lists import list_determine
from tepat.regions.selectors import is_within
from tepat.updates.models import DeterminationPeriod


def find_period(label: str, region: str) -> DeterminationPeriod:
    periods = [p for p in DeterminationPeriod.objects.filter(label=label, status=DeterminationPeriod.Status.DETERMINED)
               if not region or is_within(region, p.region_id)]
    if len(periods) != 1:
        raise CommandError(f"Periode {label} yang sudah ditetapkan tidak ditemukan (atau lebih dari satu: pakai "
                           f"--region) / Determined period {label} not found (or several: give --region)")
    return periods[0]


def find_release(code: str, period: DeterminationPeriod) -> ProgrammeRelease:
    releases = ProgrammeRelease.objects.filter(programme__code=code.upper(), region_id=period.region_id,
                                               status=ProgrammeRelease.Status.RELEASED).order_by("-year", "-version")
    release = releases.filter(year=period.starts_on.year).first() or releases.first()
    if release is None:
        raise CommandError(f"Program {code} belum dirilis untuk {period.region_id} / Programme {code} has no "
                           f"released year for {period.region_id}")
    return release


class Command(BaseCommand):
    help = "Determine a programme's tahap list from a determined period, with traces"

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True)
        parser.add_argument("--period", required=True, help="label of a determined period, e.g. 2026-11")
        parser.add_argument("--region", default="", help="a region within the period's regency (default: all)")
        parser.add_argument("--tahap", type=int, default=1)
        parser.add_argument("--out", default="")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--user", default="", help="act as this user (scope and masking); default: system")

    def handle(self, *args, **options):
        started = time.perf_counter()
        actor = SYSTEM
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna {options['user']} tidak ada / No user {options['user']}")
        period = find_period(options["period"], options["region"])
        release = find_release(options["programme"], period)
        try:
            blist = list_determine(actor=actor, release=release, period=period, tahap=options["tahap"],
                                   region_code=options["region"] or period.region_id)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if blist.status != blist.Status.DETERMINED:
            raise CommandError(f"Penentuan daftar gagal / The list failed: {blist.error}")
        rows = list_export(actor=actor, blist=blist, path=options["out"]) if options["out"] else None
        counts = {k: v for k, v in blist.counts.items() if k != "timings"}
        out = {"list": str(blist.pk), "programme": release.programme.code, "year": release.year,
               "version": release.version, "tahap": blist.tahap, "period": period.label,
               "desil_period": blist.inputs.get("desil_period", ""), **counts,
               "seconds": round(time.perf_counter() - started, 3), "timings": blist.counts.get("timings", {})}
        if rows is not None:
            out["written"] = rows
        if options["json"]:
            self.stdout.write(json.dumps(out))
        else:
            self.stdout.write(f"{release.programme.code} {release.year} v{release.version} tahap {blist.tahap}: "
                              f"{counts['recipients']} recipients, {counts['reserve']} reserve, "
                              f"{counts['not_eligible']} not eligible; Rp{counts['tahap_amount']:,} this tahap "
                              f"({out['seconds']} s)")
