"""Data: the SLRT categories, institutions and services, default SLA targets, national holidays 2026–2027
(tepat.grievances.seed). Reversing leaves the rows (the office may have edited them)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tepat.grievances.seed import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("grievances", "0001_complaints_referrals_sla")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
