"""The nomenclature of urusan 1.06 as source 001 shows it, and the Permendagri 86/2017 predicate bands."""

from django.db import migrations


def forward(apps, schema_editor):
    from tepat.planning.seed import load_bands, load_nomenclature

    load_nomenclature(apps.get_model("planning", "NomenclatureVersion"), apps.get_model("planning", "NomenclatureItem"))
    load_bands(apps.get_model("planning", "PredicateBand"))


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
