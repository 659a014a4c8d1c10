import json

from django.core.management.base import BaseCommand

from tepat.targeting.demo import demo_desil


class Command(BaseCommand):
    help = ("Tulis dan impor berkas desil demo untuk kabupaten demo (beberapa baris salah untuk laporan). / "
            "Write and import a demo desil file for the demo district (a few bad rows for the report).")

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")
        parser.add_argument("--out", default="var/demo-desil.csv")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        result = demo_desil(region_code=options["region"], out=options["out"], seed=options["seed"])
        s = result.summary()
        if options["json"]:
            self.stdout.write(json.dumps(s, ensure_ascii=False, default=str))
            return
        self.stdout.write(
            f"Desil demo {s['period']} untuk/for {s['region']}: {s.get('families', 0):,} keluarga/families, "
            f"{s.get('rows_rejected', 0)} baris ditolak/rows rejected "
            f"({'baru/new' if s['changed'] else 'sudah ada/already there'}); berkas/file {options['out']}")
