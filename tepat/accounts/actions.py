"""Which actions an actor may take on a workflow object now: one rule per action, shared by the pages (which
render only the offered actions), the JSON API (the `actions` list of each detail) and the services (which
refuse with the same rule). ADR 0020.

A rule is capability × region scope × the transitions table (`tepat.audit.transitions`: the status must allow
the transition the action makes) × the action's own checks (the assigned facilitator, a freeze, an earlier
period). `ensure` raises exactly what the services always raised: 403 for a missing capability, 404 outside
the actor's regions, 409 when the status does not allow it, the check's own error otherwise. `offered` is
the list of names for which `ensure` would pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tepat.accounts.access import ensure_capability
from tepat.accounts.access import ensure_permission as _ensure_permission
from tepat.accounts.roles import Capability
from tepat.audit.transitions import WORKFLOWS, ensure_allowed
from tepat.core.exceptions import ApplicationError, InvalidTransition

Check = Callable[[Any, Any], None]  # (actor, obj) -> None; raises an ApplicationError when it does not hold


@dataclass(frozen=True, slots=True)
class Rule:
    capabilities: tuple[Capability, ...]
    transition: str = ""  # the table entry the action makes: the row's status must allow it
    statuses: frozenset[str] = frozenset()  # for an action outside the table: the statuses it is open in
    checks: tuple[Check, ...] = ()
    message: tuple[str, str] | None = None  # (Indonesian, English) when the status does not allow it
    refusal: type[ApplicationError] = InvalidTransition  # raised (409) when `statuses` does not hold


def rule(*capabilities: Capability, transition: str = "", statuses: Any = (), checks: tuple[Check, ...] = (),
         message: tuple[str, str] | None = None, refusal: type[ApplicationError] = InvalidTransition) -> Rule:
    return Rule(tuple(capabilities), transition, frozenset(statuses), checks, message, refusal)


@dataclass(frozen=True, slots=True)
class Actions:
    """The action rules of one workflow object. `region` gives the object's region code (scope)."""

    rules: Mapping[str, Rule]
    region: Callable[[Any], str]

    def ensure(self, actor: Any, obj: Any, name: str) -> None:
        """Refuse (403/404/409/the check's error) unless `name` is open to the actor on `obj` now."""
        rule_ = self.rules[name]
        for capability in rule_.capabilities[1:]:
            ensure_capability(actor=actor, capability=capability)
        _ensure_permission(actor=actor, capability=rule_.capabilities[0], region_code=self.region(obj))
        if rule_.transition:
            ensure_allowed(obj, rule_.transition, message=rule_.message)
        if rule_.statuses:
            status_field = WORKFLOWS[type(obj)].status_field if type(obj) in WORKFLOWS else "status"
            current = getattr(obj, status_field)
            if current not in rule_.statuses:
                id_text, en_text = rule_.message or (f"Tidak dapat '{name}' pada tahap '{current}'",
                                                     f"Cannot '{name}' at stage '{current}'")
                raise rule_.refusal(f"{id_text} / {en_text}", extra={"current": current, "requested": name})
        for check in rule_.checks:
            check(actor, obj)

    def offered(self, actor: Any, obj: Any) -> list[str]:
        """The names `ensure` lets through, in the rules' order."""
        names = []
        for name in self.rules:
            try:
                self.ensure(actor, obj, name)
            except ApplicationError:
                continue
            names.append(name)
        return names
