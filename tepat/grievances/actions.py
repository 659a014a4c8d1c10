"""What an actor may do on a complaint or a referral now (ADR 0020): one rule per action, shared by the pages
(they render only the offered actions), the API (`actions` in each detail) and the services (which refuse
with the same rule). Capability × region scope × the transitions table × need-to-know (a sensitive case the
actor may not know of is answered 404, as if absent)."""

from __future__ import annotations

from typing import Any

from tepat.accounts.actions import Actions, rule
from tepat.accounts.roles import Capability
from tepat.core.exceptions import BusinessRuleViolation
from tepat.grievances.access import ensure_need_to_know
from tepat.grievances.models import Complaint, FollowUpKind, Referral

C = Capability
S = Complaint.Status
OPEN_OR_WAITING = {S.REGISTERED, S.ASSESSED, S.REFERRED, S.FOLLOWED_UP, S.WAITING}
CLOSED_MESSAGE = ("Pengaduan ini tidak dapat diubah pada tahap ini", "This complaint cannot be changed at this stage")
OBJECT_FOLLOW_UPS = frozenset({FollowUpKind.DATA_CHANGE, FollowUpKind.OBJECTION, FollowUpKind.DUPLICATE_REVIEW,
                               FollowUpKind.PAYMENT_REISSUE})


def _knows(actor: Any, complaint: Complaint) -> None:
    ensure_need_to_know(actor, complaint)


def _has_object_follow_up(actor: Any, complaint: Complaint) -> None:
    if complaint.category.follow_up not in OBJECT_FOLLOW_UPS:
        raise BusinessRuleViolation("Kategori ini tidak ditindaklanjuti dengan usulan, sanggah, tinjauan ganda atau "
                                    "penyaluran ulang / This category's follow-up is not a proposal, objection, "
                                    "duplicate review or payment re-issue")


def _decided(actor: Any, complaint: Complaint) -> None:
    if not complaint.decision:
        raise BusinessRuleViolation("Tetapkan layanan terlebih dahulu / Decide the service first")


COMPLAINT = Actions({
    "assign": rule(C.GRIEVANCES_DECIDE, C.GRIEVANCES_HANDLE, statuses=OPEN_OR_WAITING, checks=(_knows,),
                   message=CLOSED_MESSAGE),
    "assess": rule(C.GRIEVANCES_HANDLE, transition="assess", checks=(_knows,)),
    "decide": rule(C.GRIEVANCES_DECIDE, transition="decide", checks=(_knows,)),
    "follow_up": rule(C.GRIEVANCES_HANDLE, transition="follow_up", checks=(_knows, _has_object_follow_up)),
    "refer": rule(C.GRIEVANCES_HANDLE, transition="refer", checks=(_knows, _decided)),
    "close": rule(C.GRIEVANCES_HANDLE, transition="close", checks=(_knows,)),
    "wait": rule(C.GRIEVANCES_HANDLE, transition="wait", checks=(_knows,)),
    "resume": rule(C.GRIEVANCES_HANDLE, statuses={S.WAITING}, checks=(_knows,)),
    "reject": rule(C.GRIEVANCES_HANDLE, transition="reject", checks=(_knows,)),
    "mark_duplicate": rule(C.GRIEVANCES_HANDLE, transition="mark_duplicate", checks=(_knows,)),
    "add_attachment": rule(C.GRIEVANCES_INTAKE, statuses=OPEN_OR_WAITING, checks=(_knows,), message=CLOSED_MESSAGE),
}, region=lambda complaint: complaint.region_id)


def _knows_referral(actor: Any, referral: Referral) -> None:
    ensure_need_to_know(actor, referral.complaint)


REFERRAL = Actions({
    "acknowledge": rule(C.GRIEVANCES_HANDLE, transition="acknowledge", checks=(_knows_referral,)),
    "complete": rule(C.GRIEVANCES_HANDLE, transition="complete", checks=(_knows_referral,)),
    "cancel": rule(C.GRIEVANCES_HANDLE, transition="cancel", checks=(_knows_referral,)),
}, region=lambda referral: referral.complaint.region_id)


def complaint_actions(actor: Any, complaint: Complaint) -> list[str]:
    return COMPLAINT.offered(actor, complaint)


def ensure_complaint_action(actor: Any, complaint: Complaint, name: str) -> None:
    COMPLAINT.ensure(actor, complaint, name)


def referral_actions(actor: Any, referral: Referral) -> list[str]:
    return REFERRAL.offered(actor, referral)


def ensure_referral_action(actor: Any, referral: Referral, name: str) -> None:
    REFERRAL.ensure(actor, referral, name)
