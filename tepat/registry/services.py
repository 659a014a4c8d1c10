"""Every write to the registry. Each service checks the actor's action on the family or member with the
rule `tepat.registry.actions` shows on pages and in the API, validates, writes and records an audit event
with before/after of the changed fields, all in one transaction.

Every write rests on one of two bases, recorded in its audit event (`basis`):
- `proposal="USL-…"`: applying a determined proposal (tepat.updates, at determination; needs
  `updates.determine`);
- otherwise a direct correction (`registry.correct`, Dinsos roles only) with a required `correction_reason`.
Village roles have neither: they change the registry only through proposals."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation

from tepat.audit.services import audit_record, changed_fields
from tepat.audit.transitions import transition
from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.actions import ensure_family_action, ensure_individual_action, write_basis
from tepat.registry.identity import name_key
from tepat.registry.models import Family, Individual, KKNumberHistory, ProgramParticipation
from tepat.registry.transitions import FAMILY_TRANSITIONS
from tepat.registry.validation import (
    FAMILY_FIELDS,
    INDIVIDUAL_FIELDS,
    clean_family,
    clean_individual,
)


def _snapshot(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def _raise_if(errors: list[Issue]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _full_clean(obj: Any) -> None:
    """Model limits (lengths) as bilingual ValidationFailed, not Django's ValidationError."""
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        issues = []
        for name, errors in exc.error_dict.items():
            for error in errors:
                with translation.override("id"):
                    text_id = " ".join(error.messages)
                with translation.override("en"):
                    text_en = " ".join(error.messages)
                issues.append(Issue(error.code or "invalid", name, f"{name}: {text_id}", f"{name}: {text_en}"))
        raise ValidationFailed(issues) from exc


def _village_or_error(region_code: str) -> Region:
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level != Region.Level.VILLAGE:
        raise ValidationFailed([Issue("region", "region", f"wilayah '{region_code}' bukan desa/kelurahan yang dikenal",
                                      f"region '{region_code}' is not a known village")])
    return region


def _check_kk_free(kk_number: str, *, family_id: Any = None) -> list[Issue]:
    clash = Family.objects.filter(kk_number=kk_number, status=c.FamilyStatus.ACTIVE).exclude(pk=family_id)
    if kk_number and clash.exists():
        return [Issue("kk_in_use", "kk_number", f"No. KK {kk_number} sudah dipakai keluarga lain",
                      f"KK number {kk_number} is already used by another family")]
    return []


def _check_member_rules(*, family: Family, nik: str, relation: int | None, presence: int,
                        individual_id: Any = None) -> list[Issue]:
    errors: list[Issue] = []
    if presence not in c.ACTIVE_PRESENCE:
        return errors
    # Members of a removed family keep their rows, but no longer hold their NIK (like a removed KK).
    others = Individual.objects.filter(nik=nik, presence__in=c.ACTIVE_PRESENCE,
                                       family__status=c.FamilyStatus.ACTIVE).exclude(pk=individual_id)
    if nik and others.filter(family=family).exists():
        errors.append(Issue("nik_duplicate", "nik", f"NIK {nik} sudah ada di keluarga ini",
                            f"NIK {nik} is already in this family"))
    elif nik and others.exclude(family=family).exists():
        errors.append(Issue("nik_in_other_family", "nik", f"NIK {nik} sudah terdaftar di keluarga lain",
                            f"NIK {nik} is already registered in another family"))
    if relation == c.Relation.HEAD:
        heads = Individual.objects.filter(family=family, relation=c.Relation.HEAD,
                                          presence__in=c.ACTIVE_PRESENCE).exclude(pk=individual_id)
        if heads.exists():
            errors.append(Issue("second_head", "relation", "keluarga ini sudah punya kepala keluarga",
                                "this family already has a head of family"))
    return errors


def _action(proposal: str) -> str:
    return "apply" if proposal else "correct"


def _check_family(actor: Any, family: Family, *, proposal: str, correction_reason: str) -> tuple[dict[str, str], list[Issue]]:
    """The family's rule (403/404/409, on the locked row), then the write's basis (reason required)."""
    ensure_family_action(actor=actor, family=family, action=_action(proposal))
    return write_basis(correction_reason=correction_reason, proposal=proposal)


def _check_individual(actor: Any, individual: Individual, *, proposal: str,
                      correction_reason: str) -> tuple[dict[str, str], list[Issue]]:
    ensure_individual_action(actor=actor, individual=individual, action=_action(proposal))
    return write_basis(correction_reason=correction_reason, proposal=proposal)


def _check_new_family(actor: Any, region_code: str, *, proposal: str,
                      correction_reason: str) -> tuple[dict[str, str], list[Issue]]:
    """A family that does not exist yet: the same rule on a stand-in with the chosen village."""
    ensure_family_action(actor=actor, family=Family(region_id=region_code, status=c.FamilyStatus.ACTIVE),
                         action=_action(proposal))
    return write_basis(correction_reason=correction_reason, proposal=proposal)


@transaction.atomic
def family_create(*, actor: Any, region_code: str, data: dict[str, Any],
                  members: list[dict[str, Any]] | None = None, correction_reason: str = "",
                  proposal: str = "") -> Family:
    """Create a family in a village, with its first KK number in the history and optional members."""
    basis, basis_issues = _check_new_family(actor, region_code, proposal=proposal, correction_reason=correction_reason)
    _village_or_error(region_code)
    values, errors, warnings = clean_family({"kk_number": "", **data})
    errors += _check_kk_free(values.get("kk_number", "")) + basis_issues
    _raise_if(errors)
    family = Family(region_id=region_code, validation_warnings=[w.as_dict() for w in warnings], **values)
    _full_clean(family)
    family.save()
    KKNumberHistory.objects.create(family=family, kk_number=family.kk_number, valid_from=timezone.localdate(),
                                   reason=basis["reason"][:100] if proposal else "created")
    audit_record(actor=actor, action="family.create", target=family, region_code=region_code,
                 data=masking.audit_payload({"after": _snapshot(family, FAMILY_FIELDS), **basis}))
    for member in members or []:
        individual_add(actor=actor, family=family, data=member, correction_reason=correction_reason,
                       proposal=proposal)
    return family


@transaction.atomic
def family_update(*, actor: Any, family: Family, data: dict[str, Any], correction_reason: str = "",
                  proposal: str = "") -> Family:
    """Change family fields. A changed KK number is recorded in the KK history."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    basis, basis_issues = _check_family(actor, family, proposal=proposal, correction_reason=correction_reason)
    values, errors, _warnings = clean_family(data)
    errors += basis_issues
    if "kk_number" in values and values["kk_number"] != family.kk_number:
        errors += _check_kk_free(values["kk_number"], family_id=family.pk)
    _raise_if(errors)
    before = _snapshot(family, FAMILY_FIELDS)
    for key, value in values.items():
        setattr(family, key, value)
    after = _snapshot(family, FAMILY_FIELDS)
    diff = changed_fields(before, after)
    if not diff:
        return family
    if "kk_number" in diff:
        today = timezone.localdate()
        KKNumberHistory.objects.filter(family=family, valid_to__isnull=True).update(valid_to=today)
        KKNumberHistory.objects.create(family=family, kk_number=family.kk_number, valid_from=today,
                                       reason=basis["reason"][:100])
    _, _, family_warnings = clean_family({"kk_number": family.kk_number})
    family.validation_warnings = [w.as_dict() for w in family_warnings]
    _full_clean(family)
    family.save()
    audit_record(actor=actor, action="family.update", target=family, region_code=family.region_id,
                 data=masking.audit_payload({"changes": diff, **basis}))
    return family


@transaction.atomic
def family_remove(*, actor: Any, family: Family, reason: str, note: str = "",
                  on_date: date | None = None, correction_reason: str = "", proposal: str = "") -> Family:
    """Remove a family from the active list: a status with reason and date, never a delete."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    basis, basis_issues = _check_family(actor, family, proposal=proposal, correction_reason=correction_reason)
    if reason not in c.FamilyRemovalReason.values:
        basis_issues = [Issue("reason", "reason", "alasan penghapusan wajib dipilih", "a removal reason is required"),
                        *basis_issues]
    _raise_if(basis_issues)
    fields = ("status", "status_reason", "status_note", "status_date")
    before = _snapshot(family, fields)
    updates = {"status_reason": reason, "status_note": note.strip(), "status_date": on_date or timezone.localdate()}
    after = _snapshot(SimpleNamespace(status=FAMILY_TRANSITIONS["remove"].target, **updates), fields)
    return transition(family, "remove", actor=actor, region_code=family.region_id, locked=True, updates=updates,
                      data=masking.audit_payload({"changes": changed_fields(before, after), **basis}))


@transaction.atomic
def individual_add(*, actor: Any, family: Family, data: dict[str, Any], correction_reason: str = "",
                   proposal: str = "") -> Individual:
    family = Family.objects.select_for_update().get(pk=family.pk)
    basis, basis_issues = _check_family(actor, family, proposal=proposal, correction_reason=correction_reason)
    values, errors, warnings = clean_individual({"nik": "", "name": "", **data})
    errors += basis_issues
    presence = c.Presence.LIVING
    errors += _check_member_rules(family=family, nik=values.get("nik", ""), relation=values.get("relation"),
                                  presence=presence)
    _raise_if(errors)
    individual = Individual(family=family, name_key=name_key(values["name"]), presence=presence,
                            validation_warnings=[w.as_dict() for w in warnings], **values)
    _full_clean(individual)
    individual.save()
    audit_record(actor=actor, action="individual.add", target=individual, region_code=family.region_id,
                 data=masking.audit_payload({"family": str(family.pk), "after": _snapshot(individual, INDIVIDUAL_FIELDS),
                                             **basis}))
    return individual


@transaction.atomic
def individual_update(*, actor: Any, individual: Individual, data: dict[str, Any], correction_reason: str = "",
                      proposal: str = "") -> Individual:
    region_code = individual.family.region_id
    individual = Individual.objects.select_for_update().select_related("family").get(pk=individual.pk)
    basis, basis_issues = _check_individual(actor, individual, proposal=proposal, correction_reason=correction_reason)
    before = _snapshot(individual, INDIVIDUAL_FIELDS)
    current = {name: getattr(individual, name) for name in INDIVIDUAL_FIELDS}
    values, errors, warnings = clean_individual(data, current=current)
    errors += basis_issues
    merged = {**current, **values}
    if "nik" in values or "relation" in values:
        errors += _check_member_rules(family=individual.family, nik=merged["nik"], relation=merged["relation"],
                                      presence=individual.presence, individual_id=individual.pk)
    _raise_if(errors)
    for key, value in values.items():
        setattr(individual, key, value)
    individual.name_key = name_key(individual.name)
    individual.validation_warnings = [w.as_dict() for w in warnings]
    diff = changed_fields(before, _snapshot(individual, INDIVIDUAL_FIELDS))
    if not diff:
        return individual
    _full_clean(individual)
    individual.save()
    audit_record(actor=actor, action="individual.update", target=individual, region_code=region_code,
                 data=masking.audit_payload({"family": str(individual.family_id), "changes": diff, **basis}))
    return individual


@transaction.atomic
def individual_set_presence(*, actor: Any, individual: Individual, presence: int, note: str = "",
                            on_date: date | None = None, correction_reason: str = "",
                            proposal: str = "") -> Individual:
    """Record that a member died, moved, was not found, or is back: the row stays, its status changes."""
    region_code = individual.family.region_id
    individual = Individual.objects.select_for_update().select_related("family").get(pk=individual.pk)
    basis, basis_issues = _check_individual(actor, individual, proposal=proposal, correction_reason=correction_reason)
    if presence not in c.Presence.values:
        raise ValidationFailed([Issue("choice", "presence", f"status keberadaan '{presence}' tidak dikenal",
                                      f"presence status '{presence}' is unknown")])
    errors: list[Issue] = list(basis_issues)
    if presence in c.ACTIVE_PRESENCE and individual.presence not in c.ACTIVE_PRESENCE:
        errors += _check_member_rules(family=individual.family, nik=individual.nik, relation=individual.relation,
                                      presence=presence, individual_id=individual.pk)
    if presence not in c.ACTIVE_PRESENCE and not note.strip() and presence != c.Presence.DIED:
        errors.append(Issue("note", "presence_note", "keterangan wajib diisi untuk status ini",
                            "a note is required for this status"))
    _raise_if(errors)
    fields = ("presence", "presence_note", "presence_date")
    before = _snapshot(individual, fields)
    individual.presence = presence
    individual.presence_note = note.strip()
    individual.presence_date = on_date or timezone.localdate()
    diff = changed_fields(before, _snapshot(individual, fields))
    if not diff:  # no record without a change
        return individual
    individual.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, action="individual.presence", target=individual, region_code=region_code,
                 data=masking.audit_payload({"family": str(individual.family_id), "changes": diff, **basis}))
    return individual



@transaction.atomic
def program_participation_add(*, actor: Any, family: Family, program: str, individual: Individual | None = None,
                              since: date | None = None, channel: str = "", correction_reason: str = "",
                              proposal: str = "") -> ProgramParticipation:
    """Record that a family (or one member) takes part in a programme from a date."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    basis, basis_issues = _check_family(actor, family, proposal=proposal, correction_reason=correction_reason)
    errors: list[Issue] = list(basis_issues)
    if program not in c.Program.values:
        errors.append(Issue("choice", "program", f"program '{program}' tidak dikenal", f"unknown program '{program}'"))
    if individual is not None and individual.family_id != family.pk:
        errors.append(Issue("member", "individual", "anggota bukan dari keluarga ini",
                            "the member does not belong to this family"))
    _raise_if(errors)
    participation = ProgramParticipation(family=family, individual=individual, program=program,
                                         since=since or timezone.localdate(), channel=channel)
    participation.full_clean()
    participation.save()
    audit_record(actor=actor, action="program_participation.add", target=participation,
                 region_code=family.region_id,
                 data={"family": str(family.pk), "individual": str(individual.pk) if individual else "",
                       "program": program, "since": participation.since, "channel": channel, **basis})
    return participation
