"""tepat demo-relief --region 36.04

The relief part of `make demo`: a district warehouse and a kecamatan post stocked with donations and a
purchase (food lots with expiry dates), one flood in the demo village with the quick intake of eight
households (two found in the registry by NIK, one proposed to it, one waiting for review, the rest without
documents), the matching run, relief items issued FIFO to every household, public-kitchen meals, a transfer
to the post and one return. All through the real services, by the demo users (operator.desa for the intake,
dinsos.operator for events and stock). Needs `tepat demo-users`; uses registry data when present. Safe to
rerun: does nothing when a disaster event exists.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tepat.accounts.demo import DEMO_DISTRICT, DEMO_VILLAGE
from tepat.accounts.models import User
from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.registry import choices as rc
from tepat.registry.models import Family, Individual
from tepat.relief.models import DisasterEvent, Warehouse
from tepat.relief.selectors import relief_figures
from tepat.relief.services import events as ev
from tepat.relief.services import stock as st


class Command(BaseCommand):
    help = "Demo: one flood with intake, matching, stock received, issued FIFO, transferred and returned"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")
        parser.add_argument("--seed", type=int, default=11)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna demo {username} tidak ada: jalankan `tepat demo-users` / demo user "
                               f"{username} missing: run `tepat demo-users`")
        return user

    def _new_nik(self, rng: random.Random, born: date, sex: int) -> str:
        prefix = DEMO_VILLAGE.replace(".", "")[:6]
        while True:
            day = born.day + (40 if sex == 2 else 0)
            nik = f"{prefix}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randrange(1000, 9999):04d}"
            if not Individual.objects.filter(nik=nik).exists():
                return nik

    def handle(self, *args, **options):
        if DisasterEvent.objects.exists():
            self.stdout.write("== Data bencana demo sudah ada / demo relief data already present")
            return
        rng = random.Random(options["seed"])
        village_op, operator = self._user("operator.desa"), self._user("dinsos.operator")
        region = options["region"]
        today = timezone.localdate()
        with transaction.atomic():
            central = Warehouse.objects.filter(code="gudang-dinsos").first() or st.warehouse_create(
                actor=operator, code="gudang-dinsos", name="Gudang Buffer Stock Dinsos", region_code=region,
                address="Jl. Veteran No. 1, Serang")
            post = Warehouse.objects.filter(code="posko-kramatwatu").first() or st.warehouse_create(
                actor=operator, code="posko-kramatwatu", name="Posko Bencana Kecamatan Kramatwatu",
                region_code=DEMO_DISTRICT)
            received = today - timedelta(days=20)
            for item, quantity, kind, source, expires, lot in [
                ("family-kit", 40, "donation", "Kementerian Sosial (buffer stock)", None, "KEMENSOS-FK-01"),
                ("tenda-gulung", 15, "donation", "Kementerian Sosial (buffer stock)", None, "KEMENSOS-TG-01"),
                ("selimut-woll", 120, "donation", "BAZNAS Kabupaten Serang", None, "BAZNAS-SW-01"),
                ("matras", 80, "purchase", "CV Sinar Makmur", None, "SPK-2026-031"),
                ("paket-lauk-siap-saji", 30, "donation", "PMI Kabupaten Serang", today + timedelta(days=12),
                 "PMI-LSS-A"),
                ("paket-lauk-siap-saji", 40, "purchase", "CV Sinar Makmur", today + timedelta(days=90), "SPK-2026-044"),
                ("air-minum-kemasan", 60, "purchase", "CV Sinar Makmur", today + timedelta(days=300), "SPK-2026-045"),
                ("sandang-bayi", 10, "donation", "Dharma Wanita Persatuan", None, "DWP-SB-01"),
            ]:
                st.stock_receive(actor=operator, warehouse=central, item=item, quantity=quantity, kind=kind,
                                 occurred_on=received, source=source, lot_code=lot, expires_on=expires,
                                 unit_price=85000 if kind == "purchase" else None, document=f"BAST/{lot}")
            event = ev.event_create(
                actor=operator, kind="flood", region_code=DEMO_VILLAGE, place="Kp. Kramat RT 03–05 / RW 02",
                occurred_on=today - timedelta(days=3), decree_number="360/045/BPBD/2026",
                decree_date=today - timedelta(days=2),
                description="Luapan Sungai Ciujung setelah hujan deras; 8 rumah terendam, warga mengungsi ke "
                            "balai desa.")
            households = self._intake(village_op, event, rng)
            counts = ev.intake_match(actor=village_op, event=event)
            issued_refs = []
            for hh in households:
                persons = hh.persons.count()
                issued_refs.append(st.stock_issue(actor=operator, warehouse=central, item="family-kit", quantity=1,
                                                  event=event, household=hh, document="BAST/BNC/01")[0].reference)
                st.stock_issue(actor=operator, warehouse=central, item="selimut-woll", quantity=persons, event=event,
                               household=hh)
                st.stock_issue(actor=operator, warehouse=central, item="paket-lauk-siap-saji", quantity=4,
                               event=event, household=hh)  # FIFO: the PMI lot (earlier expiry) first
                if hh.displaced:
                    st.stock_issue(actor=operator, warehouse=central, item="matras", quantity=persons, event=event,
                                   household=hh)
                ev.meals_record(actor=operator, event=event, household=hh, served_from=today - timedelta(days=3),
                                days=3)
            st.stock_transfer(actor=operator, source=central, destination=post, item="air-minum-kemasan",
                              quantity=20, document="SJ/POSKO/01")
            st.stock_return(actor=operator, warehouse=central, issue_reference=issued_refs[-1], quantity=1,
                            note="Keluarga menumpang di saudara, family kit belum dipakai")
            audit_record(actor=operator, action=AuditAction.RELIEF_DEMO_DATA, target=event, region_code=DEMO_VILLAGE,
                         data={"households": len(households), **counts})
        figures = relief_figures(region, today - timedelta(days=30), today)
        self.stdout.write(
            f"== Bencana demo: {event.reference}, {figures.households} rumah tangga / households, {figures.persons} "
            f"orang / persons, {figures.meal_person_days} orang-hari makan / meal person-days; cocok / matched "
            f"{counts['households_matched']}, diusulkan / proposed {counts['proposed']}, tinjau / review "
            f"{counts['review']} (/bencana/)")

    def _intake(self, actor: User, event: DisasterEvent, rng: random.Random) -> list:
        made = []
        families = list(Family.objects.filter(region_id=DEMO_VILLAGE, status=rc.FamilyStatus.ACTIVE)
                        .order_by("id")[:2])
        for family in families:  # registered families: found by a member's NIK
            members = list(family.members.filter(presence__in=rc.ACTIVE_PRESENCE).order_by("relation")[:4])
            if not members:
                continue
            made.append(ev.intake_household_create(
                actor=actor, event=event, head_name=members[0].name, kk_number=family.kk_number, rt=family.rt,
                rw=family.rw, address=family.address, damage="moderate", displaced=True, shelter="Balai Desa",
                persons=[{"name": m.name, "nik": m.nik if i == 0 else "", "sex": m.sex,
                          "birth_date": m.birth_date.isoformat(), "relation": m.relation}
                         for i, m in enumerate(members)]))
        kk = f"{DEMO_VILLAGE.replace('.', '')[:6]}0206{rng.randrange(10, 20)}{rng.randrange(1000, 9999)}"
        made.append(ev.intake_household_create(  # not in the registry, complete: becomes an emergency proposal
            actor=actor, event=event, head_name="Wawan Setiawan", kk_number=kk, rt="4", rw="2",
            address="Kp. Kramat", damage="heavy", displaced=True, shelter="Balai Desa", persons=[
                {"name": "Wawan Setiawan", "nik": self._new_nik(rng, date(1984, 4, 12), 1), "sex": 1,
                 "birth_date": "1984-04-12", "relation": 1},
                {"name": "Nurhayati", "nik": self._new_nik(rng, date(1987, 9, 3), 2), "sex": 2,
                 "birth_date": "1987-09-03", "relation": 2},
                {"name": "Rafi", "nik": self._new_nik(rng, date(2015, 1, 20), 1), "sex": 1,
                 "birth_date": "2015-01-20", "relation": 3}]))
        made.append(ev.intake_household_create(  # a NIK remembered, the KK lost: waits for review
            actor=actor, event=event, head_name="Karsih", rt="5", rw="2", damage="destroyed", displaced=True,
            shelter="Rumah saudara", persons=[
                {"name": "Karsih", "nik": self._new_nik(rng, date(1962, 11, 30), 2), "sex": 2, "age_years": 63},
                {"name": "Udin", "sex": 1, "age_years": 17}]))
        for name, size in [("Sanusi", 5), ("Mak Icih", 1), ("Tarman", 3), ("Yayah", 4)]:  # documents lost
            made.append(ev.intake_household_create(
                actor=actor, event=event, head_name=name, rt=str(rng.randrange(3, 6)), rw="2",
                damage=rng.choice(["light", "moderate", "heavy"]), displaced=size > 2, shelter="Balai Desa"
                if size > 2 else "", persons=[{"name": name, "age_years": rng.randrange(30, 70)}] + [
                    {"name": f"Anggota {i} keluarga {name}", "age_years": rng.randrange(1, 30)} for i in
                    range(1, size)]))
        return made
