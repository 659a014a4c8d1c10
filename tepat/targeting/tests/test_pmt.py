"""The local estimate: weights as versioned data, per-area overrides, deciles in the district, the village
recap and the review list (≥ 3 deciles apart)."""

from __future__ import annotations

import pytest

from conftest import DISTRICT, OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.targeting.models import PmtWeight, PmtWeightSet
from tepat.targeting.pmt import default_weights, estimate
from tepat.targeting.selectors import review_frame, review_rows, village_recap
from tepat.targeting.services import desil_import, pmt_weight_set_create
from tepat.targeting.tests.conftest import desil_csv

pytestmark = pytest.mark.django_db

FLOOR_ONLY = [{"variable": "floor", "value": "2", "points": 10}, {"variable": "floor", "value": "8", "points": -6}]


def test_weight_set_versions_are_audited(dinsos_supervisor):
    seq = audit_seq()
    first = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="awal", weights=default_weights())
    second = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="revisi",
                                   weights=FLOOR_ONLY, based_on=first)
    assert (first.version, second.version) == (1, 2)
    assert first.weights.count() == len(default_weights()) and second.weights.count() == 2
    assert_audited("pmt_weight_set.create", actor=dinsos_supervisor, target=second, after=seq, version=2, based_on=1)


def test_bad_weights_are_named_and_change_nothing(dinsos_supervisor, dinsos_operator, other_dinsos_operator):
    with pytest.raises(ValidationFailed) as exc:
        pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="x", weights=[
            {"variable": "floor", "value": "99", "points": 1},
            {"variable": "kolam", "value": "", "points": 1},
            {"variable": "members", "value": "", "points": 1.5},
            {"variable": "floor", "value": "2", "region_prefix": "36.73", "points": 1},
        ])
    assert [i.code for i in exc.value.issues] == ["value", "variable", "points", "region_prefix"]
    assert "row 1" in exc.value.issues[0].en and "baris 2" in exc.value.issues[1].id
    with pytest.raises(PermissionDeniedError):
        pmt_weight_set_create(actor=dinsos_operator, region_code=DISTRICT, label="x", weights=FLOOR_ONLY)
    assert not PmtWeightSet.objects.exists() and not PmtWeight.objects.exists()


def test_scores_deciles_and_the_area_override(dinsos_supervisor, make_family):
    ceramic = [make_family(floor=2) for _ in range(5)]
    earth = [make_family(OTHER_VILLAGE, floor=8) for _ in range(5)]
    base = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="lantai", weights=FLOOR_ONLY)
    frame = {row["family_id"]: row for row in estimate(base).frame.iter_rows(named=True)}
    assert {frame[f.pk.hex]["score"] for f in ceramic} == {10} and {frame[f.pk.hex]["score"] for f in earth} == {-6}
    assert max(frame[f.pk.hex]["estimate"] for f in earth) < min(frame[f.pk.hex]["estimate"] for f in ceramic)
    assert sorted(row["estimate"] for row in frame.values()) == list(range(1, 11))
    # Earth floors in OTHER_VILLAGE count +20 there (an area override), the district value elsewhere.
    override = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="override", weights=[
        *FLOOR_ONLY, {"variable": "floor", "value": "8", "region_prefix": OTHER_VILLAGE, "points": 20}])
    frame = {row["family_id"]: row for row in estimate(override).frame.iter_rows(named=True)}
    assert {frame[f.pk.hex]["score"] for f in earth} == {20}
    assert min(frame[f.pk.hex]["estimate"] for f in earth) > max(frame[f.pk.hex]["estimate"] for f in ceramic)


def test_members_assets_and_floor_area(dinsos_supervisor, make_family):
    rich = make_family(members=1, floor_area_m2=60, assets={"car": True, "television": True}, livestock={"cattle": 2})
    ws = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="x", weights=[
        {"variable": "asset:car", "points": 18}, {"variable": "asset:television", "points": 2},
        {"variable": "livestock:cattle", "points": 4}, {"variable": "members", "points": -3},
        {"variable": "floor_area_per_member", "points": 1}])
    score = estimate(ws).frame.filter(estimate(ws).frame["family_id"] == rich.pk.hex)["score"].item()
    assert score == 18 + 2 + 2 * 4 - 3 + 30  # floor area per member capped at 30 m²


def test_recap_and_review_list(dinsos_supervisor, dinsos_operator, village_operator, make_family):
    poor = [make_family(floor=8) for _ in range(5)]
    better = [make_family(OTHER_VILLAGE, floor=2) for _ in range(5)]
    ws = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="lantai", weights=FLOOR_ONLY)
    # Official desil: one poor-looking family is desil 10, one better-off family is desil 1, the rest agree.
    rows = [(f.kk_number, "", "10" if i == 0 else "3") for i, f in enumerate(poor)]
    rows += [(f.kk_number, "", "1" if i == 0 else "8") for i, f in enumerate(better)]
    desil_import(actor=dinsos_operator, source=desil_csv(*rows), file_name="d.csv", period="2026-T4",
                 source_label="DTSEN", region_code=DISTRICT)
    frame, release = review_frame(actor=dinsos_operator, weight_set=ws)
    assert release is not None
    assert set(frame.get_column("family_id")) == {poor[0].pk.hex, better[0].pk.hex}
    assert all(abs(g) >= 3 for g in frame.get_column("gap"))
    listed = review_rows(actor=village_operator, frame=review_frame(actor=village_operator, weight_set=ws)[0])
    assert [r["family_id"] for r in listed] == [str(poor[0].pk)]  # the village operator sees their village only
    recap, _ = village_recap(actor=dinsos_operator, weight_set=ws)
    by_village = {row["region_id"]: row for row in recap}
    assert by_village[VILLAGE]["families"] == 5 and by_village[VILLAGE]["review"] == 1
    assert by_village[OTHER_VILLAGE]["with_desil"] == 5


def test_masked_roles_see_masked_kk(dinsos_supervisor, dinsos_operator, make_user, make_family):
    family = make_family(floor=8)
    make_family(floor=2)
    ws = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="lantai", weights=FLOOR_ONLY)
    desil_import(actor=dinsos_operator, source=desil_csv((family.kk_number, "", "10")), file_name="d.csv",
                 period="P", source_label="DTSEN", region_code=DISTRICT)
    head = make_user("village_head", [VILLAGE], "kades_masked")
    rows = review_rows(actor=head, frame=review_frame(actor=head, weight_set=ws)[0])
    assert rows and rows[0]["kk_number"] == family.kk_number[:6] + "*" * 10


def test_out_of_scope_weight_set_is_not_found(dinsos_supervisor, other_dinsos_operator):
    from tepat.targeting.selectors import access_weight_set

    ws = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="x", weights=FLOOR_ONLY)
    with pytest.raises(ObjectNotFound):
        access_weight_set(actor=other_dinsos_operator, weight_set_id=ws.pk)
