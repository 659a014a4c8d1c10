"""Disaster events, the quick intake of households and persons, their matching to the registry, and meals.

Every write checks capability × region scope (through the event's action rules or `ensure_permission`) and
records its audit event in the same transaction; personal data in audit payloads goes through
`tepat.registry.masking.audit_payload`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.accounts.access import ensure_permission
from tepat.accounts.roles import Capability, Role
from tepat.audit.actions import AuditAction as A
from tepat.audit.services import audit_record
from tepat.audit.transitions import transition
from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.core.messages import Issue
from tepat.regions.models import Region
from tepat.registry import choices as rc
from tepat.registry import masking
from tepat.registry.identity import validate_kk, validate_nik
from tepat.registry.models import Individual
from tepat.registry.validation import normalise_rt_rw
from tepat.relief.actions import ensure_event_action
from tepat.relief.models import DisasterEvent, IntakeHousehold, IntakePerson, MealRecord
from tepat.relief.services.common import a_date, positive_int, raise_if, reference, text

C = Capability
H = IntakeHousehold.Match
P = IntakePerson.Match


def _village(code: str, field: str, issues: list[Issue]) -> Region | None:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None or region.level != Region.Level.VILLAGE:
        issues.append(Issue("village", field, f"kode desa/kelurahan '{code}' tidak dikenal",
                            f"unknown village code '{code}'"))
        return None
    return region


# ---- events -------------------------------------------------------------------------------------------------

@transaction.atomic
def event_create(*, actor: Any, kind: str, region_code: str, place: str, occurred_on: Any, description: str = "",
                 decree_number: str = "", decree_date: Any = None) -> DisasterEvent:
    """Record a disaster event in a village (Dinsos)."""
    ensure_permission(actor=actor, capability=C.RELIEF_EVENTS, region_code=region_code or "-")
    issues: list[Issue] = []
    if kind not in DisasterEvent.Kind.values:
        issues.append(Issue("choice", "kind", f"jenis bencana '{kind}' tidak dikenal", f"unknown disaster kind '{kind}'"))
    region = _village(region_code, "region_code", issues)
    place = text(place, "place", "Lokasi", "Place", issues, required=True)
    day = a_date(occurred_on, "occurred_on", "Tanggal kejadian", "Date of the event", issues)
    description = text(description, "description", "Keterangan", "Description", issues, max_length=2000)
    decree_number = text(decree_number, "decree_number", "Nomor SK", "Decree number", issues, max_length=100)
    decree_day = a_date(decree_date, "decree_date", "Tanggal SK", "Decree date", issues, required=False)
    if decree_day and not decree_number:
        issues.append(Issue("required", "decree_number", "Nomor SK wajib diisi bila tanggal SK diisi",
                            "the decree number is required with a decree date"))
    raise_if(issues)
    event = DisasterEvent.objects.create(
        reference=reference("BNC"), kind=kind, region=region, place=place, occurred_on=day, description=description,
        decree_number=decree_number, decree_date=decree_day, created_by=actor)
    audit_record(actor=actor, action=A.RELIEF_EVENT_CREATE, target=event, region_code=event.region_id,
                 data={"reference": event.reference, "kind": kind, "place": place, "occurred_on": day.isoformat(),
                       "decree_number": decree_number})
    return event


@transaction.atomic
def event_close(*, actor: Any, event: DisasterEvent, note: str = "") -> DisasterEvent:
    ensure_event_action(actor, event, "close")
    return transition(event, "close", actor=actor, region_code=event.region_id, reason=note.strip(),
                      updates={"closed_at": timezone.now()}, data={"reference": event.reference})


@transaction.atomic
def event_reopen(*, actor: Any, event: DisasterEvent, reason: str) -> DisasterEvent:
    ensure_event_action(actor, event, "reopen")
    if not (reason or "").strip():
        raise ValidationFailed([Issue("required", "reason", "alasan wajib diisi", "a reason is required")])
    return transition(event, "reopen", actor=actor, region_code=event.region_id, reason=reason.strip(),
                      updates={"closed_at": None}, data={"reference": event.reference})


# ---- intake -------------------------------------------------------------------------------------------------

def _clean_person(index: int, raw: dict[str, Any], issues: list[Issue]) -> dict[str, Any]:
    prefix = f"persons.{index}."
    name = text(raw.get("name"), prefix + "name", f"Nama orang ke-{index + 1}", f"Name of person {index + 1}",
                issues, required=True, max_length=150)
    nik = ""
    if str(raw.get("nik") or "").strip():
        result = validate_nik(raw.get("nik"), field_name=prefix + "nik")
        issues.extend(result.errors)
        nik = result.value
    sex = raw.get("sex")
    if sex in (None, ""):
        sex = None
    elif str(sex) not in ("1", "2"):
        issues.append(Issue("choice", prefix + "sex", "jenis kelamin harus 1 (laki-laki) atau 2 (perempuan)",
                            "sex must be 1 (male) or 2 (female)"))
        sex = None
    else:
        sex = int(sex)
    birth_date = a_date(raw.get("birth_date"), prefix + "birth_date", "Tanggal lahir", "Birth date", issues,
                        required=False)
    age = raw.get("age_years")
    age_years = None
    if age not in (None, ""):
        age_years = positive_int(age, prefix + "age_years", "Umur", "Age", issues, allow_zero=True)
        if age_years > 130:
            issues.append(Issue("max", prefix + "age_years", "umur paling besar 130", "age must be at most 130"))
    relation = raw.get("relation")
    if relation in (None, ""):
        relation = None
    elif str(relation) not in {str(v) for v in rc.Relation.values}:
        issues.append(Issue("choice", prefix + "relation", f"hubungan keluarga '{relation}' tidak dikenal",
                            f"unknown relation '{relation}'"))
        relation = None
    else:
        relation = int(relation)
    return {"name": name, "nik": nik, "sex": sex, "birth_date": birth_date, "age_years": age_years,
            "relation": relation}


@transaction.atomic
def intake_household_create(*, actor: Any, event: DisasterEvent, head_name: str, persons: list[dict[str, Any]],
                            region_code: str = "", rt: str = "", rw: str = "", address: str = "",
                            kk_number: str = "", phone: str = "", damage: str = IntakeHousehold.Damage.NONE,
                            displaced: bool = False, shelter: str = "", note: str = "") -> IntakeHousehold:
    """Record one affected household and its persons. The NIK and the KK number are optional (documents may be
    lost) and checked for structure when given; matching to the registry comes later (`intake_match`)."""
    region_code = (region_code or event.region_id).strip()
    ensure_event_action(actor, event, "intake")
    ensure_permission(actor=actor, capability=C.RELIEF_INTAKE, region_code=region_code)
    issues: list[Issue] = []
    region = _village(region_code, "region_code", issues)
    head_name = text(head_name, "head_name", "Nama kepala keluarga", "Name of the head of household", issues,
                     required=True, max_length=150)
    kk = ""
    if str(kk_number or "").strip():
        result = validate_kk(kk_number)
        issues.extend(result.errors)
        kk = result.value
    rt_value = normalise_rt_rw(rt, "rt", issues) if str(rt or "").strip() else ""
    rw_value = normalise_rt_rw(rw, "rw", issues) if str(rw or "").strip() else ""
    if damage not in IntakeHousehold.Damage.values:
        issues.append(Issue("choice", "damage", f"tingkat kerusakan '{damage}' tidak dikenal",
                            f"unknown damage level '{damage}'"))
    address = text(address, "address", "Alamat", "Address", issues)
    shelter = text(shelter, "shelter", "Tempat tinggal sementara", "Temporary shelter", issues, max_length=150)
    phone = text(phone, "phone", "Telepon", "Phone", issues, max_length=30)
    note = text(note, "note", "Catatan", "Note", issues, max_length=2000)
    if not isinstance(persons, list) or not persons:
        issues.append(Issue("required", "persons", "minimal satu orang", "at least one person is required"))
        persons = []
    clean = [_clean_person(i, dict(p or {}), issues) for i, p in enumerate(persons)]
    seen: set[str] = set()
    for i, person in enumerate(clean):
        if person["nik"] and person["nik"] in seen:
            issues.append(Issue("nik_duplicate", f"persons.{i}.nik", "NIK dicantumkan dua kali", "NIK listed twice"))
        seen.add(person["nik"])
    raise_if(issues)
    household = IntakeHousehold.objects.create(
        event=event, reference=reference("KRT"), region=region, rt=rt_value, rw=rw_value, address=address,
        kk_number=kk, head_name=head_name, phone=phone, damage=damage, displaced=bool(displaced), shelter=shelter,
        note=note, created_by=actor,
        match_status=H.PENDING if (kk or any(p["nik"] for p in clean)) else H.NO_IDENTITY)
    IntakePerson.objects.bulk_create([
        IntakePerson(household=household, match_status=P.PENDING if p["nik"] else P.NO_NIK, **p) for p in clean])
    audit_record(actor=actor, action=A.RELIEF_INTAKE_CREATE, target=household, region_code=household.region_id,
                 data=masking.audit_payload({
                     "event": event.reference, "reference": household.reference, "kk_number": kk,
                     "persons": len(clean), "with_nik": sum(1 for p in clean if p["nik"]), "damage": damage,
                     "displaced": bool(displaced)}))
    return household


# ---- matching -----------------------------------------------------------------------------------------------

def _proposal_payload(household: IntakeHousehold, persons: list[IntakePerson]) -> dict[str, Any]:
    from tepat.updates.kinds import EmergencyEvent

    kinds = {DisasterEvent.Kind.FIRE: EmergencyEvent.FIRE, DisasterEvent.Kind.FLOOD: EmergencyEvent.FLOOD,
             DisasterEvent.Kind.LANDSLIDE: EmergencyEvent.LANDSLIDE}
    family = {"kk_number": household.kk_number, "rt": household.rt, "rw": household.rw, "address": household.address}
    members = [{"nik": p.nik, "name": p.name, "sex": p.sex, "birth_date": p.birth_date.isoformat() if p.birth_date
                else "", "relation": p.relation} for p in persons]
    return {"family": family, "members": members, "event": kinds.get(household.event.kind, EmergencyEvent.OTHER),
            "event_date": household.event.occurred_on.isoformat()}


def _proposal_source(actor: Any) -> str:
    from tepat.updates.models import Proposal

    role = getattr(actor, "role", "")
    if role == Role.VILLAGE_OPERATOR:
        return Proposal.Source.VILLAGE_OPERATOR
    if role == Role.FACILITATOR:
        return Proposal.Source.OUTREACH
    return Proposal.Source.DISTRICT


def _propose(actor: Any, household: IntakeHousehold, persons: list[IntakePerson]) -> None:
    """An emergency proposal (tepat.updates, kind `emergency`) for a household none of whose persons is in the
    registry. When the intake lacks what a proposal needs (KK number, NIK, sex, birth date, relation, one
    head), the household goes to review with the proposal's own reasons instead; nothing is dropped."""
    from tepat.updates.models import Proposal
    from tepat.updates.services.proposals import proposal_create

    try:
        with transaction.atomic():
            proposal = proposal_create(
                actor=actor, kind=Proposal.Kind.EMERGENCY, source=_proposal_source(actor),
                payload=_proposal_payload(household, persons), region_code=household.region_id,
                note=f"Pendataan bencana {household.event.reference} / {household.reference}")
    except ValidationFailed as exc:
        household.match_status, household.proposal_issues = H.REVIEW, [i.as_dict() for i in exc.issues]
        household.save(update_fields=["match_status", "proposal_issues", "updated_at"])
        return
    except ApplicationError as exc:  # no right to propose, a conflicting open proposal, a freeze
        household.match_status = H.REVIEW
        household.proposal_issues = [{"code": exc.code, "field": "__all__", "severity": "error",
                                      "message_id": exc.message, "message_en": exc.message}]
        household.save(update_fields=["match_status", "proposal_issues", "updated_at"])
        return
    household.match_status, household.proposal, household.proposal_issues = H.PROPOSED, proposal, []
    household.save(update_fields=["match_status", "proposal", "proposal_issues", "updated_at"])
    audit_record(actor=actor, action=A.RELIEF_INTAKE_PROPOSE, target=household, region_code=household.region_id,
                 data={"reference": household.reference, "proposal": proposal.reference})


@transaction.atomic
def intake_match(*, actor: Any, event: DisasterEvent, propose: bool = True) -> dict[str, int]:
    """Match the event's intake persons to the registry by NIK (active members of active families, anywhere:
    a victim may be registered in another village). A household with a matched person takes that family; a
    household with identity numbers and nobody in the registry gets an emergency proposal (or goes to review).
    Runs again safely: matched persons and proposed households are left as they are."""
    ensure_event_action(actor, event, "match")
    households = list(IntakeHousehold.objects.select_for_update().filter(event=event)
                      .exclude(match_status__in=[H.MATCHED, H.PROPOSED]).order_by("created_at"))
    if not households:
        return {"persons_matched": 0, "households_matched": 0, "proposed": 0, "review": 0}
    persons = list(IntakePerson.objects.filter(household__in=households).order_by("household_id", "created_at"))
    niks = {p.nik for p in persons if p.nik}
    found: dict[str, Individual] = {}
    for individual in Individual.objects.filter(nik__in=niks, presence__in=rc.ACTIVE_PRESENCE,
                                                family__status=rc.FamilyStatus.ACTIVE).select_related("family"):
        found.setdefault(individual.nik, individual)
    now = timezone.now()
    by_household: dict[Any, list[IntakePerson]] = {}
    changed: list[IntakePerson] = []
    for person in persons:
        by_household.setdefault(person.household_id, []).append(person)
        if not person.nik:
            continue
        individual = found.get(person.nik)
        status = P.MATCHED if individual else P.NOT_FOUND
        if (person.match_status, person.individual_id) != (status, individual.pk if individual else None):
            person.match_status, person.individual, person.matched_at = status, individual, now
            changed.append(person)
    IntakePerson.objects.bulk_update(changed, ["match_status", "individual", "matched_at", "updated_at"])
    counts = {"persons_matched": sum(1 for p in changed if p.match_status == P.MATCHED), "households_matched": 0,
              "proposed": 0, "review": 0}
    for household in households:
        members = by_household.get(household.pk, [])
        matched = [p for p in members if p.match_status == P.MATCHED]
        if matched:
            household.match_status, household.family_id = H.MATCHED, matched[0].individual.family_id
            household.proposal_issues = []
            household.save(update_fields=["match_status", "family", "proposal_issues", "updated_at"])
            counts["households_matched"] += 1
        elif not household.kk_number and not any(p.nik for p in members):
            continue  # nothing to match on yet: stays "no identity numbers"
        elif propose:
            _propose(actor, household, members)
            counts["proposed" if household.match_status == H.PROPOSED else "review"] += 1
    audit_record(actor=actor, action=A.RELIEF_INTAKE_MATCH, target=event, region_code=event.region_id,
                 data={"reference": event.reference, **counts, "checked_niks": len(niks)})
    return counts


# ---- meals --------------------------------------------------------------------------------------------------

@transaction.atomic
def meals_record(*, actor: Any, event: DisasterEvent, household: IntakeHousehold, served_from: Any, days: Any,
                 persons: Any = None, note: str = "") -> MealRecord:
    """Meals served to a household for `days` days; counted as persons × days (person-days). `persons`
    defaults to the household's recorded persons."""
    ensure_event_action(actor, event, "meals")
    ensure_permission(actor=actor, capability=C.RELIEF_STOCK, region_code=household.region_id)
    issues: list[Issue] = []
    if household.event_id != event.pk:
        issues.append(Issue("household", "household", "rumah tangga bukan dari kejadian ini",
                            "the household is not of this event"))
    day = a_date(served_from, "served_from", "Tanggal mulai", "First day", issues)
    days_n = positive_int(days, "days", "Jumlah hari", "Number of days", issues)
    if days_n > 90:
        issues.append(Issue("max", "days", "paling banyak 90 hari sekali catat", "at most 90 days at a time"))
    persons_n = household.persons.count() if persons in (None, "") else positive_int(
        persons, "persons", "Jumlah orang", "Number of persons", issues)
    note = text(note, "note", "Catatan", "Note", issues)
    raise_if(issues)
    record = MealRecord.objects.create(event=event, household=household, served_from=day, days=days_n,
                                       persons=persons_n, person_days=days_n * persons_n, note=note, actor=actor)
    audit_record(actor=actor, action=A.RELIEF_MEALS_RECORD, target=record, region_code=household.region_id,
                 data={"event": event.reference, "household": household.reference, "served_from": day.isoformat(),
                       "days": days_n, "persons": persons_n, "person_days": record.person_days})
    return record


def today() -> date:
    return timezone.localdate()
