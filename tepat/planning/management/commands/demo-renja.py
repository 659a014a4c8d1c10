"""tepat demo-renja --region 36.04

The Renja part of `make demo`: source 001 (the Renja 2025 of Dinas Sosial Kabupaten Serang, transcribed in
tepat/planning/data/) imported by the demo Dinsos operator, and the first quarter's realisation of a few
sub-kegiatan entered through the same service as the page, so that achievement and the checker's findings
show at once on /renja/. Safe to rerun (an imported document is not imported again)."""

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.planning.checker import check_document, check_plan
from tepat.planning.importer import import_workbook
from tepat.planning.models import SourceDocument
from tepat.planning.seed import SOURCE_001_WORKBOOK
from tepat.planning.services import realisation_save

# (code, physical, financial) of quarter 1 — illustrative figures, not from the source
QUARTER_1 = (("1.06.04.2.01.01", 6, 28_000_000), ("1.06.04.2.01.10", 1, 0), ("1.06.06.2.01.01", 2_100, 150_000_000),
             ("1.06.01.2.01.01", 0, 12_000_000))


class Command(BaseCommand):
    help = "Muat Renja 2025 sumber 001 untuk demo. / Load source 001's Renja 2025 for the demo."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")
        parser.add_argument("--actor", default="dinsos.operator")

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"Pengguna demo tidak ada (jalankan demo-users) / No demo user {options['actor']}")
        document = SourceDocument.objects.filter(region_id=options["region"], year=2025).first()
        if document is None:
            report = import_workbook(actor=actor, source=SOURCE_001_WORKBOOK, file_name=SOURCE_001_WORKBOOK.name)
            document, plan = report.document, report.plan
            for code, physical, financial in QUARTER_1:
                realisation_save(actor=actor, plan=plan, quarter=1, code=code, physical=physical, financial=financial)
            self.stdout.write(f"Renja 2025: {report.lines} baris / lines, {len(report.issues)} catatan impor / import notes")
        plan = document.plan
        findings = check_document(document) + check_plan(plan)
        self.stdout.write(f"Renja {plan.year} (/renja/{plan.pk}/): {len(findings)} temuan pemeriksa / checker findings")
