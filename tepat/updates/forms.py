"""Forms of the workflow pages: input shape only (types, lengths, choices). Every rule is the service's;
its messages come back onto the fields with `apply_issues`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tepat.accounts.access import actor_region_codes
from tepat.core.exceptions import ValidationFailed
from tepat.regions.models import Region
from tepat.regions.selectors import region_subtree_q
from tepat.registry import choices as c
from tepat.registry.validation import FAMILY_CODED_FIELDS, INDIVIDUAL_CODED_FIELDS
from tepat.updates.kinds import EmergencyEvent, MemberRemovalReason
from tepat.updates.models import (
    DeliberationItem,
    DeterminationPeriod,
    Document,
    FieldVerification,
    Objection,
    Proposal,
    SubmissionBatch,
)
from tepat.updates.services.proposals import ENTRY_SOURCES

BLANK = ("", "—")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MEMBER_SLOTS = 5
FAMILY_TEXT_FIELDS = ("rw", "rt", "address")
MEMBER_FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "relation")
# A fact's last path segment names its field; coded fields are corrected from their choice list.
CODED_FACTS = {**FAMILY_CODED_FIELDS, **INDIVIDUAL_CODED_FIELDS}
TEXT_CODED_FACTS = {"reason": MemberRemovalReason, "family.event": EmergencyEvent, "event": EmergencyEvent}
DATE_FACTS = frozenset({"birth_date", "event_date", "on_date"})
MEMBER_CHANGE_CODED = {
    "sex": c.Sex, "relation": c.Relation, "marital_status": c.MaritalStatus, "education": c.Education,
    "school_participation": c.SchoolParticipation, "employment_status": c.EmploymentStatus,
}


def _coded(label: Any, enum: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None,
                                  choices=[BLANK, *enum.choices])


def _identity(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=40, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}))


def apply_issues(form: forms.Form, exc: ValidationFailed, mapping: dict[str, str] | None = None) -> None:
    """Put a service's messages on the fields they name (payload paths mapped through `mapping`); the rest
    become messages at the top of the form."""
    for path, messages in exc.by_field().items():
        name = (mapping or {}).get(path, path)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def village_choices(actor: Any) -> list[tuple[str, str]]:
    villages = Region.objects.filter(region_subtree_q(actor_region_codes(actor)), level=Region.Level.VILLAGE)
    return [BLANK, *((v.code, f"{v.name} ({v.code})") for v in villages.order_by("code")[:2000])]


def regency_choices(actor: Any) -> list[tuple[str, str]]:
    """Regencies/cities the actor works for: assigned directly, or containing the assigned region."""
    codes = {".".join(code.split(".")[:2]) for code in actor_region_codes(actor) if "." in code}
    codes |= set(Region.objects.filter(region_subtree_q(actor_region_codes(actor)), level=Region.Level.REGENCY)
                 .values_list("code", flat=True))
    regions = Region.objects.filter(code__in=codes).order_by("code")
    return [(r.code, f"{r.name} ({r.code})") for r in regions]


def region_choices(actor: Any) -> list[tuple[str, str]]:
    regions = Region.objects.filter(code__in=actor_region_codes(actor)).order_by("code")
    return [(r.code, f"{r.name} ({r.code})") for r in regions]


class SourceFields(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=[(v, label) for v, label in Proposal.Source.choices
                                                           if v in ENTRY_SOURCES])
    source_reference = forms.CharField(label=_("Village letter / report number"), required=False, max_length=100)
    reporter_name = forms.CharField(label=_("Reported by (RT/RW head)"), required=False, max_length=150)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def source_data(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) or "" for key in ("source", "source_reference", "reporter_name", "note")}


class NewFamilyForm(SourceFields):
    """A new family (or an emergency), with up to five members on one page, stacked for a phone."""

    region = forms.ChoiceField(label=_("Village"))
    kk_number = _identity(_("KK number"))
    rw = forms.CharField(label=_("RW"), required=False, max_length=3)
    rt = forms.CharField(label=_("RT"), required=False, max_length=3)
    address = forms.CharField(label=_("Street / kampung"), required=False, max_length=200)
    event = forms.ChoiceField(label=_("Event"), required=False, choices=[BLANK, *EmergencyEvent.choices])
    event_date = forms.DateField(label=_("Event date"), required=False, widget=DATE)

    def __init__(self, *args: Any, actor: Any, emergency: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emergency = emergency
        self.fields["region"].choices = village_choices(actor)
        if not emergency:
            del self.fields["event"], self.fields["event_date"]
        for i in range(MEMBER_SLOTS):
            self.fields[f"m{i}_nik"] = _identity(_("NIK"))
            self.fields[f"m{i}_name"] = forms.CharField(label=_("Name"), required=False, max_length=150)
            self.fields[f"m{i}_sex"] = _coded(_("Sex"), c.Sex)
            self.fields[f"m{i}_birth_place"] = forms.CharField(label=_("Birth place"), required=False, max_length=80)
            self.fields[f"m{i}_birth_date"] = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
            self.fields[f"m{i}_relation"] = _coded(_("Relation to head"), c.Relation)
        self.fields["m0_relation"].initial = c.Relation.HEAD

    def member_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"m{i}_{name}"] for name in MEMBER_FIELDS] for i in range(MEMBER_SLOTS)]

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The payload, and how its paths map back to form fields (for the service's messages)."""
        data = self.cleaned_data
        family = {"kk_number": data.get("kk_number", ""), **{k: data.get(k, "") for k in FAMILY_TEXT_FIELDS}}
        mapping = {f"family.{k}": k for k in family}
        members = []
        for i in range(MEMBER_SLOTS):
            row = {name: data.get(f"m{i}_{name}") for name in MEMBER_FIELDS}
            if not any(row.get(k) for k in ("nik", "name")):
                continue
            index = len(members)
            row["birth_date"] = row["birth_date"].isoformat() if row.get("birth_date") else ""
            members.append({k: v for k, v in row.items() if v not in (None, "")} | {"nik": row.get("nik") or ""})
            mapping.update({f"members.{index}.{name}": f"m{i}_{name}" for name in MEMBER_FIELDS})
        mapping["members"] = "m0_name"
        payload: dict[str, Any] = {"family": family, "members": members}
        if self.emergency:
            payload["event"] = data.get("event", "")
            payload["event_date"] = data["event_date"].isoformat() if data.get("event_date") else ""
        return payload, mapping


class AddMemberForm(SourceFields):
    nik = _identity(_("NIK"))
    name = forms.CharField(label=_("Name"), required=False, max_length=150)
    sex = _coded(_("Sex"), c.Sex)
    birth_place = forms.CharField(label=_("Birth place"), required=False, max_length=80)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    relation = _coded(_("Relation to head"), c.Relation)

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        member = {name: self.cleaned_data.get(name) for name in MEMBER_FIELDS}
        member["birth_date"] = member["birth_date"].isoformat() if member.get("birth_date") else ""
        member = {k: v for k, v in member.items() if v not in (None, "")} | {"nik": member.get("nik") or ""}
        return {"member": member}, {f"member.{name}": name for name in MEMBER_FIELDS}


class ChangeForm(SourceFields):
    """The current values, to be edited; only what differs becomes the proposed change."""

    def __init__(self, *args: Any, target: Any, member: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target, self.member = target, member
        self.change_fields: list[str] = []
        if member:
            specs: dict[str, Any] = {"nik": _identity(_("NIK")),
                                     "name": forms.CharField(label=_("Name"), required=False, max_length=150),
                                     "birth_place": forms.CharField(label=_("Birth place"), required=False),
                                     "birth_date": forms.DateField(label=_("Birth date"), required=False, widget=DATE),
                                     "occupation": forms.CharField(label=_("Occupation"), required=False)}
            specs |= {name: _coded(target._meta.get_field(name).verbose_name, enum)
                      for name, enum in MEMBER_CHANGE_CODED.items()}
        else:
            specs = {"kk_number": _identity(_("KK number")),
                     **{name: forms.CharField(label=target._meta.get_field(name).verbose_name, required=False)
                        for name in FAMILY_TEXT_FIELDS},
                     "floor_area_m2": forms.IntegerField(label=_("Floor area (m²)"), required=False, min_value=1)}
            specs |= {name: _coded(target._meta.get_field(name).verbose_name, enum)
                      for name, enum in FAMILY_CODED_FIELDS.items()}
        for name, field in specs.items():
            field.initial = getattr(target, name)
            self.fields[f"c_{name}"] = field
            self.change_fields.append(name)

    def changed_fields_list(self) -> list[forms.BoundField]:
        return [self[f"c_{name}"] for name in self.change_fields]

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        changes = {}
        for name in self.change_fields:
            value = self.cleaned_data.get(f"c_{name}")
            current = getattr(self.target, name)
            if value in ("", None) and current in ("", None):
                continue
            if value != current:
                changes[name] = value.isoformat() if hasattr(value, "isoformat") else value
        payload = {"target": "member" if self.member else "family", "changes": changes}
        return payload, {f"changes.{name}": f"c_{name}" for name in self.change_fields}


class RemoveMemberForm(SourceFields):
    reason = forms.ChoiceField(label=_("Reason"), choices=[BLANK, *MemberRemovalReason.choices], required=False)
    on_date = forms.DateField(label=_("Since"), required=False, widget=DATE)
    removal_note = forms.CharField(label=_("Explanation"), required=False, max_length=300)

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        on_date = self.cleaned_data.get("on_date")
        return ({"reason": self.cleaned_data.get("reason", ""), "on_date": on_date.isoformat() if on_date else "",
                 "note": self.cleaned_data.get("removal_note", "")}, {"note": "removal_note"})


class RemoveFamilyForm(RemoveMemberForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[BLANK, *c.FamilyRemovalReason.choices], required=False)


class ProgramForm(SourceFields):
    program = forms.ChoiceField(label=_("Program"), choices=[BLANK, *c.Program.choices], required=False)
    member = forms.ChoiceField(label=_("For member (PBI-JK, PIP: one person)"), required=False)

    def __init__(self, *args: Any, family: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = family.members.filter(presence__in=c.ACTIVE_PRESENCE).order_by("relation", "birth_date")
        self.fields["member"].choices = [("", _("The whole family")), *((str(m.pk), m.name) for m in members)]

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        return {"program": self.cleaned_data.get("program", ""), "member": self.cleaned_data.get("member", "")}, {}


class ObjectionForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[BLANK, *Objection.Reason.choices], required=False)
    member = forms.ChoiceField(label=_("About member"), required=False)
    statement = forms.CharField(label=_("Statement"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label=_("Objection from"), choices=Objection.Source.choices)
    objector_name = forms.CharField(label=_("Objector's name"), required=False, max_length=150)
    objector_contact = forms.CharField(label=_("Contact"), required=False, max_length=100)

    def __init__(self, *args: Any, family: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = family.members.filter(presence__in=c.ACTIVE_PRESENCE).order_by("relation", "birth_date")
        self.fields["member"].choices = [("", _("The whole family")), *((str(m.pk), m.name) for m in members)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AssignForm(forms.Form):
    facilitator = forms.ChoiceField(label=_("Facilitator / PSM"), required=False)

    def __init__(self, *args: Any, facilitators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = [("", _("Automatic (round-robin)")),
                                              *((str(u.pk), u.get_full_name() or u.username) for u in facilitators)]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=[
        (v, label) for v, label in Document.Kind.choices
        if v not in (Document.Kind.SIGNED_MINUTES, Document.Kind.SUBMISSION_RESPONSE)])
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), widget=forms.ClearableFileInput(
        attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))


def _correction_field(fact: Any) -> forms.Field:
    """The field a facilitator corrects one fact with: the choice list for a coded field, a date picker for
    a date, text otherwise."""
    name = fact.path.rsplit(".", 1)[-1]
    if name in CODED_FACTS:
        field: forms.Field = _coded(_("Correct value"), CODED_FACTS[name])
    elif fact.path in TEXT_CODED_FACTS:
        field = forms.ChoiceField(label=_("Correct value"), required=False,
                                  choices=[BLANK, *TEXT_CODED_FACTS[fact.path].choices])
    elif name in DATE_FACTS:
        field = forms.DateField(label=_("Correct value"), required=False, widget=DATE)
    else:
        field = forms.CharField(label=_("Correct value"), required=False)
    field.initial = "" if fact.raw is None else fact.raw
    return field


def correction_input(fact: Any) -> dict[str, Any]:
    """The same correction field as the visit page, described for the offline field app (issue 14 item 5):
    {"type": "choice", "integer": bool, "choices": [{"code", "label"}]} | {"type": "date"} | {"type": "text"}."""
    field = _correction_field(fact)
    if isinstance(field, forms.ChoiceField):
        return {"type": "choice", "integer": getattr(field, "coerce", None) is int,
                "choices": [{"code": str(code), "label": str(label)} for code, label in field.choices if code != ""]}
    return {"type": "date" if isinstance(field, forms.DateField) else "text"}


class VerificationForm(forms.Form):
    """The visit, on a phone: each fact confirmed or corrected, GPS from the phone, photos from the camera."""

    visited_on = forms.DateField(label=_("Visit date"), widget=DATE)
    household_found = forms.TypedChoiceField(label=_("Household found"), coerce=lambda v: v == "yes",
                                             choices=[("yes", _("Yes")), ("no", _("No"))],
                                             widget=forms.RadioSelect, initial="yes")
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, initial="confirmed",
                                choices=[("confirmed", _("Confirmed (as proposed or with the corrections above)")),
                                         ("rejected", FieldVerification.Outcome.REJECTED.label)])
    rejection_reason = forms.CharField(label=_("Reason for rejection"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)

    def __init__(self, *args: Any, facts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facts = facts
        self.fields["visited_on"].initial = timezone.localdate()
        for i, fact in enumerate(facts):
            self.fields[f"f{i}_result"] = forms.ChoiceField(
                label=fact.label, widget=forms.RadioSelect, initial="confirmed",
                choices=[("confirmed", _("As proposed")), ("corrected", _("Corrected"))])
            self.fields[f"f{i}_value"] = _correction_field(fact)

    def fact_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(fact, self[f"f{i}_result"], self[f"f{i}_value"]) for i, fact in enumerate(self.facts)]

    def results(self) -> dict[str, dict[str, Any]]:
        results = {}
        for i, fact in enumerate(self.facts):
            result = self.cleaned_data.get(f"f{i}_result")
            entry: dict[str, Any] = {"result": result}
            if result == "corrected":
                value = self.cleaned_data.get(f"f{i}_value")
                entry["value"] = value.isoformat() if hasattr(value, "isoformat") else value
            results[fact.path] = entry
        return results

    def mapping(self) -> dict[str, str]:
        return {f"facts.{fact.path}": f"f{i}_value" for i, fact in enumerate(self.facts)}


class DeliberationForm(forms.Form):
    region = forms.ChoiceField(label=_("Village"))
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    chair_name = forms.CharField(label=_("Chair (village head / lurah)"), required=False, max_length=150)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = village_choices(actor)
        self.fields["held_on"].initial = timezone.localdate()


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=150)
    position = forms.CharField(label=_("Position / role"), required=False, max_length=150)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        (v, label) for v, label in DeliberationItem.Decision.choices if v != "pending"])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class FinaliseForm(forms.Form):
    number = forms.CharField(label=_("Minutes number"), required=False, max_length=100)


class SignForm(forms.Form):
    signed_scan = forms.FileField(label=_("Signed minutes (PDF, JPEG or PNG)"), widget=forms.ClearableFileInput(
        attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))


class BatchForm(forms.Form):
    region = forms.ChoiceField(label=_("Regency / city"))
    destination = forms.ChoiceField(label=_("Send to"), choices=SubmissionBatch.Destination.choices)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regency_choices(actor)


class ResponseForm(forms.Form):
    file = forms.FileField(label=_("Response file (CSV)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv"}))


class PeriodForm(forms.Form):
    region = forms.ChoiceField(label=_("Regency / city"))
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    cadence = forms.ChoiceField(label=_("Length"), required=False,
                                choices=[("", _("Default")), *DeterminationPeriod.Cadence.choices])

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regency_choices(actor)
        self.fields["starts_on"].initial = timezone.localdate().replace(day=1)


class DetermineForm(forms.Form):
    decree_number = forms.CharField(label=_("Decree number"), required=False, max_length=100)
    decree_date = forms.DateField(label=_("Decree date"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decree_date"].initial = timezone.localdate()


class DiffForm(forms.Form):
    older = forms.UUIDField(label=_("From version"))
    newer = forms.UUIDField(label=_("To version"))


class FreezeForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(actor)


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or name"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All")), *Proposal.Status.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Proposal.Kind.choices])
