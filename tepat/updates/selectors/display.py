"""How stored values are shown to an actor: codes as labels, NIK/KK masked unless the role sees them whole,
health and disability fields hidden from roles without access to sensitive data."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tepat.core.formatting import date_text
from tepat.registry import choices as c
from tepat.registry.access import identity_for, may_see_sensitive
from tepat.registry.validation import FAMILY_CODED_FIELDS, INDIVIDUAL_CODED_FIELDS, SENSITIVE_FIELDS
from tepat.updates.kinds import EmergencyEvent, MemberRemovalReason

CODED: dict[str, Any] = {
    **FAMILY_CODED_FIELDS,
    **INDIVIDUAL_CODED_FIELDS,
    "presence": c.Presence,
    "program": c.Program,
    "event": EmergencyEvent,
}
IDENTITY_FIELDS = frozenset({"nik", "kk_number"})
HIDDEN = "•••"


def display_value(actor: Any, field: str, value: Any, *, sensitive_ok: bool | None = None) -> str:
    """One value as the actor may read it."""
    if value in (None, ""):
        return "—"
    if field in SENSITIVE_FIELDS:
        if sensitive_ok is None:
            sensitive_ok = may_see_sensitive(actor)
        if not sensitive_ok:
            return HIDDEN
    if field in IDENTITY_FIELDS:
        return identity_for(actor, str(value))
    if field == "pregnant":
        return _("Yes") if value else _("No")
    if field == "status":
        return str(dict(c.FamilyStatus.choices).get(value, value))
    if field in ("status_reason", "reason"):
        labels = {**dict(c.FamilyRemovalReason.choices), **dict(MemberRemovalReason.choices)}
        return str(labels.get(value, value))
    enum = CODED.get(field)
    if enum is not None:
        try:
            return str(dict(enum.choices).get(type(enum.values[0])(value), value))
        except (TypeError, ValueError, IndexError):
            return str(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return date_text(value) or str(value)
