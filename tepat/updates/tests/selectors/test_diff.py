from datetime import date

import pytest

from conftest import VILLAGE, make_kk, member_data
from tepat.core.exceptions import BusinessRuleViolation
from tepat.registry import choices as c
from tepat.registry.services import family_create, family_update
from tepat.updates.models import Proposal
from tepat.updates.selectors.diff import period_diff
from tepat.updates.services.determination import period_create, period_determine
from tepat.updates.tests.factories import create, new_family_payload, to_approved


def _family(actor, name):
    return family_create(correction_reason="koreksi uji", actor=actor, region_code=VILLAGE, data={"kk_number": make_kk(), "rw": "1", "rt": "1"},
                         members=[member_data(relation=1, name=name, born=date(1970, 1, 1))])


def test_diff_lists_every_change_with_its_cause(actors, family):
    leaving = _family(actors.dinsos_operator, "Keluarga Pindah")
    corrected = _family(actors.dinsos_operator, "Keluarga Koreksi")
    july = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 7, 1))
    july = period_determine(actor=actors.dinsos_supervisor, period=july, decree_number="SK-07",
                            decree_date=date(2025, 7, 31))
    assert july.family_count == 3

    added = to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head="Baru Datang")))
    removed = to_approved(actors, create(actors, Proposal.Kind.REMOVE_FAMILY,
                                         {"reason": "moved", "note": "pindah ke Cilegon"}, family=leaving))
    changed = to_approved(actors, create(actors, Proposal.Kind.CHANGE_DATA,
                                         {"target": "family", "changes": {"roof": 3}}, family=family))
    family_update(actor=actors.dinsos_operator, family=corrected, data={"address": "Kp. Koreksi"},
                  correction_reason="koreksi alamat")
    # A correction of a family that also has a proposal in this period is shown beside the proposal.
    family_update(actor=actors.dinsos_supervisor, family=family, data={"rt": "7"}, correction_reason="salah ketik RT")
    august = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 8, 1))
    august = period_determine(actor=actors.dinsos_supervisor, period=august, decree_number="SK-08",
                              decree_date=date(2025, 7, 31))

    diff = period_diff(actor=actors.dinsos_operator, older=august, newer=july)  # order is fixed for us

    assert diff.older == july
    assert diff.counts == {"added": 1, "removed": 1, "changed": 2}
    by_change = {}
    for entry in diff.entries:
        by_change.setdefault(entry.change, []).append(entry)
    added.refresh_from_db()
    assert by_change["added"][0].family_id == added.family_id
    assert [cause.reference for cause in by_change["added"][0].causes] == [added.reference]
    assert by_change["removed"][0].causes[0].reference == removed.reference
    cause = by_change["added"][0].causes[0]
    assert "psm" in cause.verification
    assert "BA/MUSDES" in cause.deliberation
    assert "op_dinsos" in cause.approval
    assert cause.period == "2025-08"
    changes = {entry.family_id: entry for entry in by_change["changed"]}
    roof = changes[family.pk]
    assert roof.causes[0].reference == changed.reference
    assert [(f.field, f.after) for f in roof.fields] == [("roof", str(c.Roof.ZINC.label)), ("rt", "007")]
    assert roof.fields[0].after_code == c.Roof.ZINC.value  # the code beside the text, for other systems
    assert cause.kind_code == "new_family" and cause.deliberation_id and cause.verification_id and cause.review_id
    assert cause.period_id == added.applied_period_id
    correction = changes[corrected.pk]
    assert correction.causes == []
    assert correction.fields[0].field == "address"
    assert "op_dinsos" in correction.corrections[0] and "koreksi alamat" in correction.corrections[0]
    [direct] = correction.direct_corrections
    assert (direct.action, direct.actor, direct.reason) == ("family.update", "op_dinsos", "koreksi alamat")
    [beside] = roof.direct_corrections  # the proposal's own change is not a correction; the RT fix is
    assert (beside.reason, beside.actor) == ("salah ketik RT", "spv_dinsos")
    assert not [c for entry in diff.entries for c in entry.direct_corrections if c.reason.startswith("usulan")]


def test_diff_page_shows_direct_corrections_with_their_reason(actors, family):
    from django.urls import reverse

    from conftest import client_for

    july = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 7, 1))
    july = period_determine(actor=actors.dinsos_supervisor, period=july, decree_number="SK-07",
                            decree_date=date(2025, 7, 31))
    family_update(actor=actors.dinsos_operator, family=family, data={"address": "Kp. Koreksi"},
                  correction_reason="alamat menurut KK baru")
    august = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 8, 1))
    august = period_determine(actor=actors.dinsos_supervisor, period=august, decree_number="SK-08",
                              decree_date=date(2025, 7, 31))
    url = reverse("updates:period_diff") + f"?older={july.pk}&newer={august.pk}"
    content = client_for(actors.dinsos_operator).get(url).content.decode()
    assert 'data-basis="correction"' in content and "alamat menurut KK baru" in content
    body = client_for(actors.dinsos_operator).get(
        f"/api/v1/updates/periods/diff?older={july.pk}&newer={august.pk}").json()
    [entry] = body["entries"]
    assert entry["direct_corrections"][0]["reason"] == "alamat menurut KK baru"


def test_diff_is_limited_to_the_actor_regions(actors, family, other_village_family, other_village_operator):
    july = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 7, 1))
    july = period_determine(actor=actors.dinsos_supervisor, period=july, decree_number="SK-07",
                            decree_date=date(2025, 7, 31))
    to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload()))
    august = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 8, 1))
    august = period_determine(actor=actors.dinsos_supervisor, period=august, decree_number="SK-08",
                              decree_date=date(2025, 7, 31))

    assert len(period_diff(actor=actors.village_operator, older=july, newer=august).entries) == 1
    assert period_diff(actor=other_village_operator, older=july, newer=august).entries == []


def test_diff_needs_two_determined_periods(actors, period):
    with pytest.raises(BusinessRuleViolation):
        period_diff(actor=actors.dinsos_operator, older=period, newer=period)


def test_periods_are_determined_in_order(actors):
    july = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 7, 1))
    august = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 8, 1))
    assert (july.label, july.ends_on, august.label) == ("2025-07", date(2025, 7, 31), "2025-08")
    with pytest.raises(BusinessRuleViolation):
        period_determine(actor=actors.dinsos_supervisor, period=august, decree_number="SK", decree_date=date(2025, 8, 1))


def test_cadence_is_configurable(actors, settings):
    settings.TEPAT_DETERMINATION_CADENCE = "quarterly"
    q3 = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 7, 1))
    assert (q3.label, q3.ends_on) == ("2025-T3", date(2025, 9, 30))
    s2 = period_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 10, 1),
                       cadence="semiannual")
    assert (s2.label, s2.ends_on) == ("2025-S2", date(2026, 3, 31))
