"""Set-based cleaning and validation of import columns, in polars expressions.

The rules are the foundation's (tepat.registry.validation), written over whole columns so that a
million rows take seconds: names and text, RT/RW, dates in the spellings people use, coded values as
words or codes, flags, the search key of names. Each check yields issues (row, field, value, code,
severity, Indonesian and English message). NIK and KK numbers: `identity_rules.py`.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl

from tepat.registry.identity import JAKARTA
from tepat.registry.transfer.presets import (
    FALSE_SPELLINGS,
    FIELDS,
    REQUIRED_FIELDS,
    TRUE_SPELLINGS,
    VALUE_SPELLINGS,
    FieldSpec,
    Mapping,
)
from tepat.registry.transfer.reader import ROW

ISSUE_SCHEMA = {
    "row": pl.Int64, "field": pl.String, "value": pl.String, "code": pl.String,
    "severity": pl.String, "message_id": pl.String, "message_en": pl.String,
}
ERROR, WARNING = "error", "warning"

_SCIENTIFIC = r"^[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+$"
_FLOAT_TAIL = r"^([0-9]+)[.,]0+$"
_ID_STRIP = "[\\s.\\-\u00a0\u200b]+"
_WHOLE = r"^[0-9]+(\.0+)?$"
_VALUE_SEPARATORS = r"[\s_/\\.\-]+"
_EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial days that cannot be mistaken for a year written alone (1900–2100).
_SERIAL_MIN, _SERIAL_MAX = 2101, 99999


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def _lit(text: str) -> pl.Expr:
    return pl.lit(text, dtype=pl.String)


def issues_where(
    frame: pl.DataFrame, mask: pl.Expr, *, field: str, value: pl.Expr, code: str,
    message_id: pl.Expr | str, message_en: pl.Expr | str, severity: str = ERROR,
) -> pl.DataFrame:
    """One issue for every row of `frame` where `mask` holds."""
    mid = _lit(message_id) if isinstance(message_id, str) else message_id
    men = _lit(message_en) if isinstance(message_en, str) else message_en
    return frame.filter(mask).select(
        pl.col(ROW).alias("row"), _lit(field).alias("field"), value.cast(pl.String).fill_null("").alias("value"),
        _lit(code).alias("code"), _lit(severity).alias("severity"),
        mid.alias("message_id"), men.alias("message_en"),
    )


def issues_from(rows: list[tuple[int, str, str, object]]) -> pl.DataFrame:
    """Issues from Python: (row, field, value, Issue)."""
    return pl.DataFrame(
        [(row, name, value, issue.code, issue.severity, issue.id, issue.en) for row, name, value, issue in rows],
        schema=ISSUE_SCHEMA, orient="row",
    )


def today() -> date:
    return datetime.now(tz=JAKARTA).date()


# --- other columns ---------------------------------------------------------------------------------

def clean_text(expr: pl.Expr) -> pl.Expr:
    """identity.normalise_name over a column: NFKC, single spaces, trimmed."""
    return expr.fill_null("").str.normalize("NFKC").str.replace_all(r"\s+", " ").str.strip_chars()


def _key(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_uppercase().str.replace_all(_VALUE_SEPARATORS, " ").str.strip_chars()


def _value(name: str) -> pl.Expr:
    return pl.col(name).fill_null("").str.strip_chars()


def check_text(frame: pl.DataFrame, spec: FieldSpec, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = f"{spec.name}_clean"
    frame = frame.with_columns(clean_text(pl.col(spec.name)).alias(out))
    issues = [issues_where(
        frame, pl.col(out).str.len_chars() > spec.max_length, field=spec.name, value=_value(spec.name), code="too_long",
        message_id=f"{label}: lebih dari {spec.max_length} karakter",
        message_en=f"{label}: longer than {spec.max_length} characters",
    )]
    if spec.kind == "name":
        issues.append(issues_where(frame, pl.col(out) == "", field=spec.name, value=_value(spec.name), code="required",
                                   message_id="nama wajib diisi", message_en="name is required"))
    return frame, pl.concat(issues)


def check_rtrw(frame: pl.DataFrame, spec: FieldSpec, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """validation.normalise_rt_rw: '1', '01', '001' → '001'; empty stays empty."""
    out = f"{spec.name}_clean"
    frame = frame.with_columns(_value(spec.name).str.replace(r"\.0+$", "").alias(out))
    good = pl.col(out).str.contains(r"^[0-9]{1,3}$")
    issues = issues_where(
        frame, (pl.col(out) != "") & ~good, field=spec.name, value=_value(spec.name), code="rt_rw",
        message_id=pl.format("{} '{}' harus 1–3 digit angka", _lit(label), _value(spec.name)),
        message_en=pl.format("{} '{}' must be 1–3 digits", _lit(label), _value(spec.name)),
    )
    frame = frame.with_columns(pl.when(good).then(pl.col(out).str.zfill(3)).otherwise(pl.lit("")).alias(out))
    return frame, issues


def _whole_number(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.contains(_WHOLE)).then(expr.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))


def check_code(frame: pl.DataFrame, spec: FieldSpec, label: str, mapping: Mapping) -> tuple[pl.DataFrame, pl.DataFrame]:
    out, text = f"{spec.name}_clean", _value(spec.name)
    spellings = {**VALUE_SPELLINGS.get(spec.name, {}), **mapping.values.get(spec.name, {})}
    allowed = sorted(int(v) for v in spec.enum.values)
    frame = frame.with_columns(_whole_number(text).alias(out))
    frame = frame.with_columns(pl.when(pl.col(out).is_in(allowed)).then(pl.col(out)).otherwise(None).alias(out))
    if spellings:
        words = _key(text).replace_strict(spellings, default=None, return_dtype=pl.Int64)
        frame = frame.with_columns(pl.coalesce(pl.col(out), words).alias(out))
    frame = frame.with_columns(pl.col(out).cast(pl.Int16))
    issues = [issues_where(
        frame, (text != "") & pl.col(out).is_null(), field=spec.name, value=text, code="choice",
        message_id=pl.format("{}: kode '{}' tidak dikenal", _lit(label), text),
        message_en=pl.format("{}: code '{}' is not a valid choice", _lit(label), text),
    )]
    if spec.name in REQUIRED_FIELDS:
        issues.append(issues_where(frame, text == "", field=spec.name, value=text, code="required",
                                   message_id=f"{label} wajib diisi", message_en=f"{label} is required"))
    return frame, pl.concat(issues)


def check_int(frame: pl.DataFrame, spec: FieldSpec, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    out, text = f"{spec.name}_clean", _value(spec.name)
    frame = frame.with_columns(_whole_number(text).alias(out))
    good = ((pl.col(out) > 0) & (pl.col(out) < 100000)).fill_null(False)
    issues = issues_where(
        frame, (text != "") & ~good, field=spec.name, value=text, code="floor_area",
        message_id=pl.format("luas lantai '{}' harus bilangan bulat 1–99999 m²", text),
        message_en=pl.format("floor area '{}' must be a whole number 1–99999 m²", text),
    )
    return frame.with_columns(pl.when(good).then(pl.col(out)).otherwise(None).cast(pl.Int32).alias(out)), issues


def check_flag(frame: pl.DataFrame, spec: FieldSpec, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = f"{spec.name}_clean"
    frame = frame.with_columns(_key(_value(spec.name)).alias(out))
    yes, no = pl.col(out).is_in(sorted(TRUE_SPELLINGS)), pl.col(out).is_in(sorted(FALSE_SPELLINGS))
    issues = issues_where(
        frame, (pl.col(out) != "") & ~yes & ~no, field=spec.name, value=_value(spec.name), code="flag",
        message_id=pl.format("{}: '{}' harus Y (ya) atau T (tidak)", _lit(label), _value(spec.name)),
        message_en=pl.format("{}: '{}' must be Y (yes) or T (no)", _lit(label), _value(spec.name)),
    )
    return frame.with_columns(yes.alias(out)), issues


def parse_dates(frame: pl.DataFrame, source: str, out: str) -> pl.DataFrame:
    """Adds `out`: the date in `source` written DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD or
    YYYY/MM/DD (with or without a time), or as an Excel serial day number; null for anything else
    and for days that do not exist."""
    text = pl.col(source)
    frame = frame.with_columns(
        text.str.extract_groups(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$").alias("_dmy"),
        text.str.extract_groups(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$").alias("_ymd"),
        _whole_number(text).alias("_serial"),
    )

    def iso(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
        return pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-")

    dmy, ymd, serial = pl.col("_dmy").struct, pl.col("_ymd").struct, pl.col("_serial")
    frame = frame.with_columns(pl.coalesce(
        iso(dmy.field("3"), dmy.field("2"), dmy.field("1")), iso(ymd.field("1"), ymd.field("2"), ymd.field("3")),
    ).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(out))
    from_serial = pl.when((serial >= _SERIAL_MIN) & (serial <= _SERIAL_MAX)).then(
        pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial))
    return frame.with_columns(pl.coalesce(pl.col(out), from_serial.cast(pl.Date)).alias(out)).drop("_dmy", "_ymd", "_serial")


def check_date(frame: pl.DataFrame, spec: FieldSpec, label: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    out, text = f"{spec.name}_clean", _value(spec.name)
    frame = frame.with_columns(text.alias(f"_{spec.name}_text"))
    frame = parse_dates(frame, f"_{spec.name}_text", out).drop(f"_{spec.name}_text")
    parsed, limit, oldest = pl.col(out), today(), date(1880, 1, 1)
    issues = [
        issues_where(frame, (text != "") & parsed.is_null(), field=spec.name, value=text, code="date_format",
                     message_id=pl.format("tanggal '{}' tidak sah (DD-MM-YYYY, DD/MM/YYYY atau YYYY-MM-DD)", text),
                     message_en=pl.format("date '{}' is invalid (DD-MM-YYYY, DD/MM/YYYY or YYYY-MM-DD)", text)),
        issues_where(frame, parsed > pl.lit(limit), field=spec.name, value=text, code="future",
                     message_id="tanggal lahir di masa depan", message_en="birth date is in the future"),
        issues_where(frame, parsed < pl.lit(oldest), field=spec.name, value=text, code="date_range",
                     message_id=pl.format("tanggal '{}' terlalu lampau", text),
                     message_en=pl.format("date '{}' is too far in the past", text)),
    ]
    if spec.name in REQUIRED_FIELDS:
        issues.append(issues_where(frame, text == "", field=spec.name, value=text, code="required",
                                   message_id=f"{label} wajib diisi", message_en=f"{label} is required"))
    good = parsed.is_not_null() & (parsed <= pl.lit(limit)) & (parsed >= pl.lit(oldest))
    return frame.with_columns(pl.when(good).then(parsed).otherwise(None).alias(out)), pl.concat(issues)


def _per_distinct(frame: pl.DataFrame, spec: FieldSpec, check) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run a one-cell `check` once per distinct value of the column (a district file repeats its
    villages, places, jobs, codes and dates endlessly), then give every row its value and issues."""
    name, out = spec.name, f"{spec.name}_clean"
    distinct = frame.select(pl.col(name)).unique().with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    checked, issues = check(distinct)
    narrow = frame.select(name).join(checked.select(name, out), on=name, how="left", nulls_equal=True,
                                     maintain_order="left")
    frame = frame.with_columns(narrow.get_column(out))
    if not issues.is_empty():
        by_value = issues.join(distinct.select(pl.col(ROW).alias("row"), name), on="row").drop("row")
        issues = frame.select(pl.col(ROW).alias("row"), name).join(by_value, on=name, nulls_equal=True).select(
            list(ISSUE_SCHEMA))
    return frame, issues


def check_fields(frame: pl.DataFrame, labels: dict[str, str], mapping: Mapping) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Clean every present non-identity, non-region column into `<field>_clean`; returns (frame, issues)."""
    issues: list[pl.DataFrame] = []
    checks = {"text": check_text, "name": check_text, "rtrw": check_rtrw, "int": check_int, "flag": check_flag,
              "date": check_date}
    for name, label in labels.items():
        spec = FIELDS[name]
        if spec.kind in ("identity", "region_code", "region_name"):
            continue
        if spec.kind == "code":
            def check(part, spec=spec, label=label):
                return check_code(part, spec, label, mapping)
        elif spec.kind in checks:
            def check(part, spec=spec, label=label, run=checks[spec.kind]):
                return run(part, spec, label)
        else:  # pragma: no cover - every kind is handled above
            raise ValueError(spec.kind)
        frame, found = _per_distinct(frame, spec, check)
        issues.append(found)
    if "pregnant" in labels and "sex" in labels:
        issues.append(issues_where(
            frame, pl.col("pregnant_clean") & (pl.col("sex_clean") == 1), field="pregnant",
            value=_value("pregnant"), code="pregnant_male",
            message_id="laki-laki tidak dapat ditandai hamil", message_en="a male member cannot be marked pregnant",
        ))
    return frame, pl.concat([empty_issues(), *issues])


# --- name key --------------------------------------------------------------------------------------

_TITLES = r"\b(h|hj|hajjah|haji|drs|dra|dr|ir|prof|st|ssos|spd|skm|se|sh|amd)\b\.?"
_SPELLING = (("dj", "j"), ("tj", "c"), ("oe", "u"), ("sj", "sy"), ("nj", "ny"), ("ch", "kh"), ("y", "i"),
             ("ph", "f"), ("v", "f"), ("z", "s"), ("q", "k"))


def name_key_expr(name: pl.Expr) -> pl.Expr:
    """identity.name_key over a column (tested to agree value by value)."""
    text = name.fill_null("").str.normalize("NFKD").str.replace_all(r"[^\x00-\x7F]", "").str.to_lowercase()
    text = text.str.split(",").list.first().str.replace_all(".", " ", literal=True)
    text = text.str.replace_all(_TITLES, " ").str.replace_all(r"[^a-z ]+", " ")
    for old, new in _SPELLING:
        text = text.str.replace_all(old, new, literal=True)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        text = text.str.replace_all(f"{letter}{letter}+", letter)
    return text.str.replace_all(r"\s+", " ").str.strip_chars()


def warnings_json(issues: pl.DataFrame, rows: pl.Series) -> pl.DataFrame:
    """Per row: the warnings stored on a record (Issue.as_dict list as JSON) and a comparable key."""
    warn = issues.filter((pl.col("severity") == WARNING) & pl.col("row").is_in(rows.implode()))
    grouped: dict[int, list[dict]] = {}
    for row, field, code, mid, men in warn.select("row", "field", "code", "message_id", "message_en").iter_rows():
        grouped.setdefault(row, []).append(
            {"code": code, "field": field, "severity": WARNING, "message_id": mid, "message_en": men})
    return pl.DataFrame(
        {
            "row": list(grouped),
            "warnings": [json.dumps(items, ensure_ascii=False) for items in grouped.values()],
            "warnings_key": [warning_key(items) for items in grouped.values()],
        },
        schema={"row": pl.Int64, "warnings": pl.String, "warnings_key": pl.String},
    )


def warning_key(items: list[dict]) -> str:
    """'field:code|field:code' in a stable order: compares stored and new warnings."""
    return "|".join(sorted(f"{item.get('field', '')}:{item.get('code', '')}" for item in items))
