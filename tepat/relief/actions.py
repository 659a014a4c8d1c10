"""What an actor may do on a disaster event now (ADR 0020): one rule per action shared by the pages, the API
(`actions` in the detail) and the services. Capability × region scope × the transitions table."""

from __future__ import annotations

from typing import Any

from tepat.accounts.actions import Actions, rule
from tepat.accounts.roles import Capability
from tepat.relief.models import DisasterEvent

C = Capability
S = DisasterEvent.Status
CLOSED_MESSAGE = ("Kejadian ini sudah ditutup", "This event is closed")

EVENT = Actions({
    "intake": rule(C.RELIEF_INTAKE, statuses={S.OPEN}, message=CLOSED_MESSAGE),
    "match": rule(C.RELIEF_INTAKE, statuses={S.OPEN, S.CLOSED}),
    "issue": rule(C.RELIEF_STOCK, statuses={S.OPEN}, message=CLOSED_MESSAGE),
    "meals": rule(C.RELIEF_STOCK, statuses={S.OPEN}, message=CLOSED_MESSAGE),
    "close": rule(C.RELIEF_EVENTS, transition="close"),
    "reopen": rule(C.RELIEF_EVENTS, transition="reopen"),
}, region=lambda event: event.region_id)


def event_actions(actor: Any, event: DisasterEvent) -> list[str]:
    return EVENT.offered(actor, event)


def ensure_event_action(actor: Any, event: DisasterEvent, name: str) -> None:
    EVENT.ensure(actor, event, name)
