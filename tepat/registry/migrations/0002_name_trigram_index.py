"""PostgreSQL only: pg_trgm and a GIN trigram index on the name key, for typo-tolerant name search.

Other databases search names with the portable fallback in tepat/registry/search.py.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_individual_name_key_trgm "
        "ON registry_individual USING gin (name_key gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_individual_name_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_families_individuals")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
