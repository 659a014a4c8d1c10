"""Synthetic demo data for the registry.

- `generate(villages, families, seed)` → `DemoData` (polars frames: families, individuals, programs, welfare),
  vectorised, deterministic, no database access; `VillageInfo` describes one desa/kelurahan. Importing these
  needs no Django settings.
- `villages_under(region_code=...)` and `demo_generate_for_region(...)` read the villages from the Region table;
  `demo_data_load(actor=..., data=..., region_code=...)` inserts the frames in bulk, idempotently, with one
  audit event (module `load`, imported on first use because it needs the Django models).
"""

from typing import Any

from tepat.registry.demo.generate import DEMO_AS_OF, DemoData, VillageInfo, generate

_LOAD_NAMES = frozenset({"AUDIT_ACTION", "DemoLoadResult", "demo_data_load", "demo_generate_for_region",
                         "districts_of_regencies", "insert_rows", "villages_under"})

__all__ = ["DEMO_AS_OF", "DemoData", "VillageInfo", "generate", *sorted(_LOAD_NAMES)]


def __getattr__(name: str) -> Any:
    if name in _LOAD_NAMES:
        from tepat.registry.demo import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
