"""The entries' family index becomes (list, family): a new list's rows go into one key range of the index."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0003_version_facts'),
        ('registry', '0006_index_plan_for_bulk_loads'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='listentry',
            name='list_entry_family',
        ),
        migrations.AddIndex(
            model_name='listentry',
            index=models.Index(fields=['list', 'family'], name='list_entry_list_family'),
        ),
    ]
