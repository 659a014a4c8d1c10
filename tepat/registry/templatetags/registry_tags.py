"""Presentation helpers for registry pages: identity numbers as the viewer may see them, choice labels,
validation messages in the active language, and audit events in readable form.

Whether a number is masked, a date reduced to its year or a health field hidden is decided by
`tepat.registry.masking` (ADR 0008); these tags only apply its answer to what is shown.
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tepat.audit.actions import action_label as _action_label
from tepat.core.formatting import date_text
from tepat.core.messages import Issue
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.forms import HOUSING_FIELDS, HOUSING_LABELS, SENSITIVE_LABELS
from tepat.registry.models import Family, Individual
from tepat.registry.validation import (
    DIFFICULTY_FIELDS,
    FAMILY_CODED_FIELDS,
    INDIVIDUAL_CODED_FIELDS,
)

register = template.Library()

HIDDEN = masking.HIDDEN

_ENUMS: dict[str, Any] = {
    **FAMILY_CODED_FIELDS,
    **INDIVIDUAL_CODED_FIELDS,
    "presence": c.Presence,
    "status": c.FamilyStatus,
    "status_reason": c.FamilyRemovalReason,
}
_ASSET_LABELS = dict(c.ASSETS)
_LIVESTOCK_LABELS = dict(c.LIVESTOCK)


def _actor(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def identity(context: template.Context, value: str | None) -> str:
    """A NIK or KK number, whole or masked (region digits only) as the viewer may see it."""
    return masking.identity(_actor(context), value or "")


@register.simple_tag(takes_context=True)
def birth(context: template.Context, value: Any) -> str:
    """A birth date as the viewer may see it: the date, or the year only for masked roles."""
    shown = masking.birth(_actor(context), value)
    if shown in (None, ""):
        return "—"
    return date_format(shown, "j M Y") if hasattr(shown, "year") else str(shown)


@register.filter
def issue_text(data: dict) -> str:
    """A stored validation warning in the active language (unmasked: use `issue_for` on pages)."""
    return Issue.from_dict(data).text


@register.simple_tag(takes_context=True)
def issue_for(context: template.Context, data: dict) -> str:
    """A stored validation warning in the active language, as the viewer may see it (masked readers
    get no dates or numbers from it)."""
    return Issue.from_dict(masking.issue(_actor(context), data)).text


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.simple_tag
def housing_rows(family: Family) -> list[tuple[str, str]]:
    return [
        (str(HOUSING_LABELS[name]), getattr(family, f"get_{name}_display")())
        for name in HOUSING_FIELDS
        if getattr(family, name) is not None
    ]


@register.simple_tag
def asset_labels(family: Family) -> list[str]:
    return [str(_ASSET_LABELS.get(key, key)) for key, owned in (family.assets or {}).items() if owned]


@register.simple_tag
def livestock_rows(family: Family) -> list[tuple[str, int]]:
    return [(str(_LIVESTOCK_LABELS.get(key, key)), count) for key, count in (family.livestock or {}).items()]


@register.simple_tag
def health_rows(member: Individual) -> list[str]:
    """Functional difficulties that were asked and are not 'no difficulty', chronic illness, pregnancy."""
    rows = []
    for name in DIFFICULTY_FIELDS:
        value = getattr(member, name)
        if value is not None and value != c.Difficulty.NONE:
            rows.append(f"{SENSITIVE_LABELS[name]}: {getattr(member, f'get_{name}_display')()}")
    if member.chronic_illness is not None and member.chronic_illness != c.ChronicIllness.NONE:
        rows.append(f"{_('Chronic illness')}: {member.get_chronic_illness_display()}")
    if member.pregnant:
        rows.append(_("Pregnant"))
    return rows


# Audit events ------------------------------------------------------------------------------------------

def _field_label(model: Any, name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _format(actor: Any, name: str, value: Any) -> str:
    if value is None or value == "" or value == {} or value == []:
        return "—"
    shown = masking.value(actor, name, value)
    if shown != value or name in masking.IDENTITY_FIELDS:
        return str(shown)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    enum = _ENUMS.get(name)
    if enum is not None:
        try:
            return str(enum(value).label)
        except ValueError:
            return str(value)
    if name == "assets" and isinstance(value, dict):
        return ", ".join(str(_ASSET_LABELS.get(k, k)) for k, v in value.items() if v) or "—"
    if name == "livestock" and isinstance(value, dict):
        return ", ".join(f"{_LIVESTOCK_LABELS.get(k, k)}: {v}" for k, v in value.items()) or "—"
    return date_text(value) or str(value)


def event_changes(actor: Any, event: Any) -> list[dict[str, str]]:
    """[{"field", "before", "after"}] for an event's recorded changes (or the values it created)."""
    model = Individual if event.target_type == "registry.individual" else Family
    policy = masking.policy_for(actor)
    data = event.data or {}
    rows = []
    if isinstance(data.get("changes"), dict):
        for name, change in sorted(data["changes"].items(), key=lambda item: _field_order(model, item[0])):
            change = change if isinstance(change, dict) else {"after": change}
            rows.append({
                "field": _field_label(model, name),
                "before": _format(policy, name, change.get("before")),
                "after": _format(policy, name, change.get("after")),
            })
    elif isinstance(data.get("after"), dict):
        for name, value in sorted(data["after"].items(), key=lambda item: _field_order(model, item[0])):
            if value in (None, "", {}, [], False):
                continue
            rows.append({"field": _field_label(model, name), "before": "", "created": True,
                         "after": _format(policy, name, value)})
    return rows


def _field_order(model: Any, name: str) -> tuple[int, str]:
    """Fields in the order the model declares them (the stored data is sorted by name)."""
    try:
        return model._meta.get_field(name).creation_counter, name
    except FieldDoesNotExist:
        return 1_000_000, name


@register.simple_tag(takes_context=True)
def trail_rows(context: template.Context, detail: Any) -> list[dict[str, Any]]:
    """A family page's audit trail: each event with its subject (the family or a member) and changes."""
    actor = _actor(context)
    names = {str(member.pk): member.name for member in detail.members}
    rows = []
    for event in detail.events:
        if event.target_type == "registry.individual":
            subject = names.get(event.target_id, _("Member"))
        else:
            subject = _("Family")
        changes = event_changes(actor, event)
        rows.append({
            "event": event,
            "label": action_label(event.action),
            "subject": subject,
            "changes": changes,
            "created": bool(changes) and all(change.get("created") for change in changes),
            "reason": (event.data or {}).get("reason", ""),
            "correction": (event.data or {}).get("basis") == "correction",
            "proposal": (event.data or {}).get("proposal", ""),
        })
    return rows


@register.simple_tag(takes_context=True)
def event_data_json(context: template.Context, event: Any) -> str:
    """An audit event's data as indented JSON, with NIK/KK, birth dates and health fields shown as the
    viewer may."""
    data = masking.redact(_actor(context), event.data or {})
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


@register.simple_tag(takes_context=True)
def event_change_rows(context: template.Context, event: Any) -> list[dict[str, str]]:
    return event_changes(_actor(context), event)
