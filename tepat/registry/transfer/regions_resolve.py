"""Finding the village of each import row: by its Kemendagri code (dotted or 10 digits), or by the
names people type ('KAB. SERANG', 'Kabupaten Serang', 'kota serang', 'KEC. TAKTAKAN', 'DESA …',
'KEL. …'), using the kecamatan to tell apart villages with the same name.

Work is done once per distinct combination of region cells (a district file has a few hundred),
then joined back to the rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from tepat.regions.master import name_key
from tepat.regions.models import Region
from tepat.regions.selectors import is_within
from tepat.registry.transfer.normalise import ERROR, ISSUE_SCHEMA, WARNING
from tepat.registry.transfer.reader import ROW

NAME_FIELDS = ("province_name", "regency_name", "district_name", "village_name")
_DOTTED = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_TEN = re.compile(r"^\d{10}$")
_KOTA = re.compile(r"^\s*kota\b", re.IGNORECASE)
_KAB = re.compile(r"^\s*(kabupaten|kab)\b", re.IGNORECASE)
_KEL = re.compile(r"^\s*(kelurahan|kel)\b", re.IGNORECASE)
_DESA = re.compile(r"^\s*(desa|ds)\b", re.IGNORECASE)
_LEVEL_WORDS = {
    "province_name": ("provinsi", "province"), "regency_name": ("kabupaten/kota", "regency/city"),
    "district_name": ("kecamatan", "district"), "village_name": ("desa/kelurahan", "village"),
}


@dataclass(frozen=True, slots=True)
class _Node:
    code: str
    key: str
    level: int
    kind: str
    parent: str | None


class RegionIndex:
    """The region master in memory, by parent and name key."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.by_parent: dict[tuple[str | None, str], list[_Node]] = defaultdict(list)
        self.by_level: dict[tuple[int, str], list[_Node]] = defaultdict(list)
        for code, key, level, kind, parent in Region.objects.values_list("code", "name_key", "level", "kind", "parent_id"):
            node = _Node(code, key, level, kind, parent)
            self.nodes[code] = node
            self.by_parent[(parent, key)].append(node)
            self.by_level[(level, key)].append(node)

    def candidates(self, level: int, key: str, within: str | None) -> list[_Node]:
        if within is None:
            return list(self.by_level.get((level, key), []))
        direct = self.by_parent.get((within, key))
        if direct is not None and direct and direct[0].level == level:
            return list(direct)
        return [n for n in self.by_level.get((level, key), []) if n.code != within and is_within(n.code, within)]


def _kind_hint(field: str, raw: str) -> str | None:
    if field == "regency_name":
        return "kota" if _KOTA.match(raw) else "kabupaten" if _KAB.match(raw) else None
    if field == "village_name":
        return "kelurahan" if _KEL.match(raw) else "desa" if _DESA.match(raw) else None
    return None


class _Unresolved(Exception):
    def __init__(self, field: str, code: str, value: str, id_text: str, en_text: str) -> None:
        super().__init__(code)
        self.field, self.code, self.value, self.id_text, self.en_text = field, code, value, id_text, en_text


def _digits(code: str) -> str:
    return code.replace(".", "")


def _narrow(found: list[_Node], hints: Hints | None) -> tuple[list[_Node], str]:
    """Same-named regions told apart by where the row's NIK/KK region digits point (district, then regency),
    then by the regencies the file's other rows resolved to. Returns (candidates, what decided)."""
    if hints is None or len(found) < 2:
        return found, ""
    for width in (6, 4):
        wanted = {p[:width] for p in hints.prefixes}
        narrowed = [n for n in found if _digits(n.code)[:width] in wanted]
        if narrowed and len(narrowed) < len(found):
            return narrowed, "numbers"
    narrowed = [n for n in found if any(is_within(n.code, r) for r in hints.file_regencies)]
    if narrowed and len(narrowed) < len(found):
        return narrowed, "file"
    return found, ""


@dataclass(slots=True)
class Hints:
    prefixes: frozenset[str]  # 6-digit region parts of the combo's NIK/KK numbers
    file_regencies: frozenset[str] = frozenset()  # regencies the file's unambiguous rows resolved to
    decided: str = ""  # set when a hint chose among same-named regions


def _pick(index: RegionIndex, field: str, level: int, raw: str, within: str | None,
          hints: Hints | None = None) -> _Node:
    key = name_key(raw)
    found = index.candidates(level, key, within)
    if not found and name_key(key) != key:
        # 'DESA KOTA BARU': the master keys the village 'KOTA BARU' as 'baru' (one prefix word removed), the
        # file's spelling loses 'DESA' first; removing the next prefix word too finds it.
        found = index.candidates(level, name_key(key), within)
    hint = _kind_hint(field, raw)

    def by_hint(nodes: list[_Node]) -> list[_Node]:
        return ([n for n in nodes if n.kind == hint] or nodes) if hint and len(nodes) > 1 else nodes

    narrowed, decided = _narrow(found, hints)
    plain = by_hint(found)
    found = by_hint(narrowed)
    if decided and hints is not None and not (len(plain) == 1 and plain == found):
        hints.decided = decided  # the numbers or the file decided what the name alone did not (or wrongly)
    word_id, word_en = _LEVEL_WORDS[field]
    if not found:
        raise _Unresolved(field, "region_not_found", raw, f"{word_id} '{raw}' tidak ditemukan di master wilayah",
                          f"{word_en} '{raw}' is not in the region master")
    if len(found) > 1:
        raise _Unresolved(field, "region_ambiguous", raw,
                          f"{word_id} '{raw}' ada lebih dari satu; lengkapi kolom wilayah di atasnya",
                          f"there is more than one {word_en} '{raw}'; fill in the region columns above it")
    return found[0]


def _resolve_names(index: RegionIndex, names: dict[str, str], hints: Hints | None = None) -> str:
    within: str | None = None
    for level, field in enumerate(NAME_FIELDS, start=1):
        raw = names.get(field, "")
        if not raw:
            if field == "village_name":
                raise _Unresolved(field, "required", "", "desa/kelurahan wajib diisi", "village is required")
            continue
        if field == "province_name" and raw.isdigit() and raw in index.nodes:
            within = raw
            continue
        within = _pick(index, field, level, raw, within, hints).code
    return within  # type: ignore[return-value]


def _resolve_code(index: RegionIndex, raw: str) -> str:
    text = raw.strip().replace(" ", "")
    if _TEN.match(text):
        text = f"{text[0:2]}.{text[2:4]}.{text[4:6]}.{text[6:10]}"
    if not _DOTTED.match(text):
        raise _Unresolved("region_code", "region_code", raw,
                          f"kode wilayah '{raw}' harus kode desa Kemendagri (mis. 36.04.05.2001 atau 3604052001)",
                          f"region code '{raw}' must be a Kemendagri village code (e.g. 36.04.05.2001 or 3604052001)")
    node = index.nodes.get(text)
    if node is None or node.level != Region.Level.VILLAGE:
        raise _Unresolved("region_code", "region_not_found", raw, f"kode desa '{raw}' tidak ada di master wilayah",
                          f"village code '{raw}' is not in the region master")
    return text


def resolve_regions(
    frame: pl.DataFrame, headers: dict[str, str], *, allowed: tuple[str, ...] | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Adds `region_code_clean` (null when unresolved). `allowed` limits rows to these region
    subtrees (None: everywhere). Returns (frame, issues)."""
    present = [f for f in ("region_code", *NAME_FIELDS) if f in headers]
    number_cols = [c for c in ("kk_number_digits", "nik_digits") if c in frame.columns]
    prefix_expr = (pl.concat_list([pl.col(c).fill_null("").str.slice(0, 6) for c in number_cols])
                   if number_cols else pl.lit([], dtype=pl.List(pl.String)))
    combos = frame.select([pl.col(f).fill_null("").str.strip_chars().alias(f) for f in present]
                          + [prefix_expr.alias("_prefixes")]).explode("_prefixes").group_by(
        present, maintain_order=True).agg(pl.col("_prefixes").drop_nulls().unique())
    index = RegionIndex()
    codes: list[str | None] = []
    problems: list[tuple[str, str, str, str, str] | None] = []
    chosen: dict[int, tuple[str, str, str]] = {}  # combo -> (raw village, how decided, code)
    rows = list(combos.iter_rows(named=True))

    def resolve(i: int, combo: dict, file_regencies: frozenset[str]) -> None:
        hints = Hints(frozenset(p for p in combo["_prefixes"] if len(p) == 6 and p.isdigit()), file_regencies)
        try:
            code = (_resolve_code(index, combo["region_code"]) if combo.get("region_code")
                    else _resolve_names(index, combo, hints))
            codes[i], problems[i] = code, None
            if hints.decided:
                chosen[i] = (combo.get("village_name", ""), hints.decided, code)
        except _Unresolved as exc:
            codes[i], problems[i] = None, (exc.field, exc.value, exc.code, exc.id_text, exc.en_text)

    codes, problems = [None] * len(rows), [None] * len(rows)
    for i, combo in enumerate(rows):
        resolve(i, combo, frozenset())
    # Same-named villages no number settles: the regencies the file's other rows are in decide.
    regencies = frozenset(".".join(c.split(".")[:2]) for c in codes if c)
    for i, combo in enumerate(rows):
        if problems[i] is not None and problems[i][2] == "region_ambiguous" and regencies:
            resolve(i, combo, regencies)
    combos = combos.drop("_prefixes")
    resolved = combos.with_columns(
        pl.Series("region_code_clean", codes, dtype=pl.String),
        pl.Series("_p", list(range(len(codes))), dtype=pl.Int64),
    )
    # Joined on the region columns alone, in row order, then attached: the wide frame is not copied.
    keyed = frame.select(ROW, *(pl.col(f).fill_null("").str.strip_chars().alias(f) for f in present))
    found = keyed.join(resolved, on=present, how="left", maintain_order="left")
    joined = frame.with_columns(found.get_column("region_code_clean"), found.get_column("_p"))
    issue_rows = []
    bad = joined.filter(pl.col("region_code_clean").is_null()).select(ROW, "_p")
    for row, p in bad.iter_rows():
        field, value, code, id_text, en_text = problems[p]  # type: ignore[misc]
        issue_rows.append((row, field, value, code, ERROR, id_text, en_text))
    if chosen:
        guessed = joined.filter(pl.col("_p").is_in(list(chosen))).select(ROW, "_p")
        for row, p in guessed.iter_rows():
            raw, how, code = chosen[p]
            why_id, why_en = (("digit wilayah NIK/No. KK", "the region digits of the NIK/KK") if how == "numbers"
                              else ("baris lain di berkas ini", "the file's other rows"))
            issue_rows.append((row, "village_name", raw, "region_ambiguous_resolved", WARNING,
                               f"desa/kelurahan '{raw}' ada lebih dari satu; ditempatkan di {code} menurut {why_id}",
                               f"there is more than one village '{raw}'; placed in {code} by {why_en}"))
    if allowed is not None:
        inside = pl.lit(False)
        for code in allowed:
            inside = inside | (pl.col("region_code_clean") == code) | pl.col("region_code_clean").str.starts_with(code + ".")
        outside = joined.filter(pl.col("region_code_clean").is_not_null() & ~inside).select(ROW, "region_code_clean")
        field = "region_code" if "region_code" in headers else "village_name"
        for row, code in outside.iter_rows():
            issue_rows.append((row, field, code, "out_of_scope", ERROR,
                               f"desa/kelurahan {code} di luar wilayah yang boleh Anda ubah pada impor ini",
                               f"village {code} is outside the regions you may change in this import"))
        joined = joined.with_columns(
            pl.when(inside).then(pl.col("region_code_clean")).otherwise(None).alias("region_code_clean"))
    issues = pl.DataFrame(issue_rows, schema=ISSUE_SCHEMA, orient="row")
    return joined.drop("_p"), issues
