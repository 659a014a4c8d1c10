"""Reads of the official desil for other apps (programmes read desil only through here)."""

from __future__ import annotations

import uuid
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, QuerySet

from tepat.accounts.access import actor_region_codes, ensure_capability, scope_q
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ObjectNotFound
from tepat.regions.models import Region
from tepat.regions.selectors import ancestor_codes, is_within, region_within_q
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.models import Family
from tepat.registry.selectors import family_heads
from tepat.registry.transfer.report import render_csv
from tepat.targeting.models import DesilIssue, DesilRelease, FamilyDesil, PmtEstimate, PmtWeightSet


def desil_frame(release: DesilRelease) -> pl.DataFrame:
    """One row per family of a release: `family_id` (str, the Family's UUID) and `desil` (Int8, 1–10). Read
    columnar (`Bulk.fetch`: one COPY on PostgreSQL), no Python object per row."""
    from tepat.registry.transfer.bulk import Bulk

    sql, params = (FamilyDesil.objects.filter(release=release).order_by()
                   .values_list("family_id", "desil").query.sql_with_params())
    frame = Bulk().fetch(sql, params, types={"family_id": "uuid", "desil": "int"})
    frame = frame.rename(dict(zip(frame.columns, ["family_id", "desil"], strict=True)))
    f = pl.col("family_id")  # 32 hex characters → the dashed form str(uuid) gives
    return frame.select(
        pl.concat_str([f.str.slice(0, 8), f.str.slice(8, 4), f.str.slice(12, 4), f.str.slice(16, 4),
                       f.str.slice(20, 12)], separator="-").alias("family_id"),
        pl.col("desil").cast(pl.Int8))


def latest_published_release(region_code: str) -> DesilRelease | None:
    """The newest published release covering `region_code` (a release of the region or one above it)."""
    candidates = [region_code[:n] for n in (2, 5, 8, 13) if len(region_code) >= n]
    return (DesilRelease.objects.filter(region_id__in=candidates, status=DesilRelease.Status.PUBLISHED)
            .order_by("-period", "-imported_at").first())


# --- scoped reads for pages and the API ------------------------------------------------------------------
# A release or weight set of a region is seen by those assigned to that region, to a region under it (a
# village operator sees the district's release, and only their village's families in it) or above it.
# Out of scope is answered like not found.

def _visible_q(actor: Any, field: str) -> Q:
    codes = actor_region_codes(actor)
    above = {code for own in codes for code in ancestor_codes(own)}
    return scope_q(actor, field) | Q(**{f"{field}__in": sorted(above)})


def releases_visible(*, actor: Any) -> QuerySet[DesilRelease]:
    ensure_capability(actor=actor, capability=Capability.TARGETING_VIEW)
    return DesilRelease.objects.filter(_visible_q(actor, "region__code")).select_related("region").order_by(
        "-created_at")


def access_release(*, actor: Any, release_id: Any) -> DesilRelease:
    try:
        return releases_visible(actor=actor).get(pk=release_id)
    except (DesilRelease.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc


def release_issues(release: DesilRelease) -> QuerySet[DesilIssue]:
    return DesilIssue.objects.filter(release=release).order_by("row", "id")


def release_issue_counts(release: DesilRelease) -> dict[str, int]:
    rows = dict(DesilIssue.objects.filter(release=release).values_list("severity").annotate(n=Count("id")))
    return {"errors": rows.get("error", 0), "warnings": rows.get("warning", 0)}


def release_issue_rows(*, actor: Any, release: DesilRelease, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    """The report's rows as this actor may see them: values from the file (NIK/KK numbers) and the messages
    through the masking policy (`actor=None` is the system: whole values)."""
    issues = release_issues(release).values("row", "column", "value", "severity", "code", "message_id", "message_en")
    issues = issues[offset:offset + limit] if limit is not None else issues[offset:]
    if actor is None:
        return list(issues)
    return [{**item, "value": masking.value(actor, "value", item["value"]),
             "message_id": masking.value(actor, "message_id", item["message_id"]),
             "message_en": masking.value(actor, "message_en", item["message_en"])} for item in issues]


def release_report_csv(release: DesilRelease, actor: Any = None) -> bytes:
    """The row-level report as the registry import writes it (`;`, UTF-8 with BOM, formula-safe), masked for
    the actor."""
    rows = [tuple(item.values()) for item in release_issue_rows(actor=actor, release=release)]
    frame = pl.DataFrame(rows, schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "severity": pl.String,
                                       "code": pl.String, "message_id": pl.String, "message_en": pl.String},
                         orient="row")
    return render_csv(frame)


def families_without_desil(*, actor: Any, release: DesilRelease) -> QuerySet[Family]:
    """Active families of the release's region (and the actor's scope) that the release gives no desil."""
    ensure_capability(actor=actor, capability=Capability.TARGETING_VIEW)
    listed = FamilyDesil.objects.filter(release=release).values("family_id")
    return (Family.objects.filter(region_within_q(release.region_id, "region__code"), scope_q(actor, "region__code"),
                                  status=c.FamilyStatus.ACTIVE)
            .exclude(pk__in=listed).select_related("region").order_by("region_id", "rw", "rt", "kk_number"))


def family_rows(*, actor: Any, families: list[Family], extra: dict[Any, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Families as a list shows them: KK through the masking policy, the head's name, the village."""
    heads = family_heads(families)
    rows = []
    for family in families:
        head = heads.get(family.pk)
        rows.append({"family_id": str(family.pk), "kk_number": masking.identity(actor, family.kk_number),
                     "head_name": head.name if head else "", "region_code": family.region_id,
                     "village": family.region.name, "rw": family.rw, "rt": family.rt,
                     **((extra or {}).get(family.pk, {}))})
    return rows


def weight_sets_visible(*, actor: Any) -> QuerySet[PmtWeightSet]:
    ensure_capability(actor=actor, capability=Capability.TARGETING_VIEW)
    return PmtWeightSet.objects.filter(_visible_q(actor, "region__code")).select_related("region").order_by(
        "region_id", "-version")


def access_weight_set(*, actor: Any, weight_set_id: Any) -> PmtWeightSet:
    try:
        return weight_sets_visible(actor=actor).get(pk=weight_set_id)
    except (PmtWeightSet.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise ObjectNotFound() from exc


def comparison(*, actor: Any, weight_set: PmtWeightSet) -> tuple[pl.DataFrame, DesilRelease | None]:
    """Per family of the actor's villages: score, estimate (local, as stored for this weights version; the
    frame is empty until it is computed), desil (official, newest published release of the district; null
    when it has none) and the gap. The estimate ranks the whole district; only the actor's villages are read."""
    from tepat.registry.transfer.bulk import Bulk

    qs = (PmtEstimate.objects.filter(weight_set=weight_set).filter(scope_q(actor, "region_code")).order_by()
          .values_list("family_id", "region_code", "score", "estimate"))
    sql, params = qs.query.sql_with_params()
    frame = Bulk().fetch(sql, params, types={"family_id": "uuid", "score": "int", "estimate": "int"})
    frame = frame.rename(dict(zip(frame.columns, ["family_id", "region_id", "score", "estimate"], strict=True)))
    frame = frame.with_columns(pl.col("estimate").cast(pl.Int8))
    release = latest_published_release(weight_set.region_id)
    official = desil_frame(release) if release else pl.DataFrame(schema={"family_id": pl.Utf8, "desil": pl.Int8})
    official = official.with_columns(pl.col("family_id").str.replace_all("-", "", literal=True))
    frame = (frame.join(official, on="family_id", how="left")
             .with_columns((pl.col("estimate").cast(pl.Int16) - pl.col("desil").cast(pl.Int16)).alias("gap")))
    return frame, release


def family_desil(*, family: Any) -> dict[str, Any] | None:
    """The family's official desil in the newest published release of its district that holds it, or None.
    The caller has already scoped the family."""
    row = (FamilyDesil.objects.filter(family_id=family.pk, release__status=DesilRelease.Status.PUBLISHED)
           .select_related("release").order_by("-release__period", "-release__imported_at").first())
    return {"desil": row.desil, "release": row.release} if row else None


def family_estimate(*, family: Any) -> dict[str, Any] | None:
    """The family's local estimate under the newest estimated weights version of its district (labelled an
    estimate wherever shown), or None. The caller has already scoped the family."""
    row = (PmtEstimate.objects.filter(family_id=family.pk, weight_set__estimated_at__isnull=False)
           .select_related("weight_set").order_by("-weight_set__version").first())
    if row is None:
        return None
    return {"estimate": row.estimate, "score": row.score, "weight_set": row.weight_set}


def village_recap(*, actor: Any, weight_set: PmtWeightSet) -> tuple[list[dict[str, Any]], DesilRelease | None]:
    """Per village: families, with an official desil, mean desil, mean estimate, mean |gap|, families ≥ 3 apart."""
    from tepat.targeting.pmt import REVIEW_GAP

    frame, release = comparison(actor=actor, weight_set=weight_set)
    recap = (frame.group_by("region_id").agg(
        pl.len().alias("families"),
        pl.col("desil").is_not_null().sum().alias("with_desil"),
        pl.col("desil").cast(pl.Float64).mean().round(1).alias("mean_desil"),
        pl.col("estimate").cast(pl.Float64).mean().round(1).alias("mean_estimate"),
        pl.col("gap").abs().cast(pl.Float64).mean().round(2).alias("mean_abs_gap"),
        (pl.col("gap").abs() >= REVIEW_GAP).sum().alias("review"),
        *[(pl.col("desil") == d).sum().alias(f"desil_{d}") for d in range(1, 11)],
    ).sort("region_id"))
    names = dict(Region.objects.filter(code__in=recap.get_column("region_id").to_list()).values_list("code", "name"))
    rows = [{**row, "village": names.get(row["region_id"], ""),
             "desil_counts": [row[f"desil_{d}"] for d in range(1, 11)]} for row in recap.iter_rows(named=True)]
    return rows, release


def desil_distribution(*, actor: Any, region_code: str = "") -> tuple[list[dict[str, Any]], DesilRelease | None]:
    """Families per official desil (1–10) in the actor's villages (under `region_code` when given), from the
    newest published release of the district: [{"desil", "families", "percent"}], and the release."""
    ensure_capability(actor=actor, capability=Capability.TARGETING_VIEW)
    codes = actor_region_codes(actor)
    if not codes:
        return [], None
    district = (region_code or codes[0])[:5]
    release = latest_published_release(district)
    if release is None:
        return [], None
    qs = FamilyDesil.objects.filter(release=release).filter(scope_q(actor, "family__region__code"))
    if region_code:
        qs = qs.filter(region_within_q(region_code, "family__region__code"))
    counts = dict(qs.order_by().values_list("desil").annotate(n=Count("family_id")).values_list("desil", "n"))
    total = sum(counts.values())
    return [{"desil": d, "families": counts.get(d, 0),
             "percent": round(100 * counts.get(d, 0) / total, 1) if total else 0.0} for d in range(1, 11)], release


def review_frame(*, actor: Any, weight_set: PmtWeightSet, region_code: str = "") -> tuple[pl.DataFrame, DesilRelease | None]:
    """Families whose local estimate and official desil are ≥ 3 deciles apart (largest gap first)."""
    from tepat.targeting.pmt import REVIEW_GAP

    frame, release = comparison(actor=actor, weight_set=weight_set)
    frame = frame.filter(pl.col("gap").abs() >= REVIEW_GAP)
    if region_code:
        keep = [v for v in frame.get_column("region_id").unique().to_list() if is_within(v, region_code)]
        frame = frame.filter(pl.col("region_id").is_in(keep))
    frame = frame.with_columns(pl.col("gap").abs().alias("_abs")).sort(["_abs", "region_id", "family_id"],
                                                                       descending=[True, False, False]).drop("_abs")
    return frame, release


def review_rows(*, actor: Any, frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The review list's rows (a slice of `review_frame`) with KK (masked per policy), head and village."""
    ids = [uuid.UUID(hex=value) for value in frame.get_column("family_id").to_list()]
    families = {f.pk: f for f in Family.objects.filter(pk__in=ids).select_related("region")}
    ordered = [families[pk] for pk in ids if pk in families]
    extra = {uuid.UUID(hex=row["family_id"]): {"score": row["score"], "estimate": row["estimate"],
                                               "desil": row["desil"], "gap": row["gap"]}
             for row in frame.iter_rows(named=True)}
    return family_rows(actor=actor, families=ordered, extra=extra)
