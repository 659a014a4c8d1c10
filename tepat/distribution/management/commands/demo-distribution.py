"""tepat demo-distribution --region 36.04 [--out var]

The distribution part of `make demo` (after `demo-programmes` and `demo-public`, which approve the lists):
opens the distribution of the approved Sembako tahap-1 list, builds the PT Pos list (pre-flight cleansing
sends incomplete records to the village queues), exports it as CSV (`<out>/demo-danom.csv`, hash recorded),
records receipts in the demo village (some delivered, some not, with reasons), imports a realisation file
with a few bad rows and a retur (`<out>/demo-realisasi.csv`: upload it again on the page to see that a
rerun changes nothing), and requests the close as the operator: the supervisor closes it on the page
(the second approver). Safe to rerun: an existing distribution of the list is left as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tepat.accounts.demo import DEMO_VILLAGE
from tepat.accounts.models import User
from tepat.audit.services import audit_record
from tepat.core.exceptions import ApplicationError
from tepat.distribution.models import Channel, Distribution
from tepat.distribution.services.close import close_request
from tepat.distribution.services.export import list_export
from tepat.distribution.services.lists import distribution_create, list_version_create
from tepat.distribution.services.realisation import realisation_import, reconciliation
from tepat.distribution.services.receipts import receipt_record
from tepat.programs.models import BeneficiaryList

OPERATOR, VILLAGE_OPERATOR = "dinsos.operator", "operator.desa"


class Command(BaseCommand):
    help = "Demo: one distributed and reconciled Sembako tahap with receipts, failures and retur"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="36.04")
        parser.add_argument("--out", default="var")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna demo {username} tidak ada: jalankan `tepat demo-users` / demo user "
                               f"{username} missing: run `tepat demo-users`")
        return user

    def handle(self, *args, **options):
        region, out = options["region"], Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        operator, village_operator = self._user(OPERATOR), self._user(VILLAGE_OPERATOR)
        blist = (BeneficiaryList.objects.filter(region_code=region, status=BeneficiaryList.Status.APPROVED,
                                                release__programme__code="SEMBAKO")
                 .select_related("release__programme").order_by("tahap", "-created_at").first())
        if blist is None:
            self.stdout.write(self.style.WARNING(
                "Belum ada daftar Sembako yang disetujui (jalankan `tepat demo-programmes` dan `tepat demo-public`) / "
                "no approved Sembako list yet (run `tepat demo-programmes` and `tepat demo-public`)"))
            return
        if Distribution.objects.filter(beneficiary_list=blist).exists():
            self.stdout.write("Penyaluran demo sudah ada / the demo distribution exists")
            return
        try:
            with transaction.atomic():  # all or nothing: a failed run leaves no half-made tahap
                self._run(blist, operator, village_operator, out)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc

    def _run(self, blist, operator, village_operator, out: Path) -> None:
        dist = distribution_create(actor=operator, blist=blist)
        dlist = list_version_create(actor=operator, dist=dist, channel=Channel.objects.get(code="POS_KANTOR"),
                                    note="demo")
        self.stdout.write(f"== {dist}: PT Pos v{dlist.version}, {dlist.entry_count} KPM, Rp {dlist.total_amount:,}; "
                          f"{dlist.held_back} dikembalikan untuk dilengkapi / returned to complete")
        result = list_export(actor=operator, dlist=dlist, fmt="csv")
        shutil.move(str(result.path), out / "demo-danom.csv")
        self.stdout.write(f"== Danom: {out / 'demo-danom.csv'} sha256 {result.record.sha256[:16]}…")
        # The demo village's operator records its KPM; the Dinsos operator (who may record receipts too)
        # fills the sample up from other villages.
        picked = [(village_operator, e) for e in dlist.entries.filter(region_code=DEMO_VILLAGE).order_by("id")[:8]]
        picked += [(operator, e) for e in dlist.entries.exclude(region_code=DEMO_VILLAGE).order_by("-id")[:8 - len(picked)]]
        for i, (officer, entry) in enumerate(picked):
            if i < 5:
                data = {"outcome": "full", "collector": "self" if i % 2 == 0 else "kk_member",
                        "collector_name": "" if i % 2 == 0 else "Anggota KK", "latitude": "-6.0700",
                        "longitude": "106.1000", "accuracy_m": 12, "device": "demo"}
            else:
                data = {"outcome": "none", "reason": ("absent", "moved", "not_found")[i - 5], "device": "demo"}
            receipt_record(actor=officer, entry=entry, data=data)
        entries = list(dlist.entries.order_by("id")[:40])
        day = dist.starts_on.replace(day=min(20, dist.starts_on.day + 19))
        rows = ["ID_KPM;NIK;STATUS;NOMINAL;TANGGAL;ALASAN;NO_TRANSAKSI"]
        for n, e in enumerate(entries):
            if n % 10 == 7:
                rows.append(f"{e.kpm_ref};;GAGAL;0;{day:%d/%m/%Y};tidak hadir sampai batas waktu;G{n}")
                rows.append(f"{e.kpm_ref};;RETUR;{e.amount};{dist.ends_on:%Y-%m-%d};;R{n}")
            else:
                rows.append(f"{e.kpm_ref};;SALUR;{e.amount};{day:%d/%m/%Y};;T{n}")
        if entries:
            first = entries[0]
            rows.append(f"{first.kpm_ref};;SALUR;{first.amount};{day:%d/%m/%Y};;T-DUP")  # paid twice
            rows.append(f"KXXXXXXXXXXX;;SALUR;200000;{day:%d/%m/%Y};;T-UNK")  # not listed
            if len(entries) > 1:
                rows.append(f"{entries[1].kpm_ref};;REVERSAL;{entries[1].amount * 2};{day:%d/%m/%Y};;V1")
            rows.append(f"{first.kpm_ref};;SALUR;{first.amount};{dist.ends_on.year + 1}-01-05;;T-LATE")
        data = ("\n".join(rows) + "\n").encode()
        (out / "demo-realisasi.csv").write_bytes(data)
        imp = realisation_import(actor=operator, dist=dist, source=data, file_name="demo-realisasi.csv",
                                 channel=dlist.channel)
        self.stdout.write(f"== Realisasi: {imp.applied} diterapkan / applied, {imp.rejected} ditolak / rejected "
                          f"({', '.join(sorted({e['code'] for e in imp.errors}))})")
        summary = reconciliation(actor=operator, dist=dist)
        self.stdout.write(f"== Rekonsiliasi / reconciliation: {summary['totals']}; "
                          f"{len(summary['discrepancies'])} selisih / discrepancies")
        close_request(actor=operator, dist=dist, note="demo: menunggu persetujuan kedua")
        self.stdout.write("== Penutupan diajukan; supervisor menutup di halaman / close requested; the supervisor "
                          f"closes it on /penyaluran/tahap/{dist.pk}/")
        pending = dlist.entries.filter(region_code=DEMO_VILLAGE, status="pending").count()
        self.stdout.write(f"== Lapangan: {pending} KPM desa demo menunggu; masuk di /lapangan/ sebagai "
                          f"{VILLAGE_OPERATOR}, Unduh, lalu Tanda terima penyaluran (luring) / {pending} KPM of the "
                          f"demo village wait: sign in at /lapangan/ as {VILLAGE_OPERATOR} to record them offline")
        audit_record(actor=operator, action="distribution.demo_data", target=dist, region_code=dist.region_code,
                     data={"entries": dlist.entry_count, "applied": imp.applied, "rejected": imp.rejected})
