"""PostgreSQL: distribution entries are written once (a list version) and then updated by the realisation
import (paid, returned, failed) a chunk of whole pages at a time. With half of each page left free those
updates stay heap-only (HOT: none of the entry table's five indexes is touched); on the 1M-row benchmark
the entry update went from 82 s to 30 s. The table is about twice as large on disk. Other databases:
nothing to do."""

from django.db import migrations

TABLE = "distribution_distributionentry"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 50)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("distribution", "0005_realisation_import_checkpoint")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
