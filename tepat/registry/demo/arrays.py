"""Vectorised building blocks of the demo generator: draws, dates, identity numbers, ids, polars columns.

Dates are int64 days since 1970-01-01 throughout; ids are random version-4 UUIDs from a seeded stream,
and derived ids mix a salt into their parent's bits (a bijection, so distinct salts never collide).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

YEAR = 365.2425
_EPOCH = date(1970, 1, 1)


def days(value: date) -> int:
    return (value - _EPOCH).days


def years(count: float | np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(count) * YEAR).astype(np.int64)


def pick(rng: np.random.Generator, n: int, probabilities: Sequence[float] | np.ndarray) -> np.ndarray:
    """n indices drawn with the given probabilities (one uniform each; inverse CDF)."""
    cumulative = np.cumsum(np.asarray(probabilities, dtype=float))
    cumulative /= cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(cumulative) - 1)


def table_pick(rng: np.random.Generator, n: int, table: Sequence[tuple]) -> np.ndarray:
    """Codes from a table of (code, probability, ...) rows."""
    codes = np.array([row[0] for row in table])
    return codes[pick(rng, n, [row[1] for row in table])]


def tilted_pick(rng: np.random.Generator, wealth: np.ndarray, table: Sequence[tuple[int, float, float]],
                 beta: float = 0.7, bins: int = 64) -> np.ndarray:
    """Codes from (code, probability, quality score) rows, tilted towards better categories for richer
    families: p_i ∝ p_i · exp(beta · wealth · score_i). Wealth is quantised into `bins` levels so that one
    searchsorted over the stacked per-level CDFs draws for everyone (no n × k matrices)."""
    codes = np.array([row[0] for row in table])
    k = len(codes)
    levels = np.linspace(-4.0, 4.0, bins)
    logits = np.log(np.array([row[1] for row in table]))[None, :] + beta * levels[:, None] * np.array(
        [row[2] for row in table]
    )[None, :]
    cumulative = np.cumsum(np.exp(logits - logits.max(axis=1, keepdims=True)), axis=1)
    cumulative /= cumulative[:, -1:]
    stacked = (np.arange(bins)[:, None] + cumulative).ravel()
    level = np.clip(np.rint((wealth + 4.0) / 8.0 * (bins - 1)), 0, bins - 1).astype(np.int64)
    index = np.searchsorted(stacked, level + rng.random(len(wealth)), side="right") - level * k
    return codes[np.clip(index, 0, k - 1)]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def top_share(score: np.ndarray, share: float) -> np.ndarray:
    """True for the round(share · n) highest finite scores."""
    count = min(round(share * len(score)), int(np.isfinite(score).sum()))
    chosen = np.zeros(len(score), dtype=bool)
    if count:
        chosen[np.argsort(-score, kind="stable")[:count]] = True
    return chosen


def date_parts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01, in integer arithmetic (H. Hinnant's civil_from_days)."""
    z = np.asarray(values, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def month_start(values: np.ndarray) -> np.ndarray:
    return values - (date_parts(values)[2] - 1)


def gather(vocabulary: Sequence[str] | np.ndarray, index: np.ndarray) -> pl.Series:
    """Strings by index into a small vocabulary, built in polars (no per-row Python objects)."""
    return pl.Series(list(vocabulary), dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def serials(stem: np.ndarray) -> np.ndarray:
    """1, 2, 3 … within each equal stem, in row order (the 'nomor urut' of NIK and KK)."""
    order = np.argsort(stem, kind="stable")
    ordered = stem[order]
    position = np.arange(len(stem))
    is_start = np.ones(len(stem), dtype=bool)
    is_start[1:] = ordered[1:] != ordered[:-1]
    group_start = np.maximum.accumulate(np.where(is_start, position, 0))
    serial = np.empty(len(stem), dtype=np.int64)
    serial[order] = position - group_start + 1
    if len(serial) and serial.max() > 9999:
        raise ValueError("More than 9,999 people share a NIK/KK prefix and date; use more villages.")
    return serial


def identity_numbers(prefix6: np.ndarray, day_field: np.ndarray, month: np.ndarray,
                      year: np.ndarray) -> pl.Series:
    stem = prefix6 * 1_000_000 + day_field * 10_000 + month * 100 + year % 100
    return pl.Series(stem * 10_000 + serials(stem)).cast(pl.String)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection on uint64, so distinct salts give distinct outputs."""
    with np.errstate(over="ignore"):
        x = (x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
        return x ^ (x >> np.uint64(31))


def random_words(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.frombuffer(rng.bytes(16 * n), dtype=np.uint64).reshape(n, 2).copy()


def derive_words(base: np.ndarray, salt: np.ndarray) -> np.ndarray:
    words = base.copy()
    words[:, 1] ^= _mix64(salt)
    words[:, 0] ^= _mix64(salt ^ np.uint64(0x5DEECE66D))
    return words


def uuid_strings(words: np.ndarray) -> pl.Series:
    raw = np.ascontiguousarray(words).view(np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = np.empty((len(raw), 32), dtype=np.uint8)
    hexed[:, 0::2] = _HEX[raw >> 4]
    hexed[:, 1::2] = _HEX[raw & 0x0F]
    out = np.full((len(raw), 36), ord("-"), dtype=np.uint8)
    for (start, stop), target in zip(((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)),
                                     (0, 9, 14, 19, 24), strict=True):
        out[:, target : target + stop - start] = hexed[:, start:stop]
    return pl.Series(out.view("S36").ravel()).cast(pl.String)


def date_series(values: np.ndarray, missing: np.ndarray | None = None) -> pl.Series:
    dates = pl.Series(values.astype(np.int32)).cast(pl.Date)
    return dates.set(pl.Series(missing), None) if missing is not None and len(values) else dates


def optional_int(values: np.ndarray, dtype: pl.DataType = pl.Int16) -> pl.Series:
    series = pl.Series(values.astype(np.int64))
    return series.set(series < 0, None).cast(dtype) if len(values) else series.cast(dtype)
