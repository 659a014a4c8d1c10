"""Raw SQL that a person with database access could run, to prove audit_verify notices it.

On PostgreSQL the append-only trigger refuses UPDATE and DELETE, so it is switched off around the change.
ALTER TABLE is refused while deferred foreign-key checks are pending in the test's transaction, so they
are run first (SET CONSTRAINTS ALL IMMEDIATE) and deferred again afterwards.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.db import connection

TRIGGER = "audit_event_append_only"
HEAD_TRIGGER = "audit_head_forward_only"


@contextmanager
def trigger_disabled(table: str = "audit_auditevent", trigger: str = TRIGGER):
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def move_head(seq: int, hash: str) -> None:
    """What an attacker does after cutting the tail: point the head at the new last event."""
    with trigger_disabled("audit_auditchainhead", HEAD_TRIGGER), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, hash])
        assert cursor.rowcount == 1


def set_data(seq: int, data: dict) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET data = {cast} WHERE seq = %s", [json.dumps(data), seq])
        assert cursor.rowcount == 1


def set_column(seq: int, column: str, value) -> None:
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [value, seq])
        assert cursor.rowcount == 1


def delete_from(seq: int, to_seq: int | None = None) -> None:
    """Delete events seq..to_seq (inclusive); to_seq None means just seq."""
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq BETWEEN %s AND %s", [seq, to_seq or seq])
        assert cursor.rowcount == (to_seq or seq) - seq + 1
