"""Roles and what each may do. Capability is one half of every check; region scope is the other."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE_OPERATOR = "village_operator", _("Village operator")
    FACILITATOR = "facilitator", _("Facilitator / PSM")
    VILLAGE_HEAD = "village_head", _("Village head")
    DISTRICT_OFFICER = "district_officer", _("District officer (TKSK)")
    DINSOS_OPERATOR = "dinsos_operator", _("Dinsos operator")
    DINSOS_SUPERVISOR = "dinsos_supervisor", _("Dinsos supervisor")
    PROVINCE_VIEWER = "province_viewer", _("Provincial Dinsos (read-only)")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(StrEnum):
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    REGISTRY_EXPORT = "registry.export"
    PERSONAL_DATA_FULL = "personal_data.full"  # see NIK/KK unmasked
    SENSITIVE_DATA_VIEW = "sensitive_data.view"  # health, disability, pregnancy
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "users.manage"


C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VILLAGE_OPERATOR: frozenset(
        {C.REGISTRY_VIEW, C.REGISTRY_EDIT, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW}
    ),
    Role.FACILITATOR: frozenset({C.REGISTRY_VIEW, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW}),
    Role.VILLAGE_HEAD: frozenset({C.REGISTRY_VIEW}),
    Role.DISTRICT_OFFICER: frozenset({C.REGISTRY_VIEW}),
    Role.DINSOS_OPERATOR: frozenset(
        {C.REGISTRY_VIEW, C.REGISTRY_EDIT, C.REGISTRY_EXPORT, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW}
    ),
    Role.DINSOS_SUPERVISOR: frozenset(
        {C.REGISTRY_VIEW, C.REGISTRY_EDIT, C.REGISTRY_EXPORT, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW}
    ),
    Role.PROVINCE_VIEWER: frozenset({C.REGISTRY_VIEW}),
    Role.AUDITOR: frozenset({C.REGISTRY_VIEW, C.AUDIT_VIEW}),
    Role.ADMINISTRATOR: frozenset({C.REGISTRY_VIEW, C.USER_MANAGE, C.AUDIT_VIEW}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())
