"""The consistency checker, run before a plan or an evaluation is published.

Rules (each finding names the table, the row and the figures):

- `stated_rate`: a percentage the document computed differs from the one computed here (or is #DIV/0!).
- `cumulative`: the cumulative realisation (flow: the years added; stock/percentage: the latest) or its rate
  against the five-year target differs from the document's.
- `total_parts`: a total differs from the sum of its parts (programme = its kegiatan, kegiatan = its
  sub-kegiatan, the grand total = the programmes, stated totals of the narrative).
- `count`: the number of programmes / kegiatan / sub-kegiatan differs between tables or from the narrative.
- `code_name`: a code that is not in the chosen nomenclature version, or whose name there is another.
- `indicator_unit`: a percentage indicator with a count unit or the reverse; a unit other than the item's.
- `physical_financial`: physical and financial realisation disagree (work without money, money without work,
  a gap of more than 50 points, spending over the ceiling).
- `future_period`: realisation reported for a quarter that has not started.
- `implausible_target`: a target of persons or families larger than the registry's own count in the region.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from tepat.planning.achievement import PERCENTAGE, STOCK, achievement, format_percent, to_decimal
from tepat.planning.models import NomenclatureItem, Plan, Realisation, SourceDocument, SourceRow

GAP_POINTS = Decimal(50)
PERCENT_WORDS = ("persentase", "prosentase", "cakupan", "tingkat", "rasio", "indeks")
PERSON_UNITS = {"orang", "jiwa", "orang/bulan"}
FAMILY_UNITS = {"keluarga", "kk", "kpm", "keuarga"}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    table: str
    row: int | str
    code: str
    id: str
    en: str
    figures: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "table": self.table, "row": self.row, "code": self.code,
                "message_id": self.id, "message_en": self.en, "figures": self.figures, "severity": self.severity}


# --- codes -------------------------------------------------------------------------------------------------

def canonical_code(text: str) -> str | None:
    """'1 06 04 2.01 01' / '1 6 4 02.01 1' / '1 06 04 2,02' → '1.06.04.2.01.01' / … ; None if unreadable."""
    parts = (text or "").replace(",", ".").split()
    if len(parts) < 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        return None
    try:
        code = f"{int(parts[0])}.{int(parts[1]):02d}.{int(parts[2]):02d}"
        if len(parts) > 3:
            a, b = parts[3].split(".")
            code += f".{int(a)}.{int(b):02d}"
        if len(parts) > 4:
            code += f".{int(parts[4]):02d}"
    except ValueError:
        return None
    return code


def _key(text: str) -> str:
    text = re.sub(r"^(kegiatan|program)\s+", "", (text or "").lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _key(a), _key(b)).ratio()


def best_by_name(name: str, candidates: Iterable[NomenclatureItem]) -> tuple[NomenclatureItem | None, float]:
    best, score = None, 0.0
    for item in candidates:
        s = similar(name, item.name)
        if s > score:
            best, score = item, s
    return best, score


NAME_MATCH = 0.8


# --- numbers -----------------------------------------------------------------------------------------------

def _places(stated: Any) -> int:
    if isinstance(stated, str):
        return len(stated.split(",")[1]) if "," in stated else 0
    text = str(stated)
    return len(text.split(".")[1]) if "." in text and not text.endswith(".0") else 0


def stated_matches(computed: Decimal, stated: Any) -> bool:
    """Equal at the precision the document wrote (67 for 66,67 is right; 75 for 66,67 is not)."""
    value = to_decimal(str(stated).replace(",", ".")) if isinstance(stated, str) else to_decimal(stated)
    if value is None:
        return False
    places = _places(stated)
    q = Decimal(1).scaleb(-places)
    return computed.quantize(q, rounding=ROUND_HALF_UP) == value.quantize(q, rounding=ROUND_HALF_UP)


def num(value: Any) -> Decimal | None:
    """A figure as the template holds it: a number, or text like '49.333' / '7,23'; '-' and '' are empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return to_decimal(value)
    text = str(value).strip()
    if text in ("", "-"):
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_percent(value, 2)
    return str(value)


# --- the source document -----------------------------------------------------------------------------------

def check_document(document: SourceDocument, *, registry_size: dict[str, int] | None = None) -> list[Finding]:
    rows = list(document.rows.select_related("item"))
    items = {i.code: i for i in NomenclatureItem.objects.filter(version=document.nomenclature)}
    findings: list[Finding] = []
    by_table: dict[str, list[SourceRow]] = defaultdict(list)
    for row in rows:
        by_table[row.table].append(row)
    for table in (SourceRow.Table.EVALUATION, SourceRow.Table.PLAN):
        findings += _code_rules(by_table[table], items, table)
        findings += _unit_rules(by_table[table], table)
    findings += _evaluation_rules(by_table[SourceRow.Table.EVALUATION])
    findings += _budget_rules(by_table[SourceRow.Table.BUDGET], document.stated)
    findings += _plan_rules(by_table[SourceRow.Table.PLAN], document.stated)
    findings += _count_rules(by_table, document.stated)
    findings += _physical_financial_rules(by_table)
    if registry_size:
        findings += _plausibility_rules(rows, registry_size)
    return findings


def _code_rules(rows: list[SourceRow], items: dict[str, NomenclatureItem], table: str) -> list[Finding]:
    out = []
    header: dict[int, str] = {}
    for row in rows:
        code = canonical_code(row.code_text)
        if code is None:
            out.append(Finding("code_name", table, row.row_number, row.code_text,
                               f"kode '{row.code_text}' tidak terbaca", f"code '{row.code_text}' is unreadable"))
            continue
        item = items.get(code)
        level = 5 if code.count(".") == 5 else 4 if code.count(".") == 4 else 3
        if level == 4:
            header[4] = code
        if item is None:
            same_level = [i for i in items.values() if i.level == level]
            guess, score = best_by_name(row.name, same_level)
            hint_id = hint_en = ""
            if guess is not None and score >= NAME_MATCH:
                hint_id, hint_en = f"; menurut nama: {guess.code} {guess.name}", f"; by its name: {guess.code}"
            out.append(Finding("code_name", table, row.row_number, row.code_text,
                               f"kode {code} ('{row.code_text}') tidak ada dalam nomenklatur{hint_id}",
                               f"code {code} ('{row.code_text}') is not in the nomenclature{hint_en}",
                               {"code": code, "name": row.name, **({"suggested": guess.code} if hint_id else {})}))
            continue
        if similar(row.name, item.name) < NAME_MATCH:
            guess, score = best_by_name(row.name, [i for i in items.values() if i.level == item.level
                                                   and i.parent_id == item.parent_id])
            hint = f" ({guess.code} {guess.name})" if guess is not None and guess.pk != item.pk and score >= NAME_MATCH else ""
            out.append(Finding("code_name", table, row.row_number, row.code_text,
                               f"kode {code} di nomenklatur bernama '{item.name}', di tabel '{row.name}'{hint}",
                               f"code {code} is named '{item.name}' in the nomenclature, '{row.name}' in the table{hint}",
                               {"code": code, "table_name": row.name, "nomenclature_name": item.name}))
        if level == 5 and header.get(4) and not code.startswith(header[4] + "."):
            out.append(Finding("code_name", table, row.row_number, row.code_text,
                               f"sub-kegiatan {code} berada di bawah kegiatan {header[4]} dengan awalan lain",
                               f"sub-kegiatan {code} stands under kegiatan {header[4]}, whose code it does not extend",
                               {"code": code, "kegiatan": header[4]}))
    return out


def _unit_rules(rows: list[SourceRow], table: str) -> list[Finding]:
    out = []
    for row in rows:
        unit = (row.unit or "").strip()
        words = (row.indicator or "").lower()
        percentish = words.startswith(PERCENT_WORDS)
        if percentish and unit and unit != "%":
            out.append(Finding("indicator_unit", table, row.row_number, row.code_text,
                               f"indikator persentase '{row.indicator[:60]}' bersatuan '{unit}'",
                               f"percentage indicator '{row.indicator[:60]}' has the unit '{unit}'",
                               {"indicator": row.indicator, "unit": unit}))
        elif words.startswith("jumlah") and unit == "%":
            out.append(Finding("indicator_unit", table, row.row_number, row.code_text,
                               f"indikator jumlah '{row.indicator[:60]}' bersatuan %",
                               f"count indicator '{row.indicator[:60]}' has the unit %", {"unit": unit}))
        elif row.item is not None and row.item.unit and unit and unit.lower() != row.item.unit.lower():
            out.append(Finding("indicator_unit", table, row.row_number, row.code_text,
                               f"satuan '{unit}' berbeda dari satuan butir nomenklatur '{row.item.unit}'",
                               f"unit '{unit}' differs from the item's unit '{row.item.unit}'",
                               {"unit": unit, "item_unit": row.item.unit}, "warning"))
    return out


def _type_of(row: SourceRow) -> str:
    return row.item.indicator_type if row.item is not None else (PERCENTAGE if row.unit == "%" else "flow")


def evaluation_figures(row: SourceRow) -> dict[str, Any]:
    """The system's computation of one evaluation row: the year's rate, the cumulative realisation up to the
    next year (the next year's target standing for its realisation, as the form does) and its rate."""
    f = row.figures
    kind = _type_of(row)
    year_rate = achievement(kind, num(f.get("target_year")), num(f.get("realised_year")))
    parts = [num(f.get("realised_before")), num(f.get("realised_year")), num(f.get("target_next"))]
    if kind in (STOCK, PERCENTAGE):
        cumulative = next((p for p in reversed(parts) if p is not None), None)
    else:
        cumulative = sum((p for p in parts if p is not None), Decimal(0)) if any(p is not None for p in parts) else None
    renstra_rate = achievement(kind, num(f.get("target_renstra")), cumulative)
    return {"type": kind, "year_rate": year_rate, "cumulative": cumulative, "renstra_rate": renstra_rate}


def _evaluation_rules(rows: list[SourceRow]) -> list[Finding]:
    out = []
    table = SourceRow.Table.EVALUATION
    for row in rows:
        computed = evaluation_figures(row)
        f, s = row.figures, row.stated
        rate, stated_rate = computed["year_rate"], s.get("rate_year")
        figures = {"target_year": f.get("target_year"), "realised_year": f.get("realised_year"),
                   "stated": stated_rate, "computed": rate.display()}
        if stated_rate == "#DIV/0!":
            realised = num(f.get("realised_year"))
            tail_id, tail_en = ((f"; realisasi {_fmt(f.get('realised_year'))} dilaporkan tanpa target tahun ini",
                                 f"; realisation {_fmt(f.get('realised_year'))} reported without a target for the year")
                                if realised else ("", ""))
            out.append(Finding("stated_rate", table, row.row_number, row.code_text,
                               f"tingkat realisasi tertulis #DIV/0!, seharusnya {rate.display()}{tail_id}",
                               f"rate written as #DIV/0!, should be {rate.display()}{tail_en}", figures))
        elif rate.available and stated_rate not in (None, "", "-") and not stated_matches(rate.percent, stated_rate):
            out.append(Finding("stated_rate", table, row.row_number, row.code_text,
                               f"tingkat realisasi tertulis {stated_rate}, terhitung {rate.display()}",
                               f"stated rate {stated_rate}, computed {rate.display()}", figures))
        elif not rate.available and stated_rate not in (None, "", "-") and num(f.get("realised_year")) is not None:
            out.append(Finding("stated_rate", table, row.row_number, row.code_text,
                               f"tingkat realisasi tertulis {stated_rate}, padahal {rate.display()}",
                               f"stated rate {stated_rate}, yet {rate.display()}", figures))
        cumulative, stated_cum = computed["cumulative"], s.get("cumulative")
        cum_figures = {"realised_before": f.get("realised_before"), "realised_year": f.get("realised_year"),
                       "target_next": f.get("target_next"), "type": computed["type"],
                       "stated": stated_cum, "computed": _fmt(cumulative)}
        stated_cum_value = num(stated_cum)
        if cumulative is not None and stated_cum not in (None, "", "-") and stated_cum_value != cumulative:
            out.append(Finding("cumulative", table, row.row_number, row.code_text,
                               f"realisasi kumulatif tertulis {_fmt(stated_cum)}, terhitung {_fmt(cumulative)} "
                               f"({'terakhir' if computed['type'] in (STOCK, PERCENTAGE) else '5 + 7 + 9'})",
                               f"stated cumulative realisation {_fmt(stated_cum)}, computed {_fmt(cumulative)} "
                               f"({'latest' if computed['type'] in (STOCK, PERCENTAGE) else '5 + 7 + 9'})",
                               cum_figures))
        renstra, stated_renstra = computed["renstra_rate"], s.get("rate_renstra")
        if renstra.available and stated_renstra not in (None, "", "-") and stated_cum_value == cumulative \
                and not stated_matches(renstra.percent, stated_renstra):
            out.append(Finding("cumulative", table, row.row_number, row.code_text,
                               f"capaian Renstra tertulis {stated_renstra}, terhitung {renstra.display()}",
                               f"stated Renstra achievement {stated_renstra}, computed {renstra.display()}",
                               {"target_renstra": f.get("target_renstra"), "cumulative": _fmt(cumulative),
                                "stated": stated_renstra, "computed": renstra.display()}))
        if not renstra.available and num(f.get("realised_year")) is not None:
            out.append(Finding("cumulative", table, row.row_number, row.code_text,
                               f"capaian Renstra {renstra.display()}", f"Renstra achievement {renstra.display()}",
                               {"target_renstra": f.get("target_renstra")}, "warning"))
    return out


def _tree_sums(rows: list[SourceRow], money_fields: tuple[str, ...], table: str, label: str,
               parent_unit: str | None = None) -> list[Finding]:
    """Programme = the sum of its kegiatan; kegiatan = the sum of its sub-kegiatan (rows in document order)."""
    out = []
    groups: list[tuple[SourceRow, list[SourceRow]]] = []
    current: dict[int, tuple[SourceRow, list[SourceRow]]] = {}
    for row in rows:
        level = row.level
        if level == 3:
            current[3] = (row, [])
            groups.append(current[3])
            current.pop(4, None)
        elif level == 4:
            current[4] = (row, [])
            groups.append(current[4])
            if 3 in current:
                current[3][1].append(row)
        elif level == 5 and 4 in current:
            current[4][1].append(row)
    for parent, children in groups:
        if not children or (parent_unit is not None and parent.unit.lower() != parent_unit):
            continue
        for name in money_fields:
            total = num(parent.figures.get(name))
            parts = [num(c.figures.get(name)) for c in children]
            if total is None or all(p is None for p in parts):
                continue
            summed = sum((p for p in parts if p is not None), Decimal(0))
            if summed != total:
                out.append(Finding(
                    "total_parts", table, parent.row_number, parent.code_text or parent.name[:40],
                    f"{label} {name}: {parent.name[:50]} tertulis {_rupiah(total)}, jumlah {len(children)} "
                    f"rincian {_rupiah(summed)} (selisih {_rupiah(total - summed)})",
                    f"{label} {name}: {parent.name[:50]} states {_rupiah(total)}, its {len(children)} parts add up "
                    f"to {_rupiah(summed)} (difference {_rupiah(total - summed)})",
                    {"field": name, "stated": int(total), "sum_of_parts": int(summed),
                     "parts_rows": [c.row_number for c in children]}))
    return out


def _rupiah(value: Decimal | int) -> str:
    return f"{int(value):,}".replace(",", ".")


def _budget_rules(rows: list[SourceRow], stated: dict[str, Any]) -> list[Finding]:
    table = SourceRow.Table.BUDGET
    out = _tree_sums(rows, ("pagu", "realised"), table, "anggaran/budget")
    programmes = [r for r in rows if r.level == 3]
    for name, key in (("pagu", "total_anggaran_evaluasi"), ("realised", "total_realisasi_evaluasi")):
        total = num(stated.get(key))
        if total is None:
            continue
        summed = sum((num(r.figures.get(name)) or Decimal(0) for r in programmes), Decimal(0))
        if summed != total:
            out.append(Finding("total_parts", table, "Total Belanja", "",
                               f"Total Belanja {name} tertulis {_rupiah(total)}, jumlah {len(programmes)} program "
                               f"{_rupiah(summed)} (selisih {_rupiah(total - summed)})",
                               f"Total Belanja {name} states {_rupiah(total)}, the {len(programmes)} programmes add "
                               f"up to {_rupiah(summed)} (difference {_rupiah(total - summed)})",
                               {"stated": int(total), "sum_of_parts": int(summed)}))
    for row in rows:
        pagu, realised, stated_rate = num(row.figures.get("pagu")), num(row.figures.get("realised")), row.stated.get("rate")
        rate = achievement("flow", pagu, realised)
        if rate.available and stated_rate not in (None, "") and not stated_matches(rate.percent, stated_rate):
            out.append(Finding("stated_rate", table, row.row_number, row.name[:40],
                               f"capaian anggaran tertulis {stated_rate}, terhitung {rate.display()}",
                               f"stated budget realisation {stated_rate}, computed {rate.display()}",
                               {"pagu": int(pagu), "realised": int(realised), "stated": stated_rate}))
        if pagu is not None and realised is not None and realised > pagu:
            out.append(Finding("physical_financial", table, row.row_number, row.name[:40],
                               f"realisasi {_rupiah(realised)} melebihi pagu {_rupiah(pagu)}",
                               f"realisation {_rupiah(realised)} exceeds the ceiling {_rupiah(pagu)}",
                               {"pagu": int(pagu), "realised": int(realised)}))
    for level, label in ((3, "program"), (4, "kegiatan"), (5, "sub-kegiatan")):
        expected = 1  # a break in the numbering is reported once; the count goes on from the number written
        for row in (r for r in rows if r.level == level):
            no = row.figures.get("no")
            if no is None or int(no) != expected:
                out.append(Finding("count", table, row.row_number, "",
                                   f"nomor urut {label} {no if no is not None else '(kosong)'}, seharusnya {expected}",
                                   f"{label} number {no if no is not None else '(empty)'}, expected {expected}",
                                   {"number": no, "expected": expected, "name": row.name[:60]}, "warning"))
            expected = (int(no) if no is not None else expected) + 1
    return out


def _plan_rules(rows: list[SourceRow], stated: dict[str, Any]) -> list[Finding]:
    table = SourceRow.Table.PLAN
    out = _tree_sums(rows, ("pagu", "pagu_next"), table, "rencana/plan")
    programmes = [r for r in rows if r.level == 3]
    for name, key in (("pagu", "total_pagu"), ("pagu_next", "total_pagu_berikut"), ("pagu", "total_pagu_tabel")):
        total = num(stated.get(key))
        if total is None:
            continue
        summed = sum((num(r.figures.get(name)) or Decimal(0) for r in programmes), Decimal(0))
        if summed != total:
            out.append(Finding("total_parts", table, key, "",
                               f"{key} tertulis {_rupiah(total)}, jumlah {len(programmes)} program {_rupiah(summed)} "
                               f"(selisih {_rupiah(total - summed)})",
                               f"{key} states {_rupiah(total)}, the {len(programmes)} programmes add up to "
                               f"{_rupiah(summed)} (difference {_rupiah(total - summed)})",
                               {"stated": int(total), "sum_of_parts": int(summed)}))
    return out


def _count_rules(by_table: dict[str, list[SourceRow]], stated: dict[str, Any]) -> list[Finding]:
    out = []
    plan = by_table[SourceRow.Table.PLAN]
    for level, key, label in ((3, "jumlah_program", "program"), (4, "jumlah_kegiatan", "kegiatan"),
                              (5, "jumlah_sub_kegiatan", "sub-kegiatan")):
        expected = num(stated.get(key))
        counted = sum(1 for r in plan if r.level == level)
        if expected is not None and counted != expected:
            out.append(Finding("count", SourceRow.Table.PLAN, key, "",
                               f"narasi menyebut {int(expected)} {label}, tabel 4.1 memuat {counted}",
                               f"the narrative states {int(expected)} {label}, table 4.1 holds {counted}",
                               {"stated": int(expected), "counted": counted}))
    evaluation = {r.item_id for r in by_table[SourceRow.Table.EVALUATION] if r.level == 5 and r.item_id}
    budget = {r.item_id for r in by_table[SourceRow.Table.BUDGET] if r.level == 5 and r.item_id}
    n_eval = sum(1 for r in by_table[SourceRow.Table.EVALUATION] if r.level == 5)
    n_budget = sum(1 for r in by_table[SourceRow.Table.BUDGET] if r.level == 5)
    if by_table[SourceRow.Table.BUDGET] and n_eval != n_budget:
        missing = sorted(NomenclatureItem.objects.filter(pk__in=evaluation - budget).values_list("code", flat=True))
        extra = sorted(NomenclatureItem.objects.filter(pk__in=budget - evaluation).values_list("code", flat=True))
        out.append(Finding("count", SourceRow.Table.BUDGET, "—", "",
                           f"tabel 2.1.a memuat {n_eval} sub-kegiatan, tabel 2.1.b {n_budget}; tidak ada di 2.1.b: "
                           f"{', '.join(missing) or '—'}; tidak ada di 2.1.a: {', '.join(extra) or '—'}",
                           f"table 2.1.a holds {n_eval} sub-kegiatan, table 2.1.b {n_budget}; missing from 2.1.b: "
                           f"{', '.join(missing) or '—'}; missing from 2.1.a: {', '.join(extra) or '—'}",
                           {"evaluation": n_eval, "budget": n_budget, "missing_from_budget": missing,
                            "missing_from_evaluation": extra}))
    return out


def _physical_financial_rules(by_table: dict[str, list[SourceRow]]) -> list[Finding]:
    out = []
    money = {r.item_id: r for r in by_table[SourceRow.Table.BUDGET] if r.item_id and r.level == 5}
    for row in by_table[SourceRow.Table.EVALUATION]:
        if row.level != 5 or row.item_id not in money:
            continue
        b = money[row.item_id]
        physical = evaluation_figures(row)["year_rate"]
        financial = achievement("flow", num(b.figures.get("pagu")), num(b.figures.get("realised")))
        message = None
        if physical.available and physical.percent > 0 and financial.available and financial.percent == 0:
            message = ("realisasi fisik tanpa realisasi keuangan", "physical realisation without any spending")
        elif num(row.figures.get("realised_year")) in (None, Decimal(0)) and financial.available and financial.percent > 0:
            message = ("dana terserap tanpa realisasi fisik", "money spent without physical realisation")
        elif physical.available and financial.available and abs(physical.percent - financial.percent) > GAP_POINTS:
            message = (f"selisih fisik dan keuangan lebih dari {GAP_POINTS} poin",
                       f"physical and financial realisation differ by more than {GAP_POINTS} points")
        if message:
            out.append(Finding("physical_financial", SourceRow.Table.EVALUATION, row.row_number, row.code_text,
                               f"{message[0]}: fisik {physical.display()}, keuangan {financial.display()} "
                               f"(2.1.b baris {b.row_number})",
                               f"{message[1]}: physical {physical.display()}, financial {financial.display()} "
                               f"(2.1.b row {b.row_number})",
                               {"physical": physical.display(), "financial": financial.display(),
                                "budget_row": b.row_number}))
    return out


def _plausibility_rules(rows: list[SourceRow], registry_size: dict[str, int]) -> list[Finding]:
    out = []
    for row in rows:
        unit = (row.unit or "").lower()
        kind = "persons" if unit in PERSON_UNITS else "families" if unit in FAMILY_UNITS else None
        if kind is None or not registry_size.get(kind):
            continue
        for name in ("target_renstra", "target_year", "target", "target_next"):
            target = num(row.figures.get(name))
            if target is not None and target > registry_size[kind]:
                out.append(Finding("implausible_target", row.table, row.row_number, row.code_text,
                                   f"target {name} {_rupiah(target)} {row.unit} melebihi jumlah di registri "
                                   f"({_rupiah(registry_size[kind])})",
                                   f"target {name} {_rupiah(target)} {row.unit} exceeds the registry's count "
                                   f"({_rupiah(registry_size[kind])})",
                                   {"field": name, "target": int(target), "registry": registry_size[kind]},
                                   "warning"))
    return out


# --- a plan in the system ------------------------------------------------------------------------------------

def check_plan(plan: Plan, *, registry_size: dict[str, int] | None = None, today: date | None = None) -> list[Finding]:
    """The same rules over a plan's current version and its quarterly realisation."""
    from tepat.planning.selectors import plan_figures

    today = today or timezone.localdate()
    table = "rencana"
    out: list[Finding] = []
    figures = plan_figures(plan)
    lines = [f.line for f in figures]
    by_code = {line.item.code: line for line in lines}
    for line in lines:  # totals against parts, by the nomenclature's tree
        children = [c for c in lines if c.item.parent_id == line.item_id]
        if line.item.level in (3, 4) and children and line.pagu is not None:
            summed = sum(c.pagu or 0 for c in children)
            if summed != line.pagu:
                out.append(Finding("total_parts", table, line.item.code, line.item.code,
                                   f"pagu {line.item.code} {_rupiah(line.pagu)}, jumlah rincian {_rupiah(summed)}",
                                   f"budget of {line.item.code} {_rupiah(line.pagu)}, its parts {_rupiah(summed)}",
                                   {"stated": line.pagu, "sum_of_parts": summed}))
        words = line.indicator.lower()
        if words.startswith(PERCENT_WORDS) and line.unit and line.unit != "%":
            out.append(Finding("indicator_unit", table, line.item.code, line.item.code,
                               f"indikator persentase bersatuan '{line.unit}'",
                               f"percentage indicator with the unit '{line.unit}'", {"unit": line.unit}))
        elif words.startswith("jumlah") and line.unit == "%":
            out.append(Finding("indicator_unit", table, line.item.code, line.item.code,
                               "indikator jumlah bersatuan %", "count indicator with the unit %", {"unit": "%"}))
    for f in figures:
        code = f.line.item.code
        if f.achievement.available and f.financial_achievement.available:
            gap = abs(f.achievement.percent - f.financial_achievement.percent)
            if gap > GAP_POINTS or (f.achievement.percent > 0 and f.financial_achievement.percent == 0):
                out.append(Finding("physical_financial", table, code, code,
                                   f"fisik {f.achievement.display()}, keuangan {f.financial_achievement.display()}",
                                   f"physical {f.achievement.display()}, financial {f.financial_achievement.display()}",
                                   {"physical": f.achievement.display(), "financial": f.financial_achievement.display()}))
        if f.financial is not None and f.line.pagu is not None and f.financial > f.line.pagu:
            out.append(Finding("physical_financial", table, code, code,
                               f"realisasi keuangan {_rupiah(f.financial)} melebihi pagu {_rupiah(f.line.pagu)}",
                               f"spending {_rupiah(f.financial)} exceeds the ceiling {_rupiah(f.line.pagu)}",
                               {"financial": f.financial, "pagu": f.line.pagu}))
    for entry in Realisation.objects.filter(snapshot__plan=plan).select_related("snapshot", "item"):
        start = date(plan.year, entry.snapshot.quarter * 3 - 2, 1)
        if start > today:
            out.append(Finding("future_period", "realisasi", f"TW{entry.snapshot.quarter}", entry.item.code,
                               f"realisasi triwulan {entry.snapshot.quarter} {plan.year} dilaporkan sebelum triwulan "
                               f"itu dimulai ({start:%d-%m-%Y})",
                               f"realisation for quarter {entry.snapshot.quarter} of {plan.year} reported before the "
                               f"quarter began ({start:%Y-%m-%d})",
                               {"quarter": entry.snapshot.quarter, "physical": _fmt(entry.physical)}))
        if entry.item.code not in by_code:
            out.append(Finding("code_name", "realisasi", f"TW{entry.snapshot.quarter}", entry.item.code,
                               "realisasi untuk kode yang tidak ada di versi rencana ini",
                               "realisation for a code that is not in this version of the plan", {}))
    if registry_size:
        for line in lines:
            unit = line.unit.lower()
            kind = "persons" if unit in PERSON_UNITS else "families" if unit in FAMILY_UNITS else None
            if kind and registry_size.get(kind) and line.target is not None and line.target > registry_size[kind]:
                out.append(Finding("implausible_target", table, line.item.code, line.item.code,
                                   f"target {_rupiah(line.target)} {line.unit} melebihi jumlah di registri "
                                   f"({_rupiah(registry_size[kind])})",
                                   f"target {_rupiah(line.target)} {line.unit} exceeds the registry's count "
                                   f"({_rupiah(registry_size[kind])})",
                                   {"target": int(line.target), "registry": registry_size[kind]}, "warning"))
    return out


def registry_size(region_code: str) -> dict[str, int]:
    """Active families and their members in the region, from the registry (counts only)."""
    from tepat.regions.selectors import region_within_q
    from tepat.registry.models import Family, Individual

    families = Family.objects.filter(region_within_q(region_code, "region__code"), status="active")
    return {"families": families.count(),
            "persons": Individual.objects.filter(family__in=families).count()}
