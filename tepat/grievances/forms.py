"""Page forms of the grievances app (shape only; the services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tepat.core.exceptions import ApplicationError, ValidationFailed
from tepat.grievances.models import Category, Complaint, ReferralService
from tepat.updates.models import Objection


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in Category.objects.filter(active=True, parent__isnull=False).select_related("parent"):
        groups.setdefault(category.parent.name_id, []).append((category.code, category.name_id))
    return [("", "—"), *groups.items()]


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Complaint.Channel.choices)
    external_reference = forms.CharField(label=_("LAPOR! ticket number"), required=False, max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=())
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    subject_kind = forms.ChoiceField(label=_("Who is the complaint about?"), choices=Complaint.SubjectKind.choices,
                                     initial=Complaint.SubjectKind.UNREGISTERED)
    family_id = forms.CharField(required=False, widget=forms.HiddenInput)
    subject_name = forms.CharField(label=_("Name (not in the registry)"), required=False, max_length=150)
    subject_nik = forms.CharField(label=_("NIK (optional)"), required=False, max_length=20)
    subject_address = forms.CharField(label=_("Address"), required=False, max_length=250)
    subject_region_code = forms.CharField(label=_("Village code"), required=False, max_length=13)
    complainant_anonymous = forms.BooleanField(label=_("Anonymous complainant"), required=False)
    complainant_name = forms.CharField(label=_("Complainant's name"), required=False, max_length=150)
    complainant_contact = forms.CharField(label=_("Complainant's phone or e-mail"), required=False, max_length=100)
    complainant_region_code = forms.CharField(label=_("Complainant's village code"), required=False, max_length=13)
    attachments = forms.FileField(label=_("Attachment (PDF, JPG, PNG)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class AssessForm(forms.Form):
    assessment = forms.CharField(label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    decision = forms.CharField(label=_("Service decided (penetapan layanan)"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}))


class DuplicateForm(forms.Form):
    original = forms.CharField(label=_("Reference of the original complaint"), max_length=20)


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None)

    def __init__(self, *args: Any, handlers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    objection_reason = forms.ChoiceField(label=_("Objection reason"), required=False,
                                         choices=[("", "—"), *Objection.Reason.choices])
    proposal_kind = forms.CharField(label=_("Proposal kind (data change; empty = the category's)"), required=False,
                                    max_length=20)
    payload = forms.CharField(label=_("Proposal data (data change, JSON as in the update workflow's API)"),
                              required=False, widget=forms.Textarea(attrs={"rows": 3}))
    programme_code = forms.CharField(label=_("Programme (payment re-issue)"), required=False, max_length=30)
    period = forms.CharField(label=_("Period / tahap"), required=False, max_length=30)


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Receiving institution and service"), queryset=None)
    note = forms.CharField(label=_("Note for the institution"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = ReferralService.objects.filter(active=True).select_related("institution")
        self.fields["service"].label_from_instance = lambda s: f"{s.institution.name} — {s.name_id}"


class AcknowledgeForm(forms.Form):
    received_by = forms.CharField(label=_("Received by (name)"), max_length=150)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome of the service"), widget=forms.Textarea(attrs={"rows": 2}))


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=150)


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: each issue on its field, or on the form."""
    if isinstance(exc, ValidationFailed):
        for issue in exc.issues:
            form.add_error(issue.field if issue.field in form.fields else None, issue.text)
    else:
        form.add_error(None, exc.message)
