"""Bulk writes of list rows: PostgreSQL COPY, SQLite executemany. Set-based (STYLE rule 7): a list of
300,000 families with a trace row per clause is a few million rows, far past what `bulk_create` does in
seconds. Only the list tables are written this way, always inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

_CHUNK = 50_000


def uuid_value(value: Any) -> str:
    """A UUID (or its text) as the database column takes it: SQLite stores Django's UUIDField as 32 hex
    characters, PostgreSQL as the uuid type (any text form)."""
    text = value.hex if isinstance(value, uuid.UUID) else str(value)
    return text.replace("-", "") if connection.vendor == "sqlite" else text


def datetime_value(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples in `columns` order, values already in column form: see `uuid_value`) into
    `table`; returns the count."""
    count = 0
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
