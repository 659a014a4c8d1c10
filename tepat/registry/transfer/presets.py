"""Column layouts of registry files (presets), the fields they carry, and user mappings (TOML).

A preset names the columns of a file and the registry field each one fills. Headers are matched
case-insensitively, with spaces, underscores, slashes, dashes and dots treated alike, so
`DESA/KELURAHAN`, `Desa Kelurahan` and `desa_kelurahan` are one column. A mapping file renames
further headers, ignores columns, or adds value spellings for coded columns.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.registry import choices as c
from tepat.registry.validation import FAMILY_CODED_FIELDS, SENSITIVE_FIELDS


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One registry field an import column can fill."""

    name: str
    level: str  # "family", "individual" or "region" (used to find the village)
    kind: str  # identity, name, text, rtrw, date, code, int, flag, region_code, region_name
    max_length: int = 0
    enum: type | None = None
    model_field: str = ""  # column on Family/Individual when it differs from `name`
    program: str = ""  # flag fields: the program code

    @property
    def column(self) -> str:
        return self.model_field or self.name


def _fields() -> dict[str, FieldSpec]:
    specs = [
        FieldSpec("kk_number", "family", "identity"),
        FieldSpec("region_code", "region", "region_code"),
        FieldSpec("province_name", "region", "region_name"),
        FieldSpec("regency_name", "region", "region_name"),
        FieldSpec("district_name", "region", "region_name"),
        FieldSpec("village_name", "region", "region_name"),
        FieldSpec("address", "family", "text", 200),
        FieldSpec("rt", "family", "rtrw"),
        FieldSpec("rw", "family", "rtrw"),
        FieldSpec("family_external_id", "family", "text", 40, model_field="external_id"),
        FieldSpec("floor_area_m2", "family", "int"),
        *(FieldSpec(name, "family", "code", enum=enum) for name, enum in FAMILY_CODED_FIELDS.items()),
        FieldSpec("nik", "individual", "identity"),
        FieldSpec("name", "individual", "name", 150),
        FieldSpec("sex", "individual", "code", enum=c.Sex),
        FieldSpec("birth_place", "individual", "text", 80),
        FieldSpec("birth_date", "individual", "date"),
        FieldSpec("relation", "individual", "code", enum=c.Relation),
        FieldSpec("marital_status", "individual", "code", enum=c.MaritalStatus),
        FieldSpec("education", "individual", "code", enum=c.Education),
        FieldSpec("school_participation", "individual", "code", enum=c.SchoolParticipation),
        FieldSpec("employment_status", "individual", "code", enum=c.EmploymentStatus),
        FieldSpec("occupation", "individual", "text", 100),
        *(FieldSpec(f"difficulty_{name}", "individual", "code", enum=c.Difficulty) for name, _ in c.DIFFICULTY_DOMAINS),
        FieldSpec("chronic_illness", "individual", "code", enum=c.ChronicIllness),
        FieldSpec("pregnant", "individual", "flag"),
        FieldSpec("external_id", "individual", "text", 40),
        *(FieldSpec(f"program_{p.value}", "family", "flag", program=p.value) for p in c.Program),
    ]
    return {spec.name: spec for spec in specs}


FIELDS: dict[str, FieldSpec] = _fields()
REQUIRED_FIELDS = ("kk_number", "nik", "name", "sex", "birth_date", "relation")
SENSITIVE = frozenset(SENSITIVE_FIELDS)

# Spellings people use in coded columns, after `value_key` (upper case, separators as one space).
VALUE_SPELLINGS: dict[str, dict[str, int]] = {
    "sex": {
        "L": 1, "LK": 1, "LAKI": 1, "LAKI LAKI": 1, "LAKILAKI": 1, "PRIA": 1, "M": 1, "MALE": 1,
        "P": 2, "PR": 2, "PEREMPUAN": 2, "WANITA": 2, "W": 2, "F": 2, "FEMALE": 2,
    },
    "relation": {
        "KEPALA KELUARGA": 1, "KEPALA": 1, "KK": 1, "KRT": 1, "KEPALA RUMAH TANGGA": 1,
        "ISTRI": 2, "SUAMI": 2, "ISTRI SUAMI": 2, "SUAMI ISTRI": 2, "PASANGAN": 2,
        "ANAK": 3, "ANAK KANDUNG": 3, "ANAK TIRI": 3, "ANAK ANGKAT": 3,
        "MENANTU": 4, "CUCU": 5,
        "ORANG TUA": 6, "ORANGTUA": 6, "MERTUA": 6, "ORANG TUA MERTUA": 6, "AYAH": 6, "IBU": 6,
        "PEMBANTU": 7, "SOPIR": 7, "PEMBANTU SOPIR": 7, "PEMBANTU RUMAH TANGGA": 7,
        "LAINNYA": 8, "LAIN LAIN": 8, "FAMILI LAIN": 8,
    },
    "marital_status": {
        "BELUM KAWIN": 1, "BELUM MENIKAH": 1, "TIDAK KAWIN": 1,
        "KAWIN": 2, "MENIKAH": 2, "KAWIN TERCATAT": 2, "KAWIN BELUM TERCATAT": 2, "KAWIN TIDAK TERCATAT": 2,
        "CERAI HIDUP": 3, "CERAI": 3,
        "CERAI MATI": 4, "JANDA DUDA": 4,
    },
}

# How the siks layout writes coded values (what SIKS-NG style exports show).
SIKS_LABELS: dict[str, dict[int, str]] = {
    "sex": {1: "LAKI-LAKI", 2: "PEREMPUAN"},
    "relation": {1: "KEPALA KELUARGA", 2: "ISTRI/SUAMI", 3: "ANAK", 4: "MENANTU", 5: "CUCU",
                 6: "ORANG TUA/MERTUA", 7: "PEMBANTU/SOPIR", 8: "LAINNYA"},
    "marital_status": {1: "BELUM KAWIN", 2: "KAWIN", 3: "CERAI HIDUP", 4: "CERAI MATI"},
}

TRUE_SPELLINGS = frozenset({"Y", "YA", "YES", "1", "TRUE", "BENAR", "V", "✓", "X"})
FALSE_SPELLINGS = frozenset({"T", "TIDAK", "N", "NO", "0", "FALSE", "SALAH", "-"})

_HEADER_SEPARATORS = re.compile(r"[\s_/\\.\-]+")
_VALUE_SEPARATORS = re.compile(r"[\s_/\\.\-]+")


def header_key(header: object) -> str:
    """'Desa/Kelurahan ', 'DESA_KELURAHAN', 'desa kelurahan' → 'DESA_KELURAHAN'."""
    text = str(header or "").replace("\ufeff", "").strip().upper()
    return _HEADER_SEPARATORS.sub("_", text).strip("_")


def value_key(value: str) -> str:
    return _VALUE_SEPARATORS.sub(" ", value.strip().upper()).strip()


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    field: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    label: str
    columns: tuple[Column, ...]
    date_format: str  # how exports write dates (strftime)
    coded_as_text: bool  # exports write sex/relation/marital status as words (siks) or codes (tepat)

    def header_for(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return column.header
        return field_name

    def lookup(self) -> dict[str, str]:
        """header_key → field, for the preset's headers and their aliases."""
        table: dict[str, str] = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                table[header_key(name)] = column.field
        return table


SIKS = Preset(
    name="siks",
    label="SIKS-NG (DTKS)",
    columns=(
        Column("ID_DTKS", "external_id", ("IDDTKS", "ID_DTKS_ART")),
        Column("PROVINSI", "province_name", ("PROV", "NAMA_PROVINSI")),
        Column("KABUPATEN_KOTA", "regency_name", ("KABUPATEN", "KAB_KOTA", "KOTA_KABUPATEN", "NAMA_KABUPATEN")),
        Column("KECAMATAN", "district_name", ("KEC", "NAMA_KECAMATAN")),
        Column("DESA_KELURAHAN", "village_name", ("DESA", "KELURAHAN", "DESA_KEL", "NAMA_DESA")),
        Column("KODE_WILAYAH", "region_code", ("KODE_DESA", "KODE_DESA_KELURAHAN", "KDDESA")),
        Column("ALAMAT", "address", ("ALAMAT_RUMAH", "DUSUN")),
        Column("RT", "rt", ("NO_RT",)),
        Column("RW", "rw", ("NO_RW",)),
        Column("NO_KK", "kk_number", ("NOMOR_KK", "NKK", "NO_KARTU_KELUARGA", "NOMOR_KARTU_KELUARGA")),
        Column("NIK", "nik", ("NO_NIK", "NOMOR_NIK", "NIK_ART")),
        Column("NAMA", "name", ("NAMA_LENGKAP", "NAMA_ART", "NAMA_ANGGOTA")),
        Column("JENIS_KELAMIN", "sex", ("JK", "KELAMIN")),
        Column("TEMPAT_LAHIR", "birth_place", ("TMP_LAHIR",)),
        Column("TANGGAL_LAHIR", "birth_date", ("TGL_LAHIR", "TANGGAL_LHR")),
        Column("HUBUNGAN_KELUARGA", "relation", ("SHDK", "HUBUNGAN", "STATUS_HUBUNGAN", "HUB_KELUARGA",
                                                 "HUBUNGAN_DENGAN_KEPALA_KELUARGA")),
        Column("STATUS_KAWIN", "marital_status", ("STATUS_PERKAWINAN", "STS_KAWIN")),
        Column("PEKERJAAN", "occupation", ("JENIS_PEKERJAAN",)),
        Column("PKH", "program_pkh", ("STATUS_PKH",)),
        Column("BPNT", "program_bpnt", ("SEMBAKO", "STATUS_BPNT")),
        Column("PBI", "program_pbi_jk", ("PBI_JK", "PBI_JKN", "STATUS_PBI")),
    ),
    date_format="%d-%m-%Y",
    coded_as_text=True,
)

_TEPAT_FIELDS = (
    "kk_number", "region_code", "rw", "rt", "address", "family_external_id", *FAMILY_CODED_FIELDS,
    "floor_area_m2", "nik", "name", "sex", "birth_place", "birth_date", "relation", "marital_status",
    "education", "school_participation", "employment_status", "occupation",
    *(f"difficulty_{name}" for name, _ in c.DIFFICULTY_DOMAINS), "chronic_illness", "pregnant", "external_id",
    *(f"program_{p.value}" for p in c.Program),
)
TEPAT = Preset(
    name="tepat",
    label="Tepat",
    columns=tuple(Column(name, name) for name in _TEPAT_FIELDS),
    date_format="%Y-%m-%d",
    coded_as_text=False,
)

PRESETS: dict[str, Preset] = {SIKS.name: SIKS, TEPAT.name: TEPAT}


def _fail(code: str, id_text: str, en_text: str) -> ValidationFailed:
    return ValidationFailed([Issue(code, "file", id_text, en_text)])


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise _fail("preset", f"preset '{name}' tidak dikenal (pilih: {', '.join(PRESETS)})",
                    f"unknown preset '{name}' (choose: {', '.join(PRESETS)})") from None


@dataclass(slots=True)
class Mapping:
    """A user's additions to a preset: header → preset header or field ('' ignores the column),
    and extra spellings for coded columns: field → {spelling: code}."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "values": {k: dict(v) for k, v in self.values.items()}}


def mapping_parse(source: str | bytes | dict | None) -> Mapping:
    """A mapping from TOML text or an already parsed dict; checks every target names a known field."""
    if not source:
        return Mapping()
    if isinstance(source, dict):
        data = source
    else:
        text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _fail("mapping", f"berkas pemetaan tidak sah: {exc}", f"invalid mapping file: {exc}") from exc
    columns_raw = data.get("columns", {}) or {}
    values_raw = data.get("values", {}) or {}
    if not isinstance(columns_raw, dict) or not isinstance(values_raw, dict):
        raise _fail("mapping", "[columns] dan [values] harus berupa tabel", "[columns] and [values] must be tables")
    all_headers = {header_key(col.header): col.field for preset in PRESETS.values() for col in preset.columns}
    columns: dict[str, str] = {}
    for header, target in columns_raw.items():
        target = str(target or "")
        if target and target not in FIELDS and header_key(target) not in all_headers:
            raise _fail("mapping", f"pemetaan '{header}' → '{target}': kolom tujuan tidak dikenal",
                        f"mapping '{header}' → '{target}': unknown target column")
        columns[str(header)] = target if target in FIELDS or not target else all_headers[header_key(target)]
    values: dict[str, dict[str, int]] = {}
    for field_name, spellings in values_raw.items():
        spec = FIELDS.get(field_name)
        if spec is None or spec.kind != "code" or not isinstance(spellings, dict):
            raise _fail("mapping", f"[values.{field_name}]: bukan kolom berkode", f"[values.{field_name}]: not a coded column")
        allowed = set(spec.enum.values) if spec.enum else set()
        for spelling, code in spellings.items():
            if not isinstance(code, int) or code not in allowed:
                raise _fail("mapping", f"[values.{field_name}] '{spelling}' = {code}: kode tidak dikenal",
                            f"[values.{field_name}] '{spelling}' = {code}: unknown code")
        values[field_name] = {value_key(str(k)): int(v) for k, v in spellings.items()}
    return Mapping(columns, values)


@dataclass(slots=True)
class HeaderMatch:
    fields: dict[str, str]  # field → header as written in the file
    ignored: list[str]  # headers that fill no field


def match_headers(headers: list[str], preset: Preset, mapping: Mapping) -> HeaderMatch:
    """Which file column fills which field. Two columns for one field, or a missing required column,
    fail the whole file (nothing could be imported correctly)."""
    lookup = preset.lookup()
    lookup.update({header_key(name): name for name in FIELDS})  # internal names always work
    user = {header_key(h): target for h, target in mapping.columns.items()}
    fields: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        key = header_key(header)
        target = user[key] if key in user else lookup.get(key)
        if not target:
            ignored.append(header)
            continue
        if target in fields:
            raise _fail("duplicate_column", f"kolom '{fields[target]}' dan '{header}' sama-sama mengisi {target}",
                        f"columns '{fields[target]}' and '{header}' both fill {target}")
        fields[target] = header
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    has_region = "region_code" in fields or "village_name" in fields
    if missing or not has_region:
        names = [preset.header_for(name) for name in missing]
        if not has_region:
            names.append(f"{preset.header_for('region_code')} / {preset.header_for('village_name')}")
        raise _fail("missing_columns", f"kolom wajib tidak ada: {', '.join(names)}",
                    f"required columns are missing: {', '.join(names)}")
    return HeaderMatch(fields, ignored)


def header_score(cells: list[Any], preset: Preset, mapping: Mapping) -> int:
    """How many cells of a row look like known headers (finds the header row below title rows)."""
    known = set(preset.lookup()) | {header_key(h) for h in mapping.columns} | {header_key(n) for n in FIELDS}
    return sum(1 for cell in cells if isinstance(cell, str) and header_key(cell) in known)
