"""Tolerant name comparison: the registry's name key (titles dropped, case, spacing and old spellings
unified; `tepat.registry.identity.name_key`) as a polars expression, and a similarity between two keys."""

from __future__ import annotations

import string

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from tepat.registry.identity import _SPELLING, _TITLES, name_key

__all__ = ["name_key", "name_key_expr", "name_similarity", "similarities"]


def name_key_expr(column: str | pl.Expr) -> pl.Expr:
    """`identity.name_key` vectorised (same rules, in the same order)."""
    expr = pl.col(column) if isinstance(column, str) else column
    expr = (
        expr.fill_null("").str.normalize("NFKD").str.replace_all(r"[^\x00-\x7f]", "").str.to_lowercase()
        .str.replace(r",.*$", "").str.replace_all(".", " ", literal=True)
        .str.replace_all(_TITLES.pattern, " ")
        .str.replace_all(r"[^a-z ]+", " ")
    )
    for old, new in _SPELLING:
        expr = expr.str.replace_all(old, new, literal=True)
    for letter in string.ascii_lowercase:
        expr = expr.str.replace_all(f"{letter}{{2,}}", letter)
    return expr.str.replace_all(r"\s+", " ").str.strip_chars()


def _sorted_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


def name_similarity(a: str, b: str) -> float:
    """0..1: Jaro-Winkler of the name keys, the better of written order and sorted words."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    return max(JaroWinkler.normalized_similarity(ka, kb),
               JaroWinkler.normalized_similarity(_sorted_tokens(ka), _sorted_tokens(kb)))


def similarities(left: pl.Series, right: pl.Series) -> np.ndarray:
    """Element-wise similarity of two columns of name keys (already keyed), vectorised."""
    a = left.fill_null("").to_list()
    b = right.fill_null("").to_list()
    if not a:
        return np.zeros(0)
    direct = process.cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=-1)
    swapped = process.cpdist([_sorted_tokens(x) for x in a], [_sorted_tokens(x) for x in b],
                             scorer=JaroWinkler.normalized_similarity, workers=-1)
    out = np.maximum(direct, swapped)
    empty = np.array([not x or not y for x, y in zip(a, b, strict=True)])
    out[empty] = 0.0
    return out
