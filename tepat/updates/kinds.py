"""The kinds of proposal: what each carries, how it is checked, which facts a visit confirms, and what
it would change in the registry.

Payload shapes (JSON; dates as YYYY-MM-DD):
  new_family / emergency  {"family": {<Family fields>}, "members": [{<Individual fields>}, ...]}
                          emergency adds {"event": <EmergencyEvent>, "event_date": "..."}
  add_member              {"member": {<Individual fields>}}                      (proposal.family set)
  change_data             {"target": "family"|"member", "changes": {field: new}, "before": {field: old}}
  remove_member           {"reason": <MemberRemovalReason>, "on_date": "...", "note": "..."}  (individual)
  remove_family           {"reason": <FamilyRemovalReason>, "on_date": "...", "note": "..."}  (family)
  program                 {"program": <Program>, "member": "<individual id>"|"", "note": "..."} (family)
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual, ProgramParticipation
from tepat.registry.validation import FAMILY_FIELDS, INDIVIDUAL_FIELDS, clean_family, clean_individual
from tepat.updates.models import Proposal

K = Proposal.Kind
FAMILY_KINDS = frozenset({K.REMOVE_FAMILY, K.PROGRAM, K.ADD_MEMBER})
MEMBER_KINDS = frozenset({K.REMOVE_MEMBER})
REMOVAL_KINDS = frozenset({K.REMOVE_MEMBER, K.REMOVE_FAMILY})
NEW_FAMILY_KINDS = frozenset({K.NEW_FAMILY, K.EMERGENCY})
PROVINCIAL_PROGRAMS = frozenset({c.Program.REGIONAL})


class MemberRemovalReason(models.TextChoices):
    DIED = "died", _("Died")
    MOVED_DOMESTIC = "moved_domestic", _("Moved within Indonesia")
    MOVED_ABROAD = "moved_abroad", _("Moved abroad")
    DUPLICATE = "duplicate", _("Duplicate record")
    NOT_FOUND = "not_found", _("Not found")


# The registry has no "duplicate" presence: a duplicate leaves as not found, with the reason in the note.
MEMBER_REMOVAL_PRESENCE = {
    MemberRemovalReason.DIED: c.Presence.DIED,
    MemberRemovalReason.MOVED_DOMESTIC: c.Presence.MOVED_DOMESTIC,
    MemberRemovalReason.MOVED_ABROAD: c.Presence.MOVED_ABROAD,
    MemberRemovalReason.DUPLICATE: c.Presence.NOT_FOUND,
    MemberRemovalReason.NOT_FOUND: c.Presence.NOT_FOUND,
}


class EmergencyEvent(models.TextChoices):
    FIRE = "fire", _("Fire")
    FLOOD = "flood", _("Flood")
    LANDSLIDE = "landslide", _("Landslide")
    EARTHQUAKE = "earthquake", _("Earthquake")
    STORM = "storm", _("Strong wind / storm")
    SOCIAL_CONFLICT = "social_conflict", _("Social conflict")
    OTHER = "other", _("Other")


@dataclass(frozen=True, slots=True)
class Fact:
    """One proposed fact a field visit confirms or corrects."""

    path: str
    label: str
    value: Any


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One change the proposal would make: on what (`subject`), which field, from what to what."""

    subject: str
    field: str
    label: str
    before: Any
    after: Any


def _issue(field: str, code: str, id_text: str, en_text: str) -> Issue:
    return Issue(code, field, id_text, en_text)


def _prefixed(issues: list[Issue], prefix: str) -> list[Issue]:
    return [Issue(i.code, f"{prefix}{i.field}", i.id, i.en, i.severity) for i in issues]


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def _date_or_issue(field: str, value: Any, issues: list[Issue]) -> str:
    if value in (None, ""):
        return ""
    try:
        parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        issues.append(_issue(field, "date_format", f"tanggal '{value}' tidak sah (YYYY-MM-DD)",
                             f"date '{value}' is invalid (YYYY-MM-DD)"))
        return ""
    if parsed > timezone.localdate():
        issues.append(_issue(field, "future", "tanggal di masa depan", "the date is in the future"))
    return parsed.isoformat()


def _active_nik_issues(niks: list[tuple[str, str]], *, exclude_family: Any = None) -> list[Issue]:
    """NIKs (with their field path) already active in an active family of the registry."""
    values = [nik for _, nik in niks if nik]
    taken = set(
        Individual.objects.filter(nik__in=values, presence__in=c.ACTIVE_PRESENCE, family__status=c.FamilyStatus.ACTIVE)
        .exclude(family_id=exclude_family)
        .values_list("nik", flat=True)
    )
    return [
        _issue(path, "nik_registered", f"NIK {nik} sudah terdaftar aktif di registri",
               f"NIK {nik} is already active in the registry")
        for path, nik in niks if nik in taken
    ]


def _identity_issues(warnings: list[Issue], prefix: str) -> list[Issue]:
    """The import's NIK rules (`identity.nik_consistency`) on a proposed person. One difference between the
    NIK and the recorded birth date or sex stays a warning, as in the import (a NIK is not reissued when
    its date was wrong, FACTS §1); both at once mean the NIK is another person's, and the proposal is
    refused on the NIK field."""
    codes = {w.code for w in warnings if w.field == "nik"}
    if {"birth_date_differs", "sex_differs"} <= codes:
        return [_issue(f"{prefix}nik", "nik_other_person",
                       "NIK ini milik orang lain: jenis kelamin dan tanggal lahir di NIK berbeda dengan data orang ini",
                       "this NIK belongs to someone else: both the sex and the birth date it encodes differ from "
                       "this person's")]
    return []


def _members(raw: Any, issues: list[Issue]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        issues.append(_issue("members", "required", "minimal satu anggota keluarga", "at least one member is required"))
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, member in enumerate(raw):
        values, errors, warnings = clean_individual({"nik": "", "name": "", **dict(member or {})})
        issues.extend(_prefixed(errors, f"members.{index}."))
        issues.extend(_identity_issues(warnings, f"members.{index}."))
        nik = values.get("nik", "")
        if nik and nik in seen:
            issues.append(_issue(f"members.{index}.nik", "nik_duplicate", f"NIK {nik} dicantumkan dua kali",
                                 f"NIK {nik} is listed twice"))
        seen.add(nik)
        cleaned.append(jsonable(values))
    heads = sum(1 for m in cleaned if m.get("relation") == c.Relation.HEAD)
    if heads != 1:
        issues.append(_issue("members", "one_head", "harus ada tepat satu kepala keluarga",
                             "there must be exactly one head of family"))
    issues.extend(_active_nik_issues([(f"members.{i}.nik", m.get("nik", "")) for i, m in enumerate(cleaned)]))
    return cleaned


def _require_family(family: Family | None, issues: list[Issue]) -> bool:
    if family is None:
        issues.append(_issue("family", "required", "keluarga wajib dipilih", "a family is required"))
        return False
    if family.status != c.FamilyStatus.ACTIVE:
        issues.append(_issue("family", "removed", "keluarga sudah dihapus dari daftar",
                             "the family has been removed from the list"))
        return False
    return True


def _require_member(individual: Individual | None, issues: list[Issue]) -> bool:
    if individual is None:
        issues.append(_issue("individual", "required", "anggota keluarga wajib dipilih", "a member is required"))
        return False
    if individual.presence not in c.ACTIVE_PRESENCE or individual.family.status != c.FamilyStatus.ACTIVE:
        issues.append(_issue("individual", "inactive", "anggota ini tidak aktif di daftar",
                             "this member is not active in the list"))
        return False
    return True


def _current(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return jsonable({name: getattr(obj, name) for name in fields})


def validate(kind: str, payload: dict[str, Any], *, family: Family | None = None,
             individual: Individual | None = None) -> dict[str, Any]:
    """The clean payload for `kind`, or ValidationFailed naming every problem (fields as payload paths)."""
    issues: list[Issue] = []
    payload = dict(payload or {})
    clean: dict[str, Any] = {}
    if kind in NEW_FAMILY_KINDS:
        values, errors, _w = clean_family({"kk_number": "", **dict(payload.get("family") or {})})
        issues.extend(_prefixed(errors, "family."))
        kk = values.get("kk_number")
        if kk and Family.objects.filter(kk_number=kk, status=c.FamilyStatus.ACTIVE).exists():
            issues.append(_issue("family.kk_number", "kk_in_use", f"No. KK {kk} sudah dipakai keluarga aktif",
                                 f"KK number {kk} is already used by an active family"))
        clean = {"family": jsonable(values), "members": _members(payload.get("members"), issues)}
        if kind == K.EMERGENCY:
            event = payload.get("event", "")
            if event not in EmergencyEvent.values:
                issues.append(_issue("event", "choice", "jenis kejadian wajib dipilih", "the kind of event is required"))
            clean["event"] = event
            clean["event_date"] = _date_or_issue("event_date", payload.get("event_date"), issues)
    elif kind == K.ADD_MEMBER:
        if _require_family(family, issues):
            values, errors, warnings = clean_individual({"nik": "", "name": "", **dict(payload.get("member") or {})})
            issues.extend(_prefixed(errors, "member."))
            issues.extend(_identity_issues(warnings, "member."))
            if values.get("relation") == c.Relation.HEAD and family.members.filter(
                relation=c.Relation.HEAD, presence__in=c.ACTIVE_PRESENCE
            ).exists():
                issues.append(_issue("member.relation", "second_head", "keluarga ini sudah punya kepala keluarga",
                                     "this family already has a head of family"))
            issues.extend(_active_nik_issues([("member.nik", values.get("nik", ""))]))
            clean = {"member": jsonable(values)}
    elif kind == K.CHANGE_DATA:
        target = payload.get("target", "family")
        changes = dict(payload.get("changes") or {})
        if target == "member":
            if _require_member(individual, issues):
                current = {name: getattr(individual, name) for name in INDIVIDUAL_FIELDS}
                values, errors, warnings = clean_individual(changes, current=current)
                if {"nik", "sex", "birth_date"} & set(values):
                    errors = [*errors, *_identity_issues(warnings, "")]
                before = _current(individual, list(values))
                clean = _change_lines(values, before, errors, issues)
        elif target == "family":
            if _require_family(family, issues):
                values, errors, _w = clean_family(changes)
                before = _current(family, list(values))
                clean = _change_lines(values, before, errors, issues)
        else:
            issues.append(_issue("target", "choice", "sasaran perubahan harus keluarga atau anggota",
                                 "the target must be the family or a member"))
        clean["target"] = target
    elif kind == K.REMOVE_MEMBER:
        if _require_member(individual, issues):
            clean = _removal(payload, MemberRemovalReason.values, issues,
                             note_required=payload.get("reason") != MemberRemovalReason.DIED)
    elif kind == K.REMOVE_FAMILY:
        if _require_family(family, issues):
            clean = _removal(payload, c.FamilyRemovalReason.values, issues, note_required=False)
    elif kind == K.PROGRAM:
        if _require_family(family, issues):
            clean = _program(payload, family, issues)
    else:
        issues.append(_issue("kind", "choice", f"jenis usulan '{kind}' tidak dikenal", f"unknown proposal kind '{kind}'"))
    if issues:
        raise ValidationFailed(issues)
    return clean


def _change_lines(values: dict[str, Any], before: dict[str, Any], errors: list[Issue],
                  issues: list[Issue]) -> dict[str, Any]:
    issues.extend(_prefixed(errors, "changes."))
    after = jsonable(values)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if not errors and not changed:
        issues.append(_issue("changes", "no_change", "tidak ada data yang berubah", "nothing would change"))
    return {"changes": changed, "before": {k: before.get(k) for k in changed}}


def _removal(payload: dict[str, Any], reasons: list[str], issues: list[Issue], *, note_required: bool) -> dict:
    reason = payload.get("reason", "")
    if reason not in reasons:
        issues.append(_issue("reason", "choice", "alasan wajib dipilih", "a reason is required"))
    note = str(payload.get("note") or "").strip()
    if note_required and not note:
        issues.append(_issue("note", "required", "keterangan wajib diisi untuk alasan ini",
                             "a note is required for this reason"))
    return {"reason": reason, "on_date": _date_or_issue("on_date", payload.get("on_date"), issues), "note": note}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def _program(payload: dict[str, Any], family: Family, issues: list[Issue]) -> dict[str, Any]:
    program = payload.get("program", "")
    if program not in c.Program.values:
        issues.append(_issue("program", "choice", "program wajib dipilih", "a program is required"))
    member = str(payload.get("member") or "")
    if member and not _is_uuid(member):
        issues.append(_issue("member", "uuid", "ID anggota tidak sah (harus UUID)", "invalid member id (must be a UUID)"))
    elif member and not family.members.filter(pk=member, presence__in=c.ACTIVE_PRESENCE).exists():
        issues.append(_issue("member", "not_member", "orang ini bukan anggota aktif keluarga ini",
                             "this person is not an active member of this family"))
    elif ProgramParticipation.objects.filter(family=family, program=program, until__isnull=True,
                                             individual_id=member or None).exists():
        issues.append(_issue("program", "already", "sudah menjadi peserta program ini",
                             "already a participant of this program"))
    return {"program": program, "member": member, "note": str(payload.get("note") or "").strip()}


def destination(kind: str, payload: dict[str, Any]) -> str:
    """Where an approved proposal is sent: provincial programs to the province, everything else up."""
    if kind == K.PROGRAM and payload.get("program") in PROVINCIAL_PROGRAMS:
        return Proposal.Destination.PROVINCE
    return Proposal.Destination.CENTRAL


def subject_name(kind: str, payload: dict[str, Any], *, family: Family | None,
                 individual: Individual | None) -> str:
    """A name to recognise the proposal by in lists: the member concerned, else the head of family."""
    if kind in NEW_FAMILY_KINDS:
        heads = [m for m in payload.get("members", []) if m.get("relation") == c.Relation.HEAD]
        return (heads or payload.get("members") or [{}])[0].get("name", "")
    if kind == K.ADD_MEMBER:
        return payload.get("member", {}).get("name", "")
    if individual is not None:
        return individual.name
    if family is not None:
        head = family.members.filter(presence__in=c.ACTIVE_PRESENCE).order_by("relation", "birth_date").first()
        return head.name if head else family.kk_number
    return ""


MEMBER_ORDER = ("nik", "name", "sex", "birth_place", "birth_date", "relation", *INDIVIDUAL_FIELDS)
FAMILY_ORDER = ("kk_number", "address", "rw", "rt", *FAMILY_FIELDS)


def ordered(values: dict[str, Any], order: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Items in the questionnaire's order (PostgreSQL's jsonb does not keep the order keys were written in)."""
    rank = {name: i for i, name in enumerate(order)}
    return sorted(values.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # payload keys that are not model fields keep their own name
        return name


def facts(kind: str, payload: dict[str, Any]) -> list[Fact]:
    """Every proposed fact, as a path into the payload, for the visit to confirm or correct."""
    out: list[Fact] = []
    if kind in NEW_FAMILY_KINDS:
        out += [Fact(f"family.{k}", _label(Family, k), v) for k, v in ordered(payload.get("family", {}), FAMILY_ORDER)]
        for i, member in enumerate(payload.get("members", [])):
            prefix = f"{member.get('name', '')} · "
            out += [Fact(f"members.{i}.{k}", prefix + _label(Individual, k), v)
                    for k, v in ordered(member, MEMBER_ORDER)]
    elif kind == K.ADD_MEMBER:
        out += [Fact(f"member.{k}", _label(Individual, k), v)
                for k, v in ordered(payload.get("member", {}), MEMBER_ORDER)]
    elif kind == K.CHANGE_DATA:
        model = Individual if payload.get("target") == "member" else Family
        order = MEMBER_ORDER if model is Individual else FAMILY_ORDER
        out += [Fact(f"changes.{k}", _label(model, k), v) for k, v in ordered(payload.get("changes", {}), order)]
    elif kind in REMOVAL_KINDS:
        out += [Fact("reason", str(_("reason")), payload.get("reason")),
                Fact("on_date", str(_("date")), payload.get("on_date"))]
    elif kind == K.PROGRAM:
        out += [Fact("program", str(_("program")), payload.get("program"))]
    return out


def apply_corrections(payload: dict[str, Any], corrections: dict[str, Any]) -> dict[str, Any]:
    """The payload with the corrected facts (dotted paths) replaced."""
    result = copy.deepcopy(payload)
    for path, value in corrections.items():
        node: Any = result
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return result


def preview(proposal: Proposal, payload: dict[str, Any] | None = None) -> list[ChangeLine]:
    """Exactly what determination would change in the registry, field by field, old → new."""
    payload = payload if payload is not None else (proposal.verified_payload or proposal.payload)
    kind = proposal.kind
    family_subject = str(_("Family"))
    lines: list[ChangeLine] = []
    if kind in NEW_FAMILY_KINDS:
        for k, v in ordered(payload.get("family", {}), FAMILY_ORDER):
            lines.append(ChangeLine(family_subject, k, _label(Family, k), None, v))
        for member in payload.get("members", []):
            lines += [ChangeLine(member.get("name", ""), k, _label(Individual, k), None, v)
                      for k, v in ordered(member, MEMBER_ORDER)]
    elif kind == K.ADD_MEMBER:
        member = payload.get("member", {})
        lines += [ChangeLine(member.get("name", ""), k, _label(Individual, k), None, v)
                  for k, v in ordered(member, MEMBER_ORDER)]
    elif kind == K.CHANGE_DATA:
        member = payload.get("target") == "member"
        obj = proposal.individual if member else proposal.family
        subject = obj.name if member and obj else family_subject
        model = Individual if member else Family
        for k, v in ordered(payload.get("changes", {}), MEMBER_ORDER if member else FAMILY_ORDER):
            before = _current(obj, [k])[k] if obj is not None and proposal.status != Proposal.Status.APPLIED else \
                payload.get("before", {}).get(k)
            lines.append(ChangeLine(subject, k, _label(model, k), before, v))
    elif kind == K.REMOVE_MEMBER:
        individual = proposal.individual
        presence = MEMBER_REMOVAL_PRESENCE.get(payload.get("reason"), c.Presence.NOT_FOUND)
        lines.append(ChangeLine(individual.name if individual else "", "presence", _label(Individual, "presence"),
                                c.Presence.LIVING, int(presence)))
    elif kind == K.REMOVE_FAMILY:
        lines.append(ChangeLine(family_subject, "status", str(_("status")), c.FamilyStatus.ACTIVE,
                                c.FamilyStatus.REMOVED))
        lines.append(ChangeLine(family_subject, "status_reason", str(_("reason")), "", payload.get("reason")))
    elif kind == K.PROGRAM:
        lines.append(ChangeLine(family_subject, "program", str(_("program")), None, payload.get("program")))
    return lines

