"""The one write of the reports app: a recap file leaves the system, and the audit trail says so."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tepat.audit.actions import AuditAction
from tepat.audit.services import audit_record
from tepat.reports import exports
from tepat.reports.selectors import region_recap

FORMATS = {"xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
           "pdf": ("application/pdf", exports.to_pdf)}


def recap_export(*, actor: Any, region_code: str | None, file_format: str) -> tuple[bytes, str, str]:
    """Render the recap as `file_format` and record `report.export`. Returns (content, content type,
    file name). Scope and capability are checked by the selector (out of scope → ObjectNotFound)."""
    if file_format not in FORMATS:
        raise ValueError(file_format)
    recap = region_recap(actor=actor, region_code=region_code)
    content_type, render = FORMATS[file_format]
    content = render(recap)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.REPORT_EXPORT, region_code=recap.region.code,
                     data={"report": "region_recap", "format": file_format, "rows": len(recap.rows),
                           "columns": [col.key for col in recap.columns]})
    filename = f"rekap-{recap.region.code}-{recap.generated_at:%Y%m%d}.{file_format}"
    return content, content_type, filename
