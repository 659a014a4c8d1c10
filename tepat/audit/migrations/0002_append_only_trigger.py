"""PostgreSQL only: the database itself refuses UPDATE and DELETE on audit events."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit events are append-only';
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    schema_editor.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_trail")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
