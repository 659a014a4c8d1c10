"""How stored values are shown to an actor: codes as labels; what is masked (NIK/KK, birth dates, health
and disability answers) is decided by `tepat.registry.masking` (ADR 0008), never here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tepat.core.formatting import date_text
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.validation import FAMILY_CODED_FIELDS, INDIVIDUAL_CODED_FIELDS
from tepat.updates.kinds import EmergencyEvent, MemberRemovalReason

CODED: dict[str, Any] = {
    **FAMILY_CODED_FIELDS,
    **INDIVIDUAL_CODED_FIELDS,
    "presence": c.Presence,
    "program": c.Program,
    "event": EmergencyEvent,
}
HIDDEN = masking.HIDDEN


def display_value(actor: Any, field: str, value: Any, *, sensitive_ok: bool | None = None) -> str:
    """One value as the actor (or a `masking.Policy`) may read it. `field` may be a dotted path.
    `sensitive_ok` is kept for callers; the masking policy decides."""
    if value in (None, ""):
        return "—"
    field = field.rsplit(".", 1)[-1]
    shown = masking.value(actor, field, value)
    if shown != value or field in masking.IDENTITY_FIELDS:
        return str(shown)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {masking.value(actor, k, v)}" for k, v in value.items()) or "—"
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
