"""`tepat renja-import FILE`: a Renja workbook in the template of docs/renja-import-template.md.

One sheet per table kind (ringkasan, evaluasi, anggaran, rencana), the columns of source 001's tables. The
workbook passes the same bounded preflight as the registry import (tepat.core.uploads.xlsx_preflight) and is
read by python-calamine in one call per sheet. Every row is kept as written (SourceRow: the checker and the
export work on it); the plan sheet also becomes the plan's lines, each through `services.line_save`, so a
code that is not in the chosen nomenclature version is refused like anywhere else. Nothing is dropped
silently: each row that could not be used is in the report with its sheet, row, field and reason (Indonesian
and English).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from tepat.accounts.roles import Capability
from tepat.audit.actions import AuditAction as A
from tepat.audit.services import audit_record
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.core.uploads import xlsx_preflight
from tepat.planning import services
from tepat.planning.checker import NAME_MATCH, best_by_name, canonical_code, num, similar
from tepat.planning.models import NomenclatureItem, NomenclatureVersion, Plan, SourceDocument, SourceRow
from tepat.regions.models import Region

SAME_PARENT_MATCH = 0.6
MAX_ROWS = 5_000  # data rows per sheet; a Renja has a few hundred

SHEETS = {
    "ringkasan": ["kunci", "nilai"],
    "evaluasi": ["baris_sumber", "kode", "nama", "indikator", "target_renstra", "satuan", "realisasi_sd_tahun_lalu",
                 "target_tahun", "realisasi_tahun", "tingkat_realisasi", "target_tahun_berikut",
                 "realisasi_kumulatif", "tingkat_capaian_renstra"],
    "anggaran": ["baris_sumber", "no", "tingkat", "nama", "pagu", "realisasi", "capaian"],
    "rencana": ["baris_sumber", "kode", "nama", "indikator", "lokasi", "target", "satuan", "pagu", "sumber_dana",
                "catatan", "target_berikut", "satuan_berikut", "pagu_berikut"],
}
REQUIRED_SUMMARY = ("tahun", "wilayah", "organisasi", "versi_nomenklatur")
LEVELS = {"program": 3, "kegiatan": 4, "sub_kegiatan": 5}


@dataclass(slots=True)
class ImportReport:
    document: SourceDocument | None = None
    plan: Plan | None = None
    rows: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)

    def add(self, sheet: str, row: int | str, field_name: str, id_text: str, en_text: str,
            severity: str = "error") -> None:
        self.issues.append({"sheet": sheet, "row": row, "field": field_name, "severity": severity,
                            "message_id": id_text, "message_en": en_text})


def _fail(id_text: str, en_text: str, code: str = "renja_file") -> ValidationFailed:
    return ValidationFailed([Issue(code, "file", id_text, en_text)])


def read_workbook(source: bytes | Path) -> dict[str, list[dict[str, Any]]]:
    """Each sheet of the template as a list of {column: value, '_row': sheet row}; numbers stay numbers."""
    from python_calamine import CalamineError, CalamineWorkbook

    xlsx_preflight(source)
    try:
        book = (CalamineWorkbook.from_filelike(io.BytesIO(source)) if isinstance(source, bytes)
                else CalamineWorkbook.from_path(str(source)))
    except (CalamineError, ValueError, OSError) as exc:
        raise _fail("berkas spreadsheet tidak dapat dibaca", "the spreadsheet cannot be read") from exc
    missing = [name for name in SHEETS if name not in book.sheet_names]
    if missing:
        raise _fail(f"lembar {', '.join(missing)} tidak ada (lihat docs/renja-import-template.md)",
                    f"sheet(s) {', '.join(missing)} missing (see docs/renja-import-template.md)", "missing_sheet")
    out: dict[str, list[dict[str, Any]]] = {}
    for name, columns in SHEETS.items():
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if not rows:
            raise _fail(f"lembar {name} kosong", f"sheet {name} is empty", "empty_sheet")
        header = [str(c).strip().lower() if c is not None else "" for c in rows[0]]
        absent = [c for c in columns if c not in header]
        if absent:
            raise _fail(f"lembar {name}: kolom {', '.join(absent)} tidak ada",
                        f"sheet {name}: column(s) {', '.join(absent)} missing", "missing_column")
        if len(rows) - 1 > MAX_ROWS:
            raise _fail(f"lembar {name}: lebih dari {MAX_ROWS} baris", f"sheet {name}: more than {MAX_ROWS} rows",
                        "too_many_rows")
        index = {c: header.index(c) for c in columns}
        records = []
        for number, cells in enumerate(rows[1:], start=2):
            record = {c: _cell(cells[i]) if i < len(cells) else None for c, i in index.items()}
            if all(v is None for v in record.values()):
                continue
            record["_row"] = number
            records.append(record)
        out[name] = records
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _level_of(code: str | None) -> int | None:
    if code is None:
        return None
    return {2: 3, 4: 4, 5: 5}.get(code.count("."))


class Resolver:
    """Finds the nomenclature item of a row: its code when that code is in the version and the names agree;
    otherwise the item of the same level whose name matches (the checker reports the disagreement)."""

    def __init__(self, version: NomenclatureVersion) -> None:
        self.items = list(NomenclatureItem.objects.filter(version=version))
        self.by_code = {i.code: i for i in self.items}

    def by_row(self, code_text: str | None, name: str, level: int | None, within: str = "") -> NomenclatureItem | None:
        code = canonical_code(code_text or "")
        level = level or _level_of(code)
        typed = self.by_code.get(code) if code else None
        if typed is not None and similar(name, typed.name) >= NAME_MATCH:
            return typed
        urusan = next((i.code for i in self.items if i.level == 1), "")
        if code and not typed:  # a spreadsheet fill that ran down the leading (urusan) digit
            repaired = self.by_code.get(".".join([urusan, *code.split(".")[1:]]))
            if repaired is not None and similar(name, repaired.name) >= NAME_MATCH:
                return repaired
        pools: list[tuple[str, float]] = [(within, NAME_MATCH)] if within else []
        if code and code.count(".") >= 2:
            rest = code.split(".")[1:]  # without the urusan digit, which a spreadsheet fill may have changed
            if level == 5 and code.split(".")[0] == urusan:
                # within the same kegiatan the closest name is taken more readily (not when the fill damaged
                # the code: it ran down the kegiatan digits too)
                pools.append(("." + ".".join(rest[:4]) + ".", SAME_PARENT_MATCH))
            pools.append(("." + ".".join(rest[:2]) + ".", NAME_MATCH))
        pools.append(("", NAME_MATCH))
        for prefix, threshold in pools:
            pool = [i for i in self.items if i.level == level and (not prefix or prefix in i.code + ".")]
            guess, score = best_by_name(name, pool)
            if guess is not None and score >= threshold:
                return guess
        return typed


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def import_workbook(*, actor: Any, source: bytes | Path, file_name: str = "") -> ImportReport:
    sheets = read_workbook(source)
    summary = {r["kunci"]: r["nilai"] for r in sheets["ringkasan"] if r.get("kunci")}
    report = ImportReport()
    absent = [k for k in REQUIRED_SUMMARY if summary.get(k) in (None, "")]
    if absent:
        raise _fail(f"ringkasan: {', '.join(absent)} wajib diisi", f"ringkasan: {', '.join(absent)} required",
                    "required")
    region_code = str(summary["wilayah"])
    services.ensure_planning(actor=actor, capability=Capability.PLANNING_EDIT, region_code=region_code)
    region = Region.objects.filter(code=region_code).first()
    version = NomenclatureVersion.objects.filter(code=str(summary["versi_nomenklatur"])).first()
    if region is None or version is None:
        raise _fail(f"wilayah {region_code} atau versi nomenklatur {summary['versi_nomenklatur']} tidak dikenal",
                    f"region {region_code} or nomenclature version {summary['versi_nomenklatur']} unknown", "unknown")
    year = int(summary["tahun"])
    organisation = str(summary["organisasi"])
    if SourceDocument.objects.filter(region=region, year=year, title=_text(summary.get("judul"))).exists():
        raise _fail(f"dokumen '{summary.get('judul')}' sudah diimpor", f"document '{summary.get('judul')}' was imported",
                    "duplicate")
    document = SourceDocument.objects.create(region=region, year=year, title=_text(summary.get("judul")) or file_name,
                                             nomenclature=version, stated=summary, imported_by=services.person(actor))
    report.document = document
    resolver = Resolver(version)
    rows: list[SourceRow] = []

    for r in sheets["evaluasi"]:
        code = canonical_code(_text(r["kode"]))
        item = resolver.by_row(_text(r["kode"]), _text(r["nama"]), _level_of(code))
        rows.append(SourceRow(
            document=document, table=SourceRow.Table.EVALUATION, row_number=r["_row"], code_text=_text(r["kode"]),
            item=item, level=_level_of(code) or (item.level if item else None), name=_text(r["nama"]),
            indicator=_text(r["indikator"]), unit=_text(r["satuan"]),
            figures={"source_line": r["baris_sumber"], "target_renstra": r["target_renstra"],
                     "realised_before": r["realisasi_sd_tahun_lalu"], "target_year": r["target_tahun"],
                     "realised_year": r["realisasi_tahun"], "target_next": r["target_tahun_berikut"]},
            stated={"rate_year": r["tingkat_realisasi"], "cumulative": r["realisasi_kumulatif"],
                    "rate_renstra": r["tingkat_capaian_renstra"]}))
        if code is None:
            report.add("evaluasi", r["_row"], "kode", f"kode '{r['kode']}' tidak terbaca",
                       f"code '{r['kode']}' is unreadable", "warning")

    programme = kegiatan = ""
    for r in sheets["anggaran"]:
        level = LEVELS.get(_text(r["tingkat"]))
        if level is None:
            report.add("anggaran", r["_row"], "tingkat", f"tingkat '{r['tingkat']}' tidak dikenal (program, kegiatan, "
                       "sub_kegiatan)", f"unknown level '{r['tingkat']}' (program, kegiatan, sub_kegiatan)")
            continue
        within = "" if level == 3 else programme if level == 4 else (kegiatan or programme)
        item = resolver.by_row(None, _text(r["nama"]), level, within)
        if item is not None and level == 3:
            programme, kegiatan = item.code, ""
        elif item is not None and level == 4:
            kegiatan = item.code
        if item is None:
            report.add("anggaran", r["_row"], "nama", f"'{_text(r['nama'])[:60]}' tidak cocok dengan butir nomenklatur",
                       f"'{_text(r['nama'])[:60]}' matches no nomenclature item", "warning")
        pagu, realised = num(r["pagu"]), num(r["realisasi"])
        rows.append(SourceRow(
            document=document, table=SourceRow.Table.BUDGET, row_number=r["_row"], code_text=item.code if item else "",
            item=item, level=level, name=_text(r["nama"]),
            figures={"source_line": r["baris_sumber"], "no": r["no"], "pagu": int(pagu) if pagu is not None else None,
                     "realised": int(realised) if realised is not None else None},
            stated={"rate": r["capaian"]}))

    plan = Plan.objects.filter(region=region, year=year, organisation=organisation).first()
    if plan is None:
        plan = services.plan_create(actor=actor, region_code=region_code, year=year, organisation=organisation,
                                    nomenclature=version)
    document.plan = plan
    document.save(update_fields=["plan"])
    report.plan = plan
    used: set[int] = set()
    for position, r in enumerate(sheets["rencana"], start=1):
        code = canonical_code(_text(r["kode"]))
        item = resolver.by_row(_text(r["kode"]), _text(r["nama"]), _level_of(code))
        rows.append(SourceRow(
            document=document, table=SourceRow.Table.PLAN, row_number=r["_row"], code_text=_text(r["kode"]),
            item=item, level=_level_of(code) or (item.level if item else None), name=_text(r["nama"]),
            indicator=_text(r["indikator"]), unit=_text(r["satuan"]),
            figures={"source_line": r["baris_sumber"], "target": r["target"], "pagu": r["pagu"],
                     "location": r["lokasi"], "fund": r["sumber_dana"], "target_next": r["target_berikut"],
                     "unit_next": r["satuan_berikut"], "pagu_next": r["pagu_berikut"]}))
        if item is None:
            report.add("rencana", r["_row"], "kode", f"kode '{r['kode']}' ({code}) tidak ada dalam nomenklatur "
                       f"{version.code} dan namanya tidak cocok: baris tidak masuk rencana",
                       f"code '{r['kode']}' ({code}) is not in nomenclature {version.code} and its name matches "
                       "nothing: the row is not in the plan")
            continue
        if item.pk in used:
            report.add("rencana", r["_row"], "kode", f"{item.code} sudah ada di baris sebelumnya: baris tidak masuk "
                       "rencana", f"{item.code} is already on an earlier row: the row is not in the plan")
            continue
        target, unit, note = r["target"], _text(r["satuan"]), _text(r["catatan"])
        if isinstance(target, str) and num(target) is None:
            note = f"target tertulis '{target}'" + (f"; {note}" if note else "")
            report.add("rencana", r["_row"], "target", f"target '{target}' bukan angka: disimpan sebagai catatan",
                       f"target '{target}' is not a number: kept as a note", "warning")
            target = None
        try:
            services.line_save(
                actor=actor, plan=plan, code=item.code, position=position, indicator=_text(r["indikator"]) or item.indicator,
                indicator_type=item.indicator_type, target=num(target), unit=unit, location=_text(r["lokasi"]),
                pagu=int(num(r["pagu"])) if num(r["pagu"]) is not None else None, fund_source=_text(r["sumber_dana"]),
                outlook_target=num(r["target_berikut"]) if not isinstance(r["target_berikut"], str)
                or num(r["target_berikut"]) is not None else None,
                outlook_pagu=int(num(r["pagu_berikut"])) if num(r["pagu_berikut"]) is not None else None, note=note,
                change_reason="impor" if plan.current_version.number > 1 else "")
        except ApplicationError as exc:
            errors = getattr(exc, "issues", None) or [Issue("error", "row", exc.message, exc.message)]
            for issue in errors:
                report.add("rencana", r["_row"], issue.field, issue.id, issue.en)
            continue
        used.add(item.pk)
        report.lines += 1
    SourceRow.objects.bulk_create(rows)
    report.rows = {t: sum(1 for r in rows if r.table == t) for t in SourceRow.Table.values}
    audit_record(actor=actor, action=A.RENJA_IMPORT, target=document, region_code=region_code, data={
        "file": file_name, "year": year, "rows": report.rows, "plan": plan.pk, "lines": report.lines,
        "issues": len(report.issues)})
    return report
