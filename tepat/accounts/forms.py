from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    """Types only: the lockout and the password check are `login_attempt`'s."""

    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=256, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
