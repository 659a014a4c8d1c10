"""Builders for the planning tests: plans made through the services, on the seeded nomenclature."""

from __future__ import annotations

from typing import Any

from conftest import DISTRICT
from tepat.planning.models import NomenclatureVersion, Plan
from tepat.planning.seed import SOURCE_VERSION
from tepat.planning.services import line_save, plan_create

# Programme 1.06.04 with one kegiatan and two sub-kegiatan, as in source 001
PROGRAMME, KEGIATAN, SUB_A, SUB_B = "1.06.04", "1.06.04.2.01", "1.06.04.2.01.01", "1.06.04.2.01.10"


def version() -> NomenclatureVersion:
    return NomenclatureVersion.objects.get(code=SOURCE_VERSION)


def small_plan(actor: Any, *, year: int = 2025, region: str = DISTRICT) -> Plan:
    plan = plan_create(actor=actor, region_code=region, year=year, organisation="Dinas Sosial", nomenclature=version())
    line_save(actor=actor, plan=plan, code=PROGRAMME, indicator="Cakupan Rehabilitasi Sosial",
              indicator_type="percentage", target="7.23", unit="%", pagu=150_000_000)
    line_save(actor=actor, plan=plan, code=KEGIATAN, indicator="Jumlah PPKS terlayani", target=30, unit="Orang",
              pagu=150_000_000)
    line_save(actor=actor, plan=plan, code=SUB_A, target=20, unit="Orang", pagu=100_000_000, location="Kab. Serang",
              fund_source="APBD")
    line_save(actor=actor, plan=plan, code=SUB_B, target=10, unit="Orang", pagu=50_000_000, location="Kab. Serang",
              fund_source="APBD")
    return plan
