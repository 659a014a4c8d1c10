"""Field validation for registry writes, shared by forms, API, imports. Returns Issues, never raises."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils import timezone

from tepat.core.messages import Issue
from tepat.registry import choices as c
from tepat.registry.identity import nik_consistency, normalise_name, validate_kk, validate_nik

_RT_RW = re.compile(r"^[0-9]{1,3}$")

FAMILY_CODED_FIELDS: dict[str, type] = {
    "building_tenure": c.BuildingTenure, "land_proof": c.LandProof, "floor": c.Floor, "wall": c.Wall,
    "roof": c.Roof, "drinking_water": c.DrinkingWater, "water_distance": c.WaterDistance,
    "lighting": c.Lighting, "power_capacity": c.PowerCapacity, "cooking_fuel": c.CookingFuel,
    "toilet_facility": c.ToiletFacility, "toilet_type": c.ToiletType, "sewage_disposal": c.SewageDisposal,
    "internet": c.Internet,
}
FAMILY_FIELDS = ("kk_number", "rw", "rt", "address", "external_id", "floor_area_m2", "assets", "livestock",
                 *FAMILY_CODED_FIELDS)

DIFFICULTY_FIELDS = tuple(f"difficulty_{name}" for name, _ in c.DIFFICULTY_DOMAINS)
INDIVIDUAL_CODED_FIELDS: dict[str, type] = {
    "sex": c.Sex, "relation": c.Relation, "marital_status": c.MaritalStatus, "education": c.Education,
    "school_participation": c.SchoolParticipation, "employment_status": c.EmploymentStatus,
    "chronic_illness": c.ChronicIllness, **dict.fromkeys(DIFFICULTY_FIELDS, c.Difficulty),
}
INDIVIDUAL_FIELDS = ("nik", "name", "birth_place", "birth_date", "occupation", "pregnant", "external_id",
                     *INDIVIDUAL_CODED_FIELDS)
REQUIRED_INDIVIDUAL = ("nik", "name", "sex", "birth_date", "relation")
SENSITIVE_FIELDS = ("chronic_illness", "pregnant", *DIFFICULTY_FIELDS)


def _err(field: str, code: str, id_text: str, en_text: str) -> Issue:
    return Issue(code, field, id_text, en_text)


def normalise_rt_rw(value: Any, field: str, issues: list[Issue]) -> str:
    """'1', '01', '001' → '001'. Empty stays empty."""
    text = str(value or "").strip()
    if not text:
        return ""
    if not _RT_RW.match(text):
        issues.append(_err(field, "rt_rw", f"{field.upper()} '{text}' harus 1–3 digit angka",
                           f"{field.upper()} '{text}' must be 1–3 digits"))
        return text
    return text.zfill(3)


def _coded(field: str, value: Any, enum: type, issues: list[Issue]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number not in enum.values:
        issues.append(_err(field, "choice", f"{field}: kode '{value}' tidak dikenal",
                           f"{field}: code '{value}' is not a valid choice"))
        return None
    return number


def clean_family(data: dict[str, Any]) -> tuple[dict[str, Any], list[Issue], list[Issue]]:
    """Validate the given family fields. Returns (clean values, errors, warnings)."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "kk_number":
            kk = validate_kk(value)
            errors.extend(kk.errors)
            warnings.extend(kk.warnings)
            out[key] = kk.value
        elif key in ("rw", "rt"):
            out[key] = normalise_rt_rw(value, key, errors)
        elif key in ("address", "external_id"):
            out[key] = normalise_name(value)
        elif key == "floor_area_m2":
            if value in (None, ""):
                out[key] = None
            else:
                try:
                    area = int(value)
                    if not 0 < area < 100000:
                        raise ValueError
                    out[key] = area
                except (TypeError, ValueError):
                    errors.append(_err(key, "floor_area", f"luas lantai '{value}' harus bilangan bulat 1–99999 m²",
                                       f"floor area '{value}' must be a whole number 1–99999 m²"))
        elif key == "assets":
            allowed = {name for name, _ in c.ASSETS}
            assets = dict(value or {})
            unknown = set(assets) - allowed
            if unknown:
                errors.append(_err(key, "unknown_asset", f"aset tidak dikenal: {', '.join(sorted(unknown))}",
                                   f"unknown assets: {', '.join(sorted(unknown))}"))
            out[key] = {k: bool(v) for k, v in sorted(assets.items()) if k in allowed and v}
        elif key == "livestock":
            allowed = {name for name, _ in c.LIVESTOCK}
            counts: dict[str, int] = {}
            for k, v in dict(value or {}).items():
                try:
                    number = int(v or 0)
                except (TypeError, ValueError):
                    number = -1
                if k not in allowed or number < 0:
                    errors.append(_err(key, "livestock", f"ternak '{k}': jumlah '{v}' tidak sah",
                                       f"livestock '{k}': count '{v}' is invalid"))
                elif number:
                    counts[k] = number
            out[key] = dict(sorted(counts.items()))
        elif key in FAMILY_CODED_FIELDS:
            out[key] = _coded(key, value, FAMILY_CODED_FIELDS[key], errors)
        else:
            errors.append(_err(key, "unknown_field", f"kolom '{key}' tidak dikenal", f"unknown field '{key}'"))
    return out, errors, warnings


_YES = {"1", "true", "ya", "y", "yes"}
_NO = {"", "0", "false", "tidak", "n", "no"}


def _yes_no(field: str, value: Any, issues: list[Issue]) -> bool:
    """A real yes/no: bool("0") and bool("false") would be True."""
    if value is None or isinstance(value, bool | int):
        return bool(value)
    text = str(value).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    issues.append(_err(field, "yes_no", f"{field}: '{value}' harus ya atau tidak",
                       f"{field}: '{value}' must be yes or no"))
    return False


def _parse_date(field: str, value: Any, issues: list[Issue]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        issues.append(_err(field, "date_format", f"tanggal '{value}' tidak sah (format YYYY-MM-DD)",
                           f"date '{value}' is invalid (format YYYY-MM-DD)"))
        return None


def clean_individual(
    data: dict[str, Any], *, current: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[Issue], list[Issue]]:
    """Validate individual fields; `current` holds the stored values for a partial update."""
    errors: list[Issue] = []
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "nik":
            continue
        if key == "name":
            out[key] = normalise_name(value)
            if not out[key]:
                errors.append(_err(key, "required", "nama wajib diisi", "name is required"))
        elif key in ("birth_place", "occupation", "external_id"):
            out[key] = normalise_name(value)
        elif key == "birth_date":
            out[key] = _parse_date(key, value, errors)
            if out[key] and out[key] > timezone.localdate():
                errors.append(_err(key, "future", "tanggal lahir di masa depan", "birth date is in the future"))
        elif key == "pregnant":
            out[key] = _yes_no(key, value, errors)
        elif key in INDIVIDUAL_CODED_FIELDS:
            out[key] = _coded(key, value, INDIVIDUAL_CODED_FIELDS[key], errors)
        else:
            errors.append(_err(key, "unknown_field", f"kolom '{key}' tidak dikenal", f"unknown field '{key}'"))
    merged = {**(current or {}), **out}
    nik_result = validate_nik(data["nik"] if "nik" in data else merged.get("nik", ""))
    if "nik" in data:
        errors.extend(nik_result.errors)
        out["nik"] = nik_result.value
    for key in REQUIRED_INDIVIDUAL:
        if key != "nik" and merged.get(key) in (None, "") and not any(e.field == key for e in errors):
            errors.append(_err(key, "required", f"{key} wajib diisi", f"{key} is required"))
    warnings = list(nik_result.warnings) + nik_consistency(
        nik_result, birth_date=merged.get("birth_date"), sex=merged.get("sex")
    )
    if merged.get("pregnant") and merged.get("sex") == c.Sex.MALE:
        errors.append(_err("pregnant", "pregnant_male", "laki-laki tidak dapat ditandai hamil",
                           "a male member cannot be marked pregnant"))
    return out, errors, warnings
