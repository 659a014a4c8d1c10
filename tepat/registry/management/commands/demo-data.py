import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tepat.core.actors import SYSTEM
from tepat.core.environment import production_settings
from tepat.core.maintenance import analyze_app_tables
from tepat.regions.models import Region
from tepat.registry.demo import DEMO_AS_OF, DemoData, demo_data_load, demo_generate_for_region
from tepat.registry.demo.duplicates import DEMO_DUPLICATES


def parquet_paths(out: str) -> dict[str, Path]:
    """'demo.parquet' → demo.families.parquet, demo.individuals.parquet, …; a directory → families.parquet, …"""
    path = Path(out)
    names = ("families", "individuals", "programs", "welfare")
    if path.suffix == ".parquet":
        return {name: path.with_name(f"{path.stem}.{name}.parquet") for name in names}
    return {name: path / f"{name}.parquet" for name in names}


def write_parquet(data: DemoData, out: str) -> list[Path]:
    paths = parquet_paths(out)
    for name, path in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        getattr(data, name).write_parquet(path)
    return list(paths.values())


class Command(BaseCommand):
    help = (
        "Buat keluarga sintetis untuk desa/kelurahan di bawah suatu wilayah (idempoten) / "
        "Generate synthetic families for the villages under a region (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True,
                            help="Region code of any level, e.g. 36.04 or 36.04.05.2001.")
        parser.add_argument("--families", type=int, default=1000, help="Number of families (default 1000).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Random seed; the same seed, region and N give the same data.")
        parser.add_argument("--as-of", type=date.fromisoformat, default=DEMO_AS_OF,
                            help=f"Reference date for ages and dates (default {DEMO_AS_OF.isoformat()}).")
        parser.add_argument("--duplicates", type=int, default=0,
                            help="Plant this many second listings of people in other families (the demo uses "
                                 f"{DEMO_DUPLICATES}) so that the duplicate review has candidates.")
        parser.add_argument("--out", help="Also write the frames as Parquet: FILE.parquet "
                                          "(→ FILE.families.parquet, …) or a directory.")
        parser.add_argument("--no-db", action="store_true",
                            help="Only generate (and write --out); no database writes.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per insert batch (default 5000).")
        parser.add_argument("--allow-production", action="store_true",
                            help="Allow running with production settings (fake people in a real register!).")

    def handle(self, *args, **options):
        region_code = options["region"].strip()
        families = options["families"]
        if families < 1:
            raise CommandError("--families must be at least 1.")
        if options["seed"] < 0:
            raise CommandError("--seed must be zero or more.")
        production = production_settings()
        if production and not options["no_db"] and not options["allow_production"]:
            raise CommandError("Refusing to load demo data with production settings (use --allow-production).")
        if not Region.objects.filter(code=region_code).exists():
            raise CommandError(f"Wilayah {region_code} tidak dikenal / Unknown region {region_code} "
                               "(run `tepat load-regions` first).")
        started = time.perf_counter()
        try:
            data = demo_generate_for_region(region_code=region_code, families=families, seed=options["seed"],
                                            as_of=options["as_of"], duplicates=options["duplicates"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        generated = time.perf_counter() - started
        counts = data.counts()
        self.stdout.write(
            f"Generated {counts['families']:,} families, {counts['individuals']:,} individuals, "
            f"{counts['programs']:,} programme rows, {counts['welfare']:,} welfare rows "
            f"for {region_code} (seed {options['seed']}) in {generated:.1f} s"
        )
        if options["out"]:
            paths = write_parquet(data, options["out"])
            self.stdout.write("Wrote " + ", ".join(str(path) for path in paths))
        if options["no_db"]:
            return
        started = time.perf_counter()
        result = demo_data_load(actor=SYSTEM, data=data, region_code=region_code, batch_size=options["batch_size"])
        loaded = time.perf_counter() - started
        analyzed = analyze_app_tables("registry")  # PostgreSQL: statistics for the new rows (nothing on SQLite)
        if analyzed:
            self.stdout.write(f"ANALYZE {len(analyzed)} registry tables")
        self.stdout.write(self.style.SUCCESS(
            f"demo-data {region_code}: {result.families:,} families, {result.individuals:,} individuals, "
            f"{result.programs:,} programmes, {result.welfare:,} welfare statuses loaded; "
            f"{result.skipped_families:,} families already present; {result.renumbered:,} numbers renumbered "
            f"({generated + loaded:.1f} s: generate {generated:.1f} s, load {loaded:.1f} s)"
        ))
