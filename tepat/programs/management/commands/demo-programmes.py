"""tepat demo-programmes --region 36.04 [--tahap N]

The programme part of `make demo`: makes sure a determined period exists (creates and determines one through
the update workflow's services when none does), seeds and releases the national programmes, and determines
one tahap of PKH and Sembako for the demo district. Needs the demo users (`tepat demo-users`) and an official
desil release (`tepat demo-desil`); without one it says so and stops without failing. Safe to rerun.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tepat.accounts.models import User
from tepat.core.exceptions import ApplicationError
from tepat.programs.models import BeneficiaryList, ProgrammeRelease
from tepat.programs.seed import programmes_seed
from tepat.programs.services.lists import list_determine
from tepat.programs.services.releases import latest_determined_period, release_release
from tepat.targeting.selectors import latest_published_release
from tepat.updates.models import DeterminationPeriod
from tepat.updates.services.determination import period_create, period_determine

OPERATOR, SUPERVISOR = "dinsos.operator", "dinsos.supervisor"


class Command(BaseCommand):
    help = "Demo: one determined tahap of PKH and Sembako for the demo district"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")
        parser.add_argument("--tahap", type=int, default=1)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna demo {username} tidak ada: jalankan `tepat demo-users` / demo user "
                               f"{username} missing: run `tepat demo-users`")
        return user

    def _period(self, region: str, operator: User, supervisor: User) -> DeterminationPeriod:
        period = latest_determined_period(region)
        if period is not None:
            return period
        today = timezone.localdate()
        period = (DeterminationPeriod.objects.filter(region_id=region, status=DeterminationPeriod.Status.OPEN,
                                                     starts_on__lte=today).order_by("starts_on").first())
        if period is None:
            start = date(today.year, today.month, 1)
            self.stdout.write(f"== Periode penetapan {start:%Y-%m} dibuat / determination period created")
            period = period_create(actor=operator, region_code=region, starts_on=start, cadence="monthly")
        self.stdout.write(f"== Menetapkan {period.label} (membekukan versi) / determining {period.label}")
        return period_determine(actor=supervisor, period=period, decree_number=f"SK-DEMO/{period.label}",
                                decree_date=today)

    def handle(self, *args, **options):
        region, tahap = options["region"], options["tahap"]
        operator, supervisor = self._user(OPERATOR), self._user(SUPERVISOR)
        if latest_published_release(region) is None:
            self.stdout.write(self.style.WARNING(
                f"Belum ada rilis desil resmi untuk {region} (jalankan `tepat demo-desil` atau `tepat import-desil`); "
                f"daftar PKH/Sembako tidak dibuat / No official desil release for {region} yet (run `tepat demo-desil` "
                f"or `tepat import-desil`); no PKH/Sembako list was made"))
            return
        try:
            period = self._period(region, operator, supervisor)
            drafts = programmes_seed(actor=operator, region_code=region, year=period.starts_on.year)
            for release in drafts:
                if release.programme.code in ("PKH", "SEMBAKO", "PBI_JK"):
                    release_release(actor=operator, release=release, period=period)
            for code in ("PKH", "SEMBAKO"):
                release = (ProgrammeRelease.objects.filter(programme__code=code, region_id=region,
                                                           status=ProgrammeRelease.Status.RELEASED)
                           .order_by("-year", "-version").first())
                if release is None:
                    self.stdout.write(f"{code}: no released year")
                    continue
                done = BeneficiaryList.objects.filter(release=release, period=period, tahap=tahap,
                                                      status__in=["determined", "approved"]).first()
                blist = done or list_determine(actor=operator, release=release, period=period, tahap=tahap)
                c = blist.counts or {}
                self.stdout.write(f"{code} {release.year} tahap {tahap} ({period.label}): {c.get('recipients', 0)} "
                                  f"penerima / recipients, {c.get('not_eligible', 0)} tidak layak / not eligible, "
                                  f"Rp{c.get('tahap_amount', 0):,} · /program/daftar/{blist.pk}/")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
