"""Database upkeep after bulk writes (docs/OPERATIONS.md "After bulk loads: ANALYZE").

PostgreSQL plans from table statistics; autovacuum may be off or slow to notice a million new rows, and
until it does the search and list pages can plan sequential scans. ANALYZE samples a fixed number of rows
per table (about a second for a million-row table), so a bulk load ends with it."""

from __future__ import annotations

from django.apps import apps
from django.db import connection


def analyze_app_tables(*app_labels: str) -> list[str]:
    """ANALYZE every table of the given apps on PostgreSQL (nothing on SQLite). Returns the tables analyzed."""
    if connection.vendor != "postgresql":
        return []
    tables = sorted({model._meta.db_table for label in app_labels
                     for model in apps.get_app_config(label).get_models() if model._meta.managed})
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables
