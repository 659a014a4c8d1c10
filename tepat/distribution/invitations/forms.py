from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ScanForm(forms.Form):
    token = forms.CharField(label=_("Invitation code"), max_length=600,
                            help_text=_("Scan the QR code with a handheld scanner, or type the code printed under it."),
                            widget=forms.Textarea(attrs={"rows": 3, "autofocus": True, "autocomplete": "off",
                                                         "spellcheck": "false"}))
    device = forms.CharField(label=_("Device"), max_length=100, required=False)


class PrintForm(forms.Form):
    programme = forms.CharField(label=_("Programme"), max_length=20)
    tahap = forms.IntegerField(label=_("Tahap"), min_value=1, max_value=99)
    per_page = forms.TypedChoiceField(label=_("Per page"), coerce=int, initial=4,
                                      choices=((4, _("4 per page")), (1, _("1 per page"))))


class JobForm(PrintForm):
    region_code = forms.CharField(label=_("Kecamatan or district code"), max_length=13)

    field_order = ("region_code", "programme", "tahap", "per_page")
