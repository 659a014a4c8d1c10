"""PostgreSQL only: the database itself refuses UPDATE and DELETE on the stock ledger."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION relief_ledger_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'the relief stock ledger is append-only';
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    schema_editor.execute(
        "CREATE TRIGGER relief_ledger_append_only BEFORE UPDATE OR DELETE ON relief_stockmovement "
        "FOR EACH ROW EXECUTE FUNCTION relief_ledger_append_only()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS relief_ledger_append_only ON relief_stockmovement")
    schema_editor.execute("DROP FUNCTION IF EXISTS relief_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("relief", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
