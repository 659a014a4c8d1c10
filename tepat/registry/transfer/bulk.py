"""Set-based reads and writes of polars frames, behind one small interface.

PostgreSQL: COPY (FROM STDIN for inserts and for updates through a temporary table; TO STDOUT for
reads). Any other database (SQLite in tests and small installs): executemany and plain cursors.
Both run on Django's connection, inside the caller's transaction.

Frames hold database-neutral values: UUIDs as 32 hex digits, dates as `pl.Date`, times as aware
`pl.Datetime`, JSON as text. Reads return frames typed by a small spec (uuid, str, int, date, bool).
"""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connections

_CHUNK = 1 << 20
_ROWS_PER_BATCH = 50_000  # executemany batch of `insert_rows`
_ROWS_PER_MESSAGE = 20_000  # rows packed into one result row by `read` (PostgreSQL)
INDEX_BUILD_MEMORY = "256MB"  # per index build, for this transaction only (the server default is 64 MB)
_PORTABLE_IN = 500  # keys per IN (...) list where arrays are not available


@dataclass(frozen=True, slots=True)
class SuspendedIndex:
    table: str
    name: str
    columns: tuple[str, ...]
    definition: str  # the CREATE INDEX statement


@dataclass(frozen=True, slots=True)
class SuspendedConstraint:
    table: str
    name: str
    definition: str  # what follows ADD CONSTRAINT name


class Bulk:
    def __init__(self, using: str = "default") -> None:
        self.connection = connections[using]
        self.seconds: Counter[str] = Counter()  # "read" and "write": time spent in the database calls

    @property
    def postgres(self) -> bool:
        return self.connection.vendor == "postgresql"

    # --- writing ---------------------------------------------------------------------------------

    def _text_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Datetimes as text each database accepts (PostgreSQL with offset; SQLite naive UTC, as Django stores)."""
        exprs = []
        for name, dtype in frame.schema.items():
            if isinstance(dtype, pl.Datetime):
                fmt = "%Y-%m-%d %H:%M:%S%.6f+00:00" if self.postgres else "%Y-%m-%d %H:%M:%S%.6f"
                exprs.append(pl.col(name).dt.convert_time_zone("UTC").dt.strftime(fmt))
            elif dtype == pl.Date and not self.postgres:
                exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
            elif dtype == pl.Boolean and not self.postgres:
                exprs.append(pl.col(name).cast(pl.Int8))
        return frame.with_columns(exprs) if exprs else frame

    def _copy_in(self, cursor, table: str, frame: pl.DataFrame) -> None:
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, quote_style="non_numeric", null_value="")
        data = buffer.getvalue()
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(data), _CHUNK):
                copy.write(data[start:start + _CHUNK])

    def insert(self, table: str, frame: pl.DataFrame) -> int:
        if frame.is_empty():
            return 0
        started = time.perf_counter()
        frame = self._text_frame(frame)
        with self.connection.cursor() as cursor:
            if self.postgres:
                self._copy_in(cursor.cursor, table, frame)
            else:
                columns = ", ".join(f'"{c}"' for c in frame.columns)
                marks = ", ".join(["%s"] * frame.width)
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", frame.rows())
        self.seconds["write"] += time.perf_counter() - started
        return frame.height

    def update(self, table: str, frame: pl.DataFrame, key: str = "id") -> int:
        """Set every non-key column of `frame` on the rows whose `key` matches."""
        if frame.is_empty():
            return 0
        started = time.perf_counter()
        frame = self._text_frame(frame)
        columns = [c for c in frame.columns if c != key]
        with self.connection.cursor() as cursor:
            if self.postgres:
                temp = f"_tepat_upd_{table}"
                all_columns = ", ".join(f'"{c}"' for c in frame.columns)
                cursor.execute(f"DROP TABLE IF EXISTS {temp}")
                cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {all_columns} FROM {table} WITH NO DATA")
                self._copy_in(cursor.cursor, temp, frame)
                assignments = ", ".join(f'"{c}" = u."{c}"' for c in columns)
                cursor.execute(f'UPDATE {table} AS t SET {assignments} FROM {temp} AS u WHERE t."{key}" = u."{key}"')
                cursor.execute(f"DROP TABLE {temp}")
            else:
                assignments = ", ".join(f'"{c}" = %s' for c in columns)
                rows = frame.select([*columns, key]).rows()
                cursor.executemany(f'UPDATE {table} SET {assignments} WHERE "{key}" = %s', rows)
        self.seconds["write"] += time.perf_counter() - started
        return frame.height

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Insert `rows` (tuples in `columns` order, values already as the database takes them) streamed
        from an iterator: PostgreSQL COPY row by row, else executemany in batches. Returns the count."""
        started = time.perf_counter()
        count = 0
        cols = ", ".join(f'"{c}"' for c in columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join(["%s"] * len(columns))})'
                batch: list[Sequence] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= _ROWS_PER_BATCH:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.seconds["write"] += time.perf_counter() - started
        return count

    # --- reading ---------------------------------------------------------------------------------

    def read(self, sql: str, params: Sequence, schema: dict[str, Any]) -> pl.DataFrame:
        """Run a SELECT whose columns are `schema` (names in order, polars types), keeping its order.
        NULL stays null, an empty text stays empty.

        PostgreSQL: the rows are packed into CSV text on the server, `_ROWS_PER_MESSAGE` rows per result
        row, and parsed by polars. A plain `COPY (…) TO STDOUT` sends one message per row, and reading a
        million messages through psycopg took longer than the query itself (eligibility benchmark, issue
        10: 1.6M messages, ~20 s of the list's 63 s at load 8). SQLite: `fetchall`."""
        started = time.perf_counter()
        names = list(schema)
        with self.connection.cursor() as cursor:
            if not self.postgres:
                cursor.execute(sql, list(params))
                rows = cursor.fetchall()
                self.seconds["read"] += time.perf_counter() - started
                return pl.DataFrame(rows, schema=schema, orient="row")
            q = ", ".join(f"c{i}" for i in range(len(names)))
            # every value quoted ("" doubled), NULL as an empty unquoted field; the row number first
            cells = " || ',' || ".join(
                f"""COALESCE('"' || replace(q.c{i}::text, '"', '""') || '"', '')""" for i in range(len(names)))
            packed = (f"SELECT string_agg(s.n::text || ',' || s.line, E'\\n') FROM (SELECT row_number() OVER () "
                      f"AS n, {cells} AS line FROM ({sql}) AS q({q})) AS s GROUP BY (s.n - 1) / {_ROWS_PER_MESSAGE}")
            cursor.execute(packed, list(params))
            chunks = [row[0] for row in cursor.fetchall()]
        if not chunks:
            frame = pl.DataFrame(schema=schema)
        else:
            data = "\n".join(chunks).encode()
            frame = (pl.read_csv(io.BytesIO(data), has_header=False, new_columns=["_n", *names],
                                 schema_overrides={"_n": pl.Int64, **schema}, quote_char='"')
                     .sort("_n").drop("_n"))
        self.seconds["read"] += time.perf_counter() - started
        return frame

    def fetch(self, sql: str, params: Sequence = (), types: dict[str, str] | None = None) -> pl.DataFrame:
        """Run a SELECT; the result as a frame with columns typed by `types` (default str)."""
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.postgres:
                buffer = io.BytesIO()
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER true)", params or None) as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                frame = pl.read_csv(io.BytesIO(buffer.getvalue()), infer_schema=False, empty_string_is_null=False)
            else:
                cursor.execute(sql, list(params))
                names = [d[0] for d in cursor.description]
                rows = cursor.fetchall()
                frame = pl.DataFrame(
                    [[None if v is None else str(v) for v in row] for row in rows],
                    schema=dict.fromkeys(names, pl.String), orient="row",
                )
        self.seconds["read"] += time.perf_counter() - started
        return typed(frame, types or {})

    def fetch_in(self, sql: str, column: str, keys: Iterable, *, cast: str = "text",
                 params: Sequence = (), types: dict[str, str] | None = None) -> pl.DataFrame:
        """`sql` with a `{keys}` placeholder, filled with `column` = any of `keys` (chunked where needed).
        `params` are bound before the keys. Keys are identifiers (digits, UUIDs): never a comma."""
        keys = list(keys)
        if not keys:  # still asked, for the result's columns
            return self.fetch(sql.format(keys="1 = 0"), list(params), types)
        if self.postgres:
            # One text parameter split by the server (no per-key quoting in Python), as a semi-join:
            # `= ANY(array)` of thousands of keys is planned as a sequential scan, this as index probes.
            condition = f"{column} IN (SELECT unnest(string_to_array(%s, ','))::{cast})"
            return self.fetch(sql.format(keys=condition), [*params, ",".join(map(str, keys))], types)
        frames = []
        for start in range(0, len(keys), _PORTABLE_IN):
            part = keys[start:start + _PORTABLE_IN]
            condition = f"{column} IN ({', '.join(['%s'] * len(part))})"
            frames.append(self.fetch(sql.format(keys=condition), [*params, *part], types))
        return pl.concat(frames, how="vertical")

    def lock(self, name: str) -> None:
        """Serialise with every other transaction taking the same named lock, until this one ends
        (PostgreSQL advisory lock; SQLite already runs one writing transaction at a time)."""
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])

    def relax_commit(self) -> None:
        """In the current transaction, let COMMIT return before its WAL reaches disk (PostgreSQL).
        For resumable bulk batches only: a server crash may lose the last batches together with
        their checkpoint (they are written again by the rerun), never half of one."""
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def analyze(self, tables: Sequence[str]) -> None:
        """Refresh the planner's statistics (PostgreSQL). A bulk load that doubles a table otherwise
        leaves plans made for the empty table: sequential scans for every batch's key lookups, and
        servers with autovacuum off never catch up on their own."""
        if not self.postgres:
            return
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")

    # --- load mode: secondary indexes and foreign keys set aside for a large load --------------------

    def secondary_indexes(self, tables: Sequence[str]) -> list[SuspendedIndex]:
        """Indexes on `tables` that back no constraint (not the primary key, not a unique index), with the
        statement that creates each one again. PostgreSQL: pg_index; SQLite: sqlite_master."""
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT t.relname, c.relname, pg_get_indexdef(i.indexrelid), "
                    "  (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY "
                    "   AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) "
                    "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_namespace n ON n.oid = t.relnamespace "
                    "WHERE n.nspname = current_schema() AND t.relname = ANY(%s) "
                    "AND NOT i.indisprimary AND NOT i.indisunique ORDER BY 1, 2",
                    [list(tables)],
                )
                return [SuspendedIndex(table, name, tuple((columns or "").split(",")), sql)
                        for table, name, sql, columns in cursor.fetchall()]
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           f"AND tbl_name IN ({marks}) ORDER BY 1, 2", list(tables))
            found = cursor.fetchall()
            out = []
            for table, name, sql in found:
                if sql.lstrip().upper().startswith("CREATE UNIQUE"):
                    continue
                cursor.execute(f'PRAGMA index_info("{name}")')
                out.append(SuspendedIndex(table, name, tuple(row[2] for row in cursor.fetchall()), sql))
            return out

    def foreign_keys(self, tables: Sequence[str]) -> list[SuspendedConstraint]:
        """Foreign keys from `tables` to any table (PostgreSQL). SQLite keeps them in the table's own
        definition, where they cannot be set aside: none."""
        if not self.postgres:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY(%s) ORDER BY 1, 2",
                [list(tables)],
            )
            return [SuspendedConstraint(table, name, definition) for table, name, definition in cursor.fetchall()]

    def set_aside(self, indexes: Sequence[SuspendedIndex], constraints: Sequence[SuspendedConstraint]) -> None:
        """Drop them, in the caller's transaction (DDL is transactional on PostgreSQL and SQLite: if the
        transaction does not commit, they were never dropped). `restore` puts them back."""
        if not self.connection.in_atomic_block:
            raise RuntimeError("indexes and constraints are set aside only inside a transaction")
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            for constraint in constraints:
                cursor.execute(f'ALTER TABLE "{constraint.table}" DROP CONSTRAINT "{constraint.name}"')
            for index in indexes:
                cursor.execute(f'DROP INDEX "{index.name}"')
        self.seconds["set_aside"] += time.perf_counter() - started

    def restore(self, indexes: Sequence[SuspendedIndex], constraints: Sequence[SuspendedConstraint], *,
                validate: bool = True) -> None:
        """Build the indexes again (one sort each, not one insertion per row) and add the foreign keys
        back: PostgreSQL validates each with one set-based query over the whole table. `validate=False`
        adds them `NOT VALID` (enforced for every later write, the rows already there not scanned): for a
        caller that checked its own rows set-based and runs `validate` once at the end."""
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(f"SET LOCAL maintenance_work_mem TO '{INDEX_BUILD_MEMORY}'")
            for index in indexes:
                step = time.perf_counter()
                cursor.execute(index.definition)
                self.seconds[f"restore {index.name}"] += time.perf_counter() - step
            for constraint in constraints:
                step = time.perf_counter()
                definition = constraint.definition.removesuffix(" NOT VALID")
                cursor.execute(f'ALTER TABLE "{constraint.table}" ADD CONSTRAINT "{constraint.name}" '
                               f"{definition}{'' if validate else ' NOT VALID'}")
                self.seconds[f"restore {constraint.name}"] += time.perf_counter() - step
        self.seconds["restore"] += time.perf_counter() - started

    def validate(self, constraints: Sequence[SuspendedConstraint]) -> None:
        """`VALIDATE CONSTRAINT` each one added `NOT VALID` (PostgreSQL): one set-based scan, holding only
        SHARE UPDATE EXCLUSIVE on the table (reads and writes go on)."""
        if not self.postgres:
            return
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            for constraint in constraints:
                cursor.execute(f'ALTER TABLE "{constraint.table}" VALIDATE CONSTRAINT "{constraint.name}"')
        self.seconds["validate"] += time.perf_counter() - started

    def row_estimate(self, table: str) -> int:
        """Rows in `table`: the planner's estimate on PostgreSQL (fresh after `analyze`), a count elsewhere."""
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
                row = cursor.fetchone()
                return max(0, int(row[0])) if row else 0
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            return int(cursor.fetchone()[0])

    def uuid_param(self) -> str:
        return "%s::uuid" if self.postgres else "%s"


def typed(frame: pl.DataFrame, types: dict[str, str]) -> pl.DataFrame:
    exprs = []
    for name in frame.columns:
        kind = types.get(name, "str")
        col = pl.col(name)
        if kind == "uuid":
            exprs.append(col.str.replace_all("-", "", literal=True))
        elif kind == "int":
            exprs.append(col.cast(pl.Int64, strict=False))
        elif kind == "date":
            exprs.append(col.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        elif kind == "bool":
            exprs.append(col.str.to_lowercase().is_in(["t", "true", "1"]))
        else:
            exprs.append(col.fill_null(""))
    return frame.with_columns(exprs) if exprs else frame
