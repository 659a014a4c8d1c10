import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.targeting.services import desil_import


class Command(BaseCommand):
    help = (
        "Impor desil resmi (NIK atau No. KK + desil, CSV/XLSX) sebagai rilis yang tidak diubah lagi. / "
        "Import the official desil (NIK or KK + desil, CSV/XLSX) as a release that is never edited."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file with NO_KK and/or NIK, and DESIL")
        parser.add_argument("--region", default="", help="Region the release covers (default: where the matched families are)")
        parser.add_argument("--period", required=True, help="Desil period as the centre names it, e.g. 2026-T4")
        parser.add_argument("--source", default="DTSEN", help="Where the file came from (default DTSEN)")
        parser.add_argument("--decree-number", default="", help="Decree (SK) publishing the desil")
        parser.add_argument("--decree-date", default="", help="Decree date, YYYY-MM-DD")
        parser.add_argument("--mapping", help='JSON (text or file): {"columns": {"Header": "kk_number|nik|desil"}}')
        parser.add_argument("--dry-run", action="store_true", help="Check and match only; write nothing")
        parser.add_argument("--json", action="store_true", help="Print exactly one JSON summary object")
        parser.add_argument("--actor", help="Run as this user (capability and region scope apply)")
        parser.add_argument("--report", help="Write the row-level report here (CSV)")

    def handle(self, *args, **options):
        actor = SYSTEM
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak dikenal / Unknown user: {options['actor']}")
        decree_date = None
        if options["decree_date"]:
            try:
                decree_date = date.fromisoformat(options["decree_date"])
            except ValueError as exc:
                raise CommandError("Tanggal keputusan tidak sah (YYYY-MM-DD) / Invalid decree date (YYYY-MM-DD)") from exc
        try:
            result = desil_import(
                actor=actor, source=Path(options["file"]), period=options["period"], source_label=options["source"],
                region_code=options["region"], decree_number=options["decree_number"], decree_date=decree_date,
                mapping=options["mapping"], dry_run=options["dry_run"],
            )
        except ApplicationError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"status": "failed", "error": exc.message, **exc.extra}, ensure_ascii=False))
                raise SystemExit(1) from exc
            raise CommandError(exc.message) from exc
        summary = result.summary()
        if options["report"]:
            from tepat.registry.transfer.report import render_csv

            issues = result.issues.rename({"field": "column"}) if "field" in result.issues.columns else None
            if issues is None and result.release is not None:
                from tepat.targeting.selectors import release_report_csv

                Path(options["report"]).write_bytes(release_report_csv(result.release))
            elif issues is not None:
                Path(options["report"]).write_bytes(render_csv(issues.select(
                    "row", "column", "value", "severity", "code", "message_id", "message_en")))
            summary["report"] = options["report"]
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
            return
        s = summary
        self.stdout.write(
            f"Rilis desil / desil release: {s['release_id'] or '-'} ({s['status']}, {s['region'] or '-'} {s['period'] or ''})"
            f"{'' if s['changed'] else ' — tidak berubah / unchanged'}\n"
            f"Baris / rows: {s.get('rows_read', 0)} dibaca/read, {s.get('rows_accepted', 0)} diterima/accepted, "
            f"{s.get('rows_rejected', 0)} ditolak/rejected, {s.get('warnings', 0)} peringatan/warnings\n"
            f"Keluarga / families: {s.get('families', 0)} (KK {s.get('matched_by_kk', 0)}, NIK {s.get('matched_by_nik', 0)})"
            f"  ({s['seconds']} s)"
        )
