"""Bilingual messages: every error a person reads exists in Indonesian and English at once.

Reports (import errors, validation warnings stored on records) keep both; the interface shows the
one for the active language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one field: a stable code, and the message in both languages."""

    code: str
    field: str
    id: str
    en: str
    severity: str = "error"  # "error" rejects the value; "warning" is stored and shown
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.en if (translation.get_language() or "id").startswith("en") else self.id

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "field": self.field,
            "severity": self.severity,
            "message_id": self.id,
            "message_en": self.en,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Issue:
        return cls(
            code=data["code"],
            field=data["field"],
            id=data["message_id"],
            en=data["message_en"],
            severity=data.get("severity", "error"),
        )

    def __str__(self) -> str:
        return f"{self.id} / {self.en}"
