"""Bulk reads and writes of list rows, set-based (STYLE rule 7): a list of 300,000 families is far past what
`bulk_create` does in seconds. The work is done by `tepat.registry.transfer.bulk.Bulk` (PostgreSQL COPY and
server-packed reads, SQLite executemany / fetchall), one implementation for the registry's transfers and
the lists; this module keeps the lists' call names and the value helpers. Always inside the caller's
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from django.db import connection

from tepat.registry.transfer.bulk import Bulk


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
    return Bulk().insert_rows(table, columns, rows)


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert a frame whose columns are the table's (values in column form): one CSV COPY on PostgreSQL,
    executemany on SQLite."""
    return Bulk().insert(table, frame)


def read_frame(sql: str, params: Sequence, schema: dict[str, Any]) -> pl.DataFrame:
    """Run a SELECT whose columns are `schema` (names in order, polars types), in its order. NULL stays
    null; an empty text stays empty."""
    return Bulk().read(sql, params, schema)
