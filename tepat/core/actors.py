"""Who acts when no person does: the system actor.

Every service takes an explicit `actor`. A person is a `User`; the command line, the background worker
and setup steps act as `SYSTEM` (or a named `SystemActor`), which services recognise with `is_system()`.
`None` is never an actor: services and the audit trail refuse it, so a lost actor id in a background job
fails loudly instead of silently skipping every check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SystemActor:
    """The system acting on its own authority (command line, scheduled jobs, setup). Not a person:
    it has no regions and no role, so the role-based checks (`actor_can`) refuse it; services that
    the system may run say so explicitly with `is_system(actor)`."""

    label: str = "system"
    pk: None = None
    is_authenticated: bool = False
    is_active: bool = False
    is_system: bool = True

    def get_username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


SYSTEM = SystemActor("system")


def is_system(actor: Any) -> bool:
    return isinstance(actor, SystemActor)


def ensure_actor(actor: Any) -> Any:
    """Refuse a missing actor (`None`): callers must pass a user or `SYSTEM`."""
    if actor is None:
        raise ValueError("actor is required: pass the acting user or tepat.core.actors.SYSTEM")
    return actor
