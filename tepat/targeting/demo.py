"""A realistic official desil file for the demo district, and its import (`tepat demo-desil`).

The centre's desil ranks a PMT of its own over the REGSOSEK answers; the demo stands in for it with the
local default weights plus noise (so the local estimate and the "official" desil mostly agree and a few
hundred families are three or more deciles apart), covers ~96% of the families (the rest show on the
families-without-desil list), matches most rows by KK and some by the head's NIK, and adds a handful of
rows the report rejects (unknown KK and NIK, desil 11, a text, a conflicting duplicate).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from tepat.core.actors import SYSTEM
from tepat.regions.selectors import region_within_q
from tepat.registry import choices as c
from tepat.registry.models import Individual
from tepat.targeting.models import PmtWeightSet
from tepat.targeting.pmt import default_weights, estimate
from tepat.targeting.services import desil_import, pmt_weight_set_create

DEMO_PERIOD = "2026-T4"
DEMO_SOURCE = "DTSEN Kemensos (demo)"


def demo_weight_set(region_code: str) -> PmtWeightSet:
    existing = PmtWeightSet.objects.filter(region_id=region_code).order_by("-version").first()
    if existing is not None:
        return existing
    return pmt_weight_set_create(actor=SYSTEM, region_code=region_code, label="Bobot awal / starting weights",
                                 weights=default_weights(),
                                 note="Bobot awal Tepat; sesuaikan dengan kondisi daerah / Tepat's starting weights")


def demo_desil_frame(region_code: str, *, seed: int = 2025, coverage: float = 0.96) -> pl.DataFrame:
    """NO_KK, NIK, DESIL rows for the district's families (strings, as a file holds them)."""
    weight_set = demo_weight_set(region_code)
    scored = estimate(weight_set).frame
    rng = np.random.default_rng(seed)
    n = scored.height
    if n == 0:
        return pl.DataFrame(schema={"NO_KK": pl.String, "NIK": pl.String, "DESIL": pl.String})
    spread = float(scored.get_column("score").std() or 1.0)
    noisy = scored.get_column("score").to_numpy() + rng.normal(0, 0.45 * spread, n)
    order = np.argsort(noisy, kind="stable")
    desil = np.empty(n, dtype=np.int64)
    desil[order] = np.arange(n) * 10 // n + 1
    scored = scored.with_columns(pl.Series("desil", desil), pl.Series("_keep", rng.random(n) < coverage),
                                 pl.Series("_by_nik", rng.random(n) < 0.2))
    heads = Individual.objects.filter(region_within_q(region_code, "family__region__code"), relation=1,
                                      presence__in=c.ACTIVE_PRESENCE).order_by("family_id", "birth_date", "nik").values_list(
                                      "family_id", "nik", "family__kk_number")
    ids = pl.DataFrame([(f.hex, nik, kk) for f, nik, kk in heads.iterator(chunk_size=20_000)],
                       schema={"family_id": pl.String, "nik": pl.String, "kk": pl.String}, orient="row")
    ids = ids.unique(subset="family_id", keep="first", maintain_order=True)
    rows = scored.filter(pl.col("_keep")).join(ids, on="family_id", how="inner").select(
        pl.when(pl.col("_by_nik")).then(pl.lit("")).otherwise(pl.col("kk")).alias("NO_KK"),
        pl.when(pl.col("_by_nik")).then(pl.col("nik")).otherwise(pl.lit("")).alias("NIK"),
        pl.col("desil").cast(pl.String).alias("DESIL"),
    ).sort("NO_KK", "NIK")  # the same registry and seed give the same file (a rerun finds its release)
    if rows.height >= 3:
        first, second = rows.row(0), rows.row(1)
        other = str(int(second[2]) % 10 + 1)
        bad = pl.DataFrame({
            "NO_KK": ["3604051506159991", "", first[0] or "", second[0] or "", "", "3604059912250001"],
            "NIK": ["", "3604054101909991", "" if first[0] else first[1], "" if second[0] else second[1], "", ""],
            "DESIL": ["3", "2", "11", other, "2", "miskin"],
        })
        # first[...] with desil 11 is rejected on its own row; second is now listed twice with different
        # desils (both rows rejected); a row with neither KK nor NIK; a KK with an impossible date.
        rows = pl.concat([rows, bad])
    return rows


def demo_desil(*, region_code: str, out: str | Path, seed: int = 2025):
    """Write the demo district's desil file and import it as the system (idempotent: a rerun with the same
    file finds the published release)."""
    frame = demo_desil_frame(region_code, seed=seed)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path, separator=";")
    return desil_import(actor=SYSTEM, source=path, period=DEMO_PERIOD, source_label=DEMO_SOURCE,
                        region_code=region_code, decree_number="Kepmensos 79/HUK/2026 (demo)",
                        decree_date=date(2026, 11, 2))
