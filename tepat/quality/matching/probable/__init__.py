"""Probable duplicates: the same person listed twice, with a typo or a spelling variant in the name, day and
month swapped, a missing or mistyped NIK, in another family, desa or kecamatan. Splink on DuckDB with a model
that is set, not trained (ADR 0016, which brings back the fixed decision of ADR 0006 after ADR 0013's
polars scorer), so it runs the same on a registry of 0, 2 or a million people, with or without equal NIKs.

Input: a polars frame with one row per active individual and the columns
  id, family_id, nik ("" when missing), name_key, birth_date (date), sex, village (region code).

- `features` (polars, before Splink): the compared columns (valid NIK or null and whether it encodes the
  record's own birth date and sex; the match key unifying Indonesian spelling variants, and its words sorted;
  dates as yyyymmdd, swapped and swap-proof), one key per blocking rule (null where a block is past its cap),
  and the household context (linked family pairs from the strong pairs: equal NIK, or equal key and date).
- `model` (the Splink settings): blocking on equal NIK; equal key and swap-proof date; every member pair of two
  linked families (an exploded array); date + first three letters of the key; date + initial in one kecamatan;
  date in one desa; always two different families. Comparisons: NIK joint with place (equal / a slip where one
  NIK does not encode its own record's date / one digit apart / further / missing × same desa / same kecamatan
  / elsewhere), the match key (exact with term frequencies, one typing slip, Jaro-Winkler ≥ 0.94 / ≥ 0.88),
  birth date (exact with term frequencies, swapped, year), sex, household support. m judged, u measured on the
  registry in polars, term-frequency tables smoothed and registered in Splink, the prior fixed.
- `engine`: Splink's predict in an in-memory DuckDB, then each record's best pair between two families (two
  members of one family are never a person match: twins), name similarity and household count for the evidence.
"""

from tepat.quality.matching.probable.engine import PAIR_SCHEMA, ProbableOptions, empty_pairs, probable_pairs
from tepat.quality.matching.probable.evidence import evidence, evidence_text
from tepat.quality.matching.probable.features import prepare
from tepat.quality.matching.probable.model import DEFAULT_THRESHOLD

__all__ = ["DEFAULT_THRESHOLD", "PAIR_SCHEMA", "ProbableOptions", "empty_pairs", "evidence", "evidence_text",
           "prepare", "probable_pairs"]
