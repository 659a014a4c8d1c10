from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.planning.exporter import FORMATS, TABLES, export


class Command(BaseCommand):
    help = ("Ekspor tabel Renja dalam tata letak resmi. / Export the Renja tables in the official layouts. "
            f"Tables: {', '.join(TABLES)}.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="Output file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--table", action="append", choices=TABLES, help="One table (repeatable); default all")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("--region", default="", help="Region code of the plan (default: the first in scope)")
        parser.add_argument("--actor", help="Run as this user (capability and region scope apply)")

    def handle(self, *args, **options):
        actor = SYSTEM
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak dikenal / Unknown user: {options['actor']}")
        names = tuple(options["table"] or TABLES)
        try:
            content = export(actor=actor, year=options["year"], region_code=options["region"], names=names,
                             fmt=options["format"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        Path(options["out"]).write_bytes(content)
        self.stdout.write(f"{options['out']}: {len(content)} bytes ({', '.join(names)})")
