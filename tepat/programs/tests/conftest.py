"""A small district for the programme tests: families made through the registry services, one determined
period (the frozen version), an official desil release (ORM, as the brief allows), the national programmes
seeded and released.

Ages are on the period's last day (the list's reference date), 2026-11-30.

  f_preg3     VILLAGE  desil 1  three pregnant women (PKH cap 2)                      receives PKH
  f_kids3     VILLAGE  desil 2  three children 0–6 (cap 2)
  f_old2      VILLAGE  desil 3  two members ≥ 70 (cap 1)                              receives Sembako
  f_five      VILLAGE  desil 1  pregnant, child 3, elderly 75, SD pupil, SMP pupil: 5 components (max 4)
  f_rich      VILLAGE  desil 6  a child 0–6; receives PKH (an inclusion error)
  f_nodesil   VILLAGE  no desil, a child 0–6
  f_adults    VILLAGE  desil 2  two adults, no component (PKH no; Sembako yes)
  f_other     OTHER_VILLAGE desil 3  elderly 72
"""

from __future__ import annotations

from datetime import date

import pytest

from conftest import DISTRICT, OTHER_VILLAGE, VILLAGE, make_kk, member_data

PERIOD_START = date(2026, 11, 1)


def _family(actor, region, members, **data):
    from tepat.registry.services import family_create

    return family_create(actor=actor, region_code=region,
                         data={"kk_number": make_kk(), "rw": "1", "rt": "1", **data}, members=members, correction_reason="test fixture")


def _m(relation, born, sex=1, name="Anggota", **extra):
    return member_data(relation=relation, born=born, sex=sex, name=name, **extra)


class World:
    pass


@pytest.fixture
def world(dinsos_operator, dinsos_supervisor):
    from tepat.programs.seed import programmes_seed
    from tepat.programs.services.releases import release_release
    from tepat.registry.services import program_participation_add
    from tepat.targeting.models import DesilRelease, FamilyDesil
    from tepat.updates.services.determination import period_create, period_determine

    op = dinsos_operator
    w = World()
    w.op, w.spv = op, dinsos_supervisor
    w.f_preg3 = _family(op, VILLAGE, [
        _m(1, date(1980, 1, 5), name="Budi"), _m(2, date(1990, 2, 2), sex=2, name="Siti", pregnant=True),
        _m(8, date(1995, 3, 3), sex=2, name="Ani", pregnant=True), _m(3, date(2000, 4, 4), sex=2, name="Rina", pregnant=True)])
    w.f_kids3 = _family(op, VILLAGE, [
        _m(1, date(1985, 1, 1), name="Dedi"), _m(2, date(1988, 1, 1), sex=2, name="Euis"),
        _m(3, date(2021, 5, 5), name="Anak1"), _m(3, date(2022, 6, 6), name="Anak2"), _m(3, date(2024, 7, 7), name="Anak3")])
    w.f_old2 = _family(op, VILLAGE, [_m(1, date(1940, 1, 1), name="Kakek"), _m(2, date(1945, 1, 1), sex=2, name="Nenek")])
    w.f_five = _family(op, VILLAGE, [
        _m(1, date(1982, 1, 1), name="Asep"), _m(2, date(1990, 1, 1), sex=2, name="Lilis", pregnant=True),
        _m(3, date(2023, 1, 1), name="Balita"), _m(6, date(1951, 1, 1), name="Aki"),
        _m(3, date(2018, 1, 1), name="Murid SD", education=3, school_participation=2),
        _m(3, date(2013, 1, 1), name="Murid SMP", education=6, school_participation=2)])
    w.f_rich = _family(op, VILLAGE, [_m(1, date(1980, 1, 1), name="Kaya"), _m(3, date(2023, 3, 3), name="Kecil")])
    w.f_nodesil = _family(op, VILLAGE, [_m(1, date(1980, 1, 1), name="Tanpa"), _m(3, date(2023, 3, 3), name="Desil")])
    w.f_adults = _family(op, VILLAGE, [_m(1, date(1980, 1, 1), name="Dewasa"), _m(2, date(1982, 1, 1), sex=2, name="Juga")])
    w.f_other = _family(op, OTHER_VILLAGE, [_m(1, date(1954, 1, 1), name="Lansia")])
    program_participation_add(actor=op, family=w.f_preg3, program="pkh", correction_reason="test fixture")
    program_participation_add(actor=op, family=w.f_rich, program="pkh", correction_reason="test fixture")
    program_participation_add(actor=op, family=w.f_old2, program="bpnt", correction_reason="test fixture")
    w.period = period_create(actor=op, region_code=DISTRICT, starts_on=PERIOD_START, cadence="monthly")
    w.period = period_determine(actor=dinsos_supervisor, period=w.period, decree_number="SK-11/2026",
                                decree_date=date(2026, 12, 1))
    w.desil = DesilRelease.objects.create(region_id=DISTRICT, period="2026-T4", source="DTSEN uji",
                                          status=DesilRelease.Status.PUBLISHED)
    desil = {w.f_preg3: 1, w.f_kids3: 2, w.f_old2: 3, w.f_five: 1, w.f_rich: 6, w.f_adults: 2, w.f_other: 3}
    FamilyDesil.objects.bulk_create([FamilyDesil(release=w.desil, family=f, desil=d, matched_by="kk")
                                     for f, d in desil.items()])
    drafts = {r.programme.code: r for r in programmes_seed(actor=op, region_code=DISTRICT, year=2026)}
    w.pkh = release_release(actor=op, release=drafts["PKH"])
    w.sembako = release_release(actor=op, release=drafts["SEMBAKO"])
    w.pbi = release_release(actor=op, release=drafts["PBI_JK"])
    w.blt_draft = drafts["BLT_KESRA"]
    return w
