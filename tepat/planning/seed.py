"""Seed data: the nomenclature as source 001 shows it, and the predicate bands of Permendagri 86/2017.

Called by the data migration (with the historical models) and by tests; idempotent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
NOMENCLATURE_FILE = DATA / "nomenclature-1.06-source-001.json"
SOURCE_001_WORKBOOK = DATA / "renja-2025-source-001.xlsx"
SOURCE_VERSION = "pmdn90-2019-src001"

BANDS = (
    (Decimal(91), "Sangat tinggi", "Very high"),
    (Decimal(76), "Tinggi", "High"),
    (Decimal(66), "Sedang", "Medium"),
    (Decimal(51), "Rendah", "Low"),
    (Decimal(0), "Sangat rendah", "Very low"),
)


def parent_of(code: str, level: int) -> str | None:
    """1.06.04.2.01.01 → 1.06.04.2.01 → 1.06.04 → 1.06 → 1 → None (a kegiatan code has two segments)."""
    parts = code.split(".")
    if level <= 1:
        return None
    return ".".join(parts[:-2] if level == 4 else parts[:-1])


def load_nomenclature(version_model, item_model, path: Path = NOMENCLATURE_FILE):
    data = json.loads(path.read_text(encoding="utf-8"))
    version, _ = version_model.objects.get_or_create(
        code=data["code"], defaults={"name": data["name"], "legal_basis": data["legal_basis"], "note": data["note"]})
    by_code = {i.code: i for i in item_model.objects.filter(version=version)}
    for entry in data["items"]:
        if entry["code"] in by_code:
            continue
        parent_code = parent_of(entry["code"], entry["level"])
        by_code[entry["code"]] = item_model.objects.create(
            version=version, code=entry["code"], level=entry["level"], name=entry["name"],
            parent=by_code.get(parent_code) if parent_code else None, indicator=entry.get("indicator", ""),
            unit=entry.get("unit", ""), indicator_type=entry.get("indicator_type", "flow"))
    return version


def load_bands(band_model) -> None:
    if band_model.objects.exists():
        return
    for minimum, label_id, label_en in BANDS:
        band_model.objects.create(minimum=minimum, label_id=label_id, label_en=label_en)
