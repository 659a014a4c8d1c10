import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.planning.checker import check_document, registry_size
from tepat.planning.importer import import_workbook


class Command(BaseCommand):
    help = ("Impor buku kerja Renja (templat docs/renja-import-template.md) dan jalankan pemeriksa konsistensi. / "
            "Import a Renja workbook (template docs/renja-import-template.md) and run the consistency checker.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="XLSX workbook in the Renja template")
        parser.add_argument("--actor", help="Run as this user (capability and region scope apply)")
        parser.add_argument("--json", action="store_true", help="Print one JSON object (report and findings)")

    def handle(self, *args, **options):
        actor = SYSTEM
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak dikenal / Unknown user: {options['actor']}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas tidak ada / No such file: {path}")
        try:
            report = import_workbook(actor=actor, source=path, file_name=path.name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        findings = check_document(report.document, registry_size=registry_size(report.document.region_id))
        if options["json"]:
            self.stdout.write(json.dumps({"document": report.document.pk, "plan": report.plan.pk, "rows": report.rows,
                                          "lines": report.lines, "issues": report.issues,
                                          "findings": [f.as_dict() for f in findings]}, ensure_ascii=False, default=str))
            return
        self.stdout.write(f"Dokumen {report.document.pk} / document: rows {report.rows}; Renja {report.plan.year}: "
                          f"{report.lines} baris rencana / plan lines")
        for issue in report.issues:
            self.stdout.write(f"  [{issue['severity']}] {issue['sheet']} baris/row {issue['row']} {issue['field']}: "
                              f"{issue['message_id']} / {issue['message_en']}")
        self.stdout.write(f"Pemeriksa konsistensi / consistency checker: {len(findings)} temuan / findings")
        for f in findings:
            self.stdout.write(f"  [{f.rule}] {f.table} baris/row {f.row} {f.code}: {f.id}")
