import time

from django.core.management.base import BaseCommand

from tepat.core.actors import SYSTEM
from tepat.regions.master import DECREE
from tepat.regions.services import regions_load


class Command(BaseCommand):
    help = "Muat master wilayah Kemendagri 2025 / Load the Kemendagri 2025 region master (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="Only these province codes (repeatable).")

    def handle(self, *args, **options):
        started = time.perf_counter()
        provinces = set(options["province"]) if options["province"] else None
        result = regions_load(actor=SYSTEM, provinces=provinces)
        seconds = time.perf_counter() - started
        c = result.counts
        self.stdout.write(
            f"{DECREE}: {c[1]} provinsi, {c[2]} kabupaten/kota, {c[3]} kecamatan, {c[4]} desa/kelurahan; "
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged} "
            f"({seconds:.1f} s)"
        )
