"""The one masking policy for personal data (ADR 0008). Every surface — API schemas, pages and their
template tags, workflow payloads and diffs, quality flags, exports, audit payloads — asks this module.

A NIK is 6 region digits + DDMMYY birth date (+40 to the day for women) + a 4-digit serial; a KK number
is 6 region digits + DDMMYY issue date + serial. For a masked role:

- NIK/KK show the 6 region digits only ("360405**********"). Those are derivable from the shown address
  anyway; the date part and the serial (what really identifies) are never shown.
- Birth dates show the birth year only: the year says nothing the hidden digits would not, and the day
  and month (the part that narrows the NIK) stay hidden.
- Health, disability and pregnancy answers are hidden.
- Validation warnings lose the dates and numbers they quote (a "birth date in the NIK differs" warning
  would otherwise print the date).
- Search takes only a whole 16-digit NIK/KK (no prefix: a prefix search is a guessing oracle).

Roles with `personal_data.full` see identity numbers and dates whole; roles with `sensitive_data.view`
see the sensitive answers. Audit payloads are masked at the write side, for every reader
(`audit_payload`), and again on read (`redact`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tepat.accounts.access import actor_can
from tepat.accounts.roles import Capability
from tepat.registry.validation import SENSITIVE_FIELDS as _SENSITIVE

IDENTITY_FIELDS = frozenset({"nik", "kk_number"})
SENSITIVE_FIELDS = frozenset(_SENSITIVE)
BIRTH_DATE_FIELDS = frozenset({"birth_date"})
HIDDEN = "•••"
VISIBLE_DIGITS = 6  # the region part

_INHERIT = frozenset({"before", "after", "proposed", "value", "old", "new"})
_DIGIT_RUN = re.compile(r"(?<!\d)(\d{6})\d{10}(?!\d)")
_DATE_TEXT = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}\b")
_ISO_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Policy:
    """What one reader may see. `identity`: NIK/KK and birth dates whole; `sensitive`: health answers."""

    identity: bool
    sensitive: bool

    @property
    def masked(self) -> bool:
        return not self.identity


FULL = Policy(identity=True, sensitive=True)
MASKED = Policy(identity=False, sensitive=False)
# The public pages (tepat.public, no login) show of a person only `public_name` and the RT: no identity
# numbers, no birth dates, no sensitive answers, under any policy.


def policy_for(actor: Any) -> Policy:
    if isinstance(actor, Policy):
        return actor
    return Policy(identity=actor_can(actor, Capability.PERSONAL_DATA_FULL),
                  sensitive=actor_can(actor, Capability.SENSITIVE_DATA_VIEW))


def may_see_sensitive(actor: Any) -> bool:
    return policy_for(actor).sensitive


# ---- single values ------------------------------------------------------------------------------


def mask_identity(value: str | None) -> str:
    """The region digits only: 3604051403850001 → 360405**********. Shorter values are hidden whole."""
    value = value or ""
    if len(value) <= VISIBLE_DIGITS + 4:
        return "*" * len(value)
    return value[:VISIBLE_DIGITS] + "*" * (len(value) - VISIBLE_DIGITS)


def identity(actor: Any, value: str | None) -> str:
    value = "" if value is None else str(value)
    return value if policy_for(actor).identity else mask_identity(value)


def birth(actor: Any, value: Any) -> Any:
    """A birth date as the reader may see it: the date, or its year (an int) for masked roles."""
    if value in (None, "") or policy_for(actor).identity:
        return value
    if isinstance(value, dt.date):
        return value.year
    match = _ISO_DATE.match(str(value))
    return int(match.group(1)) if match else HIDDEN


def birth_year(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    match = _ISO_DATE.match(str(value or ""))
    return int(match.group(1)) if match else None


def mask_digits(text: str) -> str:
    """Every 16-digit run in free text masked like an identity number."""
    return _DIGIT_RUN.sub(lambda m: m.group(1) + "*" * 10, text)


def mask_text(text: str) -> str:
    """A message for a masked reader: 16-digit runs masked and the dates it quotes blanked."""
    return _DATE_TEXT.sub("••-••-••", mask_digits(text))


def value(actor: Any, field: str, raw: Any) -> Any:
    """One field's value as the reader may see it (structured: JSON-ready, not a label).

    `field` may be a dotted path ("members.0.nik"): its last part decides."""
    policy = policy_for(actor)
    name = field.rsplit(".", 1)[-1]
    if raw is None or raw == "":
        return raw
    if name in SENSITIVE_FIELDS and not policy.sensitive:
        return HIDDEN
    if policy.identity:
        return raw
    if name in IDENTITY_FIELDS:
        return mask_identity(str(raw))
    if name in BIRTH_DATE_FIELDS:
        return birth(policy, raw)
    if name in ("message_id", "message_en") and isinstance(raw, str):
        return mask_text(raw)
    if isinstance(raw, str):
        return mask_digits(raw)
    return raw


def redact(actor: Any, data: Any, field: str = "") -> Any:
    """Any nested event data or payload as the reader may see it. Keys name fields (dotted paths too);
    "before"/"after"/"proposed"/"value" inherit their parent's field; a dict with a "path" names the field
    of its values (a verification's fact results). Keys naming a sensitive field are left out for readers
    without the sensitive capability; values under such a path become HIDDEN."""
    policy = policy_for(actor)
    if isinstance(data, dict):
        own = str(data.get("path", "")) if isinstance(data.get("path"), str) else ""
        out = {}
        for key, item in data.items():
            if key == "path":
                out[key] = item
                continue
            key_field = (own or field) if key in _INHERIT else str(key)
            if not policy.sensitive and key_field.rsplit(".", 1)[-1] in SENSITIVE_FIELDS and key not in _INHERIT:
                continue  # not even that a health answer exists
            out[key] = redact(policy, item, key_field)
        return out
    if isinstance(data, (list, tuple)):
        return [redact(policy, item, field) for item in data]
    return value(policy, field, data)


def issue(actor: Any, data: dict) -> dict:
    """A stored validation warning as the reader may see it: masked readers get no dates or numbers."""
    if policy_for(actor).identity or not isinstance(data, dict):
        return data
    return {key: mask_text(item) if key in ("message_id", "message_en", "id", "en") and isinstance(item, str)
            else item for key, item in data.items()}


def public_name(name: str | None) -> str:
    """A name as a public page may show it: the first word, then initials ("Ahmad Suryana Putra" →
    "Ahmad S. P."); a one-word name keeps two letters ("Sumarni" → "Su•••"). Never the whole name, so a
    published list or a lookup answer cannot be matched back to a full name."""
    words = [w for w in str(name or "").split() if w]
    if not words:
        return HIDDEN
    if len(words) == 1:
        return words[0][:2] + HIDDEN
    return " ".join([words[0], *(w[0].upper() + "." for w in words[1:])])


# ---- write side ---------------------------------------------------------------------------------


def audit_payload(data: Any, field: str = "") -> Any:
    """What an audit event may store: identity numbers masked, sensitive answers replaced by a marker
    (the event still says the field changed), 16-digit runs in free text masked. Birth dates are kept
    (the readers' masking reduces them to the year); internal ids are kept."""
    if isinstance(data, dict):
        own = str(data.get("path", "")) if isinstance(data.get("path"), str) else ""
        return {key: item if key == "path" else audit_payload(item, (own or field) if key in _INHERIT else str(key))
                for key, item in data.items()}
    if isinstance(data, (list, tuple)):
        return [audit_payload(item, field) for item in data]
    if data is None or data == "":
        return data
    name = field.rsplit(".", 1)[-1]
    if name in SENSITIVE_FIELDS:
        return HIDDEN
    if name in IDENTITY_FIELDS:
        return mask_identity(str(data))
    if isinstance(data, str):
        return mask_digits(data)
    return data


# ---- search -------------------------------------------------------------------------------------


def search_digest(kind: str, normalised: str) -> str:
    """A keyed hash of what was searched (HMAC-SHA256, key TEPAT_SEARCH_HASH_KEY or the secret key): the
    same query gives the same digest, so an investigator holding a NIK can find who searched it, while the
    trail never holds the query in clear."""
    key = (getattr(settings, "TEPAT_SEARCH_HASH_KEY", "") or settings.SECRET_KEY).encode()
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
