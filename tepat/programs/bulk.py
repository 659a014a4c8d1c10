"""Bulk reads and writes of list rows: PostgreSQL COPY, SQLite fetchall / executemany. Set-based (STYLE rule 7): a list of
300,000 families with a trace row per clause is a few million rows, far past what `bulk_create` does in
seconds. Only the list tables are written this way, always inside the caller's transaction."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
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


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert a frame whose columns are the table's (values in column form). PostgreSQL: one COPY of the CSV
    polars writes (no Python per row); SQLite: executemany over the rows."""
    if not frame.height:
        return 0
    if connection.vendor != "postgresql":
        return insert_rows(table, frame.columns, frame.iter_rows())
    cols = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with raw.copy(sql) as copy:
            for start in range(0, frame.height, 200_000):
                copy.write(frame.slice(start, 200_000).write_csv(include_header=False, null_value="\\N"))
    return frame.height


def read_frame(sql: str, params: Sequence, schema: dict[str, Any]) -> pl.DataFrame:
    """Run a SELECT whose columns are `schema` (names in order, polars types): PostgreSQL one
    `COPY (…) TO STDOUT` read by polars' CSV reader (no Python object per value), SQLite `fetchall`.
    NULL stays null; an empty text stays empty."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '\\N', FORCE_QUOTE *)",
                                  list(params)) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            if not buffer.tell():
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema_overrides=schema,
                               null_values="\\N", quote_char='"')
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")
