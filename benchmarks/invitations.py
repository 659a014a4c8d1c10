"""Invitations (undangan) with signed QR codes (issue 11 part 3, performance: one village of 300 KPM ≤ 5 s;
pages/s of a large batch, towards the whole district as a background job).

    .venv/bin/python benchmarks/invitations.py [--village 300] [--large 6000] [--repeat 3]

No database: signing (Ed25519) and rendering (reportlab canvas, QR via reportlab's encoder) only, in this
process. Timed, each `--repeat` times (median reported), the baseline first and in the same run:

  baseline_blank   a reportlab canvas loop of as many blank A4 pages (one line of text each) as the batch has
  village_4up      sign + render 300 invitations, 4 per A4 page (75 pages)
  village_1up      the same, one per page (300 pages)
  large_4up        sign + render `--large` invitations, 4 per page: pages/s and invitations/s, and the
                   time this gives for the 61,202 KPM of Kabupaten Serang's BPNT tahap

With `--job-region CODE` (e.g. 36.04.05, a kecamatan of Kabupaten Serang), instead: the background print job
of that region end to end (`invitation_print_job_start` → the task → `invitation_print_job_run`: one signed PDF
per village, progress saved after each village, the ZIP stored, every printing audited) on a fresh SQLite
file database (`--sqlite`, migrated, region master of Banten), `--per-village` invitations per village (188 ≈
61,202 KPM over Kabupaten Serang's 326 villages) from a stand-in source (the list wiring is another branch's),
immediate task backend; the baseline in the same run is the blank-page loop for as many pages. Reports
pages/s, invitations/s and the time this gives for the whole district.

Prints a Markdown table and JSON (--json FILE). Figures of record: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DISTRICT_KPM = 61_202


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.test")  # a fixed invitation key
    import django

    django.setup()


def _items(count: int):
    from datetime import date

    from tepat.distribution.invitations.data import InvitationData

    return [InvitationData(kpm_ref=f"KPM-{n:07d}", programme="BPNT", tahap=4, amount=600_000,
                           expires_on=date(2026, 12, 31), recipient_name="Ahmad S. P.", village_code="36.04.05.2001",
                           village_name="Kramatwatu", rt=f"{n % 12 + 1:03d}", rw="001",
                           place="Balai Desa Kramatwatu", when="Senin, 7 Desember 2026, 08.00–12.00 WIB")
            for n in range(1, count + 1)]


def blank_pages(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    for n in range(pages):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, 720, f"Halaman {n + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sign_and_render(items, per_page: int) -> bytes:
    from tepat.distribution.invitations import signing
    from tepat.distribution.invitations.pdf import invitations_pdf

    key_id = signing.current_key_id()
    return invitations_pdf([(item, signing.sign(item, key_id=key_id)) for item in items], per_page=per_page)


def _timed(repeat: int, fn, *args) -> tuple[float, int]:
    seconds, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn(*args))
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), size


PER_VILLAGE = 188


def bench_source(*, actor, village_code: str, programme: str, tahap: int):
    """TEPAT_INVITATION_SOURCE of the job benchmark: `PER_VILLAGE` invitations of every village."""
    from dataclasses import replace

    return [replace(item, kpm_ref=f"K{village_code[-4:]}{n:07d}", village_code=village_code, programme=programme,
                    tahap=tahap) for n, item in enumerate(_items(PER_VILLAGE))]


def job(args) -> None:
    global PER_VILLAGE
    PER_VILLAGE = args.per_village
    db = Path(args.sqlite).resolve()
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("TEPAT_TEST_DATABASE_URL", None)
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from tepat.accounts.services import user_create
    from tepat.core.actors import SYSTEM
    from tepat.distribution.invitations.models import InvitationPrintJob
    from tepat.distribution.invitations.services import invitation_print_job_start
    from tepat.regions.models import Region

    call_command("migrate", verbosity=0)
    call_command("load-regions", province=["36"], verbosity=0)
    settings.TEPAT_INVITATION_SOURCE = "__main__.bench_source"
    user = user_create(actor=SYSTEM, username="bench.undangan", password="Kx9#tq-Lm2-vW7r", role="dinsos_operator",
                       region_codes=[args.job_region[:5]], full_name="Bench")
    villages = Region.objects.filter(code__startswith=args.job_region + ".", level=Region.Level.VILLAGE).count()
    invitations = villages * PER_VILLAGE
    pages = villages * -(-PER_VILLAGE // 4)
    load_before = os.getloadavg()
    base, _ = _timed(1, blank_pages, pages)
    start = time.perf_counter()
    started = invitation_print_job_start(actor=user, region_code=args.job_region, programme="BPNT", tahap=4)
    seconds = time.perf_counter() - start
    done = InvitationPrintJob.objects.get(pk=started.pk)
    assert done.status == "done" and done.invitations == invitations, (done.status, done.error, done.invitations)
    district_s = DISTRICT_KPM / (invitations / seconds)
    print("| step | villages | invitations | pages | s | pages/s | invitations/s |\n|---|---:|---:|---:|---:|---:|---:|")
    print(f"| baseline: blank pages | | | {pages} | {base:.2f} | {pages / base:,.0f} | |")
    print(f"| print job {args.job_region} (4 per page) | {villages} | {invitations:,} | {pages:,} | {seconds:.1f} | "
          f"{pages / seconds:.1f} | {invitations / seconds:.1f} |")
    print(f"\nprogress saved {done.done}/{done.total} villages; the whole district ({DISTRICT_KPM:,}) ≈ {district_s:.0f} s "
          f"at this rate; load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    db.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--job-region", default="")
    parser.add_argument("--per-village", type=int, default=PER_VILLAGE)
    parser.add_argument("--sqlite", default="benchmarks/out/invitations-job.sqlite3")
    parser.add_argument("--village", type=int, default=300)
    parser.add_argument("--large", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    if args.job_region:
        job(args)
        return
    _setup()
    village, large = _items(args.village), _items(args.large)
    rows = []

    def add(step: str, count: int, pages: int, seconds: float, size: int, baseline: float | None) -> None:
        rows.append({"step": step, "invitations": count, "pages": pages, "seconds": round(seconds, 3),
                     "pages_per_s": round(pages / seconds, 1), "invitations_per_s": round(count / seconds, 1) if count else None,
                     "mb": round(size / 1e6, 2), "x_baseline": round(seconds / baseline, 1) if baseline else None})

    village_pages = -(-args.village // 4)
    base_v, size = _timed(args.repeat, blank_pages, village_pages)
    add(f"baseline_blank ({village_pages} pages)", 0, village_pages, base_v, size, None)
    seconds, size = _timed(args.repeat, sign_and_render, village, 4)
    add("village_4up", args.village, village_pages, seconds, size, base_v)
    base_1, size = _timed(args.repeat, blank_pages, args.village)
    add(f"baseline_blank ({args.village} pages)", 0, args.village, base_1, size, None)
    seconds, size = _timed(args.repeat, sign_and_render, village, 1)
    add("village_1up", args.village, args.village, seconds, size, base_1)
    large_pages = -(-args.large // 4)
    base_l, size = _timed(1, blank_pages, large_pages)
    add(f"baseline_blank ({large_pages} pages)", 0, large_pages, base_l, size, None)
    seconds, size = _timed(1, sign_and_render, large, 4)
    add("large_4up", args.large, large_pages, seconds, size, base_l)
    district_s = DISTRICT_KPM / (args.large / seconds)

    print("| step | invitations | pages | s | pages/s | invitations/s | MB | × baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['step']} | {r['invitations']} | {r['pages']} | {r['seconds']} | {r['pages_per_s']} | "
              f"{r['invitations_per_s'] or ''} | {r['mb']} | {r['x_baseline'] or ''} |")
    print(f"\nExtrapolated: {DISTRICT_KPM:,} invitations (Kabupaten Serang BPNT) ≈ {district_s:.0f} s at the large "
          f"batch's rate; load average now {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "district_seconds": district_s}, indent=2))


if __name__ == "__main__":
    main()
