"""The channels as data: PT Pos (post office, collective point, door to door), the Himbara banks (KKS
accounts) and Bulog (in kind), with their export layouts (tepat.distribution.channels)."""

from django.db import migrations

from tepat.distribution.channels import seed_channels


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_distribution_spine")]

    operations = [migrations.RunPython(seed_channels, migrations.RunPython.noop)]
