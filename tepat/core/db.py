"""Small database helpers shared by the apps (the bottom layer: no domain knowledge)."""

from __future__ import annotations

from django.db import connection


def commit_without_flush_wait() -> None:
    """Inside a transaction: its COMMIT returns once the commit is in PostgreSQL's WAL buffers, without waiting
    for the WAL flush to disk (`SET LOCAL synchronous_commit = off`; the rest of the connection's transactions
    are not affected; nothing on SQLite). The transaction stays atomic and ordered with every other one: WAL is
    written in order, so a later durable commit flushes it too. What a crash of the database server can lose is
    the last such commits (at most about 3 × wal_writer_delay, 600 ms by default), whole, never half of one.
    For writes that are cheap to lose and hot: the public status lookup (ADR 0033)."""
    if not connection.in_atomic_block:
        raise RuntimeError("commit_without_flush_wait must run inside the transaction it applies to.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
