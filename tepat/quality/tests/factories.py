"""Test helpers: registry rows the services would refuse (a NIK twice, a KK twice) are what data quality finds,
so they are written directly here, as an import of old data would have left them."""

from __future__ import annotations

from datetime import date

from conftest import OTHER_VILLAGE, VILLAGE, make_kk, make_nik
from tepat.registry.identity import name_key
from tepat.registry.models import Family, Individual


def raw_family(*, region: str = VILLAGE, kk: str | None = None, external_id: str = "") -> Family:
    return Family.objects.create(kk_number=kk or make_kk(), region_id=region, external_id=external_id)


def raw_member(family: Family, *, name: str, born: date, sex: int = 1, nik: str | None = None, relation: int = 1,
               external_id: str = "") -> Individual:
    return Individual.objects.create(
        family=family, nik=make_nik(born=born, sex=sex) if nik is None else nik, name=name, name_key=name_key(name),
        sex=sex, birth_date=born, birth_place="Serang", relation=relation, external_id=external_id)


__all__ = ["OTHER_VILLAGE", "VILLAGE", "raw_family", "raw_member"]
