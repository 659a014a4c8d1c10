"""Exporting the registry: layouts, masking, scope, audit, streaming batches, and the round trip."""

import io
from datetime import date

import polars as pl
import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from conftest import DISTRICT, VILLAGE, make_kk, member_data
from tepat.accounts import roles
from tepat.accounts.roles import Capability
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, ProgramParticipation
from tepat.registry.services import family_create, family_remove, individual_set_presence
from tepat.registry.transfer import exporter
from tepat.registry.transfer.exporter import registry_export
from tepat.registry.transfer.importer import import_summary, registry_import_run, registry_import_start


@pytest.fixture
def registry(family, other_village_family, dinsos_operator):
    """Three families in Kab. Serang (one removed), members with one who died, a program."""
    ProgramParticipation.objects.create(family=family, program="pkh")
    third = family_create(correction_reason="koreksi uji",
        actor=dinsos_operator, region_code="36.04.05.2003",
        data={"kk_number": make_kk(), "rw": "4", "rt": "7", "address": "Kp. Pejaten", "floor": 2,
              "drinking_water": 12, "floor_area_m2": 36},
        members=[member_data(relation=1, sex=2, born=date(1970, 2, 2), name="Nyai Rohaeti",
                             chronic_illness=2, occupation="Pedagang"),
                 member_data(relation=3, sex=1, born=date(2001, 9, 9), name="Ujang Jaelani")],
    )
    dead = third.members.get(name="Ujang Jaelani")
    individual_set_presence(correction_reason="koreksi uji", actor=dinsos_operator, individual=dead, presence=c.Presence.DIED)
    removed = family_create(correction_reason="koreksi uji", actor=dinsos_operator, region_code=VILLAGE, data={"kk_number": make_kk()},
                            members=[member_data(relation=1, name="Sudah Pindah", born=date(1960, 1, 1))])
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=removed, reason="moved")
    return {"family": family, "other": other_village_family, "third": third, "removed": removed}


def read_csv(path) -> pl.DataFrame:
    return pl.read_csv(path, separator=";", infer_schema=False)


def read_xlsx(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_export_siks_csv_as_the_system(registry, tmp_path):
    out = tmp_path / "dtks.csv"
    result = registry_export(actor=SYSTEM, region_code=DISTRICT, out=out)
    frame = read_csv(out)
    assert frame.columns[:6] == ["ID_DTKS", "PROVINSI", "KABUPATEN_KOTA", "KECAMATAN", "DESA_KELURAHAN", "KODE_WILAYAH"]
    expected = Individual.objects.filter(presence__in=c.ACTIVE_PRESENCE, family__status="active").count()
    assert result.rows == frame.height == expected == 5
    assert result.families == 3 and result.masked is False
    head = registry["family"].members.get(relation=c.Relation.HEAD)
    row = frame.filter(pl.col("NIK") == head.nik).row(0, named=True)
    assert row["NO_KK"] == registry["family"].kk_number
    assert (row["KABUPATEN_KOTA"], row["KODE_WILAYAH"]) == ("Kabupaten Serang", VILLAGE)
    assert (row["JENIS_KELAMIN"], row["HUBUNGAN_KELUARGA"], row["TANGGAL_LAHIR"]) == (
        "LAKI-LAKI", "KEPALA KELUARGA", head.birth_date.strftime("%d-%m-%Y"))
    assert (row["RT"], row["RW"], row["PKH"], row["BPNT"]) == ("005", "002", "Y", "T")
    assert "Sudah Pindah" not in frame.get_column("NAMA").to_list()  # removed family
    assert "Ujang Jaelani" not in frame.get_column("NAMA").to_list()  # died
    event = AuditEvent.objects.get(action="registry.export")
    assert event.region_code == DISTRICT and event.actor_label == "system"
    assert event.data["rows"] == 5 and event.data["masked"] is False
    assert audit_verify().ok


@pytest.mark.parametrize(("fmt", "preset"), [("csv", "siks"), ("xlsx", "siks"), ("csv", "tepat"), ("xlsx", "tepat")])
def test_export_then_import_changes_nothing(registry, tmp_path, fmt, preset):
    out = tmp_path / f"dtks.{fmt}"
    registry_export(actor=SYSTEM, region_code=DISTRICT, out=out, fmt=fmt, preset=preset)
    families = list(Family.objects.order_by("id").values())
    individuals = list(Individual.objects.order_by("id").values())
    programs = ProgramParticipation.objects.count()
    events = AuditEvent.objects.count()
    job = registry_import_start(actor=SYSTEM, source=out, preset=preset)
    summary = import_summary(registry_import_run(actor=SYSTEM, job_id=job.pk))
    assert summary["rows_rejected"] == 0 and summary["rows_accepted"] == 5
    assert summary["changed"] is False, summary
    assert list(Family.objects.order_by("id").values()) == families
    assert list(Individual.objects.order_by("id").values()) == individuals
    assert ProgramParticipation.objects.count() == programs
    # Only the job's own status moves are recorded (ADR 0014); nothing about the registry.
    assert list(AuditEvent.objects.order_by("seq")[events:].values_list("action", "target_id")) == [
        ("registry.import_start", str(job.pk)), ("registry.import_finish", str(job.pk))]


def test_tepat_layout_carries_housing_and_sensitive_columns(registry, tmp_path):
    out = tmp_path / "full.csv"
    registry_export(actor=SYSTEM, region_code="36.04.05.2003", out=out, preset="tepat")
    frame = read_csv(out)
    row = frame.filter(pl.col("name") == "Nyai Rohaeti").row(0, named=True)
    assert (row["floor"], row["drinking_water"], row["floor_area_m2"], row["chronic_illness"]) == ("2", "12", "36", "2")
    assert row["birth_date"] == "1970-02-02" and row["sex"] == "2" and row["program_pkh"] == "T"


def test_streaming_batches_give_the_same_file(registry, tmp_path, monkeypatch):
    registry_export(actor=SYSTEM, region_code=DISTRICT, out=tmp_path / "one.csv")
    monkeypatch.setattr(exporter, "BATCH_FAMILIES", 1)
    registry_export(actor=SYSTEM, region_code=DISTRICT, out=tmp_path / "many.csv")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()


def test_xlsx_keeps_identity_numbers_as_text(registry, tmp_path):
    out = tmp_path / "dtks.xlsx"
    registry_export(actor=SYSTEM, region_code=VILLAGE, out=out, fmt="xlsx")
    rows = read_xlsx(out)
    header = rows[0]
    nik_index = header.index("NIK")
    assert all(isinstance(r[nik_index], str) and len(r[nik_index]) == 16 for r in rows[1:])


def _without(monkeypatch, capability):
    changed = {role: caps - {capability} for role, caps in roles.ROLE_CAPABILITIES.items()}
    monkeypatch.setattr(roles, "ROLE_CAPABILITIES", changed)


def test_identity_numbers_are_masked_for_roles_that_may_not_see_them(registry, dinsos_operator, tmp_path, monkeypatch):
    _without(monkeypatch, Capability.PERSONAL_DATA_FULL)
    out = tmp_path / "masked.csv"
    result = registry_export(actor=dinsos_operator, region_code=VILLAGE, out=out)
    frame = read_csv(out)
    assert result.masked is True
    assert all(value[6:] == "**********" for value in frame.get_column("NIK").to_list() + frame.get_column("NO_KK").to_list())
    assert AuditEvent.objects.get(action="registry.export").data["masked"] is True
    # A masked file cannot overwrite anything: every row is rejected.
    before = list(Individual.objects.order_by("id").values())
    job = registry_import_start(actor=SYSTEM, source=out)
    summary = import_summary(registry_import_run(actor=SYSTEM, job_id=job.pk))
    assert summary["rows_accepted"] == 0 and summary["rows_rejected"] == frame.height
    assert list(Individual.objects.order_by("id").values()) == before


def test_sensitive_columns_are_left_out_for_roles_that_may_not_see_them(registry, dinsos_operator, tmp_path,
                                                                         monkeypatch):
    _without(monkeypatch, Capability.SENSITIVE_DATA_VIEW)
    out = tmp_path / "plain.csv"
    registry_export(actor=dinsos_operator, region_code=DISTRICT, out=out, preset="tepat")
    columns = read_csv(out).columns
    assert "chronic_illness" not in columns and "pregnant" not in columns and "difficulty_seeing" not in columns
    assert "education" in columns


@pytest.mark.parametrize(("fixture", "region", "error"), [
    ("village_operator", VILLAGE, PermissionDeniedError),  # may edit, may not export
    ("auditor", DISTRICT, PermissionDeniedError),
    ("other_dinsos_operator", DISTRICT, ObjectNotFound),  # wrong region: like absent
    ("unassigned_operator", VILLAGE, ObjectNotFound),
])
def test_export_refusals_write_and_record_nothing(request, registry, tmp_path, fixture, region, error):
    actor = request.getfixturevalue(fixture)
    out = tmp_path / "refused.csv"
    events = AuditEvent.objects.count()
    with pytest.raises(error):
        registry_export(actor=actor, region_code=region, out=out)
    assert not out.exists() and AuditEvent.objects.count() == events


def test_operator_exports_inside_their_district(registry, dinsos_operator, tmp_path):
    result = registry_export(actor=dinsos_operator, region_code=VILLAGE, out=tmp_path / "v.csv")
    assert result.rows == 3  # the fixture family only: the removed one and the other village are not in it
    event = AuditEvent.objects.get(action="registry.export")
    assert event.actor_label == dinsos_operator.username and event.region_code == VILLAGE


def test_export_command(registry, tmp_path, django_user_model):
    out = io.StringIO()
    call_command("export-registry", str(tmp_path / "x.xlsx"), "--region", DISTRICT, stdout=out)
    assert "5 baris/rows, 3 keluarga/families" in out.getvalue() and "xlsx" in out.getvalue()
    assert len(read_xlsx(tmp_path / "x.xlsx")) == 6
    out = io.StringIO()
    call_command("export-registry", str(tmp_path / "x.csv"), "--region", VILLAGE, "--actor", "op_dinsos",
                 "--preset", "tepat", stdout=out)
    assert read_csv(tmp_path / "x.csv").columns[0] == "kk_number"
