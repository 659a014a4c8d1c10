"""Exclusivity, a released year that cannot change, the reserve and substitution, the tahap diff, review
items becoming proposals, bad input refused with nothing changed."""

from __future__ import annotations

import pytest

from conftest import VILLAGE, assert_audited, audit_seq
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import BusinessRuleViolation, InvalidTransition, ValidationFailed
from tepat.programs.models import (
    Component,
    ListEntry,
    ProgrammeRelease,
    ReviewItem,
    Rule,
    Substitution,
    VersionFacts,
)
from tepat.programs.services.lists import (
    entry_substitute,
    list_approve,
    list_determine,
    list_for_distribution,
)
from tepat.programs.services.releases import release_new_version, release_release, release_update

pytestmark = pytest.mark.django_db


def _entry(blist, family):
    return ListEntry.objects.get(list=blist, family_id=family.pk)


def _version_with(world, release, **data):
    draft = release_new_version(actor=world.op, release=release)
    release_update(actor=world.op, release=draft, data=data)
    return release_release(actor=world.op, release=draft)


def test_exclusivity_sembako_refuses_pkh_recipients(world):
    from tepat.programs.selectors import exclusivity_matrix

    rules = [{"field": r.field, "op": r.op, "value": r.value, "reason": r.reason} for r in world.sembako.rules.all()]
    rules.append({"field": "programme.pkh", "op": "is_false", "value": None, "reason": "SERVED_BY_OTHER_PROGRAMME"})
    sembako = _version_with(world, world.sembako, rules=rules)
    blist = list_determine(actor=world.op, release=sembako, period=world.period, tahap=1)
    preg = _entry(blist, world.f_preg3)  # receives PKH in the frozen version
    assert preg.status == "not_eligible" and preg.reason_codes == ["SERVED_BY_OTHER_PROGRAMME"]
    assert _entry(blist, world.f_adults).status == "recipient"
    matrix = exclusivity_matrix(actor=world.op, region_code="36.04")
    row = dict(matrix["rows"])["SEMBAKO"]
    assert row[matrix["columns"].index("PKH")] == "SERVED_BY_OTHER_PROGRAMME"


def test_a_released_year_cannot_change(world):
    seq = audit_seq()
    amounts = list(Component.objects.filter(release=world.pkh).values_list("annual_amount", flat=True))
    with pytest.raises(InvalidTransition):
        release_update(actor=world.op, release=world.pkh, data={"max_components": 5})
    with pytest.raises(InvalidTransition):
        release_release(actor=world.op, release=world.pkh)
    world.pkh.refresh_from_db()
    assert world.pkh.max_components == 4 and world.pkh.status == "released"
    assert list(Component.objects.filter(release=world.pkh).values_list("annual_amount", flat=True)) == amounts
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
    # a change is a new version; releasing it retires the old one, which still never changes
    newer = _version_with(world, world.pkh, max_components=5)
    world.pkh.refresh_from_db()
    assert (newer.version, newer.status, world.pkh.status) == (2, "released", "retired")
    assert_audited("programme_release.release", actor=world.op, target=newer, version=2)
    assert_audited("programme_release.retire", actor=world.op, target=world.pkh)


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"rules": [{"field": "income", "op": "lte", "value": 5, "reason": "DESIL_ABOVE_LIMIT"}]}, "rules[1].field",
     "unknown_field"),
    ({"rules": [{"field": "desil", "op": "lte", "value": 4, "reason": "NO_SUCH"}]}, "rules[1].reason", "unknown_reason"),
    ({"rules": [{"field": "desil", "op": "any_of", "value": ["x"], "reason": "DESIL_ABOVE_LIMIT"}]}, "rules[1].op",
     "op_mismatch"),
    ({"amount": 199999.5}, "amount", "whole_number"),
    ({"amount": "200.000,50"}, "amount", "whole_number"),
    ({"schedule": [{"tahap": 1, "months": 3}, {"tahap": 2, "months": 3}]}, "schedule", "months"),
    ({"components": [{"code": "x", "kind": "magic", "annual_amount": 1}]}, "components[1].kind", "choice"),
])
def test_bad_input_is_refused_naming_the_field(world, data, field, code):
    draft = release_new_version(actor=world.op, release=world.sembako)
    before = (list(Rule.objects.filter(release=draft).values_list("field", "op", "reason")), draft.amount, draft.schedule)
    seq = audit_seq()
    with pytest.raises(ValidationFailed) as exc:
        release_update(actor=world.op, release=draft, data=data)
    assert any(i.field == field and i.code == code for i in exc.value.issues), exc.value.issues
    assert all(i.id and i.en for i in exc.value.issues)
    draft.refresh_from_db()
    assert (list(Rule.objects.filter(release=draft).values_list("field", "op", "reason")), draft.amount,
            draft.schedule) == before
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_release_refuses_a_rule_no_family_passes(world):
    draft = release_new_version(actor=world.op, release=world.pkh)
    release_update(actor=world.op, release=draft, data={"rules": [
        {"field": "desil", "op": "lte", "value": 4, "reason": "DESIL_ABOVE_LIMIT"},
        {"field": "elderly_70", "op": "gte", "value": 9, "reason": "AGE_NOT_MET"}]})
    seq = audit_seq()
    with pytest.raises(ValidationFailed) as exc:
        release_release(actor=world.op, release=draft)
    issue = exc.value.issues[0]
    assert issue.field == "rules[2]" and issue.code == "no_family" and "elderly_70" in issue.en
    draft.refresh_from_db()
    assert draft.status == "draft" and not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_reserve_and_substitution(world):
    quota = _version_with(world, world.pkh, quotas={VILLAGE: 2})
    blist = list_determine(actor=world.op, release=quota, period=world.period, tahap=1)
    village = ListEntry.objects.filter(list=blist, region_code=VILLAGE, eligible=True).order_by("rank")
    # eligible in the village: f_preg3 (desil 1, 4 people), f_five (desil 1, 6 people), f_kids3 (2), f_old2 (3)
    assert [e.family_id for e in village] == [world.f_five.pk, world.f_preg3.pk, world.f_kids3.pk, world.f_old2.pk]
    assert [e.status for e in village] == ["recipient", "recipient", "reserve", "reserve"]
    assert village[2].reason_codes == ["RESERVE_QUOTA"] and village[2].tahap_amount == 0
    other = _entry(blist, world.f_other)
    assert other.status == "recipient"  # no quota for the other village
    list_approve(actor=world.spv, blist=blist)
    seq = audit_seq()
    with pytest.raises(ValidationFailed):
        entry_substitute(actor=world.spv, blist=blist, entry=village[0], reason="  ")
    assert not Substitution.objects.exists() and not AuditEvent.objects.filter(seq__gt=seq).exists()
    sub = entry_substitute(actor=world.spv, blist=blist, entry=village[0], reason="seluruh anggota pindah")
    assert sub.added.family_id == world.f_kids3.pk and sub.approved_by == world.spv
    added, removed = _entry(blist, world.f_kids3), _entry(blist, world.f_five)
    assert added.status == "recipient" and added.tahap_amount == 1_500_000 and "RESERVE_QUOTA" not in added.reasons
    assert removed.status == "not_eligible" and "SUBSTITUTED" in removed.reason_codes and removed.tahap_amount == 0
    assert_audited("beneficiary_list.substitute", actor=world.spv, target=blist, reason="seluruh anggota pindah",
                   added_family=str(world.f_kids3.pk), removed_family=str(world.f_five.pk))
    # the operator may not substitute (supervisor's approval), and nothing changes
    with pytest.raises(Exception) as refused:
        entry_substitute(actor=world.op, blist=blist, entry=added, reason="x")
    assert refused.value.status_code == 403
    assert _entry(blist, world.f_kids3).status == "recipient"


def test_tahap_diff_new_continuing_leaving(world):
    first = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    first = list_approve(actor=world.spv, blist=first)
    assert_audited("beneficiary_list.approve", actor=world.spv, target=first)
    assert list_for_distribution(first) == first
    # tahap 2 under a stricter rule (desil ≤ 2): f_old2 (desil 3) and f_other (desil 3) leave
    rules = [{"field": r.field, "op": r.op, "value": 2 if r.field == "desil" else r.value, "reason": r.reason}
             for r in world.pkh.rules.all()]
    strict = _version_with(world, world.pkh, rules=rules)
    second = list_determine(actor=world.op, release=strict, period=world.period, tahap=2)
    assert second.previous_id == first.pk
    assert _entry(second, world.f_preg3).change == "continuing"
    old = _entry(second, world.f_old2)
    assert old.change == "leaving" and old.reason_codes == ["DESIL_ABOVE_LIMIT"]
    assert second.counts["leaving"] == 2 and second.counts["continuing"] == 3 and second.counts["new"] == 0
    with pytest.raises(BusinessRuleViolation):
        list_for_distribution(second)  # not approved yet


def test_previous_recipient_missing_from_the_version_is_leaving(world):
    first = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    list_approve(actor=world.spv, blist=first)
    gone = ListEntry.objects.get(list=first, family_id=world.f_old2.pk)
    from tepat.programs.engine import facts
    from tepat.updates.models import DeterminedFamily

    DeterminedFamily.objects.filter(period=world.period, family=world.f_old2).delete()  # as if removed at determination
    # a real version never changes after determination; this test rewrites one, so its kept facts go too
    facts._CACHE.clear()
    VersionFacts.objects.filter(period=world.period).delete()
    second = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=2)
    left = ListEntry.objects.get(list=second, family_id=gone.family_id)
    assert (left.status, left.change, left.reason_codes) == ("left", "leaving", ["NOT_IN_VERSION"])


def test_review_items_become_proposals(world):
    from tepat.programs.services.reviews import review_confirm, review_dismiss
    from tepat.updates.models import Proposal

    blist = list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    items = {(str(i.family_id), i.kind) for i in ReviewItem.objects.filter(list=blist)}
    # f_rich receives PKH with desil 6: inclusion error; f_kids3 etc. eligible without PKH: exclusion errors
    assert (str(world.f_rich.pk), "desil_above") in items
    assert (str(world.f_kids3.pk), "not_receiving") in items
    assert (str(world.f_preg3.pk), "not_receiving") not in items  # receives it and is eligible
    rich = ReviewItem.objects.get(list=blist, family_id=world.f_rich.pk)
    proposal = review_confirm(actor=world.op, item=rich)
    assert proposal.kind == Proposal.Kind.REMOVE_FAMILY and proposal.family_id == world.f_rich.pk
    rich.refresh_from_db()
    assert rich.status == "confirmed" and rich.proposal_reference == proposal.reference
    assert_audited("programme_review.confirm", actor=world.op, target=rich, proposal=proposal.reference)
    kids = ReviewItem.objects.get(list=blist, family_id=world.f_kids3.pk)
    program = review_confirm(actor=world.op, item=kids)
    assert program.kind == Proposal.Kind.PROGRAM and program.payload["program"] == "pkh"
    seq = audit_seq()
    with pytest.raises(InvalidTransition):
        review_dismiss(actor=world.op, item=kids, reason="sudah")
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_list_refused_without_desil_release_when_rules_use_desil(world):
    from tepat.targeting.models import DesilRelease

    DesilRelease.objects.filter(pk=world.desil.pk).update(status=DesilRelease.Status.WITHDRAWN)
    with pytest.raises(ValidationFailed) as exc:
        list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=1)
    assert exc.value.issues[0].code == "no_desil"
    assert not world.pkh.lists.exists()


def test_unknown_tahap_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        list_determine(actor=world.op, release=world.pkh, period=world.period, tahap=9)
    assert exc.value.issues[0].field == "tahap" and "1, 2, 3, 4" in exc.value.issues[0].en


def test_unreleased_year_cannot_make_a_list(world):
    with pytest.raises(BusinessRuleViolation):
        list_determine(actor=world.op, release=world.blt_draft, period=world.period, tahap=1)
    assert ProgrammeRelease.objects.get(pk=world.blt_draft.pk).lists.count() == 0


def test_rule_groups_any_of_the_alternatives_with_the_required_clauses(world):
    """Group 0 (no group) is required; groups 1, 2 are alternatives: one of them must pass whole. The trace
    says which group passed; a family failing every alternative gets the reasons of all of them."""
    from tepat.programs.selectors import family_explanation

    rules = [{"field": "desil", "op": "lte", "value": 4, "reason": "DESIL_ABOVE_LIMIT"},
             {"field": "elderly_70", "op": "gte", "value": 1, "reason": "AGE_NOT_MET", "group": 1},
             {"field": "children_0_6", "op": "gte", "value": 1, "reason": "NO_COMPONENT", "group": 2}]
    release = _version_with(world, world.sembako, rules=rules)
    assert [r.group for r in release.rules.all()] == [0, 1, 2]
    blist = list_determine(actor=world.op, release=release, period=world.period, tahap=1)
    assert [c["group"] for c in blist.inputs["clauses"]] == [0, 1, 2]
    status = {name: _entry(blist, getattr(world, name)) for name in ("f_old2", "f_kids3", "f_five", "f_adults",
                                                                     "f_rich", "f_other")}
    assert {n for n, e in status.items() if e.status == "recipient"} == {"f_old2", "f_kids3", "f_five", "f_other"}
    assert status["f_old2"].reasons == "" and status["f_kids3"].reasons == ""  # a failed alternative is no reason
    assert status["f_adults"].reason_codes == ["AGE_NOT_MET", "NO_COMPONENT"]
    assert status["f_rich"].reason_codes == ["DESIL_ABOVE_LIMIT"]  # its child 0–6 passes group 2
    passed = {n: family_explanation(actor=world.op, blist=blist, family_id=getattr(world, n).pk).groups_passed
              for n in ("f_old2", "f_kids3", "f_five", "f_adults")}
    assert passed == {"f_old2": [1], "f_kids3": [2], "f_five": [1, 2], "f_adults": []}


def test_release_refuses_a_group_no_family_passes_whole(world):
    draft = release_new_version(actor=world.op, release=world.sembako)
    release_update(actor=world.op, release=draft, data={"rules": [
        {"field": "desil", "op": "lte", "value": 4, "reason": "DESIL_ABOVE_LIMIT"},
        {"field": "elderly_70", "op": "gte", "value": 1, "reason": "AGE_NOT_MET", "group": 1},
        {"field": "children_0_6", "op": "gte", "value": 3, "reason": "NO_COMPONENT", "group": 1}]})
    seq = audit_seq()
    with pytest.raises(ValidationFailed) as exc:
        release_release(actor=world.op, release=draft)
    assert [(i.code, i.field) for i in exc.value.issues] == [("no_family", "rules")]
    assert "group 1" in exc.value.issues[0].en and "kelompok 1" in exc.value.issues[0].id
    draft.refresh_from_db()
    assert draft.status == "draft" and not AuditEvent.objects.filter(seq__gt=seq).exists()
    with pytest.raises(ValidationFailed) as exc:
        release_update(actor=world.op, release=draft, data={"rules": [
            {"field": "desil", "op": "lte", "value": 4, "reason": "DESIL_ABOVE_LIMIT", "group": 1.5}]})
    assert exc.value.issues[0].field == "rules[1].group"
