"""Which actions an actor may take on a family or a member: one rule per action, shared by the pages
(templates show only what is allowed), the JSON API (`actions` in the family detail) and the services
(which call `ensure_family_action` / `ensure_individual_action` with the same rule before writing).

Village roles change the registry only through proposals (`propose_*`, checked again by
`tepat.updates`); a direct correction (`correct`) is a Dinsos capability with a required reason; applying a
determined proposal (`apply`) needs the determination capability. A refused rule raises what the service
would: 403 (capability), 404 (out of scope, like absent), 409 (the family or member is no longer active).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from tepat.accounts.access import actor_can, ensure_permission
from tepat.accounts.roles import Capability
from tepat.core.exceptions import BusinessRuleViolation, ObjectNotFound, PermissionDeniedError
from tepat.core.messages import Issue
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.models import Family, Individual

C = Capability

# Actions on a family, in the order pages show them, with their labels.
FAMILY_ACTIONS: dict[str, Any] = {
    "propose_change": _("Propose a change of the family's data"),
    "propose_add_member": _("Propose a new member"),
    "propose_program": _("Propose for a program"),
    "propose_removal": _("Propose removing the family"),
    "object": _("File an objection"),
    "correct": _("Correct directly (Dinsos)"),
    "view_full_nik": _("See the full NIK and KK number"),
    "view_sensitive": _("See health and disability data"),
}
# Actions on one member.
INDIVIDUAL_ACTIONS: dict[str, Any] = {
    "propose_change": _("Propose a change of the member's data"),
    "propose_removal": _("Propose removing the member (death, move, duplicate)"),
    "correct": _("Correct directly (Dinsos)"),
}


def _active_family(family: Family) -> None:
    if family.status != c.FamilyStatus.ACTIVE:
        raise BusinessRuleViolation("Keluarga sudah dihapus dari daftar / The family has been removed from the list")


def _active_member(individual: Individual) -> None:
    _active_family(individual.family)
    if individual.presence not in c.ACTIVE_PRESENCE:
        raise BusinessRuleViolation("Anggota ini tidak aktif di daftar / This member is not active in the list")


def _family_rule(capability: Capability, *, active: bool = True) -> Callable[[Any, Family], None]:
    def rule(actor: Any, family: Family) -> None:
        ensure_permission(actor=actor, capability=capability, region_code=family.region_id)
        if active:
            _active_family(family)
    return rule


def _member_rule(capability: Capability, *, member_active: bool) -> Callable[[Any, Individual], None]:
    def rule(actor: Any, individual: Individual) -> None:
        ensure_permission(actor=actor, capability=capability, region_code=individual.family.region_id)
        (_active_member if member_active else _active_family)(individual if member_active else individual.family)
    return rule


def _full_nik(actor: Any, family: Family) -> None:
    ensure_permission(actor=actor, capability=C.REGISTRY_VIEW, region_code=family.region_id)
    if masking.policy_for(actor).masked:
        raise PermissionDeniedError()


def _sensitive(actor: Any, family: Family) -> None:
    ensure_permission(actor=actor, capability=C.REGISTRY_VIEW, region_code=family.region_id)
    if not masking.may_see_sensitive(actor):
        raise PermissionDeniedError()


_FAMILY_RULES: dict[str, Callable[[Any, Family], None]] = {
    "propose_change": _family_rule(C.UPDATES_PROPOSE),
    "propose_add_member": _family_rule(C.UPDATES_PROPOSE),
    "propose_program": _family_rule(C.UPDATES_PROPOSE),
    "propose_removal": _family_rule(C.UPDATES_PROPOSE),
    "object": _family_rule(C.UPDATES_PROPOSE),
    "correct": _family_rule(C.REGISTRY_CORRECT),
    "view_full_nik": _full_nik,
    "view_sensitive": _sensitive,
    # Not shown as a button: applying a determined proposal (tepat.updates, at determination).
    "apply": _family_rule(C.UPDATES_DETERMINE),
}
_INDIVIDUAL_RULES: dict[str, Callable[[Any, Individual], None]] = {
    "propose_change": _member_rule(C.UPDATES_PROPOSE, member_active=True),
    "propose_removal": _member_rule(C.UPDATES_PROPOSE, member_active=True),
    # A correction may bring back a member who left the list (presence), so the family must be active only.
    "correct": _member_rule(C.REGISTRY_CORRECT, member_active=False),
    "apply": _member_rule(C.UPDATES_DETERMINE, member_active=False),
}
_REFUSED = (PermissionDeniedError, ObjectNotFound, BusinessRuleViolation)


def ensure_family_action(*, actor: Any, family: Family, action: str) -> None:
    """Raise 403/404/409 unless the actor may take `action` on the family (the rule `family_actions` shows)."""
    _FAMILY_RULES[action](actor, family)


def ensure_individual_action(*, actor: Any, individual: Individual, action: str) -> None:
    _INDIVIDUAL_RULES[action](actor, individual)


def family_actions(actor: Any, family: Family) -> dict[str, bool]:
    """{action: allowed} for every action in FAMILY_ACTIONS (templates: `{% if actions.correct %}`)."""
    allowed = {}
    for name in FAMILY_ACTIONS:
        try:
            _FAMILY_RULES[name](actor, family)
        except _REFUSED:
            allowed[name] = False
        else:
            allowed[name] = True
    return allowed


def individual_actions(actor: Any, individual: Individual) -> dict[str, bool]:
    allowed = {}
    for name in INDIVIDUAL_ACTIONS:
        try:
            _INDIVIDUAL_RULES[name](actor, individual)
        except _REFUSED:
            allowed[name] = False
        else:
            allowed[name] = True
    return allowed


def registry_actions(actor: Any) -> dict[str, bool]:
    """Actions not tied to one family (the family list and the dashboard): propose a new family, enter a
    new family directly as a correction, import, export. Scope is checked when the village is chosen."""
    return {
        "propose_new_family": actor_can(actor, C.UPDATES_PROPOSE),
        "correct": actor_can(actor, C.REGISTRY_CORRECT),
        "import": actor_can(actor, C.REGISTRY_IMPORT),
        "export": actor_can(actor, C.REGISTRY_EXPORT),
    }


def allowed_names(actions: dict[str, bool]) -> list[str]:
    return [name for name, allowed in actions.items() if allowed]


def write_basis(*, correction_reason: str, proposal: str) -> tuple[dict[str, str], list[Issue]]:
    """What a registry write rests on, for its audit event: a determined proposal (its reference) or a
    direct correction, whose reason is required. Returns (basis, issues): a missing reason is a bilingual
    issue on `correction_reason`, reported together with the service's other field errors."""
    if proposal:
        return {"basis": "proposal", "proposal": proposal, "reason": f"usulan {proposal}"}, []
    reason = (correction_reason or "").strip()
    if not reason:
        return {}, [Issue(
            "required", "correction_reason",
            "alasan koreksi langsung wajib diisi (perubahan tanpa usulan dicatat sebagai koreksi langsung)",
            "a reason for the direct correction is required (a change without a proposal is recorded as a "
            "direct correction)",
        )]
    return {"basis": "correction", "reason": reason[:300]}, []
