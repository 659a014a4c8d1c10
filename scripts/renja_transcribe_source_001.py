"""How tepat/planning/data/renja-2025-source-001.xlsx and nomenclature-1.06-source-001.json were made.

Source 001 (shared/domain/sources/001_1ba5ce55f33ea92e.txt) is the text of the Renja 2025 of Dinas Sosial
Kabupaten Serang, extracted from a PDF. This script reads its tables 2.1.a (evaluation of the Renja 2023 and
the Renstra 2021–2026), 2.1.b (budget target and realisation 2023) and 4.1 (programme and sub-activity plan
2025 with the 2026 outlook) and writes them into the import template (docs/renja-import-template.md), cell
by cell AS WRITTEN: codes as typed (damaged ones included), empty cells empty, the office's own percentages
(and its #DIV/0!) in the "stated" columns. Only where the PDF text lost a cell layout the value is set by
hand below (MANUAL), each checked against the PDF text.

The nomenclature (urusan 1.06 only, only the items the source shows) is built from the same rows, with the
codes repaired where the spreadsheet damaged them (REPAIRS); the repaired code of a row is NOT written into
the workbook: the importer and the checker find the damage themselves.

Run: python scripts/renja_transcribe_source_001.py PATH_TO_SOURCE_001 (writes into tepat/planning/data/).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import xlsxwriter

OUT = Path(__file__).resolve().parent.parent / "tepat" / "planning" / "data"

KW = (r"(Jumlah|Persentase|Prosentase|Tersedianya|Terpenuhinya|Terlaksananya|Terlakananya|Terfasilitasinya|"
      r"Tingkat|Cakupan|Terselenggaranya|Meningkatnya|Terevaluasinya|Terpeliharanya|Tersusunnya)")
CODE = re.compile(r"^\s?(\d) +(0?\d) +(\d{1,2})(?: +(\d{1,2}[.,]\d{2}))?(?: +(\d{1,2}))?\s+(.*)$")
N = r"-?[\d.,]+"
U = r"[A-Za-z%/]+"
FIG_EVAL = re.compile(
    rf"^\s*(?P<t4>{N})?\s*(?P<u4>{U})(?P<gap>\s+.*?\s*)(?P<u6>{U})\s+(?P<r7>{N})?\s*(?P<u7>{U})\s+"
    rf"(?P<rate8>{N}|#DIV/0!)?\s*(?P<t9>{N})?\s*(?P<u9>{U})\s*(?P<c10>{N})?\s*(?P<c11>{N})?\s*$")
NOT_UNITS = {"atau", "Cakupan", "Renja", "Secara", "Penyediaan"}

# Rows whose figures the PDF text scattered over several lines (source line → figures as in the PDF).
MANUAL_EVAL = {
    682: {"t4": "12", "u4": "Unit", "c5": None, "t6": None, "r7": "-", "rate8": "-", "t9": None, "c10": "-", "c11": "-"},
    849: {"t4": "7,23", "u4": "%", "c5": "6,98", "t6": "7,23", "r7": "2,22", "rate8": "30,71", "t9": "7,23", "c10": "7,23", "c11": "100"},
    1001: {"t4": "50", "u4": "Orang", "c5": "32", "t6": None, "r7": "-", "rate8": "-", "t9": None, "c10": "0", "c11": "0"},
    1093: {"t4": "5.248.872"},
}
MANUAL_EVAL_TEXT = {849: ("PROGRAM REHABILITASI SOSIAL", "Cakupan Rehabilitasi Sosial")}

# Kegiatan code repairs for the nomenclature: the header "1 06 02 2.02" stands over sub-kegiatan that both
# tables code 2.01 (the header is the damaged one; the checker reports it).
# Indicators the office itself aggregates as a stock (its cumulative column repeats the latest figure instead
# of adding the years): the same families are counted again each year.
STOCK_ITEMS = {"1.06.02.2.03.03"}

REPAIRED_KEGIATAN = {("02", "2.02", "Pengumpulan Sumbangan"): "2.01"}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def blocks(text: list[str], start: int, end: int) -> list[tuple[int, tuple, list[str]]]:
    out: list = []
    for i, line in enumerate(text[start:end]):
        m = CODE.match(line)
        if m and not re.match(r"^\s?\d \d+ \d+ [\d,]+ ?$", line):
            out.append((start + i + 1, m.groups(), []))
        elif out:
            out[-1][2].append(line)
    return out


def paragraphs(text: list[str]) -> list[str]:
    paras, cur = [], []
    for line in text:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return paras


def split_name(name: str, indicator: str = "") -> tuple[str, str]:
    m = re.search(r"\s" + KW + r"\b", name)
    if m:
        indicator = (name[m.start() + 1:] + " " + indicator).strip()
        name = name[:m.start()]
    return re.sub(r"\s+", " ", name).strip(), re.sub(r"\s+", " ", indicator).strip()


def code_text(groups: tuple) -> str:
    return " ".join(g for g in groups[:5] if g)


def canonical(u: str, b: str, p: str, k: str | None, s: str | None) -> str:
    code = f"{int(u)}.{int(b):02d}.{int(p):02d}"
    if k:
        a, c = re.split(r"[.,]", k)
        code += f".{int(a)}.{int(c):02d}"
    if s:
        code += f".{int(s):02d}"
    return code


def number(text: str | None) -> float | int | str | None:
    """A figure as written: Indonesian thousands '.' and decimal ','; '-' and '#DIV/0!' stay text."""
    if text is None or text == "":
        return None
    t = text.strip()
    if t in ("-", "#DIV/0!"):
        return t
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", t):
        return int(t.replace(".", ""))
    t = t.replace(".", "").replace(",", ".") if "," in t else t
    value = float(t)
    return int(value) if value.is_integer() else value


def evaluation(text: list[str]) -> list[dict]:
    rows = []
    for ln, g, rest in blocks(text, 436, 1262):
        body = [g[5], *rest]
        figs = None
        j = len(body)
        for j in range(len(body) - 1, -1, -1):
            m = FIG_EVAL.match(body[j])
            if m and m.group("u4") not in NOT_UNITS:
                figs = m.groupdict()
                break
        paras = paragraphs(body[:j] if figs else body)
        name, indicator = split_name(paras[0] if paras else "", " ".join(paras[1:]))
        if ln in MANUAL_EVAL_TEXT:
            name, indicator = MANUAL_EVAL_TEXT[ln]
        row = {"line": ln, "code_text": code_text(g), "groups": g[:5], "name": name, "indicator": indicator}
        if figs:
            gap = figs.pop("gap")
            toks = gap.split()
            c5 = t6 = None
            if len(toks) == 2:
                c5, t6 = toks
            elif len(toks) == 1:
                lead, trail = len(gap) - len(gap.lstrip()), len(gap) - len(gap.rstrip())
                c5, t6 = (toks[0], None) if trail > lead else (None, toks[0])
            figs.update(c5=c5, t6=t6)
            row.update(figs)
        row.update(MANUAL_EVAL.get(ln, {}))
        rows.append(row)
    return rows


FIG_PLAN = re.compile(
    r"^(?P<pre>.*?)\s+Kab\.\s*Serang\s+(?P<t>[\d.,]+\s*(?:/\s*\d+)?)\s*(?P<u>%|[A-Za-z/]+)?\s+(?P<pagu>[\d.]+)\s+"
    r"(?P<fund>APBD\s+Kab\.\s*Serag)?\s*(?P<ot>[\d.,]+\s*(?:/\s*\d+)?)\s*(?P<ou>%|[A-Za-z/]+)?\s+(?P<op>[\d.]+)"
    r"\s*(?P<tail>.*)$")


def plan(text: list[str]) -> tuple[list[dict], dict]:
    rows, total = [], {}
    for ln, g, rest in blocks(text, 4520, 5645):
        joined = re.sub(r"\s+", " ", " ".join(paragraphs([g[5], *rest])))
        m = FIG_PLAN.match(joined)
        if not m:
            continue  # the heading rows "1 UNSUR PENUNJANG …" / "1 6 BIDANG URUSAN : SOSIAL" carry no figures
        d = m.groupdict()
        name, indicator = split_name(d.pop("pre"))
        tail = d.pop("tail")
        mt = re.match(r"Jumlah ([\d.]+) ([\d.]+)", tail)
        if mt:
            total = {"pagu": number(mt.group(1)), "pagu_2026": number(mt.group(2))}
        rows.append({"line": ln, "code_text": code_text(g), "groups": g[:5], "name": name, "indicator": indicator,
                     "location": "Kab. Serang", "fund": re.sub(r"\s+", " ", d["fund"] or "").strip(), **d})
    return rows, total


FIG_BUDGET = re.compile(r"^(?P<pre>.*?)\s*(?P<p>\d{1,3}(?:\.\d{3})+|0)\s+(?P<r>\d{1,3}(?:\.\d{3})+|0)\s+(?P<c>[\d,]+)\s*$")


def budget(text: list[str]) -> list[dict]:
    rows, cur, start = [], [], None
    for i, line in enumerate(text[1285:1632]):
        if not line.strip():
            continue
        start = start or 1286 + i
        m = FIG_BUDGET.match(line)
        if not m:
            cur.append(line.strip())
            continue
        cur.append(m.group("pre"))
        whole = re.sub(r"\s+", " ", " ".join(cur)).strip()
        mm = re.match(r"^(\d{1,2})?\s*(.*)$", whole)
        no, name = mm.group(1), mm.group(2)
        level = ("program" if name.startswith("PROGRAM") else "total" if name.startswith("Total")
                 else "kegiatan" if name.startswith(("Kegiatan", "Pengumpulan Sumbangan")) else "sub_kegiatan")
        rows.append({"line": start, "no": int(no) if no else None, "name": name, "level": level,
                     "pagu": number(m.group("p")), "realised": number(m.group("r")), "stated": number(m.group("c"))})
        cur, start = [], None
    # The first row's text is run together with the column headings in the PDF text (source line 1278).
    rows[0].update(line=1278, no=1, level="program", name="PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA")
    return rows


def nomenclature(eval_rows: list[dict], plan_rows: list[dict]) -> list[dict]:
    items: dict[str, dict] = {"1": {"code": "1", "level": 1, "name": "UNSUR PENUNJANG URUSAN PEMERINTAHAN"},
                              "1.06": {"code": "1.06", "level": 2, "name": "BIDANG URUSAN : SOSIAL"}}
    for table in (eval_rows, plan_rows):
        header = None
        for r in table:
            u, b, p, k, s = r["groups"]
            if k and not s:
                key = (f"{int(p):02d}", k.replace(",", ".").lstrip("0"), r["name"].split()[0])
                k = REPAIRED_KEGIATAN.get(
                    next((kk for kk in REPAIRED_KEGIATAN if kk[:2] == key[:2] and kk[2] in r["name"]), None), k)
                header = k
            if s and int(u) != 1:
                k = header  # a spreadsheet fill ran down the urusan and kegiatan digits: the header holds
            code = canonical("1", b, p, k, s)
            level = 5 if s else 4 if k else 3
            unit = r.get("u4") or r.get("u") or ""
            if code not in items:
                items[code] = {"code": code, "level": level, "name": r["name"].removeprefix("Kegiatan ").strip(),
                               "indicator": r["indicator"], "unit": unit.strip(),
                               "indicator_type": "percentage" if unit.strip() == "%" else
                               "stock" if code in STOCK_ITEMS else "flow"}
    return sorted(items.values(), key=lambda i: [int(x) for x in i["code"].split(".")])


EVAL_COLS = ["baris_sumber", "kode", "nama", "indikator", "target_renstra", "satuan", "realisasi_sd_tahun_lalu",
             "target_tahun", "realisasi_tahun", "tingkat_realisasi", "target_tahun_berikut",
             "realisasi_kumulatif", "tingkat_capaian_renstra"]
BUDGET_COLS = ["baris_sumber", "no", "tingkat", "nama", "pagu", "realisasi", "capaian"]
PLAN_COLS = ["baris_sumber", "kode", "nama", "indikator", "lokasi", "target", "satuan", "pagu", "sumber_dana",
             "catatan", "target_berikut", "satuan_berikut", "pagu_berikut"]


def write(path: Path, eval_rows: list[dict], budget_rows: list[dict], plan_rows: list[dict], total: dict) -> None:
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})

    def sheet(name: str, cols: list[str], rows: list[list]) -> None:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, cols, bold)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (int, float)):
                    ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, str(value))

    summary = [["judul", "Renja Dinas Sosial Kabupaten Serang Tahun 2025 (sumber 001)"],
               ["tahun", 2025], ["tahun_evaluasi", 2023], ["wilayah", "36.04"],
               ["organisasi", "Dinas Sosial Kabupaten Serang"],
               ["versi_nomenklatur", "pmdn90-2019-src001"],
               ["periode_renstra", "2021-2026"],
               ["jumlah_program", 7], ["jumlah_kegiatan", 14], ["jumlah_sub_kegiatan", 52],
               ["total_pagu", 13553123311], ["total_pagu_berikut", total.get("pagu_2026")],
               ["total_pagu_tabel", total.get("pagu")],
               ["total_anggaran_evaluasi", next(r["pagu"] for r in budget_rows if r["level"] == "total")],
               ["total_realisasi_evaluasi", next(r["realised"] for r in budget_rows if r["level"] == "total")],
               ["capaian_anggaran_evaluasi", next(r["stated"] for r in budget_rows if r["level"] == "total")]]
    sheet("ringkasan", ["kunci", "nilai"], summary)
    sheet("evaluasi", EVAL_COLS, [
        [r["line"], r["code_text"], r["name"], r["indicator"], number(r.get("t4")), (r.get("u4") or "").strip(),
         number(r.get("c5")), number(r.get("t6")), number(r.get("r7")), number(r.get("rate8")),
         number(r.get("t9")), number(r.get("c10")), number(r.get("c11"))] for r in eval_rows])
    sheet("anggaran", BUDGET_COLS, [
        [r["line"], r["no"], r["level"], r["name"], r["pagu"], r["realised"], r["stated"]]
        for r in budget_rows if r["level"] != "total"])
    sheet("rencana", PLAN_COLS, [
        [r["line"], r["code_text"], r["name"], r["indicator"], r["location"], target_text(r["t"]),
         (r["u"] or "").strip() or ("%" if r["t"].endswith("%") else ""), number(r["pagu"]), r["fund"], "",
         target_text(r["ot"]), (r["ou"] or "").strip(), number(r["op"])] for r in plan_rows])
    book.close()


def target_text(text: str) -> float | int | str | None:
    t = re.sub(r"\s+", "", text)
    return t if "/" in t else number(t)  # "33/14" (persons per month) stays as written


def main(source: str) -> None:
    text = lines(Path(source))
    eval_rows, (plan_rows, total), budget_rows = evaluation(text), plan(text), budget(text)
    items = nomenclature(eval_rows, plan_rows)
    (OUT / "nomenclature-1.06-source-001.json").write_text(
        json.dumps({"code": "pmdn90-2019-src001",
                    "name": "Permendagri 90/2019 — urusan 1.06 Sosial, sebagaimana tampak di sumber 001",
                    "legal_basis": "Permendagri 90/2019 dan pemutakhirannya (Kepmendagri)",
                    "note": "Hanya butir yang ditunjukkan sumber 001 (Renja Dinsos Kab. Serang 2025, tabel "
                            "2.1.a dan 4.1); kode yang dirusak spreadsheet diperbaiki menurut letaknya. Bukan "
                            "nomenklatur lengkap.",
                    "items": items}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write(OUT / "renja-2025-source-001.xlsx", eval_rows, budget_rows, plan_rows, total)
    print(f"{len(items)} items, {len(eval_rows)} evaluation rows, {len(budget_rows)} budget rows, "  # noqa: T201
          f"{len(plan_rows)} plan rows, total {total}")


if __name__ == "__main__":
    main(sys.argv[1])
