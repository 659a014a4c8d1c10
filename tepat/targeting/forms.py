"""Page forms of targeting. They parse types only; the services check capability, scope and the rules and
their field messages are put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tepat.registry.forms import region_filter_choices

ACCEPT = ".csv,.xlsx"


def _regions(actor: Any) -> list[tuple[str, str]]:
    return [(code, label) for code, label in region_filter_choices(actor) if code]


class DesilUploadForm(forms.Form):
    file = forms.FileField(label=_("Desil file (CSV or XLSX)"),
                           help_text=_("Columns NO_KK and/or NIK, and DESIL (1–10), as the centre hands it down."),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    region = forms.ChoiceField(label=_("Region the release covers"))
    period = forms.CharField(label=_("Desil period"), max_length=20, help_text=_("As the centre names it, e.g. 2026-T4."))
    source = forms.CharField(label=_("Source"), max_length=200, initial="DTSEN Kemensos")
    decree_number = forms.CharField(label=_("Decree number"), max_length=100, required=False)
    decree_date = forms.DateField(label=_("Decree date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    mapping = forms.CharField(label=_("Column mapping (JSON, optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_('For other headers, e.g. {"columns": {"Nomor KK": "kk_number", "Desil 2026": "desil"}}'))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(actor)

    def start_args(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        return {"content": upload.read(), "file_name": upload.name, "region_code": self.cleaned_data["region"],
                "period": self.cleaned_data["period"], "source_label": self.cleaned_data["source"],
                "decree_number": self.cleaned_data["decree_number"], "decree_date": self.cleaned_data["decree_date"],
                "mapping": self.cleaned_data["mapping"] or None}


def weights_text(rows: list[tuple[str, str, str, int]]) -> str:
    return "\n".join(f"{variable};{value};{prefix};{points}" for variable, value, prefix, points in rows)


class WeightSetForm(forms.Form):
    region = forms.ChoiceField(label=_("District"))
    label = forms.CharField(label=_("Label of the new version"), max_length=120)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    weights = forms.CharField(
        label=_("Weights"), widget=forms.Textarea(attrs={"rows": 16, "class": "mono"}),
        help_text=_("One per line: variable;answer code;region prefix (empty = whole district);points. "
                    "Higher points = better off."))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions(actor)

    def clean_weights(self) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["weights"].splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 4:
                raise forms.ValidationError(_("Line %(n)s: write variable;answer;region prefix;points") % {"n": number})
            try:
                points = int(parts[3])
            except ValueError:
                raise forms.ValidationError(_("Line %(n)s: points must be a whole number") % {"n": number}) from None
            rows.append({"variable": parts[0], "value": parts[1], "region_prefix": parts[2], "points": points})
        return rows
