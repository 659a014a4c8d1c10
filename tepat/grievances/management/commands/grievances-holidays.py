"""`tepat grievances-holidays --year 2028`: add a year's national holidays to the office's calendar from the
`holidays` package (if installed); existing dates are kept as the office edited them."""

from django.core.management.base import BaseCommand, CommandError

from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ValidationFailed
from tepat.grievances.services.sla import holidays_seed


class Command(BaseCommand):
    help = "Add a year's national holidays to the SLA calendar. / Tambahkan hari libur nasional satu tahun."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, **options):
        try:
            added = holidays_seed(actor=SYSTEM, year=options["year"])
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{added} holidays added for {options['year']}. / {added} hari libur ditambahkan.")
