import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ApplicationError
from tepat.registry.transfer.importer import (
    DEFAULT_BATCH_ROWS,
    import_summary,
    registry_import_run,
    registry_import_start,
)
from tepat.registry.transfer.presets import PRESETS
from tepat.registry.transfer.report import export_report


class Command(BaseCommand):
    help = (
        "Impor registri dari CSV/XLSX (preset siks atau tepat); menjalankan lagi impor yang terhenti akan "
        "melanjutkannya. / Import the registry from CSV/XLSX; rerunning an interrupted import continues it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--preset", choices=sorted(PRESETS), default="siks")
        parser.add_argument("--mapping", help="TOML file: [columns] header = field, [values.<field>] spelling = code")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count only; change nothing")
        parser.add_argument("--report", help="Write the error/warning report here (.xlsx or .csv)")
        parser.add_argument("--json", action="store_true", help="Print exactly one JSON summary object")
        parser.add_argument("--actor", help="Run as this user (capability and region scope apply)")
        parser.add_argument("--region", default="", help="Only rows in this region code (e.g. 36.04)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_ROWS,
                            help=f"Rows per transaction, whole families (default {DEFAULT_BATCH_ROWS})")
        parser.add_argument("--restart", action="store_true", help="Start a new job instead of continuing one")

    def handle(self, *args, **options):
        actor = SYSTEM
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak dikenal / Unknown user: {options['actor']}")
        mapping = None
        if options["mapping"]:
            try:
                mapping = Path(options["mapping"]).read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise CommandError(f"Berkas pemetaan tidak dapat dibaca / Cannot read the mapping file: {exc}") from exc
        try:
            job = registry_import_start(
                actor=actor, source=Path(options["file"]), preset=options["preset"], mapping=mapping,
                dry_run=options["dry_run"], region_code=options["region"], batch_rows=max(1, options["batch_size"]),
                resume=not options["restart"],
            )
            resumed = job.batches_done > 0 or job.prepared
            job = registry_import_run(actor=actor, job_id=job.pk)
        except ApplicationError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"status": "failed", "error": exc.message, **exc.extra}, ensure_ascii=False))
                raise SystemExit(1) from exc
            raise CommandError(exc.message) from exc
        summary = import_summary(job)
        summary["resumed"] = resumed
        if options["report"]:
            summary["report"] = str(export_report(job, options["report"]))
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        s = summary
        self.stdout.write(
            f"{s['message']}\n"
            f"Baris / rows: {s['rows_read']} dibaca/read, {s['rows_accepted']} diterima/accepted, "
            f"{s['rows_rejected']} ditolak/rejected, {s['warnings']} peringatan/warnings, "
            f"{s['rows_blank']} kosong/blank\n"
            f"Keluarga / families: {s['families_created']} baru/created, {s['families_updated']} diubah/updated, "
            f"{s['families_unchanged']} tetap/unchanged\n"
            f"Individu / individuals: {s['individuals_created']} baru/created, {s['individuals_updated']} "
            f"diubah/updated, {s['individuals_unchanged']} tetap/unchanged; program: {s['programs_added']} baru/added\n"
            f"Laporan / report: {s['report']}  ({s['seconds']} s{', dilanjutkan/resumed' if resumed else ''})"
        )
