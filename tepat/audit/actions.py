"""Every audit action, in one enum. `audit_record` refuses an action that is not listed here, so a typo
in a service cannot pass as a new kind of event. Values are the stored strings (dotted: "<entity>.<verb>").

Add a member when a new write is added; never rename a value (stored events keep the old string).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class AuditAction(StrEnum):
    # Audit trail itself
    AUDIT_CHECKPOINT = "audit.checkpoint"
    # Sign-in and accounts
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGIN_REFUSED_LOCKED = "auth.login_refused_locked"
    AUTH_LOCKED = "auth.locked"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_DEACTIVATE = "user.deactivate"
    USER_REACTIVATE = "user.reactivate"
    USER_PASSWORD_RESET = "user.password_reset"
    USER_UNLOCK = "user.unlock"
    USER_BULK_CREATE = "user.bulk_create"
    # Region master
    REGIONS_LOAD = "regions.load"
    # Registry
    FAMILY_CREATE = "family.create"
    FAMILY_UPDATE = "family.update"
    FAMILY_REMOVE = "family.remove"
    FAMILY_STATUS = "family.status"
    INDIVIDUAL_ADD = "individual.add"
    INDIVIDUAL_UPDATE = "individual.update"
    INDIVIDUAL_PRESENCE = "individual.presence"
    PROGRAM_PARTICIPATION_ADD = "program_participation.add"
    REGISTRY_IMPORT_BATCH = "registry.import_batch"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_IMPORT_START = "registry.import_start"
    REGISTRY_IMPORT_FINISH = "registry.import_finish"
    REGISTRY_IMPORT_FAIL = "registry.import_fail"
    REGISTRY_EXPORT = "registry.export"
    REGISTRY_EXPORT_START = "registry.export_start"
    REGISTRY_EXPORT_RUN = "registry.export_run"
    REGISTRY_EXPORT_FINISH = "registry.export_finish"
    REGISTRY_EXPORT_FAIL = "registry.export_fail"
    REGISTRY_DEMO_DATA = "registry.demo_data"
    UPLOAD_PURGE = "upload.purge"
    # Reads of personal data
    PERSONAL_DATA_VIEW = "personal_data.view"
    PERSONAL_DATA_SEARCH = "personal_data.search"
    PERSONAL_DATA_SEARCH_THROTTLED = "personal_data.search_throttled"
    PERSONAL_DATA_EXPORT = "personal_data.export"
    # Data quality
    QUALITY_RUN_CREATE = "quality.run_create"
    QUALITY_RUN_START = "quality.run_start"
    QUALITY_RUN_FINISH = "quality.run_finish"
    QUALITY_RUN_FAIL = "quality.run_fail"
    QUALITY_FLAGS_RAISE = "quality.flags_raise"
    QUALITY_FLAG_CONFIRM = "quality.flag_confirm"
    QUALITY_FLAG_DISMISS = "quality.flag_dismiss"
    QUALITY_LIST_MATCH = "quality.list_match"
    QUALITY_MERGE_JOURNAL = "quality.merge_journal"
    # Data-update workflow: proposals (the transitions table names the verbs)
    PROPOSAL_CREATE = "proposal.create"
    PROPOSAL_UPDATE = "proposal.update"
    PROPOSAL_SUBMIT = "proposal.submit"
    PROPOSAL_WITHDRAW = "proposal.withdraw"
    PROPOSAL_ASSIGN = "proposal.assign"
    PROPOSAL_VERIFY = "proposal.verify"
    PROPOSAL_VERIFY_EMERGENCY = "proposal.verify_emergency"
    PROPOSAL_REJECT_IN_FIELD = "proposal.reject_in_field"
    PROPOSAL_ACCEPT_IN_DELIBERATION = "proposal.accept_in_deliberation"
    PROPOSAL_REJECT_IN_DELIBERATION = "proposal.reject_in_deliberation"
    PROPOSAL_FORWARD_TO_SUPERVISOR = "proposal.forward_to_supervisor"
    PROPOSAL_APPROVE = "proposal.approve"
    PROPOSAL_REJECT_BY_DISTRICT = "proposal.reject_by_district"
    PROPOSAL_PULL_BACK = "proposal.pull_back"
    PROPOSAL_RETURN_FROM_UPSTREAM = "proposal.return_from_upstream"
    PROPOSAL_APPLY = "proposal.apply"
    PROPOSAL_HOLD = "proposal.hold"
    DOCUMENT_ADD = "document.add"
    # Deliberation (musdes / muskel)
    DELIBERATION_CREATE = "deliberation.create"
    DELIBERATION_AGENDA_ADD = "deliberation.agenda_add"
    DELIBERATION_ATTENDEE_ADD = "deliberation.attendee_add"
    DELIBERATION_DECIDE = "deliberation.decide"
    DELIBERATION_FINALISE = "deliberation.finalise"
    DELIBERATION_SIGN = "deliberation.sign"
    DELIBERATION_CANCEL = "deliberation.cancel"
    # Submission and determination
    SUBMISSION_BATCH_CREATE = "submission_batch.create"
    SUBMISSION_BATCH_EXPORT = "submission_batch.export"
    SUBMISSION_BATCH_RESPONSE_IMPORT = "submission_batch.response_import"
    SUBMISSION_BATCH_ANSWER = "submission_batch.answer"
    DETERMINATION_PERIOD_CREATE = "determination_period.create"
    DETERMINATION_PERIOD_START = "determination_period.start"
    DETERMINATION_PERIOD_DETERMINE = "determination_period.determine"
    DETERMINATION_PERIOD_FAIL = "determination_period.fail"
    FREEZE_CREATE = "freeze.create"
    FREEZE_LIFT = "freeze.lift"
    OBJECTION_CREATE = "objection.create"
    # Programmes and beneficiary lists
    PROGRAMMES_SEED = "programmes.seed"
    PROGRAMME_CREATE = "programme.create"
    PROGRAMME_RELEASE_CREATE = "programme_release.create"
    PROGRAMME_RELEASE_UPDATE = "programme_release.update"
    PROGRAMME_RELEASE_RELEASE = "programme_release.release"
    PROGRAMME_RELEASE_RETIRE = "programme_release.retire"
    VERSION_FACTS_PACK = "version_facts.pack"
    BENEFICIARY_LIST_START = "beneficiary_list.start"
    BENEFICIARY_LIST_DETERMINE = "beneficiary_list.determine"
    BENEFICIARY_LIST_FAIL = "beneficiary_list.fail"
    BENEFICIARY_LIST_APPROVE = "beneficiary_list.approve"
    BENEFICIARY_LIST_REJECT = "beneficiary_list.reject"
    BENEFICIARY_LIST_SUBSTITUTE = "beneficiary_list.substitute"
    BENEFICIARY_LIST_EXPORT = "beneficiary_list.export"
    PROGRAMME_REVIEW_CONFIRM = "programme_review.confirm"
    PROGRAMME_REVIEW_DISMISS = "programme_review.dismiss"
    # Targeting: official desil releases and the local PMT estimate (tepat.targeting)
    DESIL_RELEASE_CREATE = "desil_release.create"
    DESIL_RELEASE_PUBLISH = "desil_release.publish"
    DESIL_RELEASE_FAIL = "desil_release.fail"
    PMT_WEIGHT_SET_CREATE = "pmt_weight_set.create"
    PMT_WEIGHT_SET_ESTIMATE = "pmt_weight_set.estimate"
    # public pages (tepat.public): lookups and citizens' reports by anonymous visitors
    PUBLIC_LOOKUP = "public.lookup"
    PUBLIC_THROTTLED = "public.throttled"
    CITIZEN_REPORT_CREATE = "citizen_report.create"
    CITIZEN_REPORT_FORWARD = "citizen_report.forward"
    CITIZEN_REPORT_MARK_ABUSE = "citizen_report.mark_abuse"
    CITIZEN_REPORT_CONTACT_VIEW = "citizen_report.contact_view"
    # Complaints and referrals (tepat.grievances)
    COMPLAINT_CREATE = "complaint.create"
    COMPLAINT_ASSIGN = "complaint.assign"
    COMPLAINT_ASSESS = "complaint.assess"
    COMPLAINT_DECIDE = "complaint.decide"
    COMPLAINT_REFER = "complaint.refer"
    COMPLAINT_FOLLOW_UP = "complaint.follow_up"
    COMPLAINT_CLOSE = "complaint.close"
    COMPLAINT_WAIT = "complaint.wait"
    COMPLAINT_RESUME = "complaint.resume"
    COMPLAINT_REJECT = "complaint.reject"
    COMPLAINT_MARK_DUPLICATE = "complaint.mark_duplicate"
    COMPLAINT_ATTACHMENT_ADD = "complaint.attachment_add"
    COMPLAINT_FOLLOW_UP_CREATE = "complaint.follow_up_create"
    COMPLAINT_SLA = "complaint.sla"
    COMPLAINT_ESCALATE = "complaint.escalate"
    ESCALATION_ACKNOWLEDGE = "escalation.acknowledge"
    REFERRAL_CREATE = "referral.create"
    REFERRAL_ACKNOWLEDGE = "referral.acknowledge"
    REFERRAL_COMPLETE = "referral.complete"
    REFERRAL_CANCEL = "referral.cancel"
    GRIEVANCES_CONFIGURE = "grievances.configure"
    REPORT_EXPORT = "report.export"
    REPORT_REFRESH = "report.refresh"
    REALISATION_DRILLDOWN_VIEW = "realisation.drilldown_view"
    GRIEVANCES_DEMO_DATA = "grievances.demo_data"
    # Emergency relief (tepat.relief)
    RELIEF_EVENT_CREATE = "relief_event.create"
    RELIEF_EVENT_CLOSE = "relief_event.close"
    RELIEF_EVENT_REOPEN = "relief_event.reopen"
    RELIEF_INTAKE_CREATE = "relief_intake.create"
    RELIEF_INTAKE_MATCH = "relief_intake.match"
    RELIEF_INTAKE_PROPOSE = "relief_intake.propose"
    RELIEF_WAREHOUSE_CREATE = "relief_warehouse.create"
    RELIEF_STOCK_RECEIVE = "relief_stock.receive"
    RELIEF_STOCK_ISSUE = "relief_stock.issue"
    RELIEF_STOCK_TRANSFER = "relief_stock.transfer"
    RELIEF_STOCK_RETURN = "relief_stock.return"
    RELIEF_STOCK_TAKE = "relief_stock.take"
    RELIEF_MEALS_RECORD = "relief_meals.record"
    RELIEF_DEMO_DATA = "relief.demo_data"
    # Distribution, receipt, realisation and close (tepat.distribution)
    DISTRIBUTION_CREATE = "distribution.create"
    DISTRIBUTION_LIST_CREATE = "distribution_list.create"
    DISTRIBUTION_LIST_EXPORT_FIRST = "distribution_list.export"
    DISTRIBUTION_LIST_SUPERSEDE = "distribution_list.supersede"
    DISTRIBUTION_EXPORT_FILE = "distribution_list.export_file"
    DISTRIBUTION_PREFLIGHT = "distribution.preflight"
    DISTRIBUTION_RETURN_IMPORT = "distribution.return_import"
    DISTRIBUTION_RETURN_COMPLETE = "distribution_return.complete"
    DISTRIBUTION_RETURN_DROP = "distribution_return.drop"
    DISTRIBUTION_RECEIPT_RECORD = "distribution_entry.receipt"
    DISTRIBUTION_REALISATION_IMPORT = "distribution.realisation_import"
    DISTRIBUTION_REALISATION_IMPORT_BATCH = "distribution.realisation_import_batch"
    DISTRIBUTION_CLOSE_REQUEST = "distribution.request_close"
    DISTRIBUTION_CLOSE = "distribution.close"
    DISTRIBUTION_CLOSE_REFUSE = "distribution.reopen"
    DISTRIBUTION_DEMO_DATA = "distribution.demo_data"
    # Invitations (tepat.distribution.invitations)
    INVITATION_PRINT = "invitation.print"
    INVITATION_SCAN = "invitation.scan"
    INVITATION_SCAN_REFUSED = "invitation.scan_refused"
    INVITATION_PRINT_JOB_START = "invitation_print_job.start"
    INVITATION_PRINT_JOB_FINISH = "invitation_print_job.finish"
    INVITATION_PRINT_JOB_FAIL = "invitation_print_job.fail"
    # Distribution follow-up (issue 11): susulan batches, the post-distribution check, receipt evidence files
    SUSULAN_BATCH_CREATE = "susulan_batch.create"
    SUSULAN_BATCH_CLOSE = "susulan_batch.close"
    SUSULAN_ENTRY_ADD = "susulan_entry.add"
    SUSULAN_ENTRY_PAY = "susulan_entry.pay"
    SUSULAN_ENTRY_CANCEL = "susulan_entry.cancel"
    POSTCHECK_CREATE = "distribution_postcheck.create"
    POSTCHECK_ANSWER = "distribution_postcheck.answer"
    RECEIPT_FILE_ADD = "distribution_receipt.file_add"
    # Operations (tepat.ops): a backup taken, a backup restored into an empty database
    OPS_BACKUP = "ops.backup"
    OPS_RESTORE = "ops.restore"
    # API tokens and machine clients (tepat.accounts, issue 14)
    API_TOKEN_ISSUE = "api_token.issue"
    API_TOKEN_REVOKE = "api_token.revoke"
    API_CLIENT_CREATE = "api_client.create"
    API_CLIENT_DEACTIVATE = "api_client.deactivate"
    API_CLIENT_AUTH_FAILED = "api_client.auth_failed"
    # Renja (tepat.planning)
    PLAN_CREATE = "plan.create"
    PLAN_LINE_SAVE = "plan.line_save"
    PLAN_LINE_DELETE = "plan.line_delete"
    PLAN_ADVANCE = "plan.advance"
    REALISATION_SAVE = "realisation.save"
    REALISATION_FINALISE = "realisation.finalise"
    RENJA_IMPORT = "renja.import"
    RENJA_EXPORT = "renja.export"
    PLANNING_CONFIGURE = "planning.configure"


# What each action is called on the pages (the audit list, the event page, the filter). Every member has one.
ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.REGISTRY_IMPORT_START: _("Import started"),
    AuditAction.REGISTRY_IMPORT_FINISH: _("Import finished"),
    AuditAction.REGISTRY_IMPORT_FAIL: _("Import failed"),
    AuditAction.QUALITY_RUN_START: _("Data-quality run started"),
    AuditAction.AUDIT_CHECKPOINT: _("Audit trail checkpoint"),
    AuditAction.AUTH_LOGIN: _("Signed in"),
    AuditAction.AUTH_LOGIN_FAILED: _("Sign-in failed"),
    AuditAction.AUTH_LOGIN_REFUSED_LOCKED: _("Sign-in refused (account locked)"),
    AuditAction.AUTH_LOCKED: _("Account locked"),
    AuditAction.USER_CREATE: _("User created"),
    AuditAction.USER_UPDATE: _("User changed"),
    AuditAction.USER_DEACTIVATE: _("User deactivated"),
    AuditAction.USER_REACTIVATE: _("User reactivated"),
    AuditAction.USER_PASSWORD_RESET: _("Password reset"),
    AuditAction.USER_UNLOCK: _("User unlocked"),
    AuditAction.USER_BULK_CREATE: _("Users created from a spreadsheet"),
    AuditAction.REGIONS_LOAD: _("Region master loaded"),
    AuditAction.FAMILY_CREATE: _("Family created"),
    AuditAction.FAMILY_UPDATE: _("Family changed"),
    AuditAction.FAMILY_REMOVE: _("Family removed"),
    AuditAction.FAMILY_STATUS: _("Family status changed"),
    AuditAction.INDIVIDUAL_ADD: _("Member added"),
    AuditAction.INDIVIDUAL_UPDATE: _("Member changed"),
    AuditAction.INDIVIDUAL_PRESENCE: _("Presence changed"),
    AuditAction.PROGRAM_PARTICIPATION_ADD: _("Programme participation added"),
    AuditAction.REGISTRY_IMPORT_BATCH: _("Import batch written"),
    AuditAction.REGISTRY_IMPORT: _("Registry imported"),
    AuditAction.REGISTRY_EXPORT: _("Registry exported"),
    AuditAction.REGISTRY_EXPORT_START: _("Export requested"),
    AuditAction.REGISTRY_EXPORT_RUN: _("Export running"),
    AuditAction.REGISTRY_EXPORT_FINISH: _("Export file ready"),
    AuditAction.REGISTRY_EXPORT_FAIL: _("Export failed"),
    AuditAction.REGISTRY_DEMO_DATA: _("Demo data loaded"),
    AuditAction.UPLOAD_PURGE: _("Uploaded files purged"),
    AuditAction.PERSONAL_DATA_VIEW: _("Personal data viewed"),
    AuditAction.PERSONAL_DATA_SEARCH: _("Personal data searched"),
    AuditAction.PERSONAL_DATA_SEARCH_THROTTLED: _("Number search throttled"),
    AuditAction.PERSONAL_DATA_EXPORT: _("Personal data exported"),
    AuditAction.QUALITY_RUN_CREATE: _("Data-quality run started"),
    AuditAction.QUALITY_RUN_FINISH: _("Data-quality run finished"),
    AuditAction.QUALITY_RUN_FAIL: _("Data-quality run failed"),
    AuditAction.QUALITY_FLAGS_RAISE: _("Data-quality flags raised"),
    AuditAction.QUALITY_FLAG_CONFIRM: _("Data-quality flag confirmed"),
    AuditAction.QUALITY_FLAG_DISMISS: _("Data-quality flag dismissed"),
    AuditAction.QUALITY_LIST_MATCH: _("List matched against the registry"),
    AuditAction.QUALITY_MERGE_JOURNAL: _("Duplicate merge recorded"),
    AuditAction.PROPOSAL_CREATE: _("Proposal entered"),
    AuditAction.PROPOSAL_UPDATE: _("Proposal changed"),
    AuditAction.PROPOSAL_SUBMIT: _("Proposal submitted"),
    AuditAction.PROPOSAL_WITHDRAW: _("Proposal withdrawn"),
    AuditAction.PROPOSAL_ASSIGN: _("Facilitator assigned"),
    AuditAction.PROPOSAL_VERIFY: _("Verified in the field"),
    AuditAction.PROPOSAL_VERIFY_EMERGENCY: _("Verified in the field (emergency)"),
    AuditAction.PROPOSAL_REJECT_IN_FIELD: _("Rejected in the field"),
    AuditAction.PROPOSAL_ACCEPT_IN_DELIBERATION: _("Accepted by the village deliberation"),
    AuditAction.PROPOSAL_REJECT_IN_DELIBERATION: _("Rejected by the village deliberation"),
    AuditAction.PROPOSAL_FORWARD_TO_SUPERVISOR: _("Forwarded to the supervisor"),
    AuditAction.PROPOSAL_APPROVE: _("Approved by Dinsos"),
    AuditAction.PROPOSAL_REJECT_BY_DISTRICT: _("Rejected by Dinsos"),
    AuditAction.PROPOSAL_PULL_BACK: _("Approval pulled back"),
    AuditAction.PROPOSAL_RETURN_FROM_UPSTREAM: _("Returned by the centre/province"),
    AuditAction.PROPOSAL_APPLY: _("Determined"),
    AuditAction.PROPOSAL_HOLD: _("Held back at determination"),
    AuditAction.DOCUMENT_ADD: _("Document added"),
    AuditAction.DELIBERATION_CREATE: _("Deliberation planned"),
    AuditAction.DELIBERATION_AGENDA_ADD: _("Added to the deliberation agenda"),
    AuditAction.DELIBERATION_ATTENDEE_ADD: _("Deliberation attendee added"),
    AuditAction.DELIBERATION_DECIDE: _("Deliberation decision recorded"),
    AuditAction.DELIBERATION_FINALISE: _("Deliberation closed"),
    AuditAction.DELIBERATION_SIGN: _("Signed minutes uploaded"),
    AuditAction.DELIBERATION_CANCEL: _("Deliberation cancelled"),
    AuditAction.SUBMISSION_BATCH_CREATE: _("Submission batch created"),
    AuditAction.SUBMISSION_BATCH_EXPORT: _("Submission batch file downloaded"),
    AuditAction.SUBMISSION_BATCH_RESPONSE_IMPORT: _("Batch response imported"),
    AuditAction.SUBMISSION_BATCH_ANSWER: _("Submission batch answered"),
    AuditAction.DETERMINATION_PERIOD_CREATE: _("Determination period planned"),
    AuditAction.DETERMINATION_PERIOD_START: _("Determination started"),
    AuditAction.DETERMINATION_PERIOD_DETERMINE: _("Period determined"),
    AuditAction.DETERMINATION_PERIOD_FAIL: _("Determination failed"),
    AuditAction.FREEZE_CREATE: _("Freeze started"),
    AuditAction.FREEZE_LIFT: _("Freeze lifted"),
    AuditAction.OBJECTION_CREATE: _("Objection entered"),
    AuditAction.PROGRAMMES_SEED: _("National programmes seeded"),
    AuditAction.PROGRAMME_CREATE: _("Programme created"),
    AuditAction.PROGRAMME_RELEASE_CREATE: _("Programme year drafted"),
    AuditAction.PROGRAMME_RELEASE_UPDATE: _("Programme year draft changed"),
    AuditAction.PROGRAMME_RELEASE_RELEASE: _("Programme year released"),
    AuditAction.PROGRAMME_RELEASE_RETIRE: _("Programme year replaced by a new version"),
    AuditAction.VERSION_FACTS_PACK: _("Facts of a determination version packed for the lists"),
    AuditAction.BENEFICIARY_LIST_START: _("Beneficiary list started"),
    AuditAction.BENEFICIARY_LIST_DETERMINE: _("Beneficiary list determined"),
    AuditAction.BENEFICIARY_LIST_FAIL: _("Beneficiary list failed"),
    AuditAction.BENEFICIARY_LIST_APPROVE: _("Beneficiary list approved"),
    AuditAction.BENEFICIARY_LIST_REJECT: _("Beneficiary list rejected"),
    AuditAction.BENEFICIARY_LIST_SUBSTITUTE: _("Recipient replaced from the reserve"),
    AuditAction.BENEFICIARY_LIST_EXPORT: _("Beneficiary list exported"),
    AuditAction.PROGRAMME_REVIEW_CONFIRM: _("Inclusion/exclusion error confirmed"),
    AuditAction.PROGRAMME_REVIEW_DISMISS: _("Inclusion/exclusion error dismissed"),
    AuditAction.DESIL_RELEASE_CREATE: _("Desil import started"),
    AuditAction.DESIL_RELEASE_PUBLISH: _("Desil release imported and published"),
    AuditAction.DESIL_RELEASE_FAIL: _("Desil import failed"),
    AuditAction.PMT_WEIGHT_SET_CREATE: _("Local estimate (PMT) weights: new version"),
    AuditAction.PMT_WEIGHT_SET_ESTIMATE: _("Local estimate (PMT) computed and stored for a weights version"),
    AuditAction.PUBLIC_LOOKUP: _("Public request (status lookup, tracking code, citizen report)"),
    AuditAction.PUBLIC_THROTTLED: _("Public request throttled"),
    AuditAction.CITIZEN_REPORT_CREATE: _("Citizen objection or proposal received"),
    AuditAction.CITIZEN_REPORT_FORWARD: _("Citizen report entered the update workflow"),
    AuditAction.CITIZEN_REPORT_MARK_ABUSE: _("Citizen report marked as abuse"),
    AuditAction.CITIZEN_REPORT_CONTACT_VIEW: _("Citizen report: objector contact viewed"),
    AuditAction.COMPLAINT_CREATE: _("Complaint recorded"),
    AuditAction.COMPLAINT_ASSIGN: _("Complaint handler assigned"),
    AuditAction.COMPLAINT_ASSESS: _("Complaint assessed"),
    AuditAction.COMPLAINT_DECIDE: _("Service decided (penetapan layanan)"),
    AuditAction.COMPLAINT_REFER: _("Complaint referred"),
    AuditAction.COMPLAINT_FOLLOW_UP: _("Complaint followed up"),
    AuditAction.COMPLAINT_CLOSE: _("Complaint closed"),
    AuditAction.COMPLAINT_WAIT: _("Complaint waiting for the citizen"),
    AuditAction.COMPLAINT_RESUME: _("Complaint resumed"),
    AuditAction.COMPLAINT_REJECT: _("Complaint rejected"),
    AuditAction.COMPLAINT_MARK_DUPLICATE: _("Complaint marked as a duplicate"),
    AuditAction.COMPLAINT_ATTACHMENT_ADD: _("Complaint attachment added"),
    AuditAction.COMPLAINT_FOLLOW_UP_CREATE: _("Complaint follow-up created"),
    AuditAction.COMPLAINT_SLA: _("Complaint SLA state changed"),
    AuditAction.COMPLAINT_ESCALATE: _("Complaint escalated to the supervisor"),
    AuditAction.ESCALATION_ACKNOWLEDGE: _("Escalation acknowledged"),
    AuditAction.REFERRAL_CREATE: _("Referral letter issued"),
    AuditAction.REFERRAL_ACKNOWLEDGE: _("Referral received by the institution"),
    AuditAction.REFERRAL_COMPLETE: _("Referral outcome recorded"),
    AuditAction.REFERRAL_CANCEL: _("Referral cancelled"),
    AuditAction.GRIEVANCES_CONFIGURE: _("Complaint settings changed"),
    AuditAction.GRIEVANCES_DEMO_DATA: _("Demo complaints loaded"),
    AuditAction.REPORT_EXPORT: _("Report downloaded"),
    AuditAction.REPORT_REFRESH: _("Precomputed recap refreshed"),
    AuditAction.REALISATION_DRILLDOWN_VIEW: _("Records behind a computed figure viewed"),
    AuditAction.RELIEF_EVENT_CREATE: _("Disaster event recorded"),
    AuditAction.RELIEF_EVENT_CLOSE: _("Disaster event closed"),
    AuditAction.RELIEF_EVENT_REOPEN: _("Disaster event reopened"),
    AuditAction.RELIEF_INTAKE_CREATE: _("Disaster household intake recorded"),
    AuditAction.RELIEF_INTAKE_MATCH: _("Disaster intake matched to the registry"),
    AuditAction.RELIEF_INTAKE_PROPOSE: _("Registry proposal made for a disaster household"),
    AuditAction.RELIEF_WAREHOUSE_CREATE: _("Relief warehouse created"),
    AuditAction.RELIEF_STOCK_RECEIVE: _("Relief stock received"),
    AuditAction.RELIEF_STOCK_ISSUE: _("Relief stock issued"),
    AuditAction.RELIEF_STOCK_TRANSFER: _("Relief stock transferred"),
    AuditAction.RELIEF_STOCK_RETURN: _("Relief stock returned"),
    AuditAction.RELIEF_STOCK_TAKE: _("Relief stock-take recorded"),
    AuditAction.RELIEF_MEALS_RECORD: _("Relief meals recorded"),
    AuditAction.RELIEF_DEMO_DATA: _("Demo relief data loaded"),
    AuditAction.DISTRIBUTION_CREATE: _("Distribution of a tahap opened"),
    AuditAction.DISTRIBUTION_LIST_CREATE: _("Distribution list version created"),
    AuditAction.DISTRIBUTION_LIST_EXPORT_FIRST: _("Distribution list exported (now immutable)"),
    AuditAction.DISTRIBUTION_LIST_SUPERSEDE: _("Distribution list replaced by a new version"),
    AuditAction.DISTRIBUTION_EXPORT_FILE: _("Distribution list file exported"),
    AuditAction.DISTRIBUTION_PREFLIGHT: _("Pre-flight cleansing run"),
    AuditAction.DISTRIBUTION_RETURN_IMPORT: _("Channel returns imported"),
    AuditAction.DISTRIBUTION_RETURN_COMPLETE: _("Returned record completed"),
    AuditAction.DISTRIBUTION_RETURN_DROP: _("Returned record dropped from the tahap"),
    AuditAction.DISTRIBUTION_RECEIPT_RECORD: _("Receipt recorded"),
    AuditAction.DISTRIBUTION_REALISATION_IMPORT: _("Realisation report imported"),
    AuditAction.DISTRIBUTION_REALISATION_IMPORT_BATCH: _("Realisation report: one chunk applied"),
    AuditAction.DISTRIBUTION_CLOSE_REQUEST: _("Tahap close requested"),
    AuditAction.DISTRIBUTION_CLOSE: _("Tahap closed by a second approver"),
    AuditAction.DISTRIBUTION_CLOSE_REFUSE: _("Tahap close refused (reopened)"),
    AuditAction.DISTRIBUTION_DEMO_DATA: _("Demo distribution loaded"),
    AuditAction.INVITATION_PRINT: _("Invitations printed"),
    AuditAction.INVITATION_SCAN: _("Invitation scanned and accepted"),
    AuditAction.INVITATION_SCAN_REFUSED: _("Invitation scan refused"),
    AuditAction.INVITATION_PRINT_JOB_START: _("Invitation printing of a region started"),
    AuditAction.INVITATION_PRINT_JOB_FINISH: _("Invitation printing of a region finished"),
    AuditAction.INVITATION_PRINT_JOB_FAIL: _("Invitation printing of a region failed"),
    AuditAction.SUSULAN_BATCH_CREATE: _("Follow-up (susulan) batch created"),
    AuditAction.SUSULAN_BATCH_CLOSE: _("Follow-up (susulan) batch closed to additions"),
    AuditAction.SUSULAN_ENTRY_ADD: _("KPM added to a follow-up (susulan) batch"),
    AuditAction.SUSULAN_ENTRY_PAY: _("Follow-up (susulan) payment recorded"),
    AuditAction.SUSULAN_ENTRY_CANCEL: _("Follow-up (susulan) entry cancelled"),
    AuditAction.POSTCHECK_CREATE: _("Post-distribution check sample drawn"),
    AuditAction.POSTCHECK_ANSWER: _("Post-distribution check answer recorded"),
    AuditAction.RECEIPT_FILE_ADD: _("Receipt photo or signature uploaded"),
    AuditAction.OPS_BACKUP: _("Backup taken"),
    AuditAction.OPS_RESTORE: _("Backup restored"),
    AuditAction.API_TOKEN_ISSUE: _("API token issued"),
    AuditAction.API_TOKEN_REVOKE: _("API token revoked"),
    AuditAction.API_CLIENT_CREATE: _("API client created"),
    AuditAction.API_CLIENT_DEACTIVATE: _("API client deactivated"),
    AuditAction.API_CLIENT_AUTH_FAILED: _("API client authentication failed"),
    AuditAction.PLAN_CREATE: _("Work plan (Renja) created"),
    AuditAction.PLAN_LINE_SAVE: _("Work plan line saved"),
    AuditAction.PLAN_LINE_DELETE: _("Work plan line removed"),
    AuditAction.PLAN_ADVANCE: _("Work plan moved to its next version"),
    AuditAction.REALISATION_SAVE: _("Quarterly realisation saved"),
    AuditAction.REALISATION_FINALISE: _("Quarterly realisation made final"),
    AuditAction.RENJA_IMPORT: _("Renja workbook imported"),
    AuditAction.RENJA_EXPORT: _("Renja tables exported"),
    AuditAction.PLANNING_CONFIGURE: _("Planning settings changed"),
}


def action_label(action: str) -> str:
    """The translated label of a stored action string (an unknown string is shown as it is)."""
    try:
        return str(ACTION_LABELS.get(AuditAction(action), action))
    except ValueError:
        return action


def ensure_action(action: str) -> AuditAction:
    """The enum member for `action`; refuses a string that is not a known action."""
    try:
        return AuditAction(action)
    except ValueError:
        raise ValueError(f"Unknown audit action {action!r}: add it to tepat.audit.actions.AuditAction") from None
