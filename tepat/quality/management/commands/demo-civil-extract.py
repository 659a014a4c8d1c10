"""`tepat demo-civil-extract --region CODE --out FILE.csv`: a synthetic Dukcapil extract for a demo district.

Every active member with a NIK as Dukcapil would list them (name in capitals, dd-mm-yyyy dates), a few of them
died or moved away according to the extract, and a few not in it at all — so that `tepat match-civil-registry
--file FILE.csv` fills the stale-record queue. Deterministic (chosen by the record's id), no database writes;
refused with production settings.
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import polars as pl
from django.core.management.base import BaseCommand, CommandError

from tepat.core.environment import production_settings
from tepat.quality.selectors import registry_people

DIED_PER_MILLE, MOVED_PER_MILLE, MISSING_PER_MILLE = 3, 3, 2
DESTINATIONS = ("Kota Tangerang", "Kota Cilegon", "Kabupaten Bekasi", "Kota Bandung")


class Command(BaseCommand):
    help = ("Tulis ekstrak Dukcapil sintetis untuk data demo / "
            "Write a synthetic civil-registry (Dukcapil) extract for the demo registry")

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True)
        parser.add_argument("--out", required=True, help="CSV file to write")
        parser.add_argument("--event-date", type=date.fromisoformat, default=date(2026, 5, 15),
                            help="date of the deaths and moves in the extract (default 2026-05-15)")

    def handle(self, *args, **options):
        if production_settings():
            raise CommandError("Refusing to write a demo extract with production settings.")
        people = registry_people(options["region"]).filter(pl.col("nik").fill_null("").str.len_chars() == 16)
        bucket = pl.Series([zlib.crc32(i.encode()) % 1000 for i in people["id"]], dtype=pl.Int64)
        people = people.with_columns(bucket.alias("bucket")).filter(pl.col("bucket") >= MISSING_PER_MILLE)
        died = pl.col("bucket") < MISSING_PER_MILLE + DIED_PER_MILLE
        moved = ~died & (pl.col("bucket") < MISSING_PER_MILLE + DIED_PER_MILLE + MOVED_PER_MILLE)
        when = options["event_date"].strftime("%d-%m-%Y")
        extract = people.select(
            pl.col("nik").alias("NIK"), pl.col("name").str.to_uppercase().alias("NAMA_LGKP"),
            pl.col("birth_date").dt.strftime("%d-%m-%Y").alias("TGL_LHR"),
            pl.when(pl.col("sex") == 1).then(pl.lit("LAKI-LAKI")).otherwise(pl.lit("PEREMPUAN")).alias("JENIS_KLMIN"),
            pl.when(died).then(pl.lit(when)).otherwise(pl.lit("")).alias("TGL_KEMATIAN"),
            pl.when(moved).then(pl.lit(when)).otherwise(pl.lit("")).alias("TGL_PINDAH"),
            pl.when(moved).then(pl.col("bucket").mod(len(DESTINATIONS)).replace_strict(
                dict(enumerate(DESTINATIONS)), return_dtype=pl.String)).otherwise(pl.lit("")).alias("TUJUAN_PINDAH"),
        )
        path = Path(options["out"])
        path.parent.mkdir(parents=True, exist_ok=True)
        extract.write_csv(path)
        self.stdout.write(f"{path}: {extract.height} records, {people.filter(died).height} died, "
                          f"{people.filter(moved).height} moved")
