"""`Bulk.read`: the columnar read the lists and the desil use (PostgreSQL packs the rows into CSV text on the
server). Order, NULL against empty text, separators and quotes inside values, more than one packed chunk."""

from __future__ import annotations

import polars as pl
import pytest

from tepat.registry.transfer import bulk as bulk_module
from tepat.registry.transfer.bulk import Bulk

pytestmark = pytest.mark.django_db

VALUES = [
    (3, 'a "quoted", text', None),
    (1, "", 7),
    (2, "line\nbreak\tand tab", -2),
    (5, None, 0),
    (4, "\\N", 12),
]
SCHEMA = {"n": pl.Int64, "label": pl.Utf8, "value": pl.Int32}
CASTS = ("CAST(%s AS integer)", "CAST(%s AS text)", "CAST(%s AS integer)")


def _sql() -> tuple[str, list]:
    first = "SELECT " + ", ".join(f"{cast} AS {name}" for cast, name in zip(CASTS, SCHEMA, strict=True))
    rows = " UNION ALL ".join([first] + ["SELECT " + ", ".join(CASTS)] * (len(VALUES) - 1))
    params = [v for row in VALUES for v in row]
    return f"SELECT * FROM ({rows}) AS t ORDER BY n DESC", params


def test_read_keeps_order_nulls_and_text(monkeypatch) -> None:
    monkeypatch.setattr(bulk_module, "_ROWS_PER_MESSAGE", 2)  # three packed chunks on PostgreSQL
    sql, params = _sql()
    frame = Bulk().read(sql, params, SCHEMA)
    assert frame.schema == pl.Schema(SCHEMA)
    assert frame.rows() == sorted(VALUES, key=lambda row: -row[0])


def test_read_of_no_row_has_the_schema() -> None:
    sql, params = _sql()
    frame = Bulk().read(f"SELECT * FROM ({sql}) AS q WHERE q.n > 100", params, SCHEMA)
    assert frame.height == 0
    assert frame.schema == pl.Schema(SCHEMA)
