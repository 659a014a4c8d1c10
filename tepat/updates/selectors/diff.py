"""Comparing two determined versions of the list: every added, removed and changed family, field by field,
each with what caused it (the proposal, its field verification, its deliberation and its approval) and every
direct correction made between the two versions (Dinsos, `registry.correct`, with its reason; the audit
event's `basis` says which). Older events without a basis count as corrections where no proposal explains
the change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext as _

from tepat.accounts.access import actor_region_codes
from tepat.audit.actions import action_label
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import BusinessRuleViolation
from tepat.regions.selectors import is_within
from tepat.registry.access import identity_for, may_see_sensitive
from tepat.registry.masking import IDENTITY_FIELDS, SENSITIVE_FIELDS
from tepat.registry.models import Family, Individual
from tepat.registry.selectors import personal_data_viewed
from tepat.updates.models import DeterminationPeriod, DeterminedFamily, Proposal
from tepat.updates.selectors.display import display_value

REGISTRY_WRITES = ("family.create", "family.update", "family.remove", "individual.add", "individual.update",
                   "individual.presence", "program_participation.add")


@dataclass(slots=True)
class FieldChange:
    subject: str
    field: str
    label: str
    before: str
    after: str
    # For other systems: the stored codes beside the text (identity numbers as the actor may see them, hidden
    # sensitive values as None) and the member the line is about.
    before_code: Any = None
    after_code: Any = None
    member_id: str = ""


@dataclass(slots=True)
class Cause:
    proposal_id: Any
    reference: str
    kind: str
    period: str
    verification: str
    deliberation: str
    approval: str
    kind_code: str = ""
    period_id: Any = None
    verification_id: Any = None
    deliberation_id: Any = None
    review_id: Any = None


@dataclass(slots=True)
class Correction:
    """A direct correction of the family or a member between the two versions (not through a proposal)."""

    seq: int
    occurred_at: Any
    actor: str
    action: str
    action_label: str
    reason: str
    target_type: str
    target_id: str


@dataclass(slots=True)
class DiffEntry:
    family_id: Any
    kk_number: str
    region_code: str
    change: str  # "added" | "removed" | "changed"
    fields: list[FieldChange] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)  # one line each, for people (with the reason)
    direct_corrections: list[Correction] = field(default_factory=list)


@dataclass(slots=True)
class PeriodDiff:
    older: DeterminationPeriod
    newer: DeterminationPeriod
    entries: list[DiffEntry]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0}
        for entry in self.entries:
            counts[entry.change] += 1
        return counts


def _label(model: type, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _member_label(actor: Any, member: dict[str, Any]) -> str:
    return f"{member.get('name', '')} ({identity_for(actor, str(member.get('nik', '')))})"


def _field_changes(actor: Any, before: dict[str, Any], after: dict[str, Any], sensitive_ok: bool) -> list[FieldChange]:
    family_subject = _("Family")
    changes: list[FieldChange] = []
    for name in sorted((set(before) | set(after)) - {"members", "programs"}):
        if before.get(name) != after.get(name):
            changes.append(FieldChange(family_subject, name, _label(Family, name),
                                       display_value(actor, name, before.get(name), sensitive_ok=sensitive_ok),
                                       display_value(actor, name, after.get(name), sensitive_ok=sensitive_ok),
                                       _code(actor, name, before.get(name), sensitive_ok),
                                       _code(actor, name, after.get(name), sensitive_ok)))
    old_members, new_members = before.get("members", {}), after.get("members", {})
    for member_id in sorted(set(old_members) | set(new_members)):
        old, new = old_members.get(member_id), new_members.get(member_id)
        if old is None:
            changes.append(FieldChange(_member_label(actor, new), "member", _("member"), "—", _("added to the list"),
                                       None, "added", member_id=str(member_id)))
        elif new is None:
            changes.append(FieldChange(_member_label(actor, old), "member", _("member"), _("listed"),
                                       _("left the list"), "listed", "removed", member_id=str(member_id)))
        else:
            for name in sorted(set(old) | set(new)):
                if old.get(name) != new.get(name):
                    changes.append(FieldChange(
                        _member_label(actor, new), name, _label(Individual, name),
                        display_value(actor, name, old.get(name), sensitive_ok=sensitive_ok),
                        display_value(actor, name, new.get(name), sensitive_ok=sensitive_ok),
                        _code(actor, name, old.get(name), sensitive_ok), _code(actor, name, new.get(name), sensitive_ok),
                        member_id=str(member_id)))
    old_programs, new_programs = set(before.get("programs", [])), set(after.get("programs", []))
    for program in sorted(new_programs - old_programs):
        changes.append(FieldChange(family_subject, "program", _("program"), "—",
                                   display_value(actor, "program", program.split(":")[0]), None, program.split(":")[0]))
    for program in sorted(old_programs - new_programs):
        changes.append(FieldChange(family_subject, "program", _("program"),
                                   display_value(actor, "program", program.split(":")[0]), "—", program.split(":")[0]))
    return changes


def _code(actor: Any, name: str, value: Any, sensitive_ok: bool) -> Any:
    """The stored value for machines, under the same rules as the text: identity numbers as the actor may see
    them, sensitive values hidden from roles without access."""
    if value in (None, ""):
        return None
    if name in SENSITIVE_FIELDS and not sensitive_ok:
        return None
    if name in IDENTITY_FIELDS:
        return identity_for(actor, str(value))
    return value


def _cause(proposal: Proposal) -> Cause:
    visits = list(proposal.verifications.all())
    visit = visits[-1] if visits else None
    verification = (
        f"{visit.visited_on:%d-%m-%Y} {visit.verifier.get_username()}: {visit.get_outcome_display()}"
        if visit else _("no field visit (not required)")
    )
    items = [i for i in proposal.deliberation_items.all() if i.decision == "accepted"]
    deliberation = (
        f"{items[-1].deliberation.get_kind_display()} {items[-1].deliberation.held_on:%d-%m-%Y}, "
        f"{items[-1].deliberation.number}: {items[-1].get_decision_display()}"
        if items else _("no deliberation (emergency)")
    )
    reviews = [r for r in proposal.reviews.all() if r.decision == "approved"]
    approval = (f"{reviews[-1].created_at:%d-%m-%Y} {reviews[-1].reviewer.get_username()} ({reviews[-1].get_level_display()})"
                if reviews else "—")
    return Cause(proposal.pk, proposal.reference, proposal.get_kind_display(),
                 proposal.applied_period.label if proposal.applied_period else "", verification, deliberation,
                 approval, kind_code=proposal.kind, period_id=proposal.applied_period_id,
                 verification_id=visit.pk if visit else None,
                 deliberation_id=items[-1].deliberation_id if items else None,
                 review_id=reviews[-1].pk if reviews else None)


def period_diff(*, actor: Any, older: DeterminationPeriod, newer: DeterminationPeriod) -> PeriodDiff:
    """The changes between two determined versions of the same region, limited to the actor's regions.

    `older` and `newer` are put in order if given the other way round. Caller fetched both with
    `access_period`.
    """
    if older.region_id != newer.region_id:
        raise BusinessRuleViolation("Periode dari wilayah berbeda / The periods belong to different regions")
    determined = DeterminationPeriod.Status.DETERMINED
    if older.status != determined or newer.status != determined:
        raise BusinessRuleViolation("Kedua periode harus sudah ditetapkan / Both periods must be determined")
    if older.determined_at > newer.determined_at:  # versions are ordered by when they were determined
        older, newer = newer, older
    scope = actor_region_codes(actor)

    def visible(code: str) -> bool:
        return any(is_within(code, mine) for mine in scope)

    # Digests first; the (large) data only for the families whose digest differs.
    before = {row[0]: row[1:] for row in DeterminedFamily.objects.filter(period=older)
              .values_list("family_id", "digest", "region_code")}
    after = {row[0]: row[1:] for row in DeterminedFamily.objects.filter(period=newer)
             .values_list("family_id", "digest", "region_code")}
    differing = [
        family_id for family_id in set(before) | set(after)
        if (before.get(family_id) or (None,))[0] != (after.get(family_id) or (None,))[0]
        and visible((after.get(family_id) or before.get(family_id))[1])
    ]
    data_old: dict[Any, dict] = {}
    data_new: dict[Any, dict] = {}
    for start in range(0, len(differing), 1000):
        chunk = differing[start:start + 1000]
        for period, target in ((older, data_old), (newer, data_new)):
            target.update(DeterminedFamily.objects.filter(period=period, family_id__in=chunk)
                          .values_list("family_id", "data"))
    sensitive_ok = may_see_sensitive(actor)
    entries: list[DiffEntry] = []
    for family_id in differing:
        old, new = data_old.get(family_id), data_new.get(family_id)
        change = "added" if old is None else "removed" if new is None else "changed"
        region_code = (after.get(family_id) or before.get(family_id))[1]
        kk = (new or old or {}).get("kk_number", "")
        fields = _field_changes(actor, old, new, sensitive_ok) if change == "changed" else []
        entries.append(DiffEntry(family_id, identity_for(actor, kk), region_code, change, fields))
    _attach_causes(entries, older, newer)
    entries.sort(key=lambda e: (e.region_code, e.change, e.kk_number))
    personal_data_viewed(actor=actor, kind="period_diff", count=len(entries), region_code=older.region_id,
                         extra={"older": str(older.pk), "newer": str(newer.pk)})
    return PeriodDiff(older, newer, entries)


def _attach_causes(entries: list[DiffEntry], older: DeterminationPeriod, newer: DeterminationPeriod) -> None:
    periods = DeterminationPeriod.objects.filter(region_id=older.region_id, determined_at__gt=older.determined_at,
                                                 determined_at__lte=newer.determined_at)
    wanted = {entry.family_id for entry in entries}
    proposals = (
        Proposal.objects.filter(applied_period__in=periods, family_id__in=wanted)
        .select_related("applied_period")
        .prefetch_related("verifications__verifier", "deliberation_items__deliberation", "reviews__reviewer")
        .order_by("applied_at")
    )
    by_family: dict[Any, list[Cause]] = {}
    for proposal in proposals:
        by_family.setdefault(proposal.family_id, []).append(_cause(proposal))
    unexplained: set[str] = set()
    by_id: dict[str, DiffEntry] = {}
    for entry in entries:
        entry.causes = by_family.get(entry.family_id, [])
        by_id[str(entry.family_id)] = entry
        if not entry.causes:
            unexplained.add(str(entry.family_id))
    if not by_id or older.determined_at is None or newer.determined_at is None:
        return
    members: dict[Any, Any] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 1000):
        members.update(Individual.objects.filter(family_id__in=ids[start:start + 1000]).values_list("pk", "family_id"))
    member_ids = [str(pk) for pk in members]
    events = []
    for start in range(0, max(len(ids), len(member_ids)), 1000):
        targets = Q(target_type="registry.family", target_id__in=ids[start:start + 1000]) | Q(
            target_type="registry.individual", target_id__in=member_ids[start:start + 1000])
        events += AuditEvent.objects.filter(targets, action__in=REGISTRY_WRITES,
                                            occurred_at__gt=older.determined_at,
                                            occurred_at__lte=newer.determined_at)
    for event in sorted(events, key=lambda e: e.seq):
        data = event.data or {}
        basis = data.get("basis", "")
        family_id = event.target_id if event.target_type == "registry.family" else str(
            members.get(_uuid(event.target_id)))
        entry = by_id.get(family_id)
        if entry is None or basis == "proposal" or (not basis and family_id not in unexplained):
            continue
        reason = str(data.get("reason", "") or "")
        correction = Correction(event.seq, event.occurred_at, event.actor_label, event.action,
                                action_label(event.action), reason, event.target_type, event.target_id)
        entry.direct_corrections.append(correction)
        text = f"{event.occurred_at:%d-%m-%Y %H:%M} {event.actor_label}: {correction.action_label} (#{event.seq})"
        entry.corrections.append(f"{text} · {_('reason')}: {reason}" if reason else text)


def _uuid(value: str) -> Any:
    try:
        return uuid.UUID(value)
    except ValueError:
        return value
