"""The demo-data generator (pure, no database) and its loader and command (database)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import polars as pl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import PermissionDeniedError
from tepat.regions.master import iter_master
from tepat.registry import choices as c
from tepat.registry.demo import (
    AUDIT_ACTION,
    DEMO_AS_OF,
    DemoData,
    VillageInfo,
    demo_data_load,
    demo_generate_for_region,
    generate,
    villages_under,
)
from tepat.registry.identity import nik_consistency, validate_kk, validate_nik
from tepat.registry.models import Family, Individual, KKNumberHistory, ProgramParticipation, WelfareStatus
from tepat.registry.validation import (
    FAMILY_CODED_FIELDS,
    FAMILY_FIELDS,
    INDIVIDUAL_CODED_FIELDS,
    INDIVIDUAL_FIELDS,
    clean_family,
    clean_individual,
)

YEAR = timedelta(days=365.2425)
R = c.Relation
FRAMES = ("families", "individuals", "programs", "welfare")


@functools.cache
def _area(prefix: str = "36.04") -> tuple[tuple[VillageInfo, ...], tuple[str, ...]]:
    """Villages and kecamatan of a region straight from the master (no database needed)."""
    rows = list(iter_master({prefix[:2]}))
    names = {row.code: row.name for row in rows}
    villages = tuple(
        VillageInfo(row.code, row.name, row.kind, names[row.code[:8]], names[row.code[:5]], names[row.code[:2]])
        for row in rows if row.level == 4 and row.code.startswith(prefix + ".")
    )
    districts = tuple(row.code for row in rows if row.level == 3 and row.code.startswith(prefix[:5]))
    return villages, districts


@functools.cache
def _data(seed: int = 11, families: int = 2000) -> DemoData:
    villages, districts = _area()
    return generate(villages, families, seed, birth_districts=districts)


def _members(data: DemoData) -> pl.DataFrame:
    return data.individuals.join(
        data.families.select(pl.col("id").alias("family_id"), "region_code", "kk_number", "kk_issued", "members"),
        on="family_id",
    )


# ---------------------------------------------------------------------------------------------------------
# Generator


def test_same_seed_gives_identical_frames_and_another_seed_does_not():
    villages, districts = _area()
    first = generate(villages, 400, 3, birth_districts=districts)
    again = generate(list(reversed(villages)), 400, 3, birth_districts=districts)  # input order is irrelevant
    for name in FRAMES:
        assert getattr(first, name).equals(getattr(again, name)), name
    other = generate(villages, 400, 4, birth_districts=districts)
    assert not set(first.families["id"]) & set(other.families["id"])
    assert not first.individuals["nik"].equals(other.individuals["nik"])


def test_family_ids_stay_when_more_families_are_asked_for():
    villages, districts = _area()
    small = generate(villages, 50, 3, birth_districts=districts)
    large = generate(villages, 120, 3, birth_districts=districts)
    assert large.families["id"].head(50).equals(small.families["id"])


def test_ids_are_unique_uuids_and_external_ids_link_members_to_families():
    data = _data()
    for name in FRAMES:
        ids = getattr(data, name)["id"]
        assert ids.n_unique() == len(ids)
        assert ids.str.contains(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$").all()
    members = data.individuals.join(data.families.select(pl.col("id").alias("family_id"),
                                                         pl.col("external_id").alias("family_external")),
                                    on="family_id")
    assert (members["external_id"].str.slice(0, members["family_external"].str.len_chars().max())
            == members["family_external"]).all()
    assert data.families["external_id"].n_unique() == data.families.height
    assert data.individuals["external_id"].n_unique() == data.individuals.height


def test_nik_and_kk_are_structurally_valid_unique_and_consistent():
    data = _data()
    members = _members(data)
    for row in members.select("nik", "birth_date", "sex").iter_rows(named=True):
        result = validate_nik(row["nik"])
        assert result.ok, (row, result.errors)
        assert not result.warnings, (row, result.warnings)
        assert nik_consistency(result, birth_date=row["birth_date"], sex=row["sex"]) == []
    assert members["nik"].n_unique() == members.height
    # Serial per (prefix, date) starts at 0001 and has no gaps.
    serials = members.group_by(pl.col("nik").str.slice(0, 12)).agg(
        pl.col("nik").str.slice(12, 4).cast(pl.Int64).min().alias("low"),
        pl.col("nik").str.slice(12, 4).cast(pl.Int64).max().alias("high"), pl.len().alias("count"))
    assert (serials["low"] == 1).all() and (serials["high"] == serials["count"]).all()
    # Most NIKs carry the kecamatan of the family's village; the others a kecamatan of the same kabupaten.
    own_district = members["region_code"].str.slice(0, 8).str.replace_all(".", "", literal=True)
    home_share = (members["nik"].str.slice(0, 6) == own_district).mean()
    assert 0.85 <= home_share < 1.0
    assert members["nik"].str.starts_with("3604").all()

    families = data.families
    for kk in families["kk_number"]:
        result = validate_kk(kk)
        assert result.ok and not result.warnings, (kk, result.errors, result.warnings)
    assert families["kk_number"].n_unique() == families.height
    assert (families["kk_number"].str.slice(0, 6)
            == families["region_code"].str.slice(0, 8).str.replace_all(".", "", literal=True)).all()
    assert (families["kk_number"].str.slice(6, 6) == families["kk_issued"].dt.strftime("%d%m%y")).all()
    assert (families["kk_issued"] <= DEMO_AS_OF).all()
    # Issued after the youngest member was born and once the head was an adult.
    youngest = members.group_by("family_id").agg(pl.col("birth_date").max().alias("youngest"))
    heads = members.filter(pl.col("relation") == R.HEAD).select("family_id", pl.col("birth_date").alias("head"))
    checked = families.select(pl.col("id").alias("family_id"), "kk_issued").join(youngest, on="family_id").join(
        heads, on="family_id")
    assert (checked["kk_issued"] >= checked["youngest"]).all()
    assert ((checked["kk_issued"] - checked["head"]) >= 17 * YEAR - timedelta(days=1)).all()


def test_family_structure_is_plausible():
    data = _data()
    members = _members(data)
    sizes = members.group_by("family_id").agg(
        pl.len().alias("size"),
        (pl.col("relation") == R.HEAD).sum().alias("heads"),
        (pl.col("relation") == R.SPOUSE).sum().alias("spouses"),
    )
    assert (sizes["heads"] == 1).all()
    assert (sizes["spouses"] <= 1).all()
    assert sizes["size"].min() >= 1 and sizes["size"].max() <= 8
    assert 3.1 <= sizes["size"].mean() <= 3.5
    assert set(sizes["size"]) == set(range(1, 9))

    def births(relation: int, name: str) -> pl.DataFrame:
        return members.filter(pl.col("relation") == relation).select("family_id", pl.col("birth_date").alias(name))

    head, spouse = births(R.HEAD, "head"), births(R.SPOUSE, "spouse")
    age = (DEMO_AS_OF - head["head"]).dt.total_days() / 365.2425
    assert age.min() >= 20 - 0.01 and age.max() <= 80 + 0.01
    children = births(R.CHILD, "child").join(head, on="family_id").join(spouse, on="family_id", how="left")
    assert (children["child"] > children["head"]).all()
    with_mother = children.filter(pl.col("spouse").is_not_null())
    mother_age = (with_mother["child"] - with_mother["spouse"]).dt.total_days() / 365.2425
    assert mother_age.min() >= 17 - 0.01 and mother_age.max() <= 45 + 0.01
    eldest = births(R.CHILD, "child").group_by("family_id").agg(pl.col("child").min())
    grandchildren = births(R.GRANDCHILD, "grandchild").join(eldest, on="family_id")
    assert grandchildren.height > 0
    assert ((grandchildren["grandchild"] - grandchildren["child"]) >= 17 * YEAR - timedelta(days=1)).all()
    parents = births(R.PARENT, "parent").join(head, on="family_id")
    assert parents.height > 0
    assert ((parents["head"] - parents["parent"]) >= 18 * YEAR - timedelta(days=1)).all()
    assert members.filter(pl.col("relation") == R.CHILD_IN_LAW).height > 0

    marital = members.join(sizes.select("family_id", "spouses"), on="family_id")
    assert (marital.filter(pl.col("relation").is_in([R.SPOUSE, R.CHILD_IN_LAW]))["marital_status"]
            == c.MaritalStatus.MARRIED).all()
    heads = marital.filter(pl.col("relation") == R.HEAD)
    assert ((heads["marital_status"] == c.MaritalStatus.MARRIED) == (heads["spouses"] == 1)).all()
    young = members.filter((DEMO_AS_OF - pl.col("birth_date")).dt.total_days() < 17 * 365.2425)
    assert (young["marital_status"] == c.MaritalStatus.SINGLE).all()


def test_person_attributes_fit_age_and_sex():
    members = _data().individuals.with_columns(
        ((DEMO_AS_OF - pl.col("birth_date")).dt.total_days() / 365.2425).alias("age"))
    pregnant = members.filter("pregnant")
    assert pregnant.height > 0
    assert (pregnant["sex"] == c.Sex.FEMALE).all()
    assert pregnant["age"].min() >= 15 and pregnant["age"].max() < 50
    assert (pregnant["presence"] == c.Presence.LIVING).all()
    assert members.filter(pl.col("age") < 5)["education"].is_null().all()
    assert members.filter(pl.col("age") < 10)["employment_status"].is_null().all()
    students = members["school_participation"] == c.SchoolParticipation.ATTENDING
    assert ((members["occupation"] == "Pelajar/Mahasiswa") == students.fill_null(False)).all()
    assert members.filter(pl.col("occupation") == "Ibu rumah tangga")["sex"].eq(c.Sex.FEMALE).all()
    occupations = set(members["occupation"])
    assert {"Petani/pekebun", "Buruh harian lepas", "Pedagang", "Ibu rumah tangga", "Nelayan", "Wiraswasta",
            "Belum/tidak bekerja"} <= occupations
    difficulty_columns = [f"difficulty_{name}" for name, _ in c.DIFFICULTY_DOMAINS]
    with_difficulty = members.filter(pl.min_horizontal(difficulty_columns) < c.Difficulty.NONE)
    assert 0.005 < with_difficulty.height / members.height < 0.08
    chronic = (members["chronic_illness"] != c.ChronicIllness.NONE).mean()
    assert 0.03 < chronic < 0.2


def test_names_are_given_names_without_family_name():
    names = _data().individuals["name"]
    words = names.str.split(" ").list.len()
    assert words.min() >= 1 and words.max() <= 3
    assert 0.2 < (words == 1).mean() < 0.6
    assert names.str.contains(r"^[A-Z][A-Za-z' .]+$").all()
    assert names.str.starts_with("Siti").any() and names.str.starts_with("Muhammad").any()
    assert names.n_unique() > 1000


def test_coded_values_are_valid_choices():
    data = _data()
    for column, enum in INDIVIDUAL_CODED_FIELDS.items():
        values = set(data.individuals[column].drop_nulls())
        assert values and values <= set(enum.values), column
    for column, enum in FAMILY_CODED_FIELDS.items():
        values = set(data.families[column].drop_nulls())
        assert values and values <= set(enum.values), column
    families = data.families
    assert families["rw"].str.contains(r"^0(0[1-9]|10)$").all()
    assert families["rt"].str.contains(r"^0(0[1-9]|1[0-5])$").all()
    assert families["address"].str.contains(r"^(Kp\.|Lingk\.) ").all()
    assert families["floor_area_m2"].min() >= 9
    assert families.filter(pl.col("lighting") != c.Lighting.PLN_METERED)["power_capacity"].is_null().all()
    assert families.filter(pl.col("toilet_facility") == c.ToiletFacility.NONE)["toilet_type"].is_null().all()
    assert families["livestock_goat"].gt(0).any() and families["asset_motorcycle"].any()


def test_stale_records_have_status_date_and_note():
    data = _data(seed=5, families=5000)
    members = data.individuals
    share = {code: (members["presence"] == code).mean() for code in c.Presence.values}
    assert 0.014 <= share[c.Presence.DIED] <= 0.026
    assert 0.014 <= share[c.Presence.MOVED_DOMESTIC] <= 0.026
    assert 0.002 <= share[c.Presence.NOT_FOUND] <= 0.008
    stale = members.filter(pl.col("presence") != c.Presence.LIVING)
    assert stale["presence_date"].is_not_null().all()
    assert (stale["presence_date"] <= DEMO_AS_OF).all() and (stale["presence_date"] >= stale["birth_date"]).all()
    assert (stale.filter(pl.col("presence") != c.Presence.DIED)["presence_note"] != "").all()
    assert members.filter(pl.col("presence") == c.Presence.LIVING)["presence_date"].is_null().all()
    dead_age = ((DEMO_AS_OF - stale.filter(pl.col("presence") == c.Presence.DIED)["birth_date"]).dt.total_days()
                / 365.2425)
    assert dead_age.median() > 55  # deaths are mostly among the elderly


def test_programme_and_welfare_shares():
    data = _data(seed=5, families=5000)
    programs, families = data.programs, data.families
    per_program = programs.filter(pl.col("individual_id").is_null()).group_by("program").len()
    share = dict(zip(per_program["program"], (per_program["len"] / families.height).to_list(), strict=True))
    assert share == pytest.approx({"pkh": 0.25, "bpnt": 0.40, "pbi_jk": 0.60}, abs=0.01)
    assert (families["pkh"].sum(), families["bpnt"].sum()) == (round(0.25 * 5000), round(0.40 * 5000))
    assert (programs["since"] <= DEMO_AS_OF).all() and programs["since"].dt.day().eq(1).all()
    pip = programs.filter(pl.col("program") == c.Program.PIP)
    assert pip.height > 0 and pip["individual_id"].is_in(data.individuals["id"].implode()).all()
    assert set(programs.filter(pl.col("program").is_in(["pkh", "bpnt"]))["channel"]) == {"bank", "post"}
    # PKH goes to families with a component (children, pregnancy, elderly, severe disability).
    welfare = data.welfare
    categories = set(welfare["category"])
    assert {c.WelfareCategory.POOR, c.WelfareCategory.UNABLE, c.WelfareCategory.NEGLECTED_ELDERLY,
            c.WelfareCategory.PERSON_WITH_DISABILITY} <= categories
    linked = welfare.filter(pl.col("individual_id").is_not_null())
    assert linked["individual_id"].is_in(data.individuals["id"].implode()).all()
    assert welfare["family_id"].is_in(families["id"].implode()).all()


def test_generator_needs_no_django_settings():
    code = ("import sys; from tepat.registry.demo import VillageInfo, generate; "
            "data = generate([VillageInfo('36.04.05.2001', regency_name='Kabupaten Serang')], 3, 1); "
            "assert data.families.height == 3 and 'tepat.registry.models' not in sys.modules")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=settings.BASE_DIR)


def test_empty_and_invalid_arguments():
    villages, _ = _area()
    empty = generate(villages, 0, 1)
    assert empty.families.is_empty() and empty.individuals.is_empty() and empty.programs.is_empty()
    with pytest.raises(ValueError):
        generate([], 10, 1)
    with pytest.raises(ValueError):
        generate(villages, 10, -1)


# ---------------------------------------------------------------------------------------------------------
# Database


def _counts() -> tuple[int, ...]:
    return (Family.objects.count(), Individual.objects.count(), ProgramParticipation.objects.count(),
            WelfareStatus.objects.count(), KKNumberHistory.objects.count())


def test_villages_come_from_the_region_table(db):
    villages = villages_under(region_code="36.04.05")
    assert [v.code for v in villages][:2] == ["36.04.05.2001", "36.04.05.2002"]
    assert villages[0].district_name == "Kramatwatu" and villages[0].regency_name == "Kabupaten Serang"
    assert villages[0].province_name == "Banten"
    assert villages_under(region_code="36.04.05.2001") == villages[:1]
    assert len(villages_under(region_code="36.04")) == 326


def test_load_inserts_everything_once_with_one_audit_event(db):
    data = demo_generate_for_region(region_code="36.04.05", families=150, seed=2)
    counts = data.counts()
    result = demo_data_load(actor=SYSTEM, data=data, region_code="36.04.05")
    assert (result.families, result.individuals, result.programs, result.welfare) == (
        counts["families"], counts["individuals"], counts["programs"], counts["welfare"])
    assert _counts() == (150, counts["individuals"], counts["programs"], counts["welfare"], 150)
    event = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert event.region_code == "36.04.05" and event.actor_id is None
    assert event.data["families"] == 150 and event.data["individuals"] == counts["individuals"]
    assert event.data["seed"] == 2 and event.data["region"] == "36.04.05"

    # What was stored reads back as valid registry data: model validation and the services' own rules.
    for family in Family.objects.order_by("kk_number")[:40]:
        family.full_clean()
        _, errors, warnings = clean_family({name: getattr(family, name) for name in FAMILY_FIELDS})
        assert not errors and not warnings
        assert family.kk_history.get().kk_number == family.kk_number
    for person in Individual.objects.order_by("nik")[:150]:
        person.full_clean()
        _, errors, warnings = clean_individual({name: getattr(person, name) for name in INDIVIDUAL_FIELDS})
        assert not errors and not warnings
    stored = Individual.objects.get(id=data.individuals["id"][0])
    expected = data.individuals.row(0, named=True)
    assert (stored.nik, stored.name, stored.birth_date, str(stored.family_id)) == (
        expected["nik"], expected["name"], expected["birth_date"], expected["family_id"])
    family = Family.objects.get(id=data.families["id"][0])
    row = data.families.row(0, named=True)
    assert family.assets == {name: True for name, _ in c.ASSETS if row[f"asset_{name}"]}
    assert family.livestock == {name: row[f"livestock_{name}"] for name, _ in c.LIVESTOCK
                                if row[f"livestock_{name}"]}

    again = demo_data_load(actor=SYSTEM, data=data, region_code="36.04.05")
    assert (again.families, again.individuals, again.skipped_families) == (0, 0, 150)
    assert _counts() == (150, counts["individuals"], counts["programs"], counts["welfare"], 150)
    assert AuditEvent.objects.filter(action=AUDIT_ACTION).count() == 1
    assert audit_verify().ok
    out = StringIO()
    call_command("audit-verify", stdout=out)
    assert "intact" in out.getvalue()


def test_another_seed_in_the_same_village_never_reuses_a_number(db):
    demo_data_load(actor=SYSTEM, region_code="36.04.05.2001",
                   data=demo_generate_for_region(region_code="36.04.05.2001", families=300, seed=1))
    second = demo_data_load(actor=SYSTEM, region_code="36.04.05.2001",
                            data=demo_generate_for_region(region_code="36.04.05.2001", families=300, seed=2))
    assert second.families == 300 and second.renumbered > 0
    assert not Individual.objects.values("nik").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Family.objects.values("kk_number").annotate(n=Count("id")).filter(n__gt=1).exists()
    for nik in Individual.objects.values_list("nik", flat=True):
        assert validate_nik(nik).ok


def test_a_top_up_run_adds_only_the_new_families(db):
    demo_data_load(actor=SYSTEM, region_code="36.04.05",
                   data=demo_generate_for_region(region_code="36.04.05", families=40, seed=3))
    result = demo_data_load(actor=SYSTEM, region_code="36.04.05",
                            data=demo_generate_for_region(region_code="36.04.05", families=60, seed=3))
    assert (result.families, result.skipped_families) == (20, 40)
    assert Family.objects.count() == 60
    assert not Individual.objects.values("nik").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_load_by_an_actor_without_edit_rights_changes_nothing(facilitator):
    data = demo_generate_for_region(region_code="36.04.05.2001", families=5, seed=1)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        demo_data_load(actor=facilitator, data=data, region_code="36.04.05.2001")
    assert _counts() == (0, 0, 0, 0, 0)
    assert AuditEvent.objects.count() == events


def test_load_by_a_dinsos_operator_is_audited_with_the_actor(dinsos_operator):
    data = demo_generate_for_region(region_code="36.04.05.2001", families=5, seed=1)
    demo_data_load(actor=dinsos_operator, data=data, region_code="36.04.05.2001")
    assert AuditEvent.objects.get(action=AUDIT_ACTION).actor_id == dinsos_operator.pk


def test_command_loads_and_prints_a_summary(db):
    out = StringIO()
    call_command("demo-data", region="36.04.05.2001", families=25, seed=9, stdout=out)
    assert "25 families" in out.getvalue() and "loaded" in out.getvalue()
    assert Family.objects.filter(region_id="36.04.05.2001").count() == 25
    out = StringIO()
    call_command("demo-data", region="36.04.05.2001", families=25, seed=9, stdout=out)
    assert "0 families" in out.getvalue() and "25 families already present" in out.getvalue()
    assert Family.objects.count() == 25


def test_command_without_database_writes_parquet_only(db, tmp_path):
    out = StringIO()
    call_command("demo-data", region="36.04.05", families=30, seed=4, no_db=True,
                 out=str(tmp_path / "demo.parquet"), stdout=out)
    assert Family.objects.count() == 0
    expected = demo_generate_for_region(region_code="36.04.05", families=30, seed=4)
    for name in FRAMES:
        written = pl.read_parquet(tmp_path / f"demo.{name}.parquet")
        assert written.equals(getattr(expected, name)), name


def test_command_rejects_an_unknown_region(db):
    with pytest.raises(CommandError):
        call_command("demo-data", region="99.99", families=5, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo-data", region="36.04", families=0, stdout=StringIO())
    assert Family.objects.count() == 0
