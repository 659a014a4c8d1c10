"""Second listings planted in the demo district, so that a newcomer sees the duplicate review queue fill: a
few dozen people listed again in another family of the same desa or kecamatan, the way it happens (kept in
the parents' family and listed in the new one), each with one realistic change — a typing slip in the name,
the NIK left out, one NIK digit mistyped, day and month swapped, or copied as is. Deterministic: the same data
and count give the same rows (ids derived from the source person's id), so a rerun of the loader adds
nothing."""

from __future__ import annotations

import uuid
import zlib
from dataclasses import replace

import numpy as np
import polars as pl

from tepat.registry import choices as c
from tepat.registry.demo.generate import DemoData

DEMO_DUPLICATES = 40
_NAMESPACE = uuid.UUID("6f0c5f0e-4a55-4b8e-9d0e-7e6a1d0c0d13")
CHANGES = ("typo", "nik_missing", "nik_mistyped", "swap", "copy")


def _typo(name: str, rng: np.random.Generator) -> str:
    if len(name) < 5:
        return name + "h"
    at = int(rng.integers(1, len(name) - 2))
    return name[:at] + name[at + 1] + name[at] + name[at + 2:] if name[at + 1] != " " else name[:at] + name[at + 1:]


def _mistype(nik: str, rng: np.random.Generator) -> str:
    at = int(rng.integers(12, 16))  # the serial: the slip the NIK itself cannot reveal
    return nik[:at] + str((int(nik[at]) + int(rng.integers(1, 10))) % 10) + nik[at + 1:]


def plant_duplicates(data: DemoData, count: int = DEMO_DUPLICATES) -> DemoData:
    """`data` with `count` second listings appended to other families (members counts updated)."""
    if count <= 0 or data.individuals.is_empty():
        return data
    rng = np.random.default_rng([data.seed, zlib.crc32(b"duplicates")])
    living = [int(p) for p in c.ACTIVE_PRESENCE]
    families = data.families.select("id", "region_code")
    people = data.individuals.join(families.rename({"id": "family_id"}), on="family_id").filter(
        pl.col("presence").is_in(living) & (pl.col("relation") != int(c.Relation.HEAD))
        & (pl.col("nik").str.len_chars() == 16))
    if people.is_empty() or families.height < 2:
        return data
    chosen = people[rng.choice(people.height, min(count, people.height), replace=False).tolist()]
    by_village = families.group_by("region_code").agg("id")
    pools = dict(zip(by_village["region_code"], by_village["id"], strict=True))
    by_kecamatan = families.with_columns(pl.col("region_code").str.slice(0, 8).alias("kec")).group_by("kec").agg("id")
    kec_pools = dict(zip(by_kecamatan["kec"], by_kecamatan["id"], strict=True))
    next_position = dict(data.individuals.group_by("family_id").agg(pl.col("position").max()).iter_rows())
    external = dict(zip(data.families["id"], data.families["external_id"], strict=True))
    rows = []
    for i, record in enumerate(chosen.drop("region_code").iter_rows(named=True)):
        region = chosen["region_code"][i]
        pool = pools[region] if rng.random() < 0.6 else kec_pools[region[:8]]
        target = pool[int(rng.integers(0, len(pool)))]
        if target == record["family_id"]:
            continue
        change = CHANGES[i % len(CHANGES)]
        out = dict(record)
        if change == "typo":
            out["name"] = _typo(record["name"], rng)
        elif change == "nik_missing":
            out["nik"] = ""
        elif change == "nik_mistyped":
            out["nik"] = _mistype(record["nik"], rng)
        elif change == "swap":
            born = record["birth_date"]
            if born.day <= 12 and born.day != born.month:
                out["birth_date"] = born.replace(day=born.month, month=born.day)
        position = next_position[target] + 1
        next_position[target] = position
        out.update(id=str(uuid.uuid5(_NAMESPACE, f"{record['id']}|{target}")), family_id=target,
                   position=position, relation=int(c.Relation.OTHER),
                   external_id=f"{external[target]}-{position:02d}")
        rows.append(out)
    if not rows:
        return data
    extra = pl.DataFrame(rows, schema=data.individuals.schema)
    added = extra.group_by("family_id").len()
    families_out = data.families.join(added.rename({"family_id": "id", "len": "_added"}), on="id", how="left") \
        .with_columns((pl.col("members") + pl.col("_added").fill_null(0)).cast(pl.Int16).alias("members")) \
        .drop("_added")
    return replace(data, families=families_out, individuals=pl.concat([data.individuals, extra]))
