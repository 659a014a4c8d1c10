"""ListEntry.list and ReviewItem.list without a per-row foreign-key constraint, checked per statement by
triggers instead (ADR 0034): a list of 300,000 entries paid ~5 s at COMMIT for the deferred check
of every row.

PostgreSQL: after each INSERT or UPDATE statement on the two tables, one set-based query over the statement's
new rows (a transition table) takes the key-share lock on every list they name, as the foreign key did, and
refuses the statement if one is missing; after a DELETE of lists, the statement is refused if an entry or a
review item still names a deleted list (the foreign key's NO ACTION; Django deletes the entries first, as
its cascade always did). SQLite has no statement triggers: row triggers check inserts and updates there (the
cost it had); a list's deletion is guarded there by the ORM's cascade/protect only, because an immediate
delete trigger would break Django's flush (which relied on the deferred foreign key)."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("programs_listentry", "programs_reviewitem")
LISTS = "programs_beneficiarylist"

PG_FORWARD = [
    f"""
CREATE FUNCTION programs_list_ref_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT count(*) INTO wanted FROM (SELECT list_id FROM new_rows GROUP BY list_id) n;
    IF wanted = 0 THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found FROM (SELECT 1 FROM {LISTS} l
                                     WHERE l.id IN (SELECT list_id FROM new_rows GROUP BY list_id)
                                     FOR KEY SHARE OF l) s;
    IF found < wanted THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its list reference: a list_id names no beneficiary list',
            TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$""",
    f"""
CREATE FUNCTION programs_list_delete_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM programs_listentry e WHERE e.list_id IN (SELECT id FROM old_rows))
       OR EXISTS (SELECT 1 FROM programs_reviewitem r WHERE r.list_id IN (SELECT id FROM old_rows)) THEN
        RAISE EXCEPTION 'delete on table "{LISTS}" violates the list reference of its entries or review items'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$""",
    *[f"CREATE TRIGGER {t}_list_ins AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows "
      f"FOR EACH STATEMENT EXECUTE FUNCTION programs_list_ref_check()" for t in TABLES],
    *[f"CREATE TRIGGER {t}_list_upd AFTER UPDATE ON {t} REFERENCING NEW TABLE AS new_rows "
      f"FOR EACH STATEMENT EXECUTE FUNCTION programs_list_ref_check()" for t in TABLES],
    f"CREATE TRIGGER {LISTS}_refs_del AFTER DELETE ON {LISTS} REFERENCING OLD TABLE AS old_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION programs_list_delete_check()",
]
PG_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {t}_list_{op} ON {t}" for t in TABLES for op in ("ins", "upd")],
    f"DROP TRIGGER IF EXISTS {LISTS}_refs_del ON {LISTS}",
    "DROP FUNCTION IF EXISTS programs_list_ref_check()",
    "DROP FUNCTION IF EXISTS programs_list_delete_check()",
]
SQLITE_FORWARD = [
    *[f"""CREATE TRIGGER {t}_list_{op} BEFORE {event} ON {t}
    WHEN NOT EXISTS (SELECT 1 FROM {LISTS} WHERE id = NEW.list_id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {t}.list_id'); END"""
      for t in TABLES for op, event in (("ins", "INSERT"), ("upd", "UPDATE OF list_id"))],
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {t}_list_{op}" for t in TABLES for op in ("ins", "upd")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for sql in statements:
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0004_entry_index_list_family'),
    ]

    operations = [
        migrations.AlterField(
            model_name='listentry',
            name='list',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='programs.beneficiarylist'),
        ),
        migrations.AlterField(
            model_name='reviewitem',
            name='list',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='review_items', to='programs.beneficiarylist'),
        ),
        migrations.RunPython(_run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
                             _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})),
    ]
