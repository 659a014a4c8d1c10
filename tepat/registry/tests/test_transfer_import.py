"""Importing SIKS-style files: messy CSV and XLSX written by the tests, row-level reports, upserts,
conflicts with the registry, scope, dry runs, and the command line."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command

from conftest import VILLAGE, make_kk, make_nik
from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.registry import choices as c
from tepat.registry.models import Family, ImportJob, Individual, KKNumberHistory, ProgramParticipation
from tepat.registry.services import family_remove
from tepat.registry.transfer.importer import import_summary, registry_import_run, registry_import_start
from tepat.registry.transfer.report import job_issues, render_report

HEADER = ["ID_DTKS", "PROVINSI", "KABUPATEN/KOTA", "KECAMATAN", "DESA/KELURAHAN", "KODE_WILAYAH", "ALAMAT", "RT",
          "RW", "NO_KK", "NIK", "NAMA", "JENIS KELAMIN", "TEMPAT_LAHIR", "TANGGAL_LAHIR", "HUBUNGAN_KELUARGA",
          "STATUS_KAWIN", "PEKERJAAN", "PKH", "BPNT", "PBI"]

KK1 = "3604051506150001"  # Kramatwatu, Kec. Kramatwatu, Kab. Serang
KK2 = "3673061201150002"  # Kel. Sayar, Kec. Taktakan, Kota Serang
KK3 = "3604270101160003"  # Desa Cemplang of Kec. Ciomas (another Cemplang lies in Kec. Jawilan)
KK5 = "3604050101170005"
HEAD1 = "3604051401800001"


def siks_row(**values) -> dict:
    row = dict.fromkeys(HEADER, "")
    row.update({"PROVINSI": "BANTEN", "KABUPATEN/KOTA": "KAB. SERANG", "KECAMATAN": "KEC. KRAMATWATU",
                "DESA/KELURAHAN": "DESA KRAMATWATU", "ALAMAT": "Kp. Kramat", "RT": "1", "RW": "2",
                "JENIS KELAMIN": "L", "TEMPAT_LAHIR": "Serang", "STATUS_KAWIN": "KAWIN", "PKH": "T", "BPNT": "T",
                "PBI": "T"})
    row.update(values)
    return row


# Each row: (label, values, expected rejection code or None). Row numbers: title 1, header 2, data from 3.
MESSY = [
    ("head1", siks_row(**{"ID_DTKS": "DTKS-1", "NO_KK": KK1, "NIK": "'" + HEAD1, "NAMA": "Budi Santoso",
                          "TANGGAL_LAHIR": "14-01-1980", "HUBUNGAN_KELUARGA": "KEPALA KELUARGA", "PKH": "Y"}), None),
    ("wife1", siks_row(**{"ID_DTKS": "DTKS-2", "KABUPATEN/KOTA": "Kabupaten Serang", "KECAMATAN": "Kramatwatu",
                          "DESA/KELURAHAN": "Kramatwatu", "NO_KK": KK1, "NIK": "3604 0561 0783 0002",
                          "NAMA": "Siti Aminah", "JENIS KELAMIN": "PEREMPUAN", "TANGGAL_LAHIR": "1983-07-21",
                          "HUBUNGAN_KELUARGA": "2", "STATUS_KAWIN": "2", "RT": "01", "RW": "002", "PKH": "Y"}), None),
    ("child1", siks_row(**{"PROVINSI": "banten", "KABUPATEN/KOTA": "kab serang", "KECAMATAN": "kramatwatu",
                           "DESA/KELURAHAN": "kramatwatu", "NO_KK": KK1, "NIK": "3604.0502.1110.0003",
                           "NAMA": "  Rizki   Pratama ", "TANGGAL_LAHIR": "02/11/2010", "HUBUNGAN_KELUARGA": "ANAK",
                           "STATUS_KAWIN": "BELUM KAWIN", "RT": "001"}), None),
    ("scientific", siks_row(**{"NO_KK": KK1, "NIK": "3,60405E+15", "NAMA": "Anak Dua", "TANGGAL_LAHIR": "01-01-2012",
                               "HUBUNGAN_KELUARGA": "ANAK"}), "spreadsheet_scientific"),
    ("head2", siks_row(**{"KABUPATEN/KOTA": "kota serang", "KECAMATAN": "KEC. TAKTAKAN", "DESA/KELURAHAN": "KEL. SAYAR",
                          "NO_KK": KK2, "NIK": "3673061203750001", "NAMA": "Dedi Kurniawan",
                          "TANGGAL_LAHIR": "27465", "HUBUNGAN_KELUARGA": "KEPALA KELUARGA"}), None),
    ("lost_digit", siks_row(**{"KABUPATEN/KOTA": "kota serang", "KECAMATAN": "KEC. TAKTAKAN",
                               "DESA/KELURAHAN": "KEL. SAYAR", "NO_KK": KK2, "NIK": "367306520378000",
                               "NAMA": "Nia", "JENIS KELAMIN": "P", "TANGGAL_LAHIR": "12-03-1978",
                               "HUBUNGAN_KELUARGA": "ISTRI"}), "length"),
    ("cemplang", siks_row(**{"KECAMATAN": "KEC. CIOMAS", "DESA/KELURAHAN": "DESA CEMPLANG", "NO_KK": KK3,
                             "NIK": "3604270505700001", "NAMA": "Asep", "TANGGAL_LAHIR": "05-05-1970",
                             "HUBUNGAN_KELUARGA": "KEPALA KELUARGA"}), None),
    # The numbers point to neither Cemplang (Kec. Kramatwatu): still ambiguous.
    ("ambiguous", siks_row(**{"KECAMATAN": "", "DESA/KELURAHAN": "CEMPLANG", "NO_KK": "3604050101160009",
                              "NIK": "3604050505700009", "NAMA": "Ujang", "TANGGAL_LAHIR": "05-05-1970",
                              "HUBUNGAN_KELUARGA": "KEPALA KELUARGA"}), "region_ambiguous"),
    ("unknown_village", siks_row(**{"DESA/KELURAHAN": "DESA ANTAH BERANTAH", "NO_KK": "3604050101170007",
                                    "NIK": "3604050606600007", "NAMA": "Entah", "TANGGAL_LAHIR": "06-06-1960",
                                    "HUBUNGAN_KELUARGA": "1"}), "region_not_found"),
    ("empty_kk", siks_row(**{"NO_KK": "", "NIK": "3604050707650008", "NAMA": "Tanpa KK", "TANGGAL_LAHIR": "07-07-1965",
                             "HUBUNGAN_KELUARGA": "1"}), "required"),
    ("blank", dict.fromkeys(HEADER, ""), "blank"),
    ("two_heads_a", siks_row(**{"NO_KK": KK5, "NIK": "3604050808600010", "NAMA": "Kepala Satu",
                                "TANGGAL_LAHIR": "08-08-1960", "HUBUNGAN_KELUARGA": "KEPALA KELUARGA"}), "second_head"),
    ("two_heads_b", siks_row(**{"NO_KK": KK5, "NIK": "3604050909610011", "NAMA": "Kepala Dua",
                                "TANGGAL_LAHIR": "09-09-1961", "HUBUNGAN_KELUARGA": "KK"}), "second_head"),
    ("two_heads_child", siks_row(**{"NO_KK": KK5, "NIK": "3604051010050012", "NAMA": "Anak Mereka",
                                    "TANGGAL_LAHIR": "10-10-2005", "HUBUNGAN_KELUARGA": "ANAK",
                                    "STATUS_KAWIN": "BELUM KAWIN"}), None),
    ("duplicate_nik", siks_row(**{"NO_KK": "3604050101170013", "NIK": HEAD1, "NAMA": "Budi Lagi",
                                  "TANGGAL_LAHIR": "14-01-1980", "HUBUNGAN_KELUARGA": "1"}), "nik_duplicate_in_file"),
    ("mismatch_warning", siks_row(**{"KODE_WILAYAH": "3604052002", "DESA/KELURAHAN": "", "NO_KK": "3604050101170014",
                                     "NIK": "3604054101900004", "NAMA": "Ibu Tua", "JENIS KELAMIN": "P",
                                     "TANGGAL_LAHIR": "09-12-1987", "HUBUNGAN_KELUARGA": "1"}), None),
    ("future", siks_row(**{"NO_KK": "3604050101170015", "NIK": "3604050101300015", "NAMA": "Belum Lahir",
                           "TANGGAL_LAHIR": "01-01-2130", "HUBUNGAN_KELUARGA": "1"}), "future"),
    ("bad_sex", siks_row(**{"NO_KK": "3604050101170016", "NIK": "3604050202620016", "NAMA": "Tak Jelas",
                            "JENIS KELAMIN": "X", "TANGGAL_LAHIR": "02-02-1962", "HUBUNGAN_KELUARGA": "1"}), "choice"),
]


def csv_bytes(rows: list[dict], *, sep: str = ";", bom: bool = True, crlf: bool = True, title: bool = True) -> bytes:
    eol = "\r\n" if crlf else "\n"
    lines = ["DATA DTKS KABUPATEN SERANG"] if title else []
    lines.append(sep.join(HEADER))
    lines += [sep.join(row[h] for h in HEADER) for row in rows]
    text = eol.join(lines) + eol
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def run(path: Path, actor=SYSTEM, **options):
    job = registry_import_start(actor=actor, source=path, **options)
    job = registry_import_run(actor=actor, job_id=job.pk)
    return job, import_summary(job)


def registry_state() -> dict:
    return {
        "families": sorted(Family.objects.values_list("kk_number", "region_id", "rt", "rw", "address", "status")),
        "individuals": sorted(Individual.objects.values_list(
            "nik", "name", "name_key", "sex", "birth_date", "relation", "marital_status", "occupation",
            "external_id", "family__kk_number", "presence")),
        "programs": sorted(ProgramParticipation.objects.values_list("family__kk_number", "program")),
        "history": KKNumberHistory.objects.count(),
    }


@pytest.fixture
def messy_csv(tmp_path, db):
    path = tmp_path / "dtks.csv"
    path.write_bytes(csv_bytes([values for _, values, _ in MESSY]))
    return path


def expected_rejections() -> dict[int, str]:
    return {i + 3: code for i, (_, _, code) in enumerate(MESSY) if code not in (None, "blank")}


def test_messy_csv_accepts_good_rows_and_reports_every_bad_one(messy_csv):
    job, summary = run(messy_csv)
    rejected = expected_rejections()
    accepted = [i + 3 for i, (_, _, code) in enumerate(MESSY) if code is None]
    assert summary["rows_blank"] == 1
    assert summary["rows_read"] == len(MESSY) - 1
    assert summary["rows_read"] == summary["rows_accepted"] + summary["rows_rejected"]
    assert summary["rows_accepted"] == len(accepted)
    assert summary["rows_rejected"] == len(rejected)
    errors = {}
    for issue in job.issues.filter(severity="error"):
        errors.setdefault(issue.row, set()).add(issue.code)
    assert errors == {row: {code} for row, code in rejected.items()}
    # Every issue names its column and value and says why in both languages.
    scientific = job.issues.get(code="spreadsheet_scientific")
    assert (scientific.row, scientific.column, scientific.value) == (6, "NIK", "3,60405E+15")
    assert "notasi ilmiah" in scientific.message_id and "scientific notation" in scientific.message_en
    assert job.issues.get(code="region_ambiguous").column == "DESA/KELURAHAN"
    assert "baris 3" in job.issues.get(code="nik_duplicate_in_file").message_id
    warning = job.issues.get(code="birth_date_differs")
    assert warning.severity == "warning" and warning.row == 3 + [m[0] for m in MESSY].index("mismatch_warning")

    head = Individual.objects.get(nik=HEAD1)
    assert (head.name, head.external_id, head.birth_date, head.family.kk_number) == (
        "Budi Santoso", "DTKS-1", date(1980, 1, 14), KK1)
    assert head.family.region_id == VILLAGE and head.family.rt == "001" and head.family.rw == "002"
    assert Individual.objects.get(nik="3604056107830002").sex == c.Sex.FEMALE
    child = Individual.objects.get(nik="3604050211100003")
    assert (child.name, child.name_key, child.birth_date) == ("Rizki Pratama", "riski pratama", date(2010, 11, 2))
    assert Individual.objects.get(nik="3673061203750001").birth_date == date(1975, 3, 12)  # Excel serial
    assert Family.objects.get(kk_number=KK2).region_id == "36.73.06.1002"
    assert Family.objects.get(kk_number=KK3).region_id == "36.04.27.2008"  # Cemplang of Kec. Ciomas
    assert Family.objects.get(kk_number="3604050101170014").region_id == "36.04.05.2002"  # by 10-digit code
    flagged = Individual.objects.get(nik="3604054101900004")
    assert [w["code"] for w in flagged.validation_warnings] == ["birth_date_differs"]
    # Two heads in one KK: neither is taken, the child is.
    assert list(Individual.objects.filter(family__kk_number=KK5).values_list("name", flat=True)) == ["Anak Mereka"]
    assert list(ProgramParticipation.objects.values_list("family__kk_number", "program")) == [(KK1, "pkh")]
    assert KKNumberHistory.objects.filter(kk_number=KK1, reason="import").count() == 1
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (ImportJob.Status.DONE, job.rows_total, len(MESSY) - 1)
    assert audit_verify().ok


JOB_ACTIONS = {"registry.import_start", "registry.import_finish"}


def test_reimporting_the_same_file_changes_nothing_and_says_so(messy_csv):
    run(messy_csv)
    before, events = registry_state(), AuditEvent.objects.count()
    job, summary = run(messy_csv)
    assert job.pk is not None
    assert summary["changed"] is False and summary["message"].startswith("Tidak ada perubahan")
    assert summary["families_created"] == summary["families_updated"] == 0
    assert summary["individuals_created"] == summary["individuals_updated"] == summary["programs_added"] == 0
    assert summary["individuals_unchanged"] == summary["rows_accepted"]
    assert registry_state() == before
    # no record without a change: only the job's own status moves (ADR 0014)
    assert set(AuditEvent.objects.order_by("seq")[events:].values_list("action", flat=True)) <= JOB_ACTIONS


def test_every_separator_encoding_and_line_ending_reads_the_same(tmp_path, db):
    rows = [values for _, values, code in MESSY if code is None]
    outcomes = []
    for i, (sep, bom, crlf, title) in enumerate([(";", True, True, True), (",", False, False, False),
                                                 ("\t", True, False, True)]):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(csv_bytes(rows, sep=sep, bom=bom, crlf=crlf, title=title))
        job = registry_import_start(actor=SYSTEM, source=path, dry_run=True)
        summary = import_summary(registry_import_run(actor=SYSTEM, job_id=job.pk))
        outcomes.append((summary["rows_read"], summary["rows_accepted"], summary["individuals_created"]))
    assert outcomes == [(len(rows), len(rows), len(rows))] * 3


def test_windows_1252_file_is_read(tmp_path, db):
    row = siks_row(**{"NO_KK": KK1, "NIK": HEAD1, "NAMA": "José Ñoño", "TANGGAL_LAHIR": "14-01-1980",
                      "HUBUNGAN_KELUARGA": "1"})
    path = tmp_path / "ansi.csv"
    path.write_bytes(csv_bytes([row], bom=False).decode("utf-8").encode("cp1252"))
    job, summary = run(path)
    assert summary["rows_accepted"] == 1
    assert Individual.objects.get(nik=HEAD1).name == "José Ñoño"
    assert "encoding=cp1252" in job.counts["notes"]


def test_messy_xlsx_reads_text_numbers_and_dates(tmp_path, db):
    path = tmp_path / "dtks.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("DTKS")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, "Rekap DTKS Kabupaten Serang")
    sheet.write_row(2, 0, ["NO_KK", "NIK", "NAMA", "JK", "TGL_LAHIR", "SHDK", "KECAMATAN", "DESA", "RT", "RW"])
    # Row 4: NIK typed as text; date as a real date cell; RT as a number.
    sheet.write_string(3, 0, KK1)
    sheet.write_string(3, 1, HEAD1)
    sheet.write_row(3, 2, ["Budi", "L"])
    sheet.write_datetime(3, 4, date(1980, 1, 14), date_format)
    sheet.write_row(3, 5, ["KEPALA KELUARGA", "Kramatwatu", "Kramatwatu"])
    sheet.write_number(3, 8, 1)
    sheet.write_number(3, 9, 2)
    # Row 5: NIK stored as a number: 15 significant digits kept, the last became 0.
    sheet.write_string(4, 0, KK1)
    sheet.write_number(4, 1, 3604056107830000)
    sheet.write_row(4, 2, ["Siti", "P"])
    sheet.write_number(4, 4, 30518)  # Excel serial of 21-07-1983
    sheet.write_row(4, 5, ["ISTRI", "Kramatwatu", "Kramatwatu"])
    # Row 6: NIK as a number that kept every digit is accepted (it does not end in 0).
    sheet.write_number(5, 0, 3604051506150001)
    sheet.write_number(5, 1, 3604050211100003)
    sheet.write_row(5, 2, ["Rizki", "L", "2010-11-02", "ANAK", "Kramatwatu", "Kramatwatu"])
    book.close()
    job, summary = run(path)
    assert summary["rows_read"] == 3 and summary["rows_accepted"] == 2
    issue = job.issues.get(severity="error")
    assert (issue.row, issue.column, issue.code) == (5, "NIK", "spreadsheet_precision")
    assert issue.value == "3604056107830000"
    family = Family.objects.get(kk_number=KK1)
    assert (family.rt, family.rw) == ("001", "002")
    assert Individual.objects.get(nik=HEAD1).birth_date == date(1980, 1, 14)
    assert Individual.objects.get(nik="3604050211100003").family == family


def test_changed_values_update_the_registry_with_an_audit_of_the_fields(messy_csv, tmp_path):
    run(messy_csv)
    changed = [values.copy() for _, values, code in MESSY if code is None]
    changed[0]["NAMA"] = "Budi Santosa"
    changed[0]["PEKERJAAN"] = "NELAYAN"
    changed[1]["ALAMAT"] = "Kp. Baru"  # not the head's row: the family keeps the head's address
    changed[0]["ALAMAT"] = "Kp. Kramat Baru"
    path = tmp_path / "changed.csv"
    path.write_bytes(csv_bytes(changed))
    job, summary = run(path)
    assert summary["individuals_updated"] == 1 and summary["families_updated"] == 1
    assert summary["individuals_created"] == summary["families_created"] == 0
    head = Individual.objects.get(nik=HEAD1)
    assert (head.name, head.name_key, head.occupation) == ("Budi Santosa", "budi santosa", "NELAYAN")
    assert Family.objects.get(kk_number=KK1).address == "Kp. Kramat Baru"
    # The other rows of the KK still say the old address: warned, the head's row wins.
    assert set(job.issues.filter(code="family_value_differs").values_list("row", "severity")) == {
        (4, "warning"), (5, "warning")}
    event = AuditEvent.objects.filter(action="registry.import_batch").order_by("-seq").first()
    assert event.region_code == VILLAGE and event.actor_label == "system"
    assert event.target_id == str(job.pk)
    (change,) = event.data["individuals_updated"].values()
    assert change["nik"] == HEAD1[:6] + "*" * 10  # masked at the write side
    assert change["changes"]["name"] == {"before": "Budi Santoso", "after": "Budi Santosa"}
    assert change["changes"]["occupation"] == {"before": "", "after": "NELAYAN"}
    (family_change,) = event.data["families_updated"].values()
    assert family_change["changes"] == {"address": {"before": "Kp. Kramat", "after": "Kp. Kramat Baru"}}
    assert audit_verify().ok


def test_conflicts_with_the_registry_are_reported_not_overwritten(family, other_village_family, dinsos_operator,
                                                                 tmp_path):
    head = family.members.get(relation=c.Relation.HEAD)
    other_head = other_village_family.members.get()
    removed = other_village_family
    family_remove(correction_reason="koreksi uji", actor=dinsos_operator, family=removed, reason="moved")
    rows = [
        # A NIK active in another family (the fixture family's head) under a new KK.
        siks_row(**{"NO_KK": make_kk(), "NIK": head.nik, "NAMA": "Budi Pindah", "TANGGAL_LAHIR": "05-01-1980",
                    "HUBUNGAN_KELUARGA": "1"}),
        # A second head for the fixture family, whose head stays.
        siks_row(**{"NO_KK": family.kk_number, "NIK": make_nik(born=date(1979, 2, 3)), "NAMA": "Kepala Baru",
                    "TANGGAL_LAHIR": "03-02-1979", "HUBUNGAN_KELUARGA": "KEPALA KELUARGA"}),
        # A new member for the fixture family: accepted.
        siks_row(**{"NO_KK": family.kk_number, "NIK": make_nik(born=date(2015, 5, 5)), "NAMA": "Anak Baru",
                    "TANGGAL_LAHIR": "05-05-2015", "HUBUNGAN_KELUARGA": "ANAK", "STATUS_KAWIN": "1"}),
        # The KK of a removed family: not restored.
        siks_row(**{"DESA/KELURAHAN": "DESA MARGASANA", "NO_KK": removed.kk_number, "NIK": other_head.nik,
                    "NAMA": "Dedi", "TANGGAL_LAHIR": "09-04-1975", "HUBUNGAN_KELUARGA": "1"}),
        # The fixture family's KK in another village: a family is not moved by an import.
        siks_row(**{"DESA/KELURAHAN": "DESA PEJATEN", "NO_KK": family.kk_number,
                    "NIK": make_nik(born=date(1990, 6, 6)), "NAMA": "Salah Desa", "TANGGAL_LAHIR": "06-06-1990",
                    "HUBUNGAN_KELUARGA": "ANAK"}),
    ]
    path = tmp_path / "conflicts.csv"
    path.write_bytes(csv_bytes(rows, title=False))
    before_head = (head.name, head.family_id)
    job, summary = run(path)
    codes = dict(job.issues.filter(severity="error").values_list("row", "code"))
    assert codes[2] == "nik_in_other_family" and codes[3] == "second_head" and codes[5] == "family_removed"
    assert codes[6] in ("kk_region_conflict", "kk_other_region")
    assert 4 not in codes
    assert family.kk_number in job.issues.get(row=2).message_id
    head.refresh_from_db()
    assert (head.name, head.family_id) == before_head
    assert family.members.filter(relation=c.Relation.HEAD).count() == 1
    assert family.members.filter(name="Anak Baru").exists()
    removed.refresh_from_db()
    assert removed.status == c.FamilyStatus.REMOVED
    assert summary["rows_read"] == summary["rows_accepted"] + summary["rows_rejected"] == 5


def test_kk_registered_in_another_village_is_a_conflict(family, tmp_path):
    rows = [siks_row(**{"DESA/KELURAHAN": "DESA PEJATEN", "NO_KK": family.kk_number,
                        "NIK": make_nik(born=date(1990, 6, 6)), "NAMA": "Salah Desa", "TANGGAL_LAHIR": "06-06-1990",
                        "HUBUNGAN_KELUARGA": "1"})]
    path = tmp_path / "moved.csv"
    path.write_bytes(csv_bytes(rows))
    job, summary = run(path)
    issue = job.issues.get()
    assert issue.code == "kk_other_region" and VILLAGE in issue.message_id
    assert summary["rows_rejected"] == 1 and Family.objects.filter(kk_number=family.kk_number).count() == 1


def test_dry_run_counts_but_changes_nothing(messy_csv):
    before, events = registry_state(), AuditEvent.objects.count()
    job, summary = run(messy_csv, dry_run=True)
    assert summary["dry_run"] is True and summary["individuals_created"] == summary["rows_accepted"] > 0
    assert registry_state() == before
    assert set(AuditEvent.objects.order_by("seq")[events:].values_list("action", flat=True)) <= JOB_ACTIONS
    assert job.issues.filter(severity="error").count() == len(expected_rejections())


def test_an_operator_imports_only_inside_their_district(other_dinsos_operator, messy_csv):
    job, summary = run(messy_csv, actor=other_dinsos_operator)
    outside = set(job.issues.filter(code="out_of_scope").values_list("row", flat=True))
    assert outside  # the Kabupaten Serang rows are outside Kota Serang
    assert not Family.objects.exclude(region__code__startswith="36.73").exists()
    assert summary["rows_read"] == summary["rows_accepted"] + summary["rows_rejected"]
    event = AuditEvent.objects.filter(action="registry.import").get()
    assert event.actor_label == other_dinsos_operator.username


def test_region_limit(dinsos_operator, messy_csv):
    job, _ = run(messy_csv, actor=dinsos_operator, region_code="36.04.05")
    assert set(Family.objects.values_list("region_id", flat=True)) == {VILLAGE, "36.04.05.2002"}
    assert job.issues.filter(code="out_of_scope").exists()


@pytest.mark.parametrize(("fixture", "error"), [
    ("village_operator", PermissionDeniedError),  # village roles propose; no bulk writes
    ("facilitator", PermissionDeniedError),  # may see, may not change the registry
    ("auditor", PermissionDeniedError),
])
def test_roles_without_registry_import_are_refused(request, fixture, error, messy_csv):
    actor = request.getfixturevalue(fixture)
    before = registry_state()
    with pytest.raises(error):
        registry_import_start(actor=actor, source=messy_csv)
    assert registry_state() == before and not ImportJob.objects.exists()


def test_region_outside_scope_looks_like_not_found(other_dinsos_operator, messy_csv):
    with pytest.raises(ObjectNotFound):
        registry_import_start(actor=other_dinsos_operator, source=messy_csv, region_code="36.04")
    assert not ImportJob.objects.exists()


def test_unassigned_operator_changes_nothing(unassigned_operator, messy_csv):
    before = registry_state()
    _, summary = run(messy_csv, actor=unassigned_operator)
    assert summary["rows_accepted"] == 0 and registry_state() == before


def test_another_actor_cannot_run_someone_elses_job(dinsos_operator, other_dinsos_operator, messy_csv):
    job = registry_import_start(actor=dinsos_operator, source=messy_csv)
    with pytest.raises(ObjectNotFound):
        registry_import_run(actor=other_dinsos_operator, job_id=job.pk)
    assert not Family.objects.exists()


def test_upload_bytes_program_flags_and_kept_participations(family, tmp_path, db):
    ProgramParticipation.objects.create(family=family, program="bpnt")
    head = family.members.get(relation=c.Relation.HEAD)
    row = siks_row(**{"NO_KK": family.kk_number, "NIK": head.nik, "NAMA": head.name, "JENIS KELAMIN": "L",
                      "TANGGAL_LAHIR": head.birth_date.strftime("%d-%m-%Y"), "HUBUNGAN_KELUARGA": "1",
                      "RT": family.rt, "RW": family.rw, "ALAMAT": family.address, "PKH": "YA", "BPNT": "T",
                      "PBI": "maybe"})
    job = registry_import_start(actor=SYSTEM, source=csv_bytes([row]), file_name="upload.csv")
    assert job.file_stored
    job = registry_import_run(actor=SYSTEM, job_id=job.pk)
    assert job.issues.get(severity="error").code == "flag"  # PBI 'maybe'
    row["PBI"] = "T"
    job = registry_import_start(actor=SYSTEM, source=csv_bytes([row]), file_name="upload.csv")
    job = registry_import_run(actor=SYSTEM, job_id=job.pk)
    assert set(family.programs.values_list("program", flat=True)) == {"pkh", "bpnt"}  # BPNT kept
    assert job.issues.get(code="program_not_ended").severity == "warning"


def test_mapping_file_and_value_spellings(tmp_path, db):
    path = tmp_path / "own.csv"
    path.write_text(
        "Nomor Kartu Keluarga,NIK,Nama Anggota,JK,Tgl Lahir,Hubungan,Kode Desa\n"
        f"{KK1},{HEAD1},Budi,L,14-01-1980,KEPALA,36.04.05.2001\n"
        f"{KK1},3604056107830002,Siti,P,21-07-1983,ISTRI SIRI,36.04.05.2001\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"Nomor Kartu Keluarga" = "NO_KK"\n"Nama Anggota" = "NAMA"\n'
                       '"Hubungan" = "relation"\n"Kode Desa" = "KODE_WILAYAH"\n'
                       '[values.relation]\n"ISTRI SIRI" = 2\n', encoding="utf-8")
    out = io.StringIO()
    call_command("import-registry", str(path), "--mapping", str(mapping), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["rows_accepted"] == 2
    assert Individual.objects.get(nik="3604056107830002").relation == c.Relation.SPOUSE


def test_command_prints_one_json_object_and_writes_reports(messy_csv, tmp_path):
    out = io.StringIO()
    call_command("import-registry", str(messy_csv), "--json", "--report", str(tmp_path / "r.xlsx"), stdout=out)
    text = out.getvalue().strip()
    summary = json.loads(text)
    assert text.count("\n") == 0
    for key in ("rows_read", "families_created", "families_updated", "families_unchanged", "individuals_created",
                "individuals_updated", "individuals_unchanged", "rows_rejected", "warnings", "seconds"):
        assert key in summary
    job = ImportJob.objects.get(pk=summary["job"])
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Masalah").to_python()
    assert sheet[0][0] == "Baris / Row"
    assert {int(r[0]) for r in sheet[1:] if r[3].startswith("DITOLAK")} == set(expected_rejections())
    csv_report = render_report(job, "csv").decode("utf-8-sig")
    assert csv_report.splitlines()[0].startswith("Baris / Row;")
    assert len(csv_report.splitlines()) == job_issues(job).height + 1
    out = io.StringIO()
    call_command("import-registry", str(messy_csv), stdout=out)
    assert "Tidak ada perubahan / No changes" in out.getvalue()


def test_command_reports_a_file_it_cannot_use(tmp_path, db):
    path = tmp_path / "wrong.csv"
    path.write_text("NIK;NAMA\n3604051401800001;Budi\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import-registry", str(path), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "failed" and "NO_KK" in summary["error"]
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_a_failed_batch_is_rolled_back_and_the_rerun_continues(messy_csv, monkeypatch, tmp_path):
    from tepat.registry.transfer import importer

    original = importer.apply_batch
    calls = {"n": 0}

    def failing(ctx, batch_no, *args, **kwargs):
        calls["n"] += 1
        outcome = original(ctx, batch_no, *args, **kwargs)
        if batch_no == 2:
            raise RuntimeError("disk full")
        return outcome

    monkeypatch.setattr(importer, "apply_batch", failing)
    job = registry_import_start(actor=SYSTEM, source=messy_csv, batch_rows=2)
    with pytest.raises(RuntimeError):
        registry_import_run(actor=SYSTEM, job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.batches_done) == (ImportJob.Status.FAILED, 2)
    monkeypatch.setattr(importer, "apply_batch", original)
    again = registry_import_start(actor=SYSTEM, source=messy_csv, batch_rows=2)
    assert again.pk == job.pk
    resumed = import_summary(registry_import_run(actor=SYSTEM, job_id=job.pk))
    interrupted_state = registry_state()
    interrupted_issues = list(job.issues.order_by("row", "code").values_list("row", "code", "severity"))

    for model in (ProgramParticipation, KKNumberHistory, Individual):
        model.objects.all().delete()
    Family.objects.all().delete()
    fresh_job = registry_import_start(actor=SYSTEM, source=messy_csv, batch_rows=2, resume=False)
    fresh = import_summary(registry_import_run(actor=SYSTEM, job_id=fresh_job.pk))
    assert registry_state() == interrupted_state
    assert list(fresh_job.issues.order_by("row", "code").values_list("row", "code", "severity")) == interrupted_issues
    for key in ("rows_read", "rows_accepted", "rows_rejected", "warnings", "families_created", "individuals_created",
                "programs_added"):
        assert resumed[key] == fresh[key], key
    assert audit_verify().ok


def test_background_task_runs_the_job(dinsos_operator, messy_csv):
    from tepat.registry.tasks import registry_import_task

    job = registry_import_start(actor=dinsos_operator, source=messy_csv)
    result = registry_import_task.enqueue(job_id=str(job.pk), actor_id=dinsos_operator.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.progress == 1.0
    assert result.return_value["individuals_created"] == job.counts["individuals_created"] > 0


def test_batch_events_name_every_created_family_and_member(messy_csv):
    job, _ = run(messy_csv)
    events = AuditEvent.objects.filter(action="registry.import_batch", target_id=str(job.pk))
    created = " ".join(e.data.get("families_created", "") for e in events)
    # Named by internal id with the member count; no KK number or NIK in clear (ADR 0008).
    for family in Family.objects.all():
        assert f"{family.pk} {family.members.count()}" in created
        assert family.kk_number not in created
    for nik in Individual.objects.values_list("nik", flat=True):
        assert nik not in created
    assert {e.region_code for e in events} == set(Family.objects.values_list("region_id", flat=True))
    summary_event = AuditEvent.objects.get(action="registry.import", target_id=str(job.pk))
    assert summary_event.data["individuals_created"] == Individual.objects.count()


def test_unsupported_file_type_is_refused(tmp_path, db):
    from tepat.core.exceptions import ValidationFailed

    path = tmp_path / "dtks.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(ValidationFailed) as caught:
        registry_import_start(actor=SYSTEM, source=path)
    assert caught.value.issues[0].code == "file_type"
    assert not ImportJob.objects.exists()


def test_jobs_are_seen_by_the_person_who_started_them(dinsos_operator, other_dinsos_operator, messy_csv):
    from tepat.registry.transfer.selectors import access_import_job, import_job_issues, import_jobs_of

    job, _ = run(messy_csv, actor=dinsos_operator)
    assert access_import_job(actor=dinsos_operator, job_id=job.pk) == job
    assert list(import_jobs_of(actor=dinsos_operator)) == [job]
    assert import_job_issues(actor=dinsos_operator, job_id=job.pk, severity="warning").count() >= 1
    with pytest.raises(ObjectNotFound):
        access_import_job(actor=other_dinsos_operator, job_id=job.pk)
    with pytest.raises(ObjectNotFound):
        access_import_job(actor=dinsos_operator, job_id="not-a-uuid")
