from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tepat.audit.services import audit_record
from tepat.regions.master import DECREE, iter_master, name_key, source_label
from tepat.regions.models import Region, RegionMasterVersion

_BATCH = 5000


@dataclass(slots=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int
    counts: dict[int, int]


def regions_load(*, actor: Any, provinces: set[str] | None = None) -> LoadResult:
    """Load (or refresh) the official master. Idempotent: a second run creates and updates nothing.

    Set-based: one read of the existing rows, bulk inserts for new codes, bulk updates for changed ones.
    """
    with transaction.atomic():
        existing = {
            row[0]: row[1:]
            for row in Region.objects.values_list(
                "code", "name", "level", "kind", "parent_id", "postal_code", "name_key"
            )
        }
        new_rows: list[Region] = []
        changed: list[Region] = []
        counts = {1: 0, 2: 0, 3: 0, 4: 0}
        for row in iter_master(provinces):
            counts[row.level] += 1
            key = name_key(row.name)
            # name_key is compared too, so that a better key function reaches rows loaded before it.
            values = (row.name, row.level, row.kind, row.parent_code, row.postal_code, key)
            region = Region(
                code=row.code, name=row.name, level=row.level, kind=row.kind,
                parent_id=row.parent_code, postal_code=row.postal_code, name_key=key,
            )
            current = existing.get(row.code)
            if current is None:
                new_rows.append(region)
            elif tuple(current) != values:
                changed.append(region)
        # Parents come first in iter_master, so batches respect the foreign key.
        for start in range(0, len(new_rows), _BATCH):
            Region.objects.bulk_create(new_rows[start : start + _BATCH], batch_size=_BATCH)
        if changed:
            Region.objects.bulk_update(
                changed, ["name", "level", "kind", "parent", "postal_code", "name_key"], batch_size=1000
            )
        unchanged = sum(counts.values()) - len(new_rows) - len(changed)
        if new_rows or changed or not RegionMasterVersion.objects.exists():
            version = RegionMasterVersion.objects.create(
                decree=DECREE, source=source_label(), provinces=counts[1], regencies=counts[2],
                districts=counts[3], villages=counts[4], created=len(new_rows), updated=len(changed),
            )
            audit_record(
                actor=actor, action="regions.load", target=version,
                data={"decree": DECREE, "source": version.source, "created": len(new_rows),
                      "updated": len(changed), "counts": counts,
                      "provinces": sorted(provinces) if provinces else "all"},
            )
        return LoadResult(len(new_rows), len(changed), unchanged, counts)
