import time

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.registry.transfer.exporter import FORMATS, registry_export
from tepat.registry.transfer.presets import PRESETS


class Command(BaseCommand):
    help = (
        "Ekspor registri satu wilayah ke CSV/XLSX (NIK/KK disamarkan bila peran tidak berhak). "
        "/ Export a region's registry to CSV/XLSX (NIK/KK masked unless the role may see them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="Output file")
        parser.add_argument("--region", required=True, help="Region code, e.g. 36.04")
        parser.add_argument("--format", choices=FORMATS, default=None, help="Default: from the file name (csv)")
        parser.add_argument("--preset", choices=sorted(PRESETS), default="siks")
        parser.add_argument("--actor", help="Export as this user (scope and masking apply); default: system")

    def handle(self, *args, **options):
        actor = SYSTEM
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak dikenal / Unknown user: {options['actor']}")
        fmt = options["format"] or ("xlsx" if options["out"].lower().endswith(".xlsx") else "csv")
        started = time.perf_counter()
        try:
            result = registry_export(actor=actor, region_code=options["region"], out=options["out"], fmt=fmt,
                                     preset=options["preset"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        masked = "NIK/KK disamarkan / masked" if result.masked else "NIK/KK lengkap / full"
        self.stdout.write(
            f"{result.rows} baris/rows, {result.families} keluarga/families → {options['out']} "
            f"({fmt}, {options['preset']}, {masked}, {time.perf_counter() - started:.1f} s)"
        )
