import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tepat.accounts.roles import Role
from tepat.core.exceptions import ValidationFailed


class LoginForm(forms.Form):
    """Types only: the lockout and the password check are `login_attempt`'s."""

    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=256, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


# --- user management (types only; what may be given out is the services' check) -----------------------

def _role_choices(blank: str | None = None) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = list(Role.choices)
    return [("", blank), *choices] if blank is not None else choices


def split_codes(text: str) -> list[str]:
    return [code for code in re.split(r"[;,\s]+", text or "") if code]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=())
    region = forms.CharField(label=_("Region code"), required=False, max_length=32)
    active = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(_("All roles"))

    def search_args(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "role", "region", "active")}


class UserDetailsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=300)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=())
    regions = forms.CharField(
        label=_("Region codes"), max_length=500,
        help_text=_("One or more region codes inside your regions, separated by commas, e.g. 36.04.05.2001"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()

    def region_codes(self) -> list[str]:
        return split_codes(self.cleaned_data.get("regions", ""))


class UserCreateForm(UserDetailsForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"), required=False, strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once, after saving."))
    field_order = ["username", "full_name", "email", "role", "regions", "password"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), required=False, strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once, after saving."))


class UserBulkForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (CSV or XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


def apply_service_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """A service's field messages onto the fields of the same name; the rest as non-field errors."""
    for field, texts in exc.by_field().items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)
