"""Reads of the official desil for other apps (programmes read desil only through here)."""

from __future__ import annotations

import polars as pl

from tepat.targeting.models import DesilRelease, FamilyDesil


def desil_frame(release: DesilRelease) -> pl.DataFrame:
    """One row per family of a release: `family_id` (str, the Family's UUID) and `desil` (Int8, 1–10)."""
    rows = FamilyDesil.objects.filter(release=release).values_list("family_id", "desil")
    ids, values = [], []
    for family_id, desil in rows.iterator(chunk_size=20_000):
        ids.append(str(family_id))
        values.append(desil)
    return pl.DataFrame({"family_id": ids, "desil": values}, schema={"family_id": pl.Utf8, "desil": pl.Int8})


def latest_published_release(region_code: str) -> DesilRelease | None:
    """The newest published release covering `region_code` (a release of the region or one above it)."""
    candidates = [region_code[:n] for n in (2, 5, 8, 13) if len(region_code) >= n]
    return (DesilRelease.objects.filter(region_id__in=candidates, status=DesilRelease.Status.PUBLISHED)
            .order_by("-period", "-imported_at").first())
