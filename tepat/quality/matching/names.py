"""Tolerant name comparison: the registry's name key (titles dropped, case, spacing and old spellings
unified; `tepat.registry.identity.name_key`) as a polars expression, and a similarity between two keys."""

from __future__ import annotations

import string

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from tepat.registry.identity import _SPELLING, _TITLES, name_key

__all__ = ["edit_distances", "match_key", "match_key_expr", "name_key", "name_key_expr", "name_similarity",
           "similarities"]


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


# The duplicate search compares a coarser key than the registry's search key: spelling variants common in
# Indonesian names written in two ways by two enumerators are one key here (on top of `name_key`, which already
# unifies dj/j, tj/c, oe/u, sj/sy, nj/ny, ch/kh, y/i): j/y of the old spelling (Jusuf = Yusuf), kh/h
# (Achmad = Akhmad = Ahmad, Khadijah = Hadijah), a word-final h after a vowel (Aminah = Amina), and the
# abbreviations and spellings of Muhammad and Abdul.
_MUHAMMAD = ("m", "md", "moh", "mohd", "muh", "mhd", "mohamad", "mohamed", "muhamad", "mukhamad", "mokhamad",
             "mohammad", "muhammad", "mahmad")
_WORDS = {**dict.fromkeys(_MUHAMMAD, "muhamad"), "abd": "abdul", "abdu": "abdul"}
_MUHAMMAD_PATTERN = r"\b(" + "|".join(sorted({w.replace("j", "i").replace("kh", "h") for w in _MUHAMMAD},
                                             key=len, reverse=True)) + r")\b"


def match_key(key: str) -> str:
    """The duplicate-search key of a registry name key (see `match_key_expr`)."""
    text = key.replace("j", "i").replace("kh", "h")
    words = [_WORDS.get(word, word) for word in text.split()]  # keys of _WORDS hold no j nor kh
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("h") and word[-2] in "aiueo" else word
                    for word in words)


def match_key_expr(column: str | pl.Expr) -> pl.Expr:
    """`match_key` as a polars expression (applied to name keys, not raw names)."""
    expr = pl.col(column) if isinstance(column, str) else column
    expr = expr.fill_null("").str.replace_all("j", "i", literal=True).str.replace_all("kh", "h", literal=True)
    expr = expr.str.replace_all(_MUHAMMAD_PATTERN, "muhamad")
    expr = expr.str.replace_all(r"\b(abd|abdu)\b", "abdul")
    return expr.str.replace_all(r"\b([a-z]{2,}[aiueo])h\b", "$1")


def _sorted_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


def name_similarity(a: str, b: str) -> float:
    """0..1: Jaro-Winkler of the name keys, the better of written order and sorted words."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    return max(JaroWinkler.normalized_similarity(ka, kb),
               JaroWinkler.normalized_similarity(_sorted_tokens(ka), _sorted_tokens(kb)))


def sorted_words_expr(column: str | pl.Expr) -> pl.Expr:
    """A key's words in alphabetical order (for the word-order-proof similarity), vectorised."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.fill_null("").str.split(" ").list.sort().list.join(" ")


def similarities(left: pl.Series, right: pl.Series, left_sorted: pl.Series | None = None,
                 right_sorted: pl.Series | None = None) -> np.ndarray:
    """Element-wise similarity of two columns of name keys (already keyed), vectorised: the better of written
    order and sorted words (pass the sorted-word columns when they are at hand)."""
    if not len(left):
        return np.zeros(0)
    frame = pl.DataFrame({"a": left.fill_null(""), "b": right.fill_null("")})
    frame = frame.with_columns(
        (left_sorted.fill_null("") if left_sorted is not None else sorted_words_expr(pl.col("a"))).alias("sa"),
        (right_sorted.fill_null("") if right_sorted is not None else sorted_words_expr(pl.col("b"))).alias("sb"),
    )
    direct = process.cpdist(frame["a"].to_numpy(), frame["b"].to_numpy(),
                            scorer=JaroWinkler.normalized_similarity, workers=-1)
    swapped = process.cpdist(frame["sa"].to_numpy(), frame["sb"].to_numpy(),
                             scorer=JaroWinkler.normalized_similarity, workers=-1)
    out = np.maximum(direct, swapped)
    out[((frame["a"] == "") | (frame["b"] == "")).to_numpy()] = 0.0
    return out


def edit_distances(left: pl.Series, right: pl.Series) -> np.ndarray:
    """Element-wise typing distance (letters dropped, added, changed or two neighbours swapped) of two columns
    of keys; an empty key is far from everything."""
    if not len(left):
        return np.zeros(0, dtype=np.int64)
    a, b = left.fill_null(""), right.fill_null("")
    out = np.asarray(process.cpdist(a.to_numpy(), b.to_numpy(), scorer=OSA.distance, workers=-1), dtype=np.int64)
    out[((a == "") | (b == "")).to_numpy()] = 99
    return out
