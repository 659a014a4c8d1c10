"""What an actor may do on each workflow object of the update flow now: one rule per action (ADR 0020).

`<entity>_actions(actor, obj)` is the list the pages render and the API returns; `ensure_<entity>_action`
is what the services call before they act, so both refuse and offer by the same rule. Each rule is the
capability, the actor's region scope, the transition the action makes in the object's table
(`tepat.updates.workflow`) and the action's own checks (the assigned facilitator, a freeze, the supervisor for
a removal, the period's order). Input (a reason, a file, a complete agenda) is validated by the service.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tepat.accounts.access import actor_can
from tepat.accounts.actions import Actions, rule
from tepat.core.exceptions import BusinessRuleViolation, PermissionDeniedError, ValidationFailed
from tepat.core.messages import Issue
from tepat.updates.claims import OPEN_STATUSES
from tepat.updates.models import (
    Deliberation,
    DeterminationPeriod,
    FreezePeriod,
    Objection,
    Proposal,
    SubmissionBatch,
)
from tepat.updates.permissions import UpdatesCapability as U
from tepat.updates.services.freezes import ensure_not_frozen

__all__ = [
    "DELIBERATION_LOCKED", "batch_actions", "deliberation_actions", "ensure_batch_action", "ensure_deliberation_action",
    "ensure_freeze_action", "ensure_period_action", "ensure_proposal_action", "freeze_actions", "objection_actions",
    "period_actions", "proposal_actions",
]

S = Proposal.Status
D = Deliberation.Status


# Proposal --------------------------------------------------------------------------------------------------

def supervisor_needed() -> PermissionDeniedError:
    return PermissionDeniedError(
        "Penghapusan memerlukan persetujuan supervisor Dinsos / Removals need the Dinsos supervisor's approval"
    )


def _assigned_to_actor(actor: Any, proposal: Proposal) -> None:
    if proposal.assigned_to_id != getattr(actor, "pk", None):
        raise PermissionDeniedError("Usulan ini tidak ditugaskan kepada Anda / This proposal is not assigned to you")


def _supervisor_if_waiting(actor: Any, proposal: Proposal) -> None:
    """A removal forwarded to the supervisor is decided by the supervisor only."""
    if proposal.status == S.AWAITING_SUPERVISOR and not actor_can(actor, U.APPROVE_REMOVAL):
        raise supervisor_needed()


def _approvals_not_frozen(actor: Any, proposal: Proposal) -> None:
    ensure_not_frozen(proposal.region_id, action="approval")


PROPOSAL = Actions({
    "submit": rule(U.PROPOSE, transition="submit"),
    "withdraw": rule(U.PROPOSE, transition="withdraw"),
    "assign": rule(U.ASSIGN, transition="assign"),
    "verify": rule(U.VERIFY, transition="verify", checks=(_assigned_to_actor,)),
    "approve": rule(U.REVIEW, transition="approve", checks=(_supervisor_if_waiting, _approvals_not_frozen)),
    "reject": rule(U.REVIEW, transition="reject_by_district", checks=(_supervisor_if_waiting,)),
    "pull_back": rule(U.APPROVE_REMOVAL, transition="pull_back"),
    "add_document": rule(U.PROPOSE, statuses=OPEN_STATUSES,
                         message=("Usulan sudah selesai; dokumen tidak dapat ditambah",
                                  "The proposal is closed; documents cannot be added"),
                         refusal=BusinessRuleViolation),
}, region=lambda proposal: proposal.region_id)


def proposal_actions(actor: Any, proposal: Proposal) -> list[str]:
    """What this actor can do to the proposal now (the pages' buttons, the API's `actions`)."""
    return PROPOSAL.offered(actor, proposal)


def ensure_proposal_action(actor: Any, proposal: Proposal, name: str) -> None:
    PROPOSAL.ensure(actor, proposal, name)


def objection_actions(actor: Any, objection: Objection) -> list[str]:
    """An objection has no status of its own: it is carried by the proposal it became, so what can be done
    with it is what can be done with that proposal."""
    return proposal_actions(actor, objection.proposal)


# Village deliberation ----------------------------------------------------------------------------------------

DELIBERATION_LOCKED = ("Musyawarah sudah dikunci; agenda dan keputusan tidak dapat diubah",
                       "The session is locked; its agenda and decisions cannot change")

DELIBERATION = Actions({
    # the agenda, the attendees and the decisions (one form for all of them)
    "edit": rule(U.DELIBERATE, statuses={D.PLANNED}, message=DELIBERATION_LOCKED),
    "cancel": rule(U.DELIBERATE, transition="cancel"),
    "finalise": rule(U.DELIBERATE, transition="finalise"),
    "sign": rule(U.DELIBERATE, transition="sign"),
    "minutes": rule(U.VIEW, statuses={D.FINALISED, D.SIGNED},
                    message=("Berita acara tersedia setelah musyawarah ditutup",
                             "The minutes are available once the session is closed")),
}, region=lambda deliberation: deliberation.region_id)


def deliberation_actions(actor: Any, deliberation: Deliberation) -> list[str]:
    return DELIBERATION.offered(actor, deliberation)


def ensure_deliberation_action(actor: Any, deliberation: Deliberation, name: str) -> None:
    DELIBERATION.ensure(actor, deliberation, name)


# Determination period ----------------------------------------------------------------------------------------

def _determinations_not_frozen(actor: Any, period: DeterminationPeriod) -> None:
    ensure_not_frozen(period.region_id, action="determination", include_below=True)


def _period_started(actor: Any, period: DeterminationPeriod) -> None:
    if period.starts_on > timezone.localdate():
        raise BusinessRuleViolation(
            f"Periode {period.label} baru dimulai {period.starts_on:%d-%m-%Y}; belum dapat ditetapkan / "
            f"Period {period.label} starts on {period.starts_on:%d-%m-%Y}; it cannot be determined yet",
            extra={"starts_on": period.starts_on.isoformat()})


def _earlier_determined(actor: Any, period: DeterminationPeriod) -> None:
    earlier = (DeterminationPeriod.objects.filter(region_id=period.region_id, starts_on__lt=period.starts_on)
               .exclude(status=DeterminationPeriod.Status.DETERMINED).order_by("starts_on").first())
    if earlier is not None:
        raise BusinessRuleViolation(
            f"Periode sebelumnya {earlier.label} belum ditetapkan / An earlier period {earlier.label} is not "
            f"determined yet", extra={"earlier": earlier.label})


def _run_stopped(actor: Any, period: DeterminationPeriod) -> None:
    """A running determination is not started a second time; only one that stopped with an error resumes."""
    if not period.error:
        raise BusinessRuleViolation("Penetapan sedang berjalan / The determination is running",
                                    extra={"current": period.status})


PERIOD = Actions({
    "determine": rule(U.DETERMINE, transition="start",
                      checks=(_determinations_not_frozen, _period_started, _earlier_determined)),
    "resume": rule(U.DETERMINE, transition="determine", checks=(_run_stopped,)),
}, region=lambda period: period.region_id)


def period_actions(actor: Any, period: DeterminationPeriod) -> list[str]:
    return PERIOD.offered(actor, period)


def ensure_period_action(actor: Any, period: DeterminationPeriod, name: str) -> None:
    PERIOD.ensure(actor, period, name)


# Submission batch --------------------------------------------------------------------------------------------

BATCH = Actions({
    "download": rule(U.SUBMIT),
    "import_response": rule(U.SUBMIT, transition="answer"),
}, region=lambda batch: batch.region_id)


def batch_actions(actor: Any, batch: SubmissionBatch) -> list[str]:
    return BATCH.offered(actor, batch)


def ensure_batch_action(actor: Any, batch: SubmissionBatch, name: str) -> None:
    BATCH.ensure(actor, batch, name)


# Freeze ------------------------------------------------------------------------------------------------------

def _not_lifted(actor: Any, freeze: FreezePeriod) -> None:
    if freeze.lifted_at is not None:
        raise ValidationFailed([Issue("lifted", "freeze", "penangguhan ini sudah dicabut",
                                      "this freeze was already lifted")])


FREEZE = Actions({
    "lift": rule(U.FREEZE, checks=(_not_lifted,)),
}, region=lambda freeze: freeze.region_id)


def freeze_actions(actor: Any, freeze: FreezePeriod) -> list[str]:
    return FREEZE.offered(actor, freeze)


def ensure_freeze_action(actor: Any, freeze: FreezePeriod, name: str) -> None:
    FREEZE.ensure(actor, freeze, name)
