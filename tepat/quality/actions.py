"""What a reviewer may do on a data-quality flag now (ADR 0020): one rule per action, shared by the flag page
(it renders only the offered actions), the API (`actions` in the flag detail) and the services (which refuse
with the same rule). Built on the flag's transitions table (`tepat.quality.transitions`), the capability and
the actor's region scope. Confirming creates a proposal, so it also needs `updates.propose`.

A match run has no actions for people: its moves (start, finish, fail) are the background job's.
"""

from __future__ import annotations

from typing import Any

from tepat.accounts.actions import Actions, rule
from tepat.accounts.roles import Capability
from tepat.quality.models import Flag

REVIEWED = ("Tanda ini sudah ditinjau", "This flag has already been reviewed")

FLAG = Actions({
    "confirm": rule(Capability.QUALITY_REVIEW, Capability.UPDATES_PROPOSE, transition="confirm", message=REVIEWED),
    "dismiss": rule(Capability.QUALITY_REVIEW, transition="dismiss", message=REVIEWED),
}, region=lambda flag: flag.region_code)


def flag_actions(actor: Any, flag: Flag) -> list[str]:
    return FLAG.offered(actor, flag)


def ensure_flag_action(actor: Any, flag: Flag, name: str) -> None:
    FLAG.ensure(actor, flag, name)
