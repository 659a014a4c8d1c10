"""tepat demo-public --region 36.04

The public part of `make demo`: the demo supervisor approves the determined PKH and Sembako lists (the
public lookup and transparency pages read approved lists only), and two citizens send a sanggah and an
usul from the public site, so that the village queue (/laporan-warga/) has work and /lacak/ has codes to
follow. Needs `tepat demo-programmes`; safe to rerun (approves only what is still determined; the reports
are sent once).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory

from tepat.accounts.models import User
from tepat.core.exceptions import ApplicationError
from tepat.programs.models import BeneficiaryList, ListEntry
from tepat.programs.services.lists import list_approve
from tepat.public.challenge import challenge_new, challenge_solve
from tepat.public.models import CitizenReport
from tepat.public.services import citizen_report_create
from tepat.registry.models import Individual

SUPERVISOR = "dinsos.supervisor"


class Command(BaseCommand):
    help = "Demo: approved lists for the public pages and two citizens' reports"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")

    def handle(self, *args, **options):
        region = options["region"]
        supervisor = User.objects.filter(username=SUPERVISOR, is_active=True).first()
        if supervisor is None:
            raise CommandError(f"Pengguna demo {SUPERVISOR} tidak ada: jalankan `tepat demo-users` / demo user "
                               f"{SUPERVISOR} missing: run `tepat demo-users`")
        try:
            for blist in BeneficiaryList.objects.filter(region_code=region, status=BeneficiaryList.Status.DETERMINED):
                list_approve(actor=supervisor, blist=blist, note="demo: disetujui untuk halaman publik")
                self.stdout.write(f"== Daftar disetujui / list approved: {blist}")
            if CitizenReport.objects.filter(region__code__startswith=region).exists():
                self.stdout.write("Laporan warga demo sudah ada / demo citizen reports exist")
                return
            entry = (ListEntry.objects.filter(list__status=BeneficiaryList.Status.APPROVED, list__region_code=region,
                                              status=ListEntry.Status.RECIPIENT).order_by("idx").first())
            if entry is None:
                self.stdout.write(self.style.WARNING("Belum ada daftar disetujui / no approved list yet"))
                return
            head = Individual.objects.filter(family_id=entry.family_id, relation=1).first()
            request = RequestFactory().post("/sanggah/", REMOTE_ADDR="127.0.0.1")
            sanggah = citizen_report_create(
                request=request, kind=CitizenReport.Kind.OBJECTION, village_code=entry.region_code,
                data={"subject_name": head.name if head else "", "rt": head.family.rt if head else "",
                      "reason": "not_eligible", "statement": "Demo: keluarga ini memiliki usaha besar.",
                      "objector_name": "Warga Demo", "objector_contact": "0812-0000-0000"},
                solution=challenge_solve(challenge_new()))
            usul = citizen_report_create(
                request=request, kind=CitizenReport.Kind.PROPOSAL, village_code=entry.region_code,
                data={"proposal_for": "self", "subject_name": "Warga Belum Terdaftar", "rt": "1",
                      "statement": "Demo: keluarga kami belum terdaftar di DTKS."},
                solution=challenge_solve(challenge_new()))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"== Sanggah {sanggah.tracking_code}, usul {usul.tracking_code} · /lacak/, /laporan-warga/")
