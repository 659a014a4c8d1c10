"""Families for the targeting tests, made through the registry services."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import OTHER_DISTRICT_VILLAGE, OTHER_VILLAGE, VILLAGE, make_kk, member_data


def desil_csv(*rows: tuple[str, str, str], header: str = "NO_KK;NIK;DESIL") -> bytes:
    lines = [header, *(";".join(row) for row in rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.fixture
def make_family(dinsos_operator):
    from tepat.registry.services import family_create

    def _make(region: str = VILLAGE, *, members: int = 2, **data):
        people = [member_data(relation=1, sex=1, born=date(1980, 1, 5), name="Kepala Uji")]
        people += [member_data(relation=3, sex=1, born=date(2010, 1, 5 + i), name=f"Anak {i}") for i in range(members - 1)]
        return family_create(actor=dinsos_operator, region_code=region,
                             data={"kk_number": make_kk(), "rw": "1", "rt": "1", **data}, members=people, correction_reason="test fixture")

    return _make


@pytest.fixture
def families(make_family):
    """Five families of VILLAGE, two of OTHER_VILLAGE (same district)."""
    return [make_family() for _ in range(5)] + [make_family(OTHER_VILLAGE) for _ in range(2)]


@pytest.fixture
def city_family(make_user):
    from tepat.registry.services import family_create

    city = make_user("dinsos_operator", ["36.73"], "op_kota_fixture")
    return family_create(actor=city, region_code=OTHER_DISTRICT_VILLAGE,
                         data={"kk_number": make_kk(region6="367305"), "rw": "1", "rt": "1"},
                         members=[member_data(relation=1, name="Warga Kota")], correction_reason="test fixture")
