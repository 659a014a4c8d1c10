"""Entering proposals, submitting, withdrawing, and assigning them to a facilitator."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from tepat.accounts.access import actor_in_scope
from tepat.accounts.models import User
from tepat.accounts.roles import Role
from tepat.audit.services import audit_record
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.registry import masking
from tepat.registry.models import Family, Individual
from tepat.updates import kinds
from tepat.updates.actions import ensure_proposal_action
from tepat.updates.models import Proposal, ProposalTransition
from tepat.updates.permissions import UpdatesCapability, ensure_updates_permission
from tepat.updates.services.claims import claims_take
from tepat.updates.services.common import ancestor_codes, region_at_level
from tepat.updates.workflow import transition

S = Proposal.Status
# Sources a person picks when entering a proposal; the others are set by the flow that creates it.
ENTRY_SOURCES = frozenset({
    Proposal.Source.VILLAGE_OPERATOR, Proposal.Source.OUTREACH, Proposal.Source.CITIZEN_REQUEST,
    Proposal.Source.RT_RW_REPORT, Proposal.Source.DISTRICT,
})
SOURCES_NEEDING_REFERENCE = frozenset({
    Proposal.Source.CITIZEN_REQUEST, Proposal.Source.COMPLAINT, Proposal.Source.DATA_QUALITY,
})


def _new_reference() -> str:
    return f"USL-{timezone.localdate():%y%m}-{uuid.uuid4().hex[:6].upper()}"


def _source_issues(source: str, source_reference: str, reporter_name: str, *, internal: bool) -> list[Issue]:
    issues: list[Issue] = []
    allowed = Proposal.Source.values if internal else ENTRY_SOURCES
    if source not in allowed:
        issues.append(Issue("choice", "source", f"sumber usulan '{source}' tidak dapat dipilih di sini",
                            f"proposal source '{source}' cannot be chosen here"))
    if source in SOURCES_NEEDING_REFERENCE and not source_reference.strip():
        issues.append(Issue("required", "source_reference", "nomor surat desa / rujukan wajib diisi",
                            "the village letter's number (or reference) is required"))
    if source == Proposal.Source.RT_RW_REPORT and not reporter_name.strip():
        issues.append(Issue("required", "reporter_name", "nama ketua RT/RW pelapor wajib diisi",
                            "the reporting RT/RW head's name is required"))
    return issues


@transaction.atomic
def proposal_create(
    *,
    actor: Any,
    kind: str,
    source: str,
    payload: dict[str, Any],
    region_code: str = "",
    family: Family | None = None,
    individual: Individual | None = None,
    source_reference: str = "",
    reporter_name: str = "",
    note: str = "",
    submit: bool = False,
    internal: bool = False,
) -> Proposal:
    """Enter a proposal for a village. New families name the village; the others name their family or member.

    Validates the payload for its kind against the registry as it is now, and stores it as a draft (or
    submits it at once with `submit=True`). Nothing in the registry changes until determination.
    """
    if individual is not None:
        family = individual.family
    if family is not None:
        region_code = family.region_id
    ensure_updates_permission(actor=actor, capability=UpdatesCapability.PROPOSE, region_code=region_code or "-")
    region_at_level(region_code, Region.Level.VILLAGE)
    issues = _source_issues(source, source_reference, reporter_name, internal=internal)
    if kind not in Proposal.Kind.values:
        issues.append(Issue("choice", "kind", f"jenis usulan '{kind}' tidak dikenal", f"unknown proposal kind '{kind}'"))
    try:
        clean = kinds.validate(kind, payload, family=family, individual=individual) if kind in Proposal.Kind.values \
            else {}
    except ValidationFailed as exc:
        issues += exc.issues
    if issues:
        raise ValidationFailed(issues)
    now = timezone.now()
    proposal = Proposal(
        reference=_new_reference(), kind=kind, source=source, source_reference=source_reference.strip(),
        reporter_name=reporter_name.strip(), region_id=region_code, family=family, individual=individual,
        subject_name=kinds.subject_name(kind, clean, family=family, individual=individual)[:150],
        payload=clean, note=note.strip(), destination=kinds.destination(kind, clean),
        status=S.DRAFT, stage_entered_at=now, created_by=actor,
    )
    proposal.full_clean()
    proposal.save()
    claims_take(proposal)  # refuses (409) a second open proposal for the same KK, NIK, family or member
    ProposalTransition.objects.create(proposal=proposal, name="create", from_status="", to_status=S.DRAFT,
                                      actor=actor, occurred_at=now)
    audit_record(actor=actor, action="proposal.create", target=proposal, region_code=region_code,
                 data=masking.audit_payload({"reference": proposal.reference, "kind": kind, "source": source,
                                             "source_reference": proposal.source_reference, "payload": clean}))
    if submit:
        proposal = proposal_submit(actor=actor, proposal=proposal)
    return proposal


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal) -> Proposal:
    """Send a draft on for field verification."""
    ensure_proposal_action(actor, proposal, "submit")
    return transition(proposal, "submit", actor=actor, region_code=proposal.region_id,
                      updates={"submitted_at": timezone.now()})


@transaction.atomic
def proposal_withdraw(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    ensure_proposal_action(actor, proposal, "withdraw")
    if not reason.strip():
        raise ValidationFailed([Issue("required", "reason", "alasan wajib diisi", "a reason is required")])
    return transition(proposal, "withdraw", actor=actor, region_code=proposal.region_id, reason=reason.strip(),
                      updates={"closed_stage": proposal.status, "closed_reason": reason.strip()})


def village_facilitators(region_code: str):
    """Active facilitators whose assigned regions cover the village."""
    return User.objects.filter(
        role=Role.FACILITATOR, is_active=True, region_assignments__region_id__in=ancestor_codes(region_code)
    ).distinct()


@transaction.atomic
def proposal_assign(*, actor: Any, proposal: Proposal, facilitator: User) -> Proposal:
    """Assign (or reassign) the facilitator who verifies the proposal in the field."""
    ensure_proposal_action(actor, proposal, "assign")
    if facilitator.role != Role.FACILITATOR or not facilitator.is_active or not actor_in_scope(
        facilitator, proposal.region_id
    ):
        raise ValidationFailed([Issue("not_facilitator", "facilitator",
                                      "hanya fasilitator/PSM desa ini yang dapat ditugaskan",
                                      "only a facilitator/PSM of this village can be assigned")])
    return transition(proposal, "assign", actor=actor, region_code=proposal.region_id,
                      updates={"assigned_to": facilitator, "assigned_at": timezone.now()},
                      data={"facilitator": facilitator.get_username()})


@transaction.atomic
def proposal_assign_auto(*, actor: Any, proposal: Proposal) -> Proposal:
    """Round-robin: the village's facilitator with the fewest open visits, then the longest since assigned."""
    ensure_proposal_action(actor, proposal, "assign")
    candidates = list(village_facilitators(proposal.region_id).values_list("pk", flat=True))
    if not candidates:
        raise BusinessRuleViolation("Belum ada fasilitator/PSM untuk desa ini / No facilitator/PSM covers this village")
    load = dict(
        Proposal.objects.filter(status=S.IN_VERIFICATION, assigned_to__in=candidates)
        .values("assigned_to").annotate(n=Count("pk")).values_list("assigned_to", "n")
    )
    last = dict(
        Proposal.objects.filter(assigned_to__in=candidates).values("assigned_to")
        .annotate(at=Max("assigned_at")).values_list("assigned_to", "at")
    )
    epoch = timezone.now().replace(year=1970)
    chosen = min(candidates, key=lambda pk: (load.get(pk, 0), last.get(pk) or epoch, pk))
    return proposal_assign(actor=actor, proposal=proposal, facilitator=User.objects.get(pk=chosen))
