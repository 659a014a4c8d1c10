"""Page forms for the registry: they parse types only. Every rule (required values, codes, NIK/KK
structure, scope) is checked by the services, whose field-level Issues are put back on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tepat.accounts.access import actor_can, actor_region_codes
from tepat.accounts.roles import Capability
from tepat.core.exceptions import ValidationFailed
from tepat.regions.models import Region
from tepat.regions.selectors import region_children, region_get, region_subtree_q
from tepat.registry import choices as c
from tepat.registry.access import may_see_sensitive
from tepat.registry.validation import DIFFICULTY_FIELDS, FAMILY_CODED_FIELDS

BLANK = ("", "—")


def _options(enum: Any) -> list[tuple[Any, Any]]:
    return [BLANK, *enum.choices]


def _coded(label: Any, enum: Any) -> forms.IntegerField:
    """A coded answer: the select offers the official codes, the service checks the value."""
    return forms.IntegerField(label=label, required=False, widget=forms.Select(choices=_options(enum)))


def _text(label: Any, *, max_length: int = 200, **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs))


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _identity(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=40, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}))


def apply_service_errors(form: forms.Form, exc: ValidationFailed, *, prefix: str = "") -> None:
    """Put a service's field-level messages on the form fields of the same name (or `prefix` + name);
    messages about anything else become non-field errors."""
    for field, messages in exc.by_field().items():
        if field in form.fields:
            target = field
        elif prefix and f"{prefix}{field}" in form.fields:
            target = f"{prefix}{field}"
        else:
            target = None
        for message in messages:
            form.add_error(target, message)


# Choice lists scoped to the actor ------------------------------------------------------------------

def village_choices(actor: Any) -> list[tuple[Any, Any]]:
    """Villages inside the actor's regions, grouped by kecamatan, for the create-family select."""
    villages = (
        Region.objects.filter(region_subtree_q(actor_region_codes(actor)), level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for village in villages:
        group = village.parent.name if village.parent else ""
        groups.setdefault(group, []).append((village.code, f"{village.name} ({village.code})"))
    if len(groups) == 1:
        return [BLANK, *next(iter(groups.values()))]
    return [BLANK, *((_("District %(name)s") % {"name": name}, options) for name, options in groups.items())]


def region_filter_choices(actor: Any) -> list[tuple[str, str]]:
    """The actor's assigned regions and their direct children."""
    options: list[tuple[str, str]] = [("", _("All my regions"))]
    for code in actor_region_codes(actor):
        region = region_get(code=code)
        if region is None:
            continue
        options.append((region.code, f"{region.name} ({region.code})"))
        options.extend(
            (child.code, f"\u2003{child.name} ({child.code})") for child in region_children(code=region.code)
        )
    return options


# Family list filter ---------------------------------------------------------------------------------

class FamilyFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        widget=forms.TextInput(attrs={
            "type": "search", "autocomplete": "off", "spellcheck": "false",
            "placeholder": _("NIK, KK number or name"),
        }),
    )
    region = forms.CharField(label=_("Region"), required=False, widget=forms.Select())
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[*c.FamilyStatus.choices, ("", _("All"))])

    def __init__(self, data: Any, *, actor: Any) -> None:
        data = data.copy()
        data.setdefault("status", c.FamilyStatus.ACTIVE)
        super().__init__(data)
        self.fields["region"].widget.choices = region_filter_choices(actor)

    def search_args(self) -> dict[str, str]:
        self.is_valid()
        cleaned = self.cleaned_data
        return {
            "query": cleaned.get("q", ""),
            "region_code": cleaned.get("region", ""),
            "status": cleaned.get("status", c.FamilyStatus.ACTIVE),
        }


# Families ----------------------------------------------------------------------------------------------

HOUSING_FIELDS = tuple(FAMILY_CODED_FIELDS)
HOUSING_LABELS = {
    "building_tenure": _("Building tenure"), "land_proof": _("Proof of land"), "floor": _("Floor"),
    "wall": _("Wall"), "roof": _("Roof"), "drinking_water": _("Drinking water"),
    "water_distance": _("Distance water–sewage"), "lighting": _("Lighting"),
    "power_capacity": _("Installed power"), "cooking_fuel": _("Cooking fuel"),
    "toilet_facility": _("Toilet facility"), "toilet_type": _("Toilet type"),
    "sewage_disposal": _("Sewage disposal"), "internet": _("Internet"),
}


def _correction_reason() -> forms.CharField:
    """Why the registry is changed directly, without a proposal (required by the service, which names
    the field when it is missing)."""
    return forms.CharField(
        label=_("Reason for the direct correction"), required=False, max_length=300,
        help_text=_("Recorded in the audit trail and shown as a direct correction in version comparisons."),
        widget=forms.Textarea(attrs={"rows": 2}))


class FamilyForm(forms.Form):
    """Family fields: address, housing, assets and livestock."""

    kk_number = _identity(_("KK number"))
    rw = _text(_("RW"), max_length=10, inputmode="numeric")
    rt = _text(_("RT"), max_length=10, inputmode="numeric")
    address = _text(_("Street / kampung"))
    floor_area_m2 = forms.IntegerField(label=_("Floor area (m²)"), required=False,
                                       widget=forms.NumberInput(attrs={"min": 1}))
    assets = forms.MultipleChoiceField(label=_("Assets"), required=False, choices=c.ASSETS,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in HOUSING_FIELDS:
            self.fields[name] = _coded(HOUSING_LABELS[name], FAMILY_CODED_FIELDS[name])
        for key, label in c.LIVESTOCK:
            self.fields[f"livestock_{key}"] = forms.IntegerField(
                label=label, required=False, widget=forms.NumberInput(attrs={"min": 0}))

    @staticmethod
    def initial_from(family: Any) -> dict[str, Any]:
        initial = {name: getattr(family, name) for name in ("kk_number", "rw", "rt", "address", "floor_area_m2",
                                                             *HOUSING_FIELDS)}
        initial["assets"] = [key for key, value in (family.assets or {}).items() if value]
        for key, count in (family.livestock or {}).items():
            initial[f"livestock_{key}"] = count
        return initial

    def family_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {name: cleaned.get(name) for name in ("kk_number", "rw", "rt", "address", "floor_area_m2",
                                                     *HOUSING_FIELDS)}
        data["assets"] = dict.fromkeys(cleaned.get("assets") or [], True)
        data["livestock"] = {key: cleaned.get(f"livestock_{key}") or 0 for key, _label in c.LIVESTOCK}
        return data

    # Layout for the template: (legend, [field names]).
    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        layout = [
            (_("Address"), ["kk_number", "rw", "rt", "address"]),
            (_("Housing"), ["floor_area_m2", *HOUSING_FIELDS]),
            (_("Livestock"), [f"livestock_{key}" for key, _label in c.LIVESTOCK]),
        ]
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in layout]


class FamilyCreateForm(FamilyForm):
    """A new family in one of the actor's villages, with its head of family."""

    region = forms.CharField(label=_("Village"), required=False, widget=forms.Select())
    head_nik = _identity(_("NIK"))
    head_name = _text(_("Name"), max_length=150, autocomplete="off")
    head_sex = _coded(_("Sex"), c.Sex)
    head_birth_place = _text(_("Birth place"), max_length=80)
    head_birth_date = _date(_("Birth date"))
    head_marital_status = _coded(_("Marital status"), c.MaritalStatus)
    head_education = _coded(_("Education"), c.Education)
    head_employment_status = _coded(_("Employment status"), c.EmploymentStatus)
    head_occupation = _text(_("Occupation"), max_length=100)

    correction_reason = _correction_reason()

    HEAD_FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "marital_status", "education",
                   "employment_status", "occupation")

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = village_choices(actor)
        self.fields["region"].widget.choices = choices
        villages = [value for value, _label in choices if value]
        if len(villages) == 1 and not self.is_bound:
            self.initial.setdefault("region", villages[0])

    def head_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(f"head_{name}") for name in self.HEAD_FIELDS}
        data["relation"] = c.Relation.HEAD
        return data

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        family_sections = super().sections()
        first_legend, first_fields = family_sections[0]
        head = (_("Head of family"), [self[f"head_{name}"] for name in self.HEAD_FIELDS])
        return [(first_legend, [self["region"], *first_fields]), head, *family_sections[1:],
                (_("Direct correction"), [self["correction_reason"]])]


class FamilyUpdateForm(FamilyForm):
    correction_reason = _correction_reason()

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [*super().sections(), (_("Direct correction"), [self["correction_reason"]])]


class FamilyRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Select(
        choices=_options(c.FamilyRemovalReason)))
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    on_date = _date(_("Date"))
    correction_reason = _correction_reason()


# Members --------------------------------------------------------------------------------------------------

SENSITIVE_LABELS = {f"difficulty_{key}": label for key, label in c.DIFFICULTY_DOMAINS}


class IndividualForm(forms.Form):
    nik = _identity(_("NIK"))
    name = _text(_("Name"), max_length=150, autocomplete="off")
    sex = _coded(_("Sex"), c.Sex)
    birth_place = _text(_("Birth place"), max_length=80)
    birth_date = _date(_("Birth date"))
    relation = _coded(_("Relation to head"), c.Relation)
    marital_status = _coded(_("Marital status"), c.MaritalStatus)
    education = _coded(_("Education"), c.Education)
    school_participation = _coded(_("School participation"), c.SchoolParticipation)
    employment_status = _coded(_("Employment status"), c.EmploymentStatus)
    occupation = _text(_("Occupation"), max_length=100)
    correction_reason = _correction_reason()

    IDENTITY_SECTION = ("nik", "name", "sex", "birth_place", "birth_date", "relation", "marital_status")
    SOCIAL_SECTION = ("education", "school_participation", "employment_status", "occupation")
    SENSITIVE_SECTION = (*DIFFICULTY_FIELDS, "chronic_illness", "pregnant")

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not actor_can(actor, Capability.PERSONAL_DATA_FULL):
            del self.fields["nik"]  # never put a full NIK in a form for someone who may only see it masked
        if may_see_sensitive(actor):
            for name in DIFFICULTY_FIELDS:
                self.fields[name] = _coded(SENSITIVE_LABELS[name], c.Difficulty)
            self.fields["chronic_illness"] = _coded(_("Chronic illness"), c.ChronicIllness)
            self.fields["pregnant"] = forms.BooleanField(label=_("Pregnant"), required=False)

    @classmethod
    def initial_from(cls, individual: Any) -> dict[str, Any]:
        names = (*cls.IDENTITY_SECTION, *cls.SOCIAL_SECTION, *cls.SENSITIVE_SECTION)
        return {name: getattr(individual, name) for name in names}

    def individual_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "correction_reason"}

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        layout = [
            (_("Identity"), self.IDENTITY_SECTION),
            (_("Education and work"), self.SOCIAL_SECTION),
            (_("Health and functional difficulty"), self.SENSITIVE_SECTION),
            (_("Direct correction"), ("correction_reason",)),
        ]
        return [
            (legend, fields)
            for legend, names in layout
            if (fields := [self[name] for name in names if name in self.fields])
        ]


class IndividualUpdateForm(IndividualForm):
    """The same fields as a new member, with the current values."""


class PresenceForm(forms.Form):
    presence = _coded(_("Presence"), c.Presence)
    presence_note = forms.CharField(label=_("Note"), required=False, max_length=300,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    presence_date = _date(_("Date"))
    correction_reason = _correction_reason()
