"""Bulk creation of users from a small spreadsheet (CSV or XLSX), with a row-level bilingual report.

One row per user: username, full name, role, region code(s) (separated by `;`, `,` or spaces), email
(optional). Semantics: every valid row is created, every invalid row is reported (row, column, reason in
Indonesian and English), nothing is dropped silently. A row whose username already exists with the same
role and regions is "already there" (a rerun creates nothing and reports each row so); a different existing
user under that name is an error. Each created user gets a generated initial password, returned once in the
result (never stored in clear, never in the audit trail).

Files are small by design and read inside the request, bounded before any parser sees them:
`TEPAT_USER_BULK_MAX_BYTES` for the upload, and for XLSX the archive's decompressed size and every sheet's
declared and actual extent (rows × columns) are checked by streaming the XML first, so a workbook that
claims a cell at XFD1048576 is refused before calamine would allocate it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from tepat.accounts.access import ensure_capability
from tepat.accounts.models import RegionAssignment, User
from tepat.accounts.roles import Capability, Role
from tepat.accounts.services import generate_password, role_and_region_issues
from tepat.audit.actions import AuditAction
from tepat.audit.services import PendingEvent, audit_record_many
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue

MAX_COLUMNS = 20
MAX_CELL = 300  # characters kept from a cell in a message
XLSX_MAX_UNPACKED = 4 * 1024 * 1024
XLSX_MAX_MEMBERS = 200

# Accepted headers (lower-cased, spaces/dashes as underscores) → field.
HEADERS = {
    "username": "username", "nama_pengguna": "username", "pengguna": "username",
    "full_name": "full_name", "name": "full_name", "nama": "full_name", "nama_lengkap": "full_name",
    "role": "role", "peran": "role",
    "regions": "regions", "region": "regions", "region_codes": "regions", "wilayah": "regions",
    "kode_wilayah": "regions",
    "email": "email", "surel": "email", "e_mail": "email",
}
TEMPLATE_HEADERS = ("username", "full_name", "role", "regions", "email")
REQUIRED = ("username", "full_name", "role", "regions")
_LABEL = {"username": "username", "full_name": "full_name", "role": "role", "regions": "regions", "email": "email"}
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


def _refuse(code: str, text_id: str, text_en: str, field_name: str = "file") -> ValidationFailed:
    return ValidationFailed([Issue(code, field_name, text_id, text_en)])


def max_rows() -> int:
    return int(getattr(settings, "TEPAT_USER_BULK_MAX_ROWS", 100))


def max_bytes() -> int:
    return int(getattr(settings, "TEPAT_USER_BULK_MAX_BYTES", 256 * 1024))


# --- reading ---------------------------------------------------------------------------------------------


def read_rows(content: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for every row, the header first. Refuses what is too big."""
    if len(content) > max_bytes():
        raise _refuse("file_too_large",
                      f"Berkas terlalu besar: {len(content)} byte (batas {max_bytes()} byte)",
                      f"File too large: {len(content)} bytes (limit {max_bytes()} bytes)")
    if not content:
        raise _refuse("file_empty", "Berkas kosong", "The file is empty")
    name = file_name.lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(content)
    else:
        raise _refuse("file_type", "Jenis berkas tidak didukung: gunakan CSV atau XLSX",
                      "Unsupported file type: use CSV or XLSX")
    if len(rows) > max_rows() + 1:
        raise _refuse("too_many_rows", f"Terlalu banyak baris: {len(rows) - 1} (batas {max_rows()})",
                      f"Too many rows: {len(rows) - 1} (limit {max_rows()})")
    return rows


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _refuse("encoding", f"Baris {line}: berkas bukan UTF-8", f"Line {line}: the file is not UTF-8") from None
    if "\x00" in text:
        raise _refuse("nul_byte", "Berkas berisi karakter NUL", "The file contains NUL characters")
    lines = text.splitlines()
    if len(lines) > max_rows() + 1:
        raise _refuse("too_many_rows", f"Terlalu banyak baris: {len(lines) - 1} (batas {max_rows()})",
                      f"Too many rows: {len(lines) - 1} (limit {max_rows()})")
    delimiter = max((",", ";", "\t"), key=lambda d: lines[0].count(d)) if lines else ","
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            if len(cells) > MAX_COLUMNS:
                raise _refuse("too_many_columns", f"Baris {number}: terlalu banyak kolom ({len(cells)})",
                              f"Row {number}: too many columns ({len(cells)})")
            rows.append((number, [c.strip() for c in cells]))
    except csv.Error:
        number = reader.line_num
        raise _refuse("csv_syntax", f"Baris {number}: tanda kutip tidak tertutup atau format CSV rusak",
                      f"Row {number}: unclosed quote or broken CSV format") from None
    return rows


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _check_workbook(content: bytes) -> None:
    """Bound the workbook before calamine reads it: member count, decompressed size, sheet extent."""
    too_big = _refuse("workbook_too_large",
                      f"Buku kerja terlalu besar atau rusak (batas {max_rows()} baris × {MAX_COLUMNS} kolom)",
                      f"Workbook too large or damaged (limit {max_rows()} rows × {MAX_COLUMNS} columns)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("xlsx_broken", "Berkas XLSX rusak", "The XLSX file is damaged") from None
    if len(members) > XLSX_MAX_MEMBERS or sum(m.file_size for m in members) > XLSX_MAX_UNPACKED:
        raise too_big
    for member in members:
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        rows = cols = 0
        row_number = column = 0
        try:
            with archive.open(member) as stream:
                limited = _Limited(stream, XLSX_MAX_UNPACKED)
                for _event, element in iterparse(limited, events=("start",)):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if tag == "dimension":
                        for ref in (element.get("ref") or "").split(":"):
                            match = _CELL_REF.match(ref.replace("$", ""))
                            if match:
                                rows = max(rows, int(match.group(2)))
                                cols = max(cols, _column_number(match.group(1)))
                    elif tag == "row":
                        row_number = int(element.get("r") or row_number + 1)
                        rows = max(rows, row_number)
                        column = 0
                    elif tag == "c":
                        match = _CELL_REF.match(element.get("r") or "")
                        column = _column_number(match.group(1)) if match else column + 1
                        if match:
                            rows = max(rows, int(match.group(2)))
                        cols = max(cols, column)
                    if rows > max_rows() + 1 or cols > MAX_COLUMNS:
                        raise too_big
                    element.clear()
        except ValidationFailed:
            raise
        except Exception:
            raise _refuse("xlsx_broken", "Berkas XLSX rusak", "The XLSX file is damaged") from None


class _Limited(io.RawIOBase):
    """A stream that refuses to yield more than `limit` bytes (the zip header may lie about sizes)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.left = stream, limit

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(min(size if size >= 0 else self.left + 1, self.left + 1))
        self.left -= len(chunk)
        if self.left < 0:
            raise ValueError("too large")
        return chunk


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    _check_workbook(content)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        # Bounded above, so the sheet may be read from A1: row numbers are the spreadsheet's own.
        values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise _refuse("xlsx_broken", "Berkas XLSX rusak", "The XLSX file is damaged") from None
    rows = []
    for number, cells in enumerate(values, start=1):
        rows.append((number, [_cell_text(c) for c in cells[:MAX_COLUMNS]]))
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- validation and creation -------------------------------------------------------------------------------


@dataclass(slots=True)
class RowResult:
    row: int
    username: str
    status: str  # "created" | "exists" | "rejected"
    password: str = ""
    issues: list[Issue] = field(default_factory=list)
    full_name: str = ""
    role: str = ""
    regions: list[str] = field(default_factory=list)
    email: str = ""


@dataclass(slots=True)
class BulkResult:
    rows: list[RowResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _role_value(text: str) -> str:
    """A role code, or its Indonesian or English label (any case)."""
    wanted = text.strip().lower()
    if wanted in Role.values:
        return wanted
    from django.utils import translation

    for language in ("id", "en"):
        with translation.override(language):
            for value, label in Role.choices:
                if str(label).lower() == wanted:
                    return value
    return text.strip()


def _issue(code: str, field_name: str, text_id: str, text_en: str) -> Issue:
    return Issue(code, field_name, text_id, text_en)


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = re.sub(r"[\s\-]+", "_", name.strip().lower())
        if key in HEADERS and HEADERS[key] not in found:
            found[HEADERS[key]] = index
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise _refuse("missing_columns", f"Kolom wajib tidak ada: {', '.join(missing)}",
                      f"Required columns missing: {', '.join(missing)}", field_name="header")
    return found


def user_bulk_create(*, actor: Any, content: bytes, file_name: str) -> BulkResult:
    """Create every valid row's user (with a generated password) and report every row. One transaction."""
    ensure_capability(actor=actor, capability=Capability.USER_MANAGE)
    table = read_rows(content, file_name)
    if not table:
        raise _refuse("file_empty", "Berkas kosong", "The file is empty")
    columns = _header_map(table[0][1])
    results: list[RowResult] = []
    seen: dict[str, int] = {}
    parsed = []
    for number, cells in table[1:]:
        if not any(cells):
            continue  # blank line
        value = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        regions = sorted(dict.fromkeys(code for code in re.split(r"[;,\s]+", value.get("regions", "")) if code))
        result = RowResult(row=number, username=value["username"][:150], status="rejected",
                           full_name=value["full_name"][:300], role=_role_value(value["role"]), regions=regions,
                           email=value.get("email", "")[:254])
        parsed.append(result)
    existing = {u.username: u for u in User.objects.filter(username__in=[r.username for r in parsed])
                .prefetch_related("region_assignments")}
    for result in parsed:
        issues = _row_issues(actor, result, seen, existing)
        result.issues = issues
        if not issues:
            old = existing.get(result.username)
            result.status = "exists" if old is not None else "created"
        seen.setdefault(result.username, result.row)
        results.append(result)
    created = [r for r in results if r.status == "created"]
    with transaction.atomic():
        users = []
        for r in created:
            r.password = generate_password()
            first, _, last = r.full_name.strip().partition(" ")
            users.append(User(username=r.username, role=r.role, first_name=first[:150], last_name=last[:150],
                              email=r.email, password=make_password(r.password)))
        User.objects.bulk_create(users)
        ids = dict(User.objects.filter(username__in=[r.username for r in created]).values_list("username", "pk"))
        RegionAssignment.objects.bulk_create(
            [RegionAssignment(user_id=ids[r.username], region_id=code) for r in created for code in r.regions])
        events = [PendingEvent(AuditAction.USER_CREATE, "accounts.user", str(ids[r.username]), r.regions[0],
                               {"username": r.username, "role": r.role, "regions": r.regions, "bulk_row": r.row})
                  for r in created]
        scope = sorted({r.regions[0] for r in created})
        events.append(PendingEvent(AuditAction.USER_BULK_CREATE, region_code=scope[0] if len(scope) == 1 else "",
                                   data={"file_name": file_name[:200], "rows": len(results),
                                         "created": len(created), "exists": sum(r.status == "exists" for r in results),
                                         "rejected": sum(r.status == "rejected" for r in results),
                                         "usernames": [r.username for r in created]}))
        audit_record_many(actor=actor, events=events)
    return BulkResult(results)


def _row_issues(actor: Any, r: RowResult, seen: dict[str, int], existing: dict[str, User]) -> list[Issue]:
    issues: list[Issue] = []
    for name in REQUIRED:
        if not getattr(r, name):
            issues.append(_issue("required", name, f"Kolom {name} wajib diisi", f"Column {name} is required"))
    if r.username:
        try:
            User.username_validator(r.username)
        except DjangoValidationError:
            issues.append(_issue("invalid", "username",
                                 f"Nama pengguna tidak sah: {r.username[:MAX_CELL]!r} (huruf, angka, @.+-_ saja)",
                                 f"Invalid username: {r.username[:MAX_CELL]!r} (letters, digits, @.+-_ only)"))
        if r.username in seen:
            issues.append(_issue("duplicate_in_file", "username",
                                 f"Nama pengguna sudah ada di baris {seen[r.username]}",
                                 f"Username already used in row {seen[r.username]}"))
    if r.email:
        try:
            validate_email(r.email)
        except DjangoValidationError:
            issues.append(_issue("invalid", "email", f"Email tidak sah: {r.email[:MAX_CELL]!r}",
                                 f"Invalid email: {r.email[:MAX_CELL]!r}"))
    if r.role and r.regions:
        issues += role_and_region_issues(actor, r.role, r.regions)
    old = existing.get(r.username)
    if old is not None and not issues:
        same = (old.role == r.role and sorted(a.region_id for a in old.region_assignments.all()) == r.regions)
        if not same:
            issues.append(_issue("username_taken", "username",
                                 "Nama pengguna sudah dipakai pengguna lain (peran atau wilayah berbeda)",
                                 "Username already taken by another user (different role or regions)"))
    return issues


# --- files offered for download ------------------------------------------------------------------------------


def _safe(value: Any) -> str:
    """OWASP's rule for CSV: a cell that a spreadsheet would run as a formula is prefixed with a quote."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


RESULT_HEADERS = ("Baris / Row", "username", "Status", "Kata sandi awal / Initial password", "full_name",
                  "role", "regions", "Kolom / Column", "Alasan (Indonesia)", "Reason (English)")
_STATUS = {"created": "dibuat / created", "exists": "sudah ada / already there", "rejected": "DITOLAK / rejected"}


def result_csv(result: BulkResult) -> bytes:
    """The result file: every row once per problem (or once), with the initial password of created users."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_HEADERS)
    for r in result.rows:
        base = [r.row, _safe(r.username), _STATUS[r.status], r.password, _safe(r.full_name), _safe(r.role),
                _safe(" ".join(r.regions))]
        if not r.issues:
            writer.writerow([*base, "", "", ""])
        for issue in r.issues:
            writer.writerow([*base, issue.field, _safe(issue.id), _safe(issue.en)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(["op_kramatwatu", "Siti Nur Aminah", "village_operator", "36.04.05.2001", "siti@example.org"])
    writer.writerow(["tksk_kramatwatu", "Budi Santoso", "district_officer", "36.04.05", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Pengguna")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(TEMPLATE_HEADERS):
        sheet.write_string(0, col, name, bold)
    sample = [["op_kramatwatu", "Siti Nur Aminah", "village_operator", "36.04.05.2001", "siti@example.org"],
              ["tksk_kramatwatu", "Budi Santoso", "district_officer", "36.04.05", ""]]
    for row, values in enumerate(sample, start=1):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    roles = book.add_worksheet("Peran")
    for row, (value, label) in enumerate(Role.choices):
        roles.write_string(row, 0, value)
        roles.write_string(row, 1, str(label))
    sheet.set_column(0, 4, 22)
    book.close()
    return buffer.getvalue()
