"""Every audit action, in one enum. `audit_record` refuses an action that is not listed here, so a typo
in a service cannot pass as a new kind of event. Values are the stored strings (dotted: "<entity>.<verb>").

Add a member when a new write is added; never rename a value (stored events keep the old string).
"""

from __future__ import annotations

from enum import StrEnum


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
    REGISTRY_DEMO_DATA = "registry.demo_data"
    UPLOAD_PURGE = "upload.purge"
    # Reads of personal data
    PERSONAL_DATA_VIEW = "personal_data.view"
    PERSONAL_DATA_SEARCH = "personal_data.search"
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


def ensure_action(action: str) -> AuditAction:
    """The enum member for `action`; refuses a string that is not a known action."""
    try:
        return AuditAction(action)
    except ValueError:
        raise ValueError(f"Unknown audit action {action!r}: add it to tepat.audit.actions.AuditAction") from None
