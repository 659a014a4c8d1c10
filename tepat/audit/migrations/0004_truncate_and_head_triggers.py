"""PostgreSQL only: TRUNCATE of the audit tables is refused, and the chain head only moves forward, onto
an event that exists with that hash (it can be neither deleted nor moved back)."""

from django.db import migrations

FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only (TRUNCATE refused on %)', TG_TABLE_NAME;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()",
    """
    CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'the audit chain head cannot be deleted';
        END IF;
        IF NEW.id <> OLD.id OR NEW.last_seq < OLD.last_seq
           OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash) THEN
            RAISE EXCEPTION 'the audit chain head only moves forward (from % to %)', OLD.last_seq, NEW.last_seq;
        END IF;
        IF NEW.last_seq <> OLD.last_seq AND NOT EXISTS (
            SELECT 1 FROM audit_auditevent WHERE seq = NEW.last_seq AND hash = NEW.last_hash
        ) THEN
            RAISE EXCEPTION 'the audit chain head must point at an existing event';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_truncate()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_key_id")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
