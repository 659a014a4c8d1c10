"""`tepat grievances-sla`: recompute the working-day SLA of open complaints and escalate (run it hourly or
daily from cron, or `--enqueue` the self-rescheduling worker job)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tepat.core.actors import SYSTEM
from tepat.grievances.services.sla import sla_recompute


class Command(BaseCommand):
    help = ("Recompute the SLA state (on time / at risk / breached) of open complaints and escalate. "
            "/ Hitung ulang status SLA pengaduan terbuka dan eskalasikan.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the date to compute for (YYYY-MM-DD; default: today)")
        parser.add_argument("--enqueue", action="store_true", help="put the job on the worker queue instead")

    def handle(self, *args, **options):
        if options["enqueue"]:
            from tepat.grievances.tasks import sla_recompute_task

            result = sla_recompute_task.enqueue()
            self.stdout.write(f"SLA job queued / Tugas SLA diantrikan: {result.id}")
            return
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError("--today: YYYY-MM-DD") from exc
        result = sla_recompute(actor=SYSTEM, today=today)
        states = ", ".join(f"{k} {v}" for k, v in sorted(result.by_state.items())) or "-"
        self.stdout.write(f"Checked {result.checked} open cases ({states}); {result.changed} changed, "
                          f"{result.escalated} escalated. / Diperiksa {result.checked} kasus; "
                          f"{result.changed} berubah, {result.escalated} dieskalasi.")
