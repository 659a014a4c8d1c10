"""tepat demo-grievances --region 36.04 [--cases 36]

The complaints part of `make demo`: a few dozen cases across the categories and the statuses, recorded and
moved through the real services by the demo users (operator.desa in the demo village, dinsos.operator and
dinsos.supervisor for the district): one is referred (letter issued and received), one breaches its SLA, one
waits for the citizen, some are closed. Intake dates are then spread over the last weeks (demo only) and the
SLA recomputed. Needs `tepat demo-users` and registry data; safe to rerun (does nothing when cases exist).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tepat.accounts.demo import DEMO_VILLAGE
from tepat.accounts.models import User
from tepat.audit.services import audit_record
from tepat.core.exceptions import ApplicationError
from tepat.grievances.models import Category, Complaint, ReferralService
from tepat.grievances.services import complaints as svc
from tepat.grievances.services.follow_ups import complaint_follow_up_create
from tepat.grievances.services.referrals import referral_acknowledge, referral_create
from tepat.grievances.services.sla import sla_recompute
from tepat.registry.models import Family

NAMES = ["Sarinah", "Ujang Sopandi", "Entin Kartini", "Asep Saepudin", "Iis Sumiati", "Dadang Hermawan",
         "Nining", "Rohmat", "Euis Komariah", "Jajang Nurjaman"]


class Command(BaseCommand):
    help = "Demo: a few dozen complaints across categories and statuses, one referral, one breached SLA"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")
        parser.add_argument("--cases", type=int, default=36)
        parser.add_argument("--seed", type=int, default=7)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna demo {username} tidak ada: jalankan `tepat demo-users` / demo user "
                               f"{username} missing: run `tepat demo-users`")
        return user

    def handle(self, *args, **options):
        if Complaint.objects.exists():
            self.stdout.write("== Pengaduan demo sudah ada / demo complaints already present")
            return
        rng = random.Random(options["seed"])
        village_op, operator, supervisor = (self._user(u) for u in ("operator.desa", "dinsos.operator",
                                                                    "dinsos.supervisor"))
        region = options["region"]
        village_families = list(Family.objects.filter(region_id=DEMO_VILLAGE, status="active").order_by("id")[:40])
        district_families = list(Family.objects.filter(region__code__startswith=f"{region}.", status="active")
                                 .order_by("id")[:200])
        if not district_families:
            raise CommandError("Registri kosong: jalankan `tepat demo-data` / the registry is empty: run demo-data")
        leaves = list(Category.objects.filter(parent__isnull=False, active=True).order_by("order"))
        channels = list(Complaint.Channel.values)
        made: list[tuple[Complaint, int]] = []
        for i in range(options["cases"]):
            category = leaves[i % len(leaves)]
            in_village = i % 3 == 0 and village_families
            actor = village_op if in_village else operator
            family = rng.choice(village_families if in_village else district_families)
            channel = channels[i % len(channels)]
            common = {"channel": channel, "category": category, "external_reference": f"LPR-{2600000 + i}"
                          if channel == "lapor" else "", "complainant_anonymous": i % 4 == 0,
                          "complainant_name": rng.choice(NAMES), "complainant_contact": f"0812{rng.randrange(10**7, 10**8)}"}
            try:
                if category.code == "data-not-listed":
                    case = svc.complaint_create(
                        actor=actor, description="Keluarga miskin belum terdaftar di DTKS, minta didata.",
                        subject_kind="unregistered", subject_name=rng.choice(NAMES),
                        subject_address=f"Kp. Sukamaju RT 0{i % 9 + 1}/RW 02", subject_region_code=family.region_id,
                        **common)
                else:
                    case = svc.complaint_create(actor=actor, description=f"{category.name_id} (demo)",
                                                subject_kind="family", family=family, **common)
                made.append((self._advance(case, i, actor, supervisor), i))
            except ApplicationError as exc:
                self.stderr.write(f"  lewati / skipped {category.code}: {exc.message}")
        self._referral(supervisor, district_families[0])
        with transaction.atomic():
            now = timezone.now()
            for case, i in made:
                # open cases are recent (on time or at risk), closed ones spread over weeks; case 1 breaches
                age = 12 if i == 1 else rng.randrange(3, 25) if case.resolved_at else (
                    rng.randrange(0, 2) if case.status == Complaint.Status.REGISTERED else rng.randrange(0, 5))
                moment = now - timedelta(days=age)
                Complaint.objects.filter(pk=case.pk).update(created_at=moment, stage_entered_at=moment)
                if case.resolved_at:
                    Complaint.objects.filter(pk=case.pk).update(resolved_at=moment + timedelta(days=rng.randrange(1, 9)))
            audit_record(actor=supervisor, action="grievances.demo_data", region_code=region,
                         data={"cases": len(made) + 1, "backdated": True})
        result = sla_recompute()
        self.stdout.write(f"== Pengaduan demo: {len(made) + 1} kasus, SLA {dict(result.by_state)}, "
                          f"{result.escalated} eskalasi / demo complaints: /pengaduan/")

    def _advance(self, case: Complaint, i: int, actor: User, supervisor: User) -> Complaint:
        step = i % 6
        if step in (0, 1) or (case.sensitive and step != 3):
            return case
        case = svc.complaint_assess(actor=actor, complaint=case, assessment="Diperiksa di registri dan lapangan.",
                                    recommendation="Tindak lanjut sesuai kategori.")
        if step == 2:
            return svc.complaint_wait(actor=actor, complaint=case, reason="Menunggu fotokopi KK dan KTP.")
        if step == 3:
            return svc.complaint_close(actor=actor, complaint=case, note="Sudah dijelaskan kepada pengadu.")
        if step == 4 and case.category.follow_up in ("payment_reissue", "duplicate_review"):
            complaint_follow_up_create(actor=actor, complaint=case, programme_code="PKH", period="2026 tahap 2",
                                       note="Diteruskan ke bidang penyaluran.")
            return Complaint.objects.get(pk=case.pk)
        if step == 5:
            return svc.complaint_reject(actor=actor, complaint=case, reason="Bukan kewenangan Dinas Sosial.")
        return case

    def _referral(self, supervisor: User, family: Family) -> None:
        category = Category.objects.get(code="service-referral")
        case = svc.complaint_create(actor=supervisor, channel="counter", category=category, subject_kind="family",
                                    family=family, description="Anak sakit, belum punya JKN.",
                                    complainant_name="Ibu Entin", complainant_contact="081298765432")
        case = svc.complaint_assess(actor=supervisor, complaint=case, assessment="Belum terdaftar PBI-JK.",
                                    recommendation="Rujuk ke Dinas Kesehatan.")
        case = svc.complaint_decide(actor=supervisor, complaint=case, decision="Rujukan pendaftaran PBI-JK.")
        referral = referral_create(actor=supervisor, complaint=case,
                                   service=ReferralService.objects.get(institution__code="dinkes", code="pbi-jk"),
                                   note="Mohon didaftarkan PBI-JK.")
        referral_acknowledge(actor=supervisor, referral=referral, received_by="Petugas Dinkes")
