"""The one input type of invitations: what a printed undangan says about one KPM for one tahap.

The distribution entries (tepat.distribution.models) are turned into these by the caller; nothing here reads
the registry. `kpm_ref` is pseudonymous (never derived from the NIK) and `recipient_name` is already masked
for print (tepat.registry.masking.public_name)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue

REF_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")
REGION_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


@dataclass(frozen=True, slots=True)
class InvitationData:
    kpm_ref: str  # pseudonymous KPM reference (not the NIK, not derived from it)
    programme: str  # programme code, e.g. "BPNT"
    tahap: int
    amount: int  # integer rupiah
    expires_on: date
    recipient_name: str  # masked for print
    village_code: str  # Kemendagri code of the village (desa/kelurahan), e.g. "36.04.05.2001"
    village_name: str
    rt: str = ""
    rw: str = ""
    place: str = ""  # where the distribution happens
    when: str = ""  # when, as printed ("Senin, 7 Desember 2026, 08.00–12.00 WIB")

    def issues(self) -> list[Issue]:
        """What stops this invitation from being signed, each in Indonesian and English."""
        found: list[Issue] = []

        def bad(code: str, field: str, id_text: str, en_text: str) -> None:
            found.append(Issue(code, field, f"{self.kpm_ref}: {id_text}", f"{self.kpm_ref}: {en_text}"))

        if not REF_RE.match(self.kpm_ref or ""):
            bad("invitation_ref", "kpm_ref", "referensi KPM harus 1–32 huruf, angka, '-' atau '_'",
                "the KPM reference must be 1–32 letters, digits, '-' or '_'")
        elif self.kpm_ref.isdigit() and len(self.kpm_ref) == 16:
            bad("invitation_ref_nik", "kpm_ref", "referensi KPM tidak boleh berupa NIK",
                "the KPM reference must not be a NIK")
        if not CODE_RE.match(self.programme or ""):
            bad("invitation_programme", "programme", "kode program harus 1–20 huruf, angka, '.', '-' atau '_'",
                "the programme code must be 1–20 letters, digits, '.', '-' or '_'")
        if not isinstance(self.tahap, int) or isinstance(self.tahap, bool) or not 1 <= self.tahap <= 99:
            bad("invitation_tahap", "tahap", "tahap harus bilangan bulat 1–99", "tahap must be a whole number 1–99")
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 0:
            bad("invitation_amount", "amount", "nominal harus bilangan bulat rupiah, tidak negatif",
                "the amount must be a whole number of rupiah, not negative")
        if not isinstance(self.expires_on, date):
            bad("invitation_expiry", "expires_on", "tanggal kedaluwarsa wajib diisi", "the expiry date is required")
        if not REGION_RE.match(self.village_code or "") or len(self.village_code) != 13:
            bad("invitation_village", "village_code", "kode desa/kelurahan tidak sah (contoh 36.04.05.2001)",
                "invalid village code (e.g. 36.04.05.2001)")
        return found

    def ensure_valid(self) -> None:
        found = self.issues()
        if found:
            raise ValidationFailed(found)
