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
    # Direct correction of a family or member outside the workflow, with a required reason (Dinsos only;
    # village roles change the registry only through proposals, tepat.updates).
    REGISTRY_CORRECT = "registry.correct"
    REGISTRY_IMPORT = "registry.import"  # import registry files (bulk writes; Dinsos only)
    REGISTRY_EXPORT = "registry.export"
    PERSONAL_DATA_FULL = "personal_data.full"  # see NIK/KK unmasked
    SENSITIVE_DATA_VIEW = "sensitive_data.view"  # health, disability, pregnancy
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "users.manage"
    # Data quality (tepat.quality)
    QUALITY_VIEW = "quality.view"  # flags, candidate pairs and civil-registry results (names and NIKs)
    QUALITY_REVIEW = "quality.review"  # dismiss flags (confirming also needs updates.propose)
    QUALITY_RUN = "quality.run"  # run matching, upload external lists
    # Data-update workflow (tepat.updates)
    UPDATES_VIEW = "updates.view"  # see proposals, sessions, batches, periods in scope
    UPDATES_PROPOSE = "updates.propose"  # create and submit proposals, add documents, file objections
    UPDATES_ASSIGN = "updates.assign"  # assign a facilitator to a proposal
    UPDATES_VERIFY = "updates.verify"  # record a field visit (the assigned facilitator only)
    UPDATES_DELIBERATE = "updates.deliberate"  # run a village deliberation session and its minutes
    UPDATES_REVIEW = "updates.review"  # district check: approve or reject accepted proposals
    UPDATES_APPROVE_REMOVAL = "updates.approve_removal"  # final approval of removals (supervisor)
    UPDATES_SUBMIT = "updates.submit"  # submission batches and their responses
    UPDATES_PLAN_PERIOD = "updates.plan_period"  # open determination periods
    UPDATES_DETERMINE = "updates.determine"  # apply approved changes and freeze the version
    UPDATES_FREEZE = "updates.freeze"  # suspend approvals and determinations for a date range
    # Programmes and beneficiary lists (tepat.programs)
    PROGRAMS_VIEW = "programs.view"  # programmes, releases, lists, recaps and explanations in scope
    PROGRAMS_MANAGE = "programs.manage"  # edit and release programme years, preview rules, determine lists
    PROGRAMS_APPROVE = "programs.approve"  # approve or reject a list, substitute from the reserve (supervisor)
    # Targeting (tepat.targeting)
    TARGETING_VIEW = "targeting.view"  # desil releases, families without desil, local estimate recap and review
    TARGETING_IMPORT = "targeting.import"  # import an official desil file
    TARGETING_WEIGHTS = "targeting.weights"  # create a new version of the local estimate (PMT) weights
    # Complaints and referrals (tepat.grievances)
    GRIEVANCES_VIEW = "grievances.view"  # complaints in scope (not sensitive ones: see GRIEVANCES_SENSITIVE)
    GRIEVANCES_INTAKE = "grievances.intake"  # record a complaint, add attachments
    GRIEVANCES_HANDLE = "grievances.handle"  # assess, route, follow up, refer, close
    GRIEVANCES_DECIDE = "grievances.decide"  # decide the service (penetapan layanan), assign handlers
    # Sensitive cases (violence, trafficking, children in conflict with the law) of others: need-to-know
    # (the assigned handler and the recording officer see their own cases without it)
    GRIEVANCES_SENSITIVE = "grievances.sensitive"
    GRIEVANCES_CONFIGURE = "grievances.configure"  # categories, SLA targets, holiday calendar, institutions
    # Emergency relief outside the registry (tepat.relief)
    RELIEF_VIEW = "relief.view"  # disaster events, intake, warehouses, stock and ledger in scope
    RELIEF_INTAKE = "relief.intake"  # record households and persons of an event, match them to the registry
    RELIEF_EVENTS = "relief.events"  # record, close and reopen disaster events
    RELIEF_STOCK = "relief.stock"  # warehouses, receipts, issues, transfers, returns, stock-takes, meals
    # Invitations (tepat.distribution.invitations)
    INVITATIONS_PRINT = "invitations.print"  # print the signed undangan of a village
    INVITATIONS_SCAN = "invitations.scan"  # scan an undangan at the distribution point (single use)
    # Work plan (Renja, tepat.planning): the Dinsos planners are the Dinsos operator and supervisor
    PLANNING_VIEW = "planning.view"  # plans, realisation, achievement, checker findings in scope
    PLANNING_EDIT = "planning.edit"  # edit plan lines, enter quarterly realisation, import workbooks
    PLANNING_APPROVE = "planning.approve"  # move a plan to its next version, make a quarter final, bands
    # Reports (tepat.reports): refresh the precomputed recap on demand (supervisor)
    REPORTS_REFRESH = "reports.refresh"


C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VILLAGE_OPERATOR: frozenset(
        {C.REGISTRY_VIEW, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW,
         C.QUALITY_VIEW, C.QUALITY_REVIEW,
         C.UPDATES_VIEW, C.UPDATES_PROPOSE, C.UPDATES_ASSIGN, C.UPDATES_DELIBERATE, C.PROGRAMS_VIEW, C.TARGETING_VIEW,
         C.GRIEVANCES_VIEW, C.GRIEVANCES_INTAKE, C.GRIEVANCES_HANDLE, C.GRIEVANCES_DECIDE}
    ),
    Role.FACILITATOR: frozenset(
        {C.REGISTRY_VIEW, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW, C.QUALITY_VIEW,
         C.UPDATES_VIEW, C.UPDATES_PROPOSE, C.UPDATES_VERIFY, C.PROGRAMS_VIEW,
         C.GRIEVANCES_VIEW, C.GRIEVANCES_INTAKE}
    ),
    Role.VILLAGE_HEAD: frozenset({C.REGISTRY_VIEW, C.UPDATES_VIEW, C.UPDATES_DELIBERATE, C.TARGETING_VIEW}),
    Role.DISTRICT_OFFICER: frozenset({C.REGISTRY_VIEW, C.UPDATES_VIEW, C.UPDATES_ASSIGN, C.TARGETING_VIEW}),
    Role.DINSOS_OPERATOR: frozenset(
        {C.REGISTRY_VIEW, C.REGISTRY_CORRECT, C.REGISTRY_IMPORT, C.REGISTRY_EXPORT, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW,
         C.QUALITY_VIEW, C.QUALITY_REVIEW, C.QUALITY_RUN,
         C.UPDATES_VIEW, C.UPDATES_PROPOSE, C.UPDATES_ASSIGN, C.UPDATES_REVIEW, C.UPDATES_SUBMIT,
         C.UPDATES_PLAN_PERIOD, C.PROGRAMS_VIEW, C.PROGRAMS_MANAGE, C.TARGETING_VIEW, C.TARGETING_IMPORT,
         C.GRIEVANCES_VIEW, C.GRIEVANCES_INTAKE, C.GRIEVANCES_HANDLE, C.GRIEVANCES_DECIDE,
         C.PLANNING_VIEW, C.PLANNING_EDIT}
    ),
    Role.DINSOS_SUPERVISOR: frozenset(
        {C.REGISTRY_VIEW, C.REGISTRY_CORRECT, C.REGISTRY_IMPORT, C.REGISTRY_EXPORT, C.PERSONAL_DATA_FULL, C.SENSITIVE_DATA_VIEW,
         C.QUALITY_VIEW, C.QUALITY_REVIEW, C.QUALITY_RUN,
         C.UPDATES_VIEW, C.UPDATES_PROPOSE, C.UPDATES_ASSIGN, C.UPDATES_REVIEW, C.UPDATES_APPROVE_REMOVAL,
         C.UPDATES_SUBMIT, C.UPDATES_PLAN_PERIOD, C.UPDATES_DETERMINE, C.UPDATES_FREEZE,
         C.PROGRAMS_VIEW, C.PROGRAMS_MANAGE, C.PROGRAMS_APPROVE, C.TARGETING_VIEW, C.TARGETING_IMPORT, C.TARGETING_WEIGHTS,
         C.GRIEVANCES_VIEW, C.GRIEVANCES_INTAKE, C.GRIEVANCES_HANDLE, C.GRIEVANCES_DECIDE, C.GRIEVANCES_SENSITIVE,
         C.GRIEVANCES_CONFIGURE, C.PLANNING_VIEW, C.PLANNING_EDIT, C.PLANNING_APPROVE, C.REPORTS_REFRESH}
    ),
    Role.PROVINCE_VIEWER: frozenset({C.REGISTRY_VIEW, C.UPDATES_VIEW, C.PROGRAMS_VIEW, C.TARGETING_VIEW,
                                     C.GRIEVANCES_VIEW, C.PLANNING_VIEW}),
    Role.AUDITOR: frozenset({C.REGISTRY_VIEW, C.AUDIT_VIEW, C.UPDATES_VIEW, C.PROGRAMS_VIEW, C.TARGETING_VIEW,
                             C.PLANNING_VIEW}),
    Role.ADMINISTRATOR: frozenset({C.REGISTRY_VIEW, C.USER_MANAGE, C.AUDIT_VIEW}),
}


# Emergency relief (tepat.relief): Dinsos manages events and stock; village roles and facilitators record the
# intake of their village; provincial and audit roles read.
_RELIEF_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VILLAGE_OPERATOR: frozenset({C.RELIEF_VIEW, C.RELIEF_INTAKE}),
    Role.FACILITATOR: frozenset({C.RELIEF_VIEW, C.RELIEF_INTAKE}),
    Role.DINSOS_OPERATOR: frozenset({C.RELIEF_VIEW, C.RELIEF_INTAKE, C.RELIEF_EVENTS, C.RELIEF_STOCK}),
    Role.DINSOS_SUPERVISOR: frozenset({C.RELIEF_VIEW, C.RELIEF_INTAKE, C.RELIEF_EVENTS, C.RELIEF_STOCK}),
    Role.PROVINCE_VIEWER: frozenset({C.RELIEF_VIEW}),
    Role.AUDITOR: frozenset({C.RELIEF_VIEW}),
}
for _role, _caps in _RELIEF_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps
# Invitations (tepat.distribution.invitations): printed by the village and Dinsos, scanned by field roles.
_INVITATION_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.VILLAGE_OPERATOR: frozenset({C.INVITATIONS_PRINT, C.INVITATIONS_SCAN}),
    Role.FACILITATOR: frozenset({C.INVITATIONS_SCAN}),
    Role.DISTRICT_OFFICER: frozenset({C.INVITATIONS_SCAN}),
    Role.DINSOS_OPERATOR: frozenset({C.INVITATIONS_PRINT, C.INVITATIONS_SCAN}),
    Role.DINSOS_SUPERVISOR: frozenset({C.INVITATIONS_PRINT, C.INVITATIONS_SCAN}),
}
for _role, _extra in _INVITATION_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _extra


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())


# What each role may do, in one line per language (printed by `tepat demo-users`, mirrored in the README).
ROLE_SUMMARIES: dict[str, tuple[str, str]] = {
    Role.VILLAGE_OPERATOR: (
        "mengusulkan keluarga baru, perubahan, penghapusan dan kematian (usulan); mengelola musdes; tidak "
        "mengubah DTKS langsung",
        "proposes new families, changes, removals and deaths (proposals); runs the deliberation; never "
        "changes the registry directly"),
    Role.FACILITATOR: ("verifikasi lapangan usulan yang ditugaskan; mengusulkan",
                       "verifies assigned proposals in the field; proposes"),
    Role.VILLAGE_HEAD: ("memimpin musdes dan menandatangani berita acara; melihat data tersamar",
                        "chairs the deliberation and signs its minutes; sees masked data"),
    Role.DISTRICT_OFFICER: ("menugaskan fasilitator; melihat data tersamar",
                            "assigns facilitators; sees masked data"),
    Role.DINSOS_OPERATOR: (
        "memeriksa dan menyetujui usulan, pengiriman, impor/ekspor; koreksi langsung dengan alasan",
        "checks and approves proposals, submissions, import/export; direct correction with a reason"),
    Role.DINSOS_SUPERVISOR: (
        "seperti operator Dinsos, ditambah persetujuan penghapusan, penetapan dan pembekuan",
        "as the Dinsos operator, plus approving removals, determination and freezes"),
    Role.PROVINCE_VIEWER: ("hanya melihat (data tersamar)", "read-only (masked data)"),
    Role.AUDITOR: ("melihat jejak audit dan data tersamar", "reads the audit trail and masked data"),
    Role.ADMINISTRATOR: ("mengelola pengguna di wilayahnya", "manages users in their regions"),
}


# ---- Distribution (tepat.distribution), appended as one block -------------------------------------------
# VIEW: lists, queue, receipts, reconciliation in scope. MANAGE: create versions, cleanse, export, import
# realisations and channel returns, request the close (Dinsos). RECEIPT: record a per-person receipt in the
# field. COMPLETE: complete or drop a returned record of the village. CLOSE: close a tahap as the second
# approver (a different user than the one who requested it).
class DistributionCapability(StrEnum):
    VIEW = "distribution.view"
    MANAGE = "distribution.manage"
    RECEIPT = "distribution.receipt"
    COMPLETE = "distribution.complete"
    CLOSE = "distribution.close"


_D = DistributionCapability
_DISTRIBUTION_CAPABILITIES: dict[str, frozenset] = {
    Role.VILLAGE_OPERATOR: frozenset({_D.VIEW, _D.RECEIPT, _D.COMPLETE}),
    Role.FACILITATOR: frozenset({_D.VIEW, _D.RECEIPT}),
    Role.DISTRICT_OFFICER: frozenset({_D.VIEW, _D.RECEIPT}),
    Role.DINSOS_OPERATOR: frozenset({_D.VIEW, _D.MANAGE, _D.RECEIPT, _D.COMPLETE}),
    Role.DINSOS_SUPERVISOR: frozenset({_D.VIEW, _D.MANAGE, _D.RECEIPT, _D.COMPLETE, _D.CLOSE}),
    Role.PROVINCE_VIEWER: frozenset({_D.VIEW}),
    Role.AUDITOR: frozenset({_D.VIEW}),
}
for _role, _caps in _DISTRIBUTION_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps
