"""The local proxy-means estimate (PMT) — "perkiraan lokal / local estimate", never the official desil.

A weight set gives points to the REGSOSEK answers the registry holds (housing, water, energy, sanitation,
assets, livestock, household size, floor area per member); a family's score is the sum of the points of its
answers (higher = better off), where each weight may be overridden for the villages under a region prefix
(the longest prefix wins; prefixes are matched through `regions.selectors.ancestor_codes`). Families are
ranked within the weight set's district and cut into ten estimated deciles (1 = lowest scores). Everything
is computed set-based in polars from one read of the families and one count of their members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Count

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.selectors import ancestor_codes, is_within, region_within_q
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual
from tepat.registry.transfer.bulk import Bulk
from tepat.registry.validation import FAMILY_CODED_FIELDS
from tepat.targeting.models import PmtWeightSet

PER_UNIT = {"members": "per member", "floor_area_per_member": "per m² per member (up to 30)"}
FLOOR_AREA_CAP = 30
LIVESTOCK_CAP = 20
REVIEW_GAP = 3  # estimate and official desil this many deciles apart or more: the review list
CODED = {name: enum for name, enum in FAMILY_CODED_FIELDS.items()
         if name not in ("water_distance", "toilet_type", "land_proof", "sewage_disposal")}
ASSET_KEYS = tuple(key for key, _ in c.ASSETS)
LIVESTOCK_KEYS = tuple(key for key, _ in c.LIVESTOCK)

# The starting weights (version 1 of a district copies them). Points, higher = better off; a reasoned
# starting point over the REGSOSEK answers, not a fitted model: the office adjusts it as data.
DEFAULT_POINTS: dict[str, dict[str, int]] = {
    "floor": {"1": 12, "2": 10, "3": 8, "4": 7, "5": 3, "6": 4, "7": 0, "8": -6, "9": 0},
    "wall": {"1": 8, "2": 2, "3": 3, "4": -3, "5": 0, "6": -4, "7": 0},
    "roof": {"1": 6, "2": 4, "3": 2, "4": 2, "5": 1, "6": -2, "7": -4, "8": 0},
    "drinking_water": {"1": 6, "2": 3, "3": 5, "4": 3, "5": 1, "6": -3, "7": 0, "8": -3, "9": -5, "10": -2,
                       "11": 0, "12": 5, "13": 2},
    "lighting": {"1": 4, "2": 0, "3": -2, "4": -6},
    "power_capacity": {"450": 0, "900": 3, "1300": 6, "2200": 9, "2201": 12},
    "cooking_fuel": {"1": 6, "2": 5, "3": 8, "4": 2, "5": 5, "6": 2, "7": -1, "8": -2, "9": -3, "10": -5,
                     "11": 0, "12": 0},
    "toilet_facility": {"1": 4, "2": 0, "3": -1, "4": -2, "5": -3, "6": -6},
    "building_tenure": {"1": 3, "2": 1, "3": -2, "4": 2, "5": 0, "6": -1},
    "internet": {"0": 0, "1": 6, "2": 4, "3": 2},
    **{f"asset:{key}": {"": points} for key, points in {
        "gas_cylinder": 4, "refrigerator": 5, "air_conditioner": 10, "water_heater": 6, "landline": 2,
        "television": 2, "gold": 6, "computer": 6, "motorcycle": 4, "bicycle": 1, "car": 18, "boat": 2,
        "motor_boat": 6, "smartphone": 2, "land": 5, "house_elsewhere": 10, "bank_account": 3}.items()},
    **{f"livestock:{key}": {"": points} for key, points in {
        "cattle": 4, "buffalo": 4, "horse": 3, "pig": 1, "goat": 1}.items()},
    "members": {"": -3},
    "floor_area_per_member": {"": 1},
}


def default_weights() -> list[dict[str, Any]]:
    return [{"variable": variable, "value": value, "region_prefix": "", "points": points}
            for variable, values in DEFAULT_POINTS.items() for value, points in values.items()]


def known_variables() -> dict[str, set[str]]:
    """variable → the values it takes ("" for the per-unit ones)."""
    known = {name: {str(v) for v in enum.values} for name, enum in CODED.items()}
    known.update({f"asset:{key}": {""} for key in ASSET_KEYS})
    known.update({f"livestock:{key}": {""} for key in LIVESTOCK_KEYS})
    known.update({name: {""} for name in PER_UNIT})
    return known


def check_weights(weights: list[dict[str, Any]], *, region_code: str) -> list[dict[str, Any]]:
    """The weights as rows to store; every problem named (row number from 1, variable, value, reason)."""
    known = known_variables()
    issues: list[Issue] = []
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for number, item in enumerate(weights, start=1):
        variable = str(item.get("variable", "")).strip()
        value = str(item.get("value", "") or "").strip()
        prefix = str(item.get("region_prefix", "") or "").strip()
        points = item.get("points")
        where = f"baris {number} ({variable or '?'}={value or '-'})"
        where_en = f"row {number} ({variable or '?'}={value or '-'})"
        if variable not in known:
            issues.append(Issue("variable", "weights", f"{where}: variabel tidak dikenal", f"{where_en}: unknown variable"))
            continue
        if value not in known[variable]:
            issues.append(Issue("value", "weights", f"{where}: jawaban tidak dikenal untuk variabel ini",
                                f"{where_en}: unknown answer for this variable"))
            continue
        if prefix and not is_within(prefix, region_code):
            issues.append(Issue("region_prefix", "weights", f"{where}: awalan wilayah {prefix} di luar {region_code}",
                                f"{where_en}: region prefix {prefix} is outside {region_code}"))
            continue
        if isinstance(points, bool) or not isinstance(points, int) or not -100 <= points <= 100:
            issues.append(Issue("points", "weights", f"{where}: poin harus bilangan bulat −100…100",
                                f"{where_en}: points must be a whole number −100…100"))
            continue
        key = (variable, value, prefix)
        if key in seen:
            issues.append(Issue("duplicate", "weights", f"{where}: bobot ganda", f"{where_en}: duplicate weight"))
            continue
        seen.add(key)
        rows.append({"variable": variable, "value": value, "region_prefix": prefix, "points": points})
    if not rows and not issues:
        issues.append(Issue("empty", "weights", "tidak ada bobot", "no weights given"))
    if issues:
        raise ValidationFailed(issues)
    return rows


def weights_frame(weight_set: PmtWeightSet) -> pl.DataFrame:
    rows = list(weight_set.weights.values_list("variable", "value", "region_prefix", "points"))
    return pl.DataFrame(rows, schema={"variable": pl.String, "value": pl.String, "region_prefix": pl.String,
                                      "points": pl.Int64}, orient="row")


def _families(region_code: str) -> pl.DataFrame:
    """Active families of the district: id, village, coded answers, floor area, assets and livestock as JSON
    text, active members. The ORM's own SQL (scope through the region helper) run through `Bulk.fetch`
    (COPY on PostgreSQL; no per-row converters)."""
    coded = list(CODED)
    bulk = Bulk()
    qs = Family.objects.filter(region_within_q(region_code, "region__code"), status=c.FamilyStatus.ACTIVE)
    sql, params = qs.order_by().values_list("id", "region_id", "floor_area_m2", "assets", "livestock", *coded).query.sql_with_params()
    frame = bulk.fetch(sql, params, types={"id": "uuid", "floor_area_m2": "int"})
    frame = frame.rename(dict(zip(frame.columns, ["family_id", "region_id", "floor_area_m2", "assets", "livestock",
                                                   *coded], strict=True)))
    frame = frame.with_columns([pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
                                for name in coded])
    counts = (Individual.objects.filter(family__status=c.FamilyStatus.ACTIVE, presence__in=c.ACTIVE_PRESENCE)
              .filter(region_within_q(region_code, "family__region__code"))
              .values("family_id").annotate(n=Count("id")).values_list("family_id", "n"))
    sql, params = counts.query.sql_with_params()
    members = bulk.fetch(sql, params, types={"family_id": "uuid", "n": "int"})
    members = members.rename(dict(zip(members.columns, ["family_id", "members"], strict=True)))
    return frame.join(members, on="family_id", how="left").with_columns(pl.col("members").fill_null(0))


def _answers(families: pl.DataFrame) -> pl.DataFrame:
    """One row per family and answer: family_id, region_id, variable, value, qty (the unit count)."""
    base = ["family_id", "region_id"]
    coded = (families.select(*base, *CODED).unpivot(index=base, variable_name="variable", value_name="value")
             .filter(pl.col("value").is_not_null()).with_columns(pl.lit(1).cast(pl.Int64).alias("qty")))
    # Assets and livestock are JSON objects ({"car": true}, {"goat": 3}): one column per key, then long.
    flags = families.select(*base, *(
        pl.col("assets").str.json_path_match(f"$.{key}").str.to_lowercase().is_in(["true", "1"]).alias(f"asset:{key}")
        for key in ASSET_KEYS))
    assets = (flags.unpivot(index=base, variable_name="variable", value_name="_yes").filter(pl.col("_yes"))
              .select(*base, "variable", pl.lit("").alias("value"), pl.lit(1).cast(pl.Int64).alias("qty")))
    heads = families.select(*base, *(
        pl.col("livestock").str.json_path_match(f"$.{key}").cast(pl.Float64, strict=False).fill_null(0)
        .clip(0, LIVESTOCK_CAP).cast(pl.Int64).alias(f"livestock:{key}") for key in LIVESTOCK_KEYS))
    livestock = (heads.unpivot(index=base, variable_name="variable", value_name="qty").filter(pl.col("qty") > 0)
                 .select(*base, "variable", pl.lit("").alias("value"), "qty"))
    units = families.select(
        *base, pl.lit("members").alias("variable"), pl.lit("").alias("value"), pl.col("members").alias("qty"),
    )
    area = families.filter(pl.col("floor_area_m2").is_not_null() & (pl.col("members") > 0)).select(
        *base, pl.lit("floor_area_per_member").alias("variable"), pl.lit("").alias("value"),
        (pl.col("floor_area_m2") // pl.col("members")).clip(0, FLOOR_AREA_CAP).cast(pl.Int64).alias("qty"),
    )
    return pl.concat([coded, assets, livestock, units, area], how="vertical")


@dataclass(slots=True)
class Estimate:
    weight_set: PmtWeightSet
    frame: pl.DataFrame  # family_id, region_id, score, estimate (1–10)


def estimate(weight_set: PmtWeightSet) -> Estimate:
    """Score and estimated decile of every active family of the weight set's district."""
    families = _families(weight_set.region_id)
    if families.is_empty():
        return Estimate(weight_set, pl.DataFrame(schema={"family_id": pl.String, "region_id": pl.String,
                                                         "score": pl.Int64, "estimate": pl.Int8}))
    answers = _answers(families)
    villages = families.get_column("region_id").unique().to_list()
    prefixes = pl.DataFrame([(v, p) for v in villages for p in ["", *ancestor_codes(v)]],
                            schema={"region_id": pl.String, "region_prefix": pl.String}, orient="row")
    weights = weights_frame(weight_set)
    applicable = (prefixes.join(weights, on="region_prefix", how="inner")
                  .with_columns(pl.col("region_prefix").str.len_chars().alias("_depth"))
                  .sort("_depth", descending=True)
                  .unique(subset=["region_id", "variable", "value"], keep="first", maintain_order=True)
                  .select("region_id", "variable", "value", "points"))
    scored = (answers.join(applicable, on=["region_id", "variable", "value"], how="inner")
              .group_by("family_id").agg((pl.col("points") * pl.col("qty")).sum().alias("score")))
    frame = (families.select("family_id", "region_id").join(scored, on="family_id", how="left")
             .with_columns(pl.col("score").fill_null(0)).sort("score", "family_id"))
    n = frame.height
    frame = frame.with_columns(((pl.int_range(0, n, dtype=pl.Int64) * 10) // n + 1).cast(pl.Int8).alias("estimate"))
    return Estimate(weight_set, frame)
