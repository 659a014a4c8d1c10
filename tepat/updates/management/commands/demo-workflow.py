"""tepat demo-workflow --region 36.04

The update workflow part of `make demo` (`tepat.updates.demo`): proposals of every kind in every stage in
the demo users' village and kecamatan, a signed and a planned village deliberation, open field assignments
for the PSM, the current month's period determined and the next one opened; all through the services, so
every step is audited. Needs the demo district and the demo users; safe to rerun (creates nothing twice).
Run it before `demo-programmes`, which uses the determined period.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.demo import DEMO_DISTRICT, DEMO_VILLAGE
from tepat.core.exceptions import ApplicationError
from tepat.updates.demo import demo_workflow_ensure
from tepat.updates.models import Proposal

STAGES = (
    ("draft", "operator.desa"), ("submitted", "operator.desa, tksk (menunggu penugasan / to assign)"),
    ("in_verification", "psm (/lapangan/: tugas verifikasi / field assignments)"),
    ("verified", "operator.desa, kades (musdes)"), ("accepted", "dinsos.operator (pemeriksaan kabupaten / district check)"),
    ("awaiting_supervisor", "dinsos.supervisor"), ("approved", "dinsos.supervisor (penetapan / determination)"),
    ("applied", "semua / everyone (registri / registry)"), ("rejected", "operator.desa (alasan / reason)"),
    ("withdrawn", "operator.desa"),
)


class Command(BaseCommand):
    help = "Demo: the update workflow at every stage (proposals, visits, musdes, approval, determination)"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            report = demo_workflow_ensure(region_code=options["region"].strip())
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        phases = ", ".join(f"{name}: {state}" for name, state in report.phases.items())
        self.stdout.write(f"== Alur pemutakhiran / update workflow ({phases}); {report.created} usulan baru / new "
                          f"proposals, {report.flags_used} dari tanda Dukcapil / from civil-registry flags")
        labels = dict(Proposal.Status.choices)
        self.stdout.write(f"Usulan di Kec. {DEMO_DISTRICT} per status / proposals per status (who sees them):")
        for status, who in STAGES:
            self.stdout.write(f"  {status:<20} {report.statuses.get(status, 0):>4}  {labels[status]} · {who}")
        for status, count in sorted(report.statuses.items()):
            if status not in dict(STAGES):
                self.stdout.write(f"  {status:<20} {count:>4}  {labels.get(status, status)}")
        self.stdout.write(f"  psm: {report.open_assignments} tugas terbuka di /lapangan/ / open field assignments")
        self.stdout.write(f"  operator.desa, kades: musdes {DEMO_VILLAGE} di / at /pemutakhiran/musyawarah/ "
                          f"(satu ditandatangani, satu direncanakan / one signed, one planned)")
        self.stdout.write(f"  dinsos.operator, dinsos.supervisor: antrean / queues /pemutakhiran/; penetapan / "
                          f"determined {report.period or '-'}, berikutnya / next {report.next_period or '-'}")
        self.stdout.write(self.style.SUCCESS(f"selesai / done in {time.perf_counter() - started:.1f} s"))
