"""`family_actions` / `individual_actions`: one rule per action, the same the services enforce."""

import pytest

from conftest import make_kk
from tepat.core.exceptions import BusinessRuleViolation, ObjectNotFound, PermissionDeniedError
from tepat.registry import choices as c
from tepat.registry.actions import (
    FAMILY_ACTIONS,
    INDIVIDUAL_ACTIONS,
    ensure_family_action,
    family_actions,
    individual_actions,
    registry_actions,
)
from tepat.registry.services import family_remove, family_update, individual_set_presence

ALLOWED = {
    "village_operator": {"propose_change", "propose_add_member", "propose_program", "propose_removal", "object",
                         "view_full_nik", "view_sensitive"},
    "facilitator": {"propose_change", "propose_add_member", "propose_program", "propose_removal", "object",
                    "view_full_nik", "view_sensitive"},
    "village_head": set(),
    "province_viewer": set(),
    "auditor": set(),
    "dinsos_operator": set(FAMILY_ACTIONS),
    "dinsos_supervisor": set(FAMILY_ACTIONS),
    "other_village_operator": set(),  # out of scope: nothing
    "other_dinsos_operator": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_family_actions_per_role(request, family, role):
    actions = family_actions(request.getfixturevalue(role), family)
    assert set(actions) == set(FAMILY_ACTIONS)
    assert {name for name, allowed in actions.items() if allowed} == ALLOWED[role]


def test_a_removed_family_allows_only_viewing(family, dinsos_operator, village_operator):
    family_remove(actor=dinsos_operator, family=family, reason="moved", correction_reason="pindah")
    family.refresh_from_db()
    for actor in (dinsos_operator, village_operator):
        allowed = {name for name, ok in family_actions(actor, family).items() if ok}
        assert allowed <= {"view_full_nik", "view_sensitive"}


def test_member_actions_follow_presence(family, dinsos_operator, village_operator):
    wife = family.members.get(relation=c.Relation.SPOUSE)
    assert individual_actions(village_operator, wife) == {"propose_change": True, "propose_removal": True,
                                                          "correct": False}
    individual_set_presence(actor=dinsos_operator, individual=wife, presence=c.Presence.DIED,
                            correction_reason="akta kematian")
    wife.refresh_from_db()
    # A member who left cannot be proposed for removal again; Dinsos may still correct (e.g. bring back).
    assert individual_actions(village_operator, wife) == {"propose_change": False, "propose_removal": False,
                                                          "correct": False}
    assert individual_actions(dinsos_operator, wife)["correct"] is True
    assert set(individual_actions(dinsos_operator, wife)) == set(INDIVIDUAL_ACTIONS)


@pytest.mark.parametrize(("actor", "error"), [
    ("village_operator", PermissionDeniedError),
    ("other_dinsos_operator", ObjectNotFound),
])
def test_the_service_refuses_exactly_what_the_selector_hides(request, family, actor, error):
    user = request.getfixturevalue(actor)
    assert family_actions(user, family)["correct"] is False
    with pytest.raises(error):
        ensure_family_action(actor=user, family=family, action="correct")
    with pytest.raises(error):
        family_update(actor=user, family=family, data={"rw": "9"}, correction_reason="x")


def test_a_removed_family_is_a_conflict_for_the_service_too(family, dinsos_operator):
    family_remove(actor=dinsos_operator, family=family, reason="moved", correction_reason="pindah")
    family.refresh_from_db()
    assert family_actions(dinsos_operator, family)["correct"] is False
    with pytest.raises(BusinessRuleViolation):
        family_update(actor=dinsos_operator, family=family, data={"kk_number": make_kk()}, correction_reason="x")


@pytest.mark.parametrize(("role", "expected"), [
    ("village_operator", {"propose_new_family"}),
    ("village_head", set()),
    ("dinsos_operator", {"propose_new_family", "correct", "import", "export"}),
])
def test_registry_actions(request, db, role, expected):
    actions = registry_actions(request.getfixturevalue(role))
    assert {name for name, ok in actions.items() if ok} == expected
