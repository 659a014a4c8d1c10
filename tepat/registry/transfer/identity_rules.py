"""NIK and KK rules over whole columns (FACTS §1, tepat.registry.identity).

Tested to agree with `validate_nik`/`validate_kk` value by value (accept/reject, error codes, the
cleaned number, encoded date and sex, the unknown-region warning). The messages of the few values
that fail come from those functions themselves, so the wording is the foundation's.
"""

from __future__ import annotations

import polars as pl

from tepat.registry.identity import (
    KNOWN_PROVINCES,
    IdentityResult,
    _known_district_prefixes,
    nik_consistency,
    validate_kk,
    validate_nik,
)
from tepat.registry.transfer.normalise import (
    _FLOAT_TAIL,
    _ID_STRIP,
    _SCIENTIFIC,
    _lit,
    issues_from,
    today,
)
from tepat.registry.transfer.reader import ROW


def add_identity(frame: pl.DataFrame, raw: str, numeric: str, *, female_offset: bool, prefix: str) -> pl.DataFrame:
    """Adds `{prefix}_value` (16 digits when valid, else ''), `{prefix}_terminal` (the error that stops
    the check: required, spreadsheet_scientific, not_digits, length, spreadsheet_precision), the
    structural error flags, `{prefix}_ok`, `{prefix}_date` (birth or issue date), `{prefix}_sex`
    (NIK) and `{prefix}_region_unknown` (warning).

    Built in stages, each materialised: eager polars does not share repeated sub-expressions, and
    one nested expression re-evaluates its parts many times over."""
    p = prefix
    col = pl.col
    text = col(raw).fill_null("").str.normalize("NFKC").str.strip_chars().str.strip_chars_start("'`’").str.strip_chars()
    frame = frame.with_columns(text.alias(f"_{p}_text"))
    frame = frame.with_columns(col(f"_{p}_text").str.extract(_FLOAT_TAIL, 1).alias(f"_{p}_tail"))
    frame = frame.with_columns(
        pl.coalesce(col(f"_{p}_tail"), col(f"_{p}_text")).str.replace_all(_ID_STRIP, "").alias(f"{p}_digits"),
        (col(numeric).fill_null(False) | col(f"_{p}_tail").is_not_null()).alias(f"_{p}_from_number"),
    )
    digits, text = col(f"{p}_digits"), col(f"_{p}_text")
    frame = frame.with_columns(
        pl.when(text == "").then(_lit("required"))
        .when(text.str.replace_all(" ", "", literal=True).str.contains(_SCIENTIFIC)).then(_lit("spreadsheet_scientific"))
        .when(~digits.str.contains(r"^[0-9]+$")).then(_lit("not_digits"))
        .when(digits.str.len_chars() != 16).then(_lit("length"))
        .when(col(f"_{p}_from_number") & digits.str.ends_with("0")).then(_lit("spreadsheet_precision"))
        .otherwise(None).alias(f"{p}_terminal"),
        digits.str.slice(6, 2).cast(pl.Int32, strict=False).alias(f"_{p}_day_raw"),
        digits.str.slice(8, 2).cast(pl.Int32, strict=False).alias(f"_{p}_month"),
        digits.str.slice(10, 2).cast(pl.Int32, strict=False).alias(f"_{p}_yy"),
    )
    day_raw, month, yy = col(f"_{p}_day_raw"), col(f"_{p}_month"), col(f"_{p}_yy")
    female = (day_raw > 40).fill_null(False) if female_offset else pl.lit(False)
    frame = frame.with_columns(
        col(f"{p}_terminal").is_null().alias(f"_{p}_structural"),
        female.alias(f"_{p}_female"),
        pl.when(female).then(day_raw - 40).otherwise(day_raw).alias(f"_{p}_day"),
        pl.when(month.is_in([1, 3, 5, 7, 8, 10, 12])).then(31)
        .when(month == 2).then(pl.when(yy % 4 == 0).then(29).otherwise(28))
        .otherwise(30).alias(f"_{p}_max_day"),
    )
    structural, day = col(f"_{p}_structural"), col(f"_{p}_day")
    frame = frame.with_columns((structural & ((month < 1) | (month > 12))).alias(f"{p}_month"))
    frame = frame.with_columns(
        (structural & ~col(f"{p}_month") & ((day < 1) | (day > col(f"_{p}_max_day")))).alias(f"{p}_date_bad"),
        (structural & ~digits.str.slice(0, 2).is_in(sorted(KNOWN_PROVINCES))).alias(f"{p}_unknown_province"),
        (structural & ((digits.str.slice(2, 2) == "00") | (digits.str.slice(4, 2) == "00"))).alias(f"{p}_zero_region"),
        (structural & (digits.str.slice(12, 4) == "0000")).alias(f"{p}_serial"),
    )
    frame = frame.with_columns((structural & ~pl.any_horizontal(
        col(f"{p}_month"), col(f"{p}_date_bad"), col(f"{p}_unknown_province"), col(f"{p}_zero_region"),
        col(f"{p}_serial"))).fill_null(False).alias(f"{p}_ok"))
    ok = col(f"{p}_ok")
    current_yy = today().year % 100
    frame = frame.with_columns(
        pl.when(ok).then(pl.when(yy <= current_yy).then(2000 + yy).otherwise(1900 + yy)).otherwise(2000).alias(f"_{p}_year"),
        pl.when(ok).then(month).otherwise(1).alias(f"_{p}_m"),
        pl.when(ok).then(day).otherwise(1).alias(f"_{p}_d"),
    )
    year, m, d = col(f"_{p}_year"), col(f"_{p}_m"), col(f"_{p}_d")
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    frame = frame.with_columns(
        pl.when((m == 2) & (d == 29) & ~leap).then(pl.when(year >= 2000).then(year - 100).otherwise(year + 100))
        .otherwise(year).alias(f"_{p}_year"))
    known = sorted(_known_district_prefixes())
    frame = frame.with_columns(
        pl.when(ok).then(digits).otherwise(pl.lit("")).alias(f"{p}_value"),
        pl.when(ok).then(pl.date(year, m, d)).otherwise(None).alias(f"{p}_date"),
        pl.when(ok).then(pl.when(col(f"_{p}_female")).then(2).otherwise(1)).otherwise(None).cast(pl.Int8).alias(f"{p}_sex"),
        (ok & ~digits.str.slice(0, 6).is_in(known)).alias(f"{p}_region_unknown"),
    )
    return frame.drop([c for c in frame.columns if c.startswith(f"_{p}_")])


IDENTITY_STRUCTURAL = ("unknown_province", "zero_region", "month", "date_bad", "serial")


def identity_codes(frame: pl.DataFrame, prefix: str) -> list[list[str]]:
    """The error codes per row, in the order validate_nik/validate_kk list them (for tests)."""
    codes: list[list[str]] = []
    cols = [f"{prefix}_terminal", *(f"{prefix}_{name}" for name in IDENTITY_STRUCTURAL)]
    for terminal, *flags in frame.select(cols).iter_rows():
        if terminal:
            codes.append([terminal])
        else:
            codes.append([("date" if name == "date_bad" else name) for name, flag in zip(IDENTITY_STRUCTURAL, flags, strict=True) if flag])
    return codes


def check_identity(frame: pl.DataFrame, field: str, *, nik: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Adds the identity columns for `field` (nik or kk_number); returns (frame, issues)."""
    prefix = "nik" if nik else "kk"
    frame = add_identity(frame, field, f"_num_{field}", female_offset=nik, prefix=prefix)
    validate = validate_nik if nik else validate_kk
    bad = frame.filter(~pl.col(f"{prefix}_ok")).select(ROW, pl.col(field).fill_null(""), f"_num_{field}")
    cache: dict[tuple[str, bool], list] = {}
    rows: list[tuple[int, str, str, object]] = []
    for row, raw, numeric in bad.iter_rows():
        key = (raw, bool(numeric))
        if key not in cache:
            cache[key] = validate(raw, from_number=bool(numeric)).errors
        rows.extend((row, field, raw, issue) for issue in cache[key])
    # One message per unknown 6-digit prefix (the message names only the prefix).
    unknown = frame.filter(pl.col(f"{prefix}_region_unknown")).select(
        ROW, pl.col(f"{prefix}_value"), pl.col(f"{prefix}_value").str.slice(0, 6).alias("_p6"))
    per_prefix: dict[str, object] = {}
    for row, value, p6 in unknown.iter_rows():
        if p6 not in per_prefix:
            per_prefix[p6] = next(w for w in validate(value).warnings if w.code == "region_unknown")
        rows.append((row, field, value, per_prefix[p6]))
    return frame, issues_from(rows)


def check_nik_consistency(frame: pl.DataFrame) -> pl.DataFrame:
    """Warnings where the NIK's birth date or sex differ from the record (never rejections)."""
    mismatch = frame.filter(
        pl.col("nik_ok") & pl.col("birth_date_clean").is_not_null() & (
            (pl.col("nik_date").dt.day() != pl.col("birth_date_clean").dt.day())
            | (pl.col("nik_date").dt.month() != pl.col("birth_date_clean").dt.month())
            | (pl.col("nik_date").dt.year() % 100 != pl.col("birth_date_clean").dt.year() % 100)
            | (pl.col("sex_clean").is_not_null() & (pl.col("sex_clean") != pl.col("nik_sex")))
        )
    ).select(ROW, "nik_value", "nik_date", "nik_sex", "birth_date_clean", "sex_clean")
    rows = []
    for row, value, encoded, sex, birth, sex_clean in mismatch.iter_rows():
        result = IdentityResult(field="nik", value=value, birth_date=encoded, sex=sex)
        rows.extend((row, "nik", value, issue) for issue in nik_consistency(result, birth_date=birth, sex=sex_clean))
    return issues_from(rows)
