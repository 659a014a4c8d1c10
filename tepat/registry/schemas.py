"""Request and response shapes of the registry API.

NIK and KK numbers are strings everywhere (a JSON number loses digits past 15 and the leading zeros of
RT/RW). Coded answers go out as {"code", "label"}; the label is in the request's language.
How an identity number, a birth date or a sensitive field is shown is decided by `tepat.registry.masking`
(ADR 0008); the resolvers here only apply that decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator

from tepat.registry import choices as c
from tepat.registry import masking
from tepat.registry.validation import (
    FAMILY_CODED_FIELDS,
    INDIVIDUAL_CODED_FIELDS,
    SENSITIVE_FIELDS,
)

_WELFARE_CATEGORIES = {**dict(c.WelfareCategory.choices), **dict(c.ResourceCategory.choices)}


def _actor(context: dict | None) -> Any:
    return (context or {})["request"].auth


def code_label(labels: Any, value: Any) -> dict | None:
    """{"code": 8, "label": "Earth"} from an enum (or a code → label mapping); None stays None."""
    if value in (None, ""):
        return None
    mapping = dict(labels.choices) if hasattr(labels, "choices") else labels
    return {"code": value, "label": str(mapping.get(value, value))}


def redact_event_data(data: Any, actor: Any) -> Any:
    """Event data as this actor may see it (the masking module decides)."""
    return masking.redact(actor, data)


# ---- shared pieces ------------------------------------------------------------------------------


class CodeLabel(Schema):
    code: int | str
    label: str


class RegionRef(Schema):
    code: str
    name: str


class IssueOut(Schema):
    """A validation problem or warning, in both languages."""

    code: str
    field: str
    severity: str = "error"
    message_id: str
    message_en: str


class ErrorOut(Schema):
    """Every refused request: a message in both languages, a stable code; for 422 the field errors."""

    message: str
    code: str
    extra: dict[str, Any] = {}
    errors: list[IssueOut] | None = None


# ---- input --------------------------------------------------------------------------------------


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """The fields the client sent (a PATCH changes only those), without the reasons."""
        return self.model_dump(exclude_unset=True, exclude={"reason", "correction_reason"})


CORRECTION_REASON = Field("", description="Why the registry is changed directly, without a proposal "
                              "(required: a direct correction by Dinsos, shown as such in version diffs)")


class FamilyFieldsIn(_Input):
    kk_number: str | None = Field(None, description="16 digits, as a string", examples=["3604050206150001"])
    rw: str | None = Field(None, description="1–3 digits, as a string", examples=["002"])
    rt: str | None = Field(None, description="1–3 digits, as a string", examples=["005"])
    address: str | None = None
    external_id: str | None = Field(None, description="DTKS ID")
    floor_area_m2: int | None = None
    building_tenure: int | None = None
    land_proof: int | None = None
    floor: int | None = None
    wall: int | None = None
    roof: int | None = None
    drinking_water: int | None = None
    water_distance: int | None = None
    lighting: int | None = None
    power_capacity: int | None = None
    cooking_fuel: int | None = None
    toilet_facility: int | None = None
    toilet_type: int | None = None
    sewage_disposal: int | None = None
    internet: int | None = None
    assets: dict[str, bool] | None = Field(None, examples=[{"refrigerator": True}])
    livestock: dict[str, int] | None = Field(None, examples=[{"goat": 3}])


class MemberFieldsIn(_Input):
    nik: str | None = Field(None, description="16 digits, as a string", examples=["3604051403850001"])
    name: str | None = None
    sex: int | None = None
    birth_place: str | None = None
    birth_date: dt.date | None = None
    relation: int | None = None
    marital_status: int | None = None
    education: int | None = None
    school_participation: int | None = None
    employment_status: int | None = None
    occupation: str | None = None
    difficulty_seeing: int | None = None
    difficulty_hearing: int | None = None
    difficulty_walking: int | None = None
    difficulty_hands: int | None = None
    difficulty_learning: int | None = None
    difficulty_behaviour: int | None = None
    difficulty_communicating: int | None = None
    difficulty_self_care: int | None = None
    difficulty_remembering: int | None = None
    chronic_illness: int | None = None
    pregnant: bool | None = None
    external_id: str | None = Field(None, description="DTKS ID")


class MemberIn(MemberFieldsIn):
    """A new member: NIK, name, sex, birth date and relation to the head are required."""

    correction_reason: str = CORRECTION_REASON
    nik: str = Field(..., description="16 digits, as a string", examples=["3604051403850001"])
    name: str
    sex: int
    birth_date: dt.date
    relation: int


class MemberPatchIn(MemberFieldsIn):
    correction_reason: str = CORRECTION_REASON


class FamilyCreateIn(FamilyFieldsIn):
    region_code: str = Field(..., description="Village code", examples=["36.04.05.2001"])
    kk_number: str = Field(..., description="16 digits, as a string", examples=["3604050206150001"])
    members: list[MemberIn] = []
    correction_reason: str = CORRECTION_REASON

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"region_code", "members", "correction_reason"})

    def member_rows(self) -> list[dict[str, Any]]:
        return [member.changes() for member in self.members]


class FamilyPatchIn(FamilyFieldsIn):
    correction_reason: str = CORRECTION_REASON


class FamilyRemoveIn(_Input):
    reason: str = Field(..., description="One of: " + ", ".join(c.FamilyRemovalReason.values))
    note: str = ""
    date: dt.date | None = Field(None, description="Default: today")
    correction_reason: str = CORRECTION_REASON


class PresenceIn(_Input):
    presence: int = Field(..., description="404 keberadaan: 1 living, 2 died, 3/4 moved, 5 new, 6 not found")
    note: str = ""
    date: dt.date | None = Field(None, description="Default: today")
    correction_reason: str = CORRECTION_REASON


class FamilyListQuery(Schema):
    q: str = Field("", description="NIK/KK (exact or prefix; roles that see masked numbers: the whole "
                                    "16 digits only) or a name (typo-tolerant)")
    region: str = Field("", description="Region code: this region and everything under it")
    status: str = Field("active", description="active, removed, or all")


# ---- output -------------------------------------------------------------------------------------


class FamilyListItem(Schema):
    id: UUID
    kk_number: str
    head_name: str | None
    region: RegionRef
    rw: str
    rt: str
    member_count: int
    status: CodeLabel
    warning_count: int

    @staticmethod
    def resolve_kk_number(obj, context) -> str:
        return masking.identity(_actor(context), obj.kk_number)

    @staticmethod
    def resolve_head_name(obj) -> str | None:
        head = getattr(obj, "head", None)
        return head.name if head is not None else None

    @staticmethod
    def resolve_status(obj) -> dict | None:
        return code_label(c.FamilyStatus, obj.status)

    @staticmethod
    def resolve_warning_count(obj) -> int:
        return len(obj.validation_warnings or [])


class FamilyOut(Schema):
    id: UUID
    kk_number: str
    region: RegionRef
    rw: str
    rt: str
    address: str
    external_id: str
    status: CodeLabel
    status_reason: CodeLabel | None
    status_note: str
    status_date: dt.date | None
    floor_area_m2: int | None
    building_tenure: CodeLabel | None
    land_proof: CodeLabel | None
    floor: CodeLabel | None
    wall: CodeLabel | None
    roof: CodeLabel | None
    drinking_water: CodeLabel | None
    water_distance: CodeLabel | None
    lighting: CodeLabel | None
    power_capacity: CodeLabel | None
    cooking_fuel: CodeLabel | None
    toilet_facility: CodeLabel | None
    toilet_type: CodeLabel | None
    sewage_disposal: CodeLabel | None
    internet: CodeLabel | None
    assets: dict[str, bool]
    livestock: dict[str, int]
    validation_warnings: list[IssueOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_kk_number(obj, context) -> str:
        return masking.identity(_actor(context), obj.kk_number)

    @staticmethod
    def resolve_status(obj) -> dict | None:
        return code_label(c.FamilyStatus, obj.status)

    @staticmethod
    def resolve_status_reason(obj) -> dict | None:
        return code_label(c.FamilyRemovalReason, obj.status_reason)

    @staticmethod
    def resolve_validation_warnings(obj, context) -> list[dict]:
        return [masking.issue(_actor(context), issue) for issue in obj.validation_warnings or []]

    @field_validator(*FAMILY_CODED_FIELDS, mode="before")
    @classmethod
    def _coded(cls, value: Any, info: ValidationInfo) -> Any:
        return value if isinstance(value, dict) else code_label(FAMILY_CODED_FIELDS[info.field_name], value)


class MemberOut(Schema):
    """A family member. Health, disability and pregnancy are null unless `sensitive_visible`; the birth
    date is null for roles that see masked numbers (they get `birth_year`)."""

    id: UUID
    family_id: UUID
    nik: str
    name: str
    sex: CodeLabel
    birth_place: str
    birth_date: dt.date | None
    birth_year: int | None
    relation: CodeLabel
    marital_status: CodeLabel | None
    education: CodeLabel | None
    school_participation: CodeLabel | None
    employment_status: CodeLabel | None
    occupation: str
    difficulty_seeing: CodeLabel | None
    difficulty_hearing: CodeLabel | None
    difficulty_walking: CodeLabel | None
    difficulty_hands: CodeLabel | None
    difficulty_learning: CodeLabel | None
    difficulty_behaviour: CodeLabel | None
    difficulty_communicating: CodeLabel | None
    difficulty_self_care: CodeLabel | None
    difficulty_remembering: CodeLabel | None
    chronic_illness: CodeLabel | None
    pregnant: bool | None
    presence: CodeLabel
    presence_note: str
    presence_date: dt.date | None
    external_id: str
    validation_warnings: list[IssueOut]
    sensitive_visible: bool

    @staticmethod
    def resolve_nik(obj, context) -> str:
        return masking.identity(_actor(context), obj.nik)

    @staticmethod
    def resolve_birth_date(obj, context) -> dt.date | None:
        shown = masking.birth(_actor(context), obj.birth_date)
        return shown if isinstance(shown, dt.date) else None

    @staticmethod
    def resolve_birth_year(obj) -> int | None:
        return masking.birth_year(obj.birth_date)

    @staticmethod
    def resolve_validation_warnings(obj, context) -> list[dict]:
        return [masking.issue(_actor(context), issue) for issue in obj.validation_warnings or []]

    @staticmethod
    def resolve_presence(obj) -> dict | None:
        return code_label(c.Presence, obj.presence)

    @staticmethod
    def resolve_sensitive_visible(obj, context) -> bool:
        return masking.may_see_sensitive(_actor(context))

    @field_validator(*INDIVIDUAL_CODED_FIELDS, mode="before")
    @classmethod
    def _coded(cls, value: Any, info: ValidationInfo) -> Any:
        return value if isinstance(value, dict) else code_label(INDIVIDUAL_CODED_FIELDS[info.field_name], value)

    @model_validator(mode="after")
    def _hide_sensitive(self) -> MemberOut:
        if not self.sensitive_visible:
            for name in SENSITIVE_FIELDS:
                setattr(self, name, None)
        return self


class KKHistoryOut(Schema):
    kk_number: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    reason: str

    @staticmethod
    def resolve_kk_number(obj, context) -> str:
        return masking.identity(_actor(context), obj.kk_number)


class ProgramOut(Schema):
    id: UUID
    program: CodeLabel
    individual_id: UUID | None
    since: dt.date | None
    until: dt.date | None
    channel: str

    @staticmethod
    def resolve_program(obj) -> dict | None:
        return code_label(c.Program, obj.program)


class WelfareOut(Schema):
    id: UUID
    category: CodeLabel
    individual_id: UUID | None
    since: dt.date | None
    until: dt.date | None

    @staticmethod
    def resolve_category(obj) -> dict | None:
        return code_label(_WELFARE_CATEGORIES, obj.category)


class FamilyDetailOut(Schema):
    family: FamilyOut
    members: list[MemberOut]
    kk_history: list[KKHistoryOut]
    programs: list[ProgramOut]
    welfare: list[WelfareOut]
    sensitive_visible: bool
    actions: list[str] = Field(description="What the caller may do with this family now (registry.actions): "
                                           "propose_change, propose_add_member, propose_program, propose_removal, "
                                           "object, correct, view_full_nik, view_sensitive")

    @staticmethod
    def resolve_sensitive_visible(obj) -> bool:
        return obj.show_sensitive


class HistoryEventOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_data(obj, context) -> Any:
        return redact_event_data(obj.data, _actor(context))


class FamilyCounts(Schema):
    active: int
    removed: int
    with_warnings: int


class IndividualCounts(Schema):
    active: int
    died: int
    moved: int
    not_found: int
    with_warnings: int


class DashboardOut(Schema):
    families: FamilyCounts
    individuals: IndividualCounts
