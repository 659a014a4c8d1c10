"""Page forms for registry import and export. They parse types only: file type, preset, region scope
and capability are checked by `registry_import_start` / `registry_export`, whose field messages are
put back on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tepat.registry.forms import region_filter_choices
from tepat.registry.transfer.exporter import FORMATS
from tepat.registry.transfer.presets import PRESETS

ACCEPT = ".csv,.xlsx"


def _preset_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Column layout"), choices=[(p.name, p.label) for p in PRESETS.values()],
                             initial="siks")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("A DTKS export: CSV separated by semicolons or commas, or an Excel workbook."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    preset = _preset_field()
    region = forms.CharField(label=_("Only for region"), required=False, widget=forms.Select(),
                             help_text=_("Rows outside this region are rejected. Leave empty for all your regions."))
    dry_run = forms.BooleanField(label=_("Dry run: check the file without changing the registry"), required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = region_filter_choices(actor)

    def start_args(self) -> dict[str, Any]:
        """Keyword arguments for `registry_import_start` (after `is_valid()`)."""
        cleaned = self.cleaned_data
        upload = cleaned["file"]
        return {
            "source": upload.read(),
            "file_name": upload.name,
            "preset": cleaned["preset"],
            "dry_run": cleaned["dry_run"],
            "region_code": cleaned["region"],
        }


class ExportForm(forms.Form):
    region = forms.CharField(label=_("Region"), widget=forms.Select())
    format = forms.ChoiceField(label=_("Format"), choices=[(fmt, fmt.upper()) for fmt in FORMATS], initial="csv")
    preset = _preset_field()

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [choice for choice in region_filter_choices(actor) if choice[0]]
        self.fields["region"].widget.choices = choices
        if choices and not self.is_bound:
            self.initial.setdefault("region", choices[0][0])

    def export_args(self) -> dict[str, Any]:
        """Keyword arguments for `registry_export` (after `is_valid()`), without `out`."""
        cleaned = self.cleaned_data
        return {"region_code": cleaned["region"], "fmt": cleaned["format"], "preset": cleaned["preset"]}
