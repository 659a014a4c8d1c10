"""The catalogue the office edits: complaint categories (with their follow-up kind, desk and sensitivity) and
the referral services of receiving institutions. Capability `grievances.configure`; audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tepat.accounts.access import ensure_capability
from tepat.accounts.roles import Capability
from tepat.audit.services import audit_record
from tepat.core.messages import Issue
from tepat.grievances.models import Category, Desk, FollowUpKind, Institution, ReferralService
from tepat.grievances.services.common import raise_if, required


@transaction.atomic
def category_set(*, actor: Any, code: str, parent_code: str, name_id: str, name_en: str, follow_up: str,
                 desk: str, sensitive: bool = False, proposal_kind: str = "", active: bool = True) -> Category:
    """Add or change a sub-category (cases keep the category they were recorded with)."""
    ensure_capability(actor=actor, capability=Capability.GRIEVANCES_CONFIGURE)
    issues: list[Issue] = []
    code = required(code, "code", "kode", "the code", issues)
    name_id = required(name_id, "name_id", "nama (Indonesia)", "the Indonesian name", issues)
    name_en = required(name_en, "name_en", "nama (Inggris)", "the English name", issues)
    parent = Category.objects.filter(code=parent_code, parent__isnull=True).first()
    if parent is None:
        issues.append(Issue("choice", "parent", "kategori induk tidak dikenal", "unknown parent category"))
    if follow_up not in FollowUpKind.values:
        issues.append(Issue("choice", "follow_up", "jenis tindak lanjut tidak dikenal", "unknown follow-up kind"))
    if desk not in Desk.values:
        issues.append(Issue("choice", "desk", "meja layanan tidak dikenal", "unknown desk"))
    raise_if(issues)
    category, created = Category.objects.update_or_create(code=code, defaults={
        "parent": parent, "name_id": name_id, "name_en": name_en, "follow_up": follow_up, "desk": desk,
        "sensitive": bool(sensitive), "proposal_kind": proposal_kind.strip(), "active": bool(active)})
    audit_record(actor=actor, action="grievances.configure", target=category,
                 data={"category": code, "parent": parent_code, "follow_up": follow_up, "desk": desk,
                       "sensitive": bool(sensitive), "active": bool(active), "created": created})
    return category


@transaction.atomic
def referral_service_set(*, actor: Any, institution_code: str, institution_name: str, code: str, name_id: str,
                         name_en: str, active: bool = True) -> ReferralService:
    """Add or change a receiving institution's service."""
    ensure_capability(actor=actor, capability=Capability.GRIEVANCES_CONFIGURE)
    issues: list[Issue] = []
    institution_code = required(institution_code, "institution_code", "kode lembaga", "the institution code", issues)
    code = required(code, "code", "kode layanan", "the service code", issues)
    name_id = required(name_id, "name_id", "nama layanan", "the service name", issues)
    raise_if(issues)
    institution, _ = Institution.objects.get_or_create(code=institution_code,
                                                       defaults={"name": institution_name.strip() or institution_code})
    service, created = ReferralService.objects.update_or_create(institution=institution, code=code, defaults={
        "name_id": name_id, "name_en": name_en.strip() or name_id, "active": bool(active)})
    audit_record(actor=actor, action="grievances.configure", target=service,
                 data={"institution": institution_code, "service": code, "active": bool(active), "created": created})
    return service
