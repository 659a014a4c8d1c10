"""The one mechanism that moves a workflow row from one status to the next (ADR 0014).

Each workflow has a table (`{name: Transition(sources, target)}`) kept next to its model and registered
here once with `register(Model, Workflow(prefix, table))`. `transition()` locks the row
(`select_for_update`), refuses a change its table does not allow, saves the new status with the given field
updates, and records the audit event, all in the caller's transaction. Nothing else assigns `status` on a
registered model. Capability × scope is checked by the calling service (with its `<entity>_actions`).

It lives in the audit app because every transition records an audit event and the audit write side is the
bottom layer every domain app may import; it knows no domain model. A workflow that keeps more than the
status (the proposal history rows) passes an `after` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from tepat.audit.services import audit_record
from tepat.core.exceptions import InvalidTransition


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[str]
    target: str
    action: str = ""  # the audit action; default "<prefix>.<name>"


def t(sources: set[str] | frozenset[str], target: str, *, action: str = "") -> Transition:
    return Transition(frozenset(sources), target, action)


@dataclass(frozen=True, slots=True)
class Moved:
    """What `after` hooks receive: the row (already saved), the transition, and the event's context."""

    row: Any
    name: str
    previous: str
    now: Any
    actor: Any
    reason: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Workflow:
    prefix: str
    table: Mapping[str, Transition]
    status_field: str = "status"
    stamp_field: str = ""  # set to now when the status actually changes (e.g. "stage_entered_at")
    after: tuple[Callable[[Moved], None], ...] = field(default_factory=tuple)
    # Applied to the event payload before it enters the trail (the masking policy of the app above).
    redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None


WORKFLOWS: dict[type[models.Model], Workflow] = {}

M = TypeVar("M", bound=models.Model)


def register(model: type[models.Model], workflow: Workflow) -> Workflow:
    WORKFLOWS[model] = workflow
    return workflow


def workflow_of(model: type[models.Model]) -> Workflow:
    try:
        return WORKFLOWS[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} has no registered transitions table") from None


def allowed_transitions(model: type[models.Model], status: str) -> list[str]:
    """Names of the transitions the table allows from `status` (for showing the next actions)."""
    return [name for name, tr in workflow_of(model).table.items() if status in tr.sources]


def can_transition(obj: models.Model, name: str) -> bool:
    flow = workflow_of(type(obj))
    return getattr(obj, flow.status_field) in flow.table[name].sources


def lock(obj: M) -> M:
    """The row again, locked until the end of the transaction."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def ensure_allowed(obj: models.Model, name: str, *, message: tuple[str, str] | None = None) -> None:
    """Refuse (409 InvalidTransition) when the table does not allow `name` from the row's status.
    `message` = (Indonesian, English) replaces the generic text."""
    flow = workflow_of(type(obj))
    transition_ = flow.table[name]
    current = getattr(obj, flow.status_field)
    if current in transition_.sources:
        return
    field_ = type(obj)._meta.get_field(flow.status_field)
    label = dict(field_.choices or ()).get(current, current)
    text = (f"{message[0]} / {message[1]}" if message
            else f"Tidak dapat '{name}' pada tahap '{current}' / Cannot '{name}' at stage '{label}'")
    raise InvalidTransition(
        text,
        extra={"current": current, "requested": name, "allowed": allowed_transitions(type(obj), current)},
    )


def transition(
    obj: M,
    name: str,
    *,
    actor: Any,
    region_code: str,
    updates: dict[str, Any] | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    locked: bool = False,
    message: tuple[str, str] | None = None,
) -> M:
    """Move `obj` along its table: lock, check, save status (+ `updates`), audit. Returns the locked row."""
    flow = workflow_of(type(obj))
    row = obj if locked else lock(obj)
    ensure_allowed(row, name, message=message)
    previous = getattr(row, flow.status_field)
    now = timezone.now()
    target = flow.table[name].target
    setattr(row, flow.status_field, target)
    fields = [flow.status_field]
    if any(f.name == "updated_at" for f in row._meta.concrete_fields):
        fields.append("updated_at")
    if flow.stamp_field and target != previous:  # a move within one stage keeps the stage's age
        setattr(row, flow.stamp_field, now)
        fields.append(flow.stamp_field)
    for key, value in (updates or {}).items():
        setattr(row, key, value)
        fields.append(key)
    row.save(update_fields=list(dict.fromkeys(fields)))
    moved = Moved(row, name, previous, now, actor, reason, data or {})
    for hook in flow.after:
        hook(moved)
    event_data = {"from": previous, "to": target, **({"reason": reason} if reason else {}), **(data or {})}
    if flow.redact is not None:
        event_data = flow.redact(event_data)
    action = flow.table[name].action or f"{flow.prefix}.{name}"
    audit_record(actor=actor, action=action, target=row, region_code=region_code, data=event_data)
    return row
