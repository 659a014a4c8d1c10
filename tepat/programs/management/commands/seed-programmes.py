"""tepat seed-programmes --region CODE [--year Y] [--release]

The national programmes (PKH, Sembako, PBI-JK, BLT Kesra) with their current amounts (FACTS.md §4, sources in
tepat/programs/seed.py) as draft years for a regency; --release releases them (needs a determined period of
the region to test the rules on). Idempotent.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.programs.seed import programmes_seed
from tepat.programs.services.releases import release_release


class Command(BaseCommand):
    help = "Seed the national programmes' current amounts as draft years for a regency"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True)
        parser.add_argument("--year", type=int, default=0)
        parser.add_argument("--release", action="store_true")

    def handle(self, *args, **options):
        year = options["year"] or timezone.localdate().year
        made = programmes_seed(actor=SYSTEM, region_code=options["region"], year=year)
        for release in made:
            self.stdout.write(f"{release.programme.code} {year} v{release.version}: draft")
            if options["release"]:
                try:
                    release_release(actor=SYSTEM, release=release)
                except ApplicationError as exc:
                    raise CommandError(exc.message) from exc
                self.stdout.write(f"{release.programme.code} {year} v{release.version}: released")
        if not made:
            self.stdout.write(f"Nothing to seed: every national programme has a {year} year for {options['region']}")
