"""Move Polars frames in and out of the database, set-based, on PostgreSQL and SQLite.

Batch work (a million reads, a bill run) loads its inputs with one query into a frame,
computes on columns, and writes its outputs in one go. On PostgreSQL both directions
stream through ``COPY``; elsewhere they fall back to ``executemany`` and ``fetchall``,
so the same code runs in the embedded default and in the tests.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import polars as pl
from django.db import connection, models
from psycopg import copy as psycopg_copy

from kilowatt.platform import bulk

T = TypeVar("T")

_NULL = "\\N"  # CSV's stand-in for NULL both ways (an empty field is an empty string)


def create_temp_table(name: str, columns: dict[str, str]) -> None:
    """Create (or empty) a temporary table that lives until the connection closes;
    ``columns`` maps names to SQL types every database here understands."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        body = ", ".join(f"{column} {kind}" for column, kind in columns.items())
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({body})")


@contextlib.contextmanager
def staging_table(name: str, columns: dict[str, str]) -> Iterator[None]:
    """A table for one step of a batch, gone when the block ends (write it with
    ``write_temp``).

    On PostgreSQL an unlogged table created inside the transaction rather than a
    temporary one: a temporary table's pages are private to its session, so a query
    reading one cannot use parallel workers, and a join of a million staged rows against
    the book runs about twice as fast on two cores with them. Created in the transaction,
    it vanishes with a rollback; it is dropped at the end of the block. Its name is seen by
    every session: make it the session's own (``session_tag``). Elsewhere, a temporary
    table.
    """
    if not bulk.is_postgresql():
        create_temp_table(name, columns)
        yield
        return
    body = ", ".join(f"{column} {kind}" for column, kind in columns.items())
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE {name} ({body})")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def session_tag() -> str:
    """Return a name part that is this database session's own (PostgreSQL's backend
    process id), for staging tables two sessions may create at once."""
    if not bulk.is_postgresql():
        return "local"  # temporary tables: every connection has its own anyway
    connection.ensure_connection()
    return str(connection.connection.info.backend_pid)


def tune_for_batch() -> None:
    """Inside a batch's transaction on PostgreSQL: let its hash joins of a million rows run
    in memory instead of spilling to disk, and skip JIT compilation, which costs more than
    it saves on queries planned once. Lasts until the transaction ends."""
    if bulk.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")


def prefer_index_lookups() -> None:
    """Inside a batch's transaction on PostgreSQL: price a page read from the index as
    the SSD it is (``random_page_cost`` 1.1, not the spinning disk's 4). A bill run's
    chunk looks up the reads of some thousands of meter points in a table of millions;
    at 4 the planner scans the whole table for each chunk instead (measured at a million
    customers: 0.85 s a chunk against 0.08 s). Lasts until the transaction ends."""
    if bulk.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL random_page_cost = 1.1")


def vendor() -> str:
    """Return the database's vendor name (``postgresql``, ``sqlite``), for the few
    queries whose best form differs."""
    return str(connection.vendor)


def _column(model: type[models.Model], name: str) -> str:
    """Return the database column of a field attribute name (``register_id`` or ``value``)."""
    # A foreign key by its column (``register_id``) or a plain field that ends so.
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__} has no column for {name!r}")
    return str(field.column)


def write_frame(model: type[models.Model], frame: pl.DataFrame) -> int:
    """Insert a frame's rows into a model's table; the frame's columns are the model's
    field attribute names (``register_id``), ids included or left to the database."""
    if frame.is_empty():
        return 0
    if bulk.is_postgresql():
        columns = [_column(model, name) for name in frame.columns]
        return _copy_in(model._meta.db_table, columns, frame)
    model._default_manager.bulk_create(
        (model(**row) for row in frame.iter_rows(named=True)), batch_size=2_000
    )
    return frame.height


def write_frame_while(model: type[models.Model], frame: pl.DataFrame, work: Callable[[], T]) -> T:
    """Insert a frame's rows (as ``write_frame``) while ``work`` runs; return its result.

    On PostgreSQL the rows go to the server from a second thread, and the server takes
    them in (on a core of its own) while ``work`` computes here: a batch written in parts
    prepares the next part while the database stores this one. ``work`` must not use
    the database: the connection is busy with the COPY until both are done, so a query
    from ``work`` is refused (``RuntimeError``) rather than left waiting for ever.
    """
    if frame.is_empty() or not bulk.is_postgresql():
        write_frame(model, frame)
        return work()
    columns = [_column(model, name) for name in frame.columns]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own: Django's debug wrapper takes no writer
        writer = psycopg_copy.QueuedLibpqWriter(raw)
        with raw.copy(_copy_in_sql(model._meta.db_table, columns), writer=writer) as copy:
            copy.write(_csv(frame))
            with connection.execute_wrapper(_refuse_during_copy):
                return work()


def _refuse_during_copy(*args: object) -> None:
    raise RuntimeError("the database connection is busy with a COPY: query before or after")


def write_temp(table: str, frame: pl.DataFrame) -> int:
    """Insert a frame's rows into a temporary table (its columns named as the frame's)."""
    if frame.is_empty():
        return 0
    columns = frame.columns
    if bulk.is_postgresql():
        _copy_in(table, columns, frame)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")  # a fresh table has no statistics otherwise
        return frame.height
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            [tuple(_sqlite_value(value) for value in row) for row in frame.iter_rows()],  # type: ignore[misc]
        )
    return frame.height


def _copy_in(table: str, columns: list[str], frame: pl.DataFrame) -> int:
    with connection.cursor() as cursor, cursor.copy(_copy_in_sql(table, columns)) as copy:
        copy.write(_csv(frame))
    return frame.height


def _copy_in_sql(table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')"
    )


def _csv(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value=_NULL)
    return buffer.getvalue()


def _sqlite_value(value: object) -> object:
    """The text SQLite compares as Django stores it: naive UTC datetimes, ISO dates."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def read_frame(
    sql: str, params: Sequence[Any], schema: dict[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    """Run a query and return its rows as a frame with ``schema`` (the query's columns,
    in order). On PostgreSQL the rows stream out through ``COPY ... TO STDOUT``."""
    if bulk.is_postgresql():
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            inline = cursor.mogrify(sql, params) if params else sql  # COPY takes no parameters
            with cursor.copy(
                f"COPY ({inline}) TO STDOUT WITH (FORMAT csv, NULL '{_NULL}')"
            ) as copy:
                for block in copy:
                    buffer.write(block)
        if buffer.tell() == 0:  # typed as rows would be (datetimes in UTC)
            return _typed(pl.DataFrame(schema={name: pl.String for name in schema}), schema)
        buffer.seek(0)
        text_schema = {name: pl.String for name in schema}
        frame = pl.read_csv(
            buffer,
            has_header=False,
            new_columns=list(schema),
            schema_overrides=text_schema,
            null_values=_NULL,
            empty_string_is_null=False,
        )
        return _typed(frame, schema)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pl.DataFrame(
        [[None if value is None else str(value) for value in row] for row in rows],
        schema={name: pl.String for name in schema},
        orient="row",
    )
    return _typed(frame, schema)


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """Turn the text columns of a query into their types (text is what both databases
    agree on: dates as ISO, decimals as digits, timestamps with their offset)."""
    columns = []
    for name, kind in schema.items():
        column = pl.col(name)
        if isinstance(kind, pl.Datetime) or kind == pl.Datetime:
            columns.append(
                column.str.replace(r"([+-]\d\d)$", "$1:00")
                .str.to_datetime(time_zone="UTC", time_unit="us")
                .alias(name)
            )
        elif kind == pl.Date:
            columns.append(column.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name))
        elif kind == pl.Boolean:
            columns.append(column.is_in(["t", "true", "1", "True"]).alias(name))
        else:
            columns.append(column.cast(kind).alias(name))
    return frame.select(columns)


def update_column(model: type[models.Model], column: str, values: pl.DataFrame) -> int:
    """Set one column of many rows: ``values`` has ``id`` and ``value`` (as text the
    database casts to the column's type). One ``UPDATE ... FROM`` a temporary table on
    PostgreSQL; ``executemany`` elsewhere."""
    if values.is_empty():
        return 0
    table = model._meta.db_table
    db_column = _column(model, column)
    if bulk.is_postgresql():
        create_temp_table("_column_values", {"id": "bigint", "value": "text"})
        _copy_in("_column_values", ["id", "value"], values.select("id", "value"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET {db_column} = v.value::"
                f"{_pg_type(model, column)} FROM _column_values v WHERE t.id = v.id"
            )
        return values.height
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {db_column} = %s WHERE id = %s",
            [(value, row_id) for row_id, value in values.select("id", "value").iter_rows()],
        )
    return values.height


def _pg_type(model: type[models.Model], column: str) -> str:
    field = model._meta.get_field(column)
    assert isinstance(field, models.Field)
    return str(field.db_type(connection))
