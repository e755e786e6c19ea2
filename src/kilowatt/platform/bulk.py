"""Write many rows at once, set-based: PostgreSQL ``COPY``, batched inserts elsewhere.

The mechanics every context's bulk operations share; what the rows mean, and which
rules they must meet, stays with the context that owns the table. Rows are plain tuples
in the order of ``columns``, with their ids already assigned by the caller (so rows of
several tables can reference each other before anything is written); after a load,
``finish_load`` moves PostgreSQL's id sequences past the ids used.

Call these inside a transaction: a failed ``COPY`` leaves nothing of its rows behind,
and nothing of the other tables either once the transaction rolls back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import polars as pl
from django.db import connection, models
from django.db.models import Max

_NULL = "\x00"  # stands for None while a line is built; PostgreSQL text never holds NUL
_BLOCK_ROWS = 10_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def is_postgresql() -> bool:
    """Return whether the default database is PostgreSQL (COPY is available)."""
    return connection.vendor == "postgresql"


def _escaped_line(row: Sequence[object]) -> str:
    return "\t".join("\\N" if value is None else str(value).translate(_ESCAPES) for value in row)


class _TextMemo(dict):
    """The COPY text of the values of one column, for columns whose values repeat
    (dates, datetimes, decimals, booleans, NULLs): ``str()`` of a datetime costs a
    microsecond, a dictionary lookup a tenth of that."""

    def __missing__(self, value: object) -> str:
        text = self[value] = _NULL if value is None else str(value)
        return text


def _memo_columns(rows: Sequence[tuple], width: int) -> list[tuple[int, _TextMemo]]:
    """Return the positions whose sampled values are neither text nor integers."""
    sample = rows[:1000]
    return [
        (position, _TextMemo())
        for position in range(width)
        if any(row[position].__class__ not in (str, int) for row in sample)
    ]


def copy_text(rows: Sequence[tuple], *, width: int) -> Iterator[str]:
    """Yield ``rows`` as PostgreSQL COPY text (tab-separated, ``\\N`` for NULL), in blocks.

    ``str()`` of ints, Decimals, booleans, dates and aware datetimes is already a form
    PostgreSQL reads, so most lines are one join (repeated values come from a memo); a
    line holding a tab, newline, backslash or the word None goes through the escaping
    path instead.
    """
    tabs = width - 1
    memos = _memo_columns(rows, width)
    block: list[str] = []
    append = block.append
    for row in rows:
        if memos:
            values = list(row)
            for position, memo in memos:
                values[position] = memo[values[position]]
            line = "\t".join(map(str, values))
        else:
            line = "\t".join(map(str, row))
        if (
            line.count("\t") != tabs
            or "\\" in line
            or "\n" in line
            or "\r" in line
            or "None" in line
        ):
            line = _escaped_line(row)
        elif _NULL in line:
            line = line.replace(_NULL, "\\N")
        append(line)
        if len(block) == _BLOCK_ROWS:
            yield "\n".join(block) + "\n"
            block.clear()
    if block:
        yield "\n".join(block) + "\n"


def copy_sql(table: str, columns: Sequence[str]) -> str:
    """Return the ``COPY ... FROM STDIN`` statement for a table and its columns."""
    quote = connection.ops.quote_name
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


def _db_columns(model: type[models.Model], columns: Sequence[str]) -> list[str]:
    fields = [model._meta.get_field(name) for name in columns]
    return [str(field.column) for field in fields if isinstance(field, models.Field)]


def write_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order, ids included) into ``model``'s table.

    PostgreSQL: one ``COPY`` streamed in blocks. Other databases: ``bulk_create`` in
    batches. Returns how many rows were written.
    """
    if not rows:
        return 0
    if is_postgresql():
        sql = copy_sql(model._meta.db_table, _db_columns(model, columns))
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for block in copy_text(rows, width=len(columns)):
                copy.write(block)
    else:
        names = list(columns)
        model._default_manager.bulk_create(
            (model(**dict(zip(names, row, strict=True))) for row in rows), batch_size=2_000
        )
    return len(rows)


def next_id(model: type[models.Model]) -> int:
    """Return the first id above every id in ``model``'s table."""
    return (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def finish_load(*model_classes: type[models.Model]) -> None:
    """After rows were written with explicit ids: on PostgreSQL, move each table's id
    sequence past its largest id and refresh the planner's statistics (a table that grew
    a millionfold would otherwise be planned as if empty). SQLite's AUTOINCREMENT follows
    explicit ids by itself.
    """
    if not is_postgresql():
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in model_classes:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quote(table)}",
                [table],
            )
            cursor.execute(f"ANALYZE {quote(table)}")


def vacuum_after_load() -> None:
    """After a big load, on PostgreSQL and outside any transaction: ``VACUUM`` the
    database, which marks every freshly written page all-visible, so lookups through an
    index that holds every column they need (the back office's search chain) answer
    without visiting the table pages. Autovacuum would do it later, if it runs at all.
    A few seconds after a million-customer seed."""
    if not is_postgresql() or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")


_CONSTRAINTS_TO_SET_ASIDE = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
    FROM pg_constraint
    WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
    ORDER BY contype, conrelid::regclass::text, conname
"""
# Secondary indexes that no constraint owns (primary keys stay: ids arrive in order).
_INDEXES_TO_SET_ASIDE = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint k
        WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')
      )
    ORDER BY 1
"""


@contextlib.contextmanager
def indexes_set_aside(*model_classes: type[models.Model]) -> Iterator[None]:
    """Drop these tables' secondary indexes, unique and foreign-key constraints for a big
    load, and build them again after it (PostgreSQL; elsewhere, do nothing).

    One sorted index build is far cheaper than millions of random inserts into a live
    index, and one foreign-key validation query than a trigger per row. Everything is
    rebuilt and checked again before the transaction ends, so duplicates or dangling
    references still fail the load. Must run inside the caller's transaction: if the
    load fails, rolling back brings the dropped indexes back too. The tables are locked
    against every other use until the transaction ends.
    """
    if not is_postgresql():
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_set_aside must run inside a transaction")
    tables = [model._meta.db_table for model in model_classes]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Check the references of rows written earlier in this transaction now: a table
        # with deferred checks still pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(_CONSTRAINTS_TO_SET_ASIDE, [tables])
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES_TO_SET_ASIDE, [tables])
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:  # foreign keys first ('f' < 'u')
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        # Unique constraints before the foreign keys that may rely on them.
        for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3] != "u"):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return ``count`` fresh ids for ``model``'s rows, so rows of several tables can
    reference each other before a set-based write. PostgreSQL draws them from the table's
    id sequence (safe alongside any other writer); SQLite, whose writers take turns,
    continues from the largest id (call inside the writing transaction)."""
    if count <= 0:
        return []
    if is_postgresql():
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    start = next_id(model)
    return list(range(start, start + count))


def reserve_id_blocks(model: type[models.Model], count: int) -> pl.Series:
    """Return ``count`` fresh ids for ``model``'s rows in a few steps however many (a
    million ids drawn one by one cost seconds), without locking anyone out.

    On PostgreSQL the table's id sequence must step by a block (``ALTER SEQUENCE ...
    INCREMENT BY 1024``, in the model's migrations): each ``nextval`` then hands out a
    whole block, so a million ids are a thousand draws, and two writers' blocks never
    overlap. A single row inserted by the ORM takes the first id of a block and leaves
    the rest unused (a 64-bit id has room for that). SQLite, whose writers take turns,
    continues from the largest id (call inside the writing transaction).

    :raises RuntimeError: on PostgreSQL, the sequence does not step by more than one.
    """
    if count <= 0:
        return pl.Series("id", [], dtype=pl.Int64)
    if not is_postgresql():
        start = next_id(model)
        return pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("id")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seqincrement FROM pg_sequence"
            " WHERE seqrelid = pg_get_serial_sequence(%s, 'id')::regclass",
            [table],
        )
        block = int(cursor.fetchone()[0])
        if block <= 1:
            raise RuntimeError(f"{table}'s id sequence hands out single ids, not blocks")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, -(-count // block)],
        )
        starts = pl.Series("start", [row[0] for row in cursor.fetchall()], dtype=pl.Int64)
    return (
        pl.int_ranges(starts, starts + block, dtype=pl.Int64, eager=True)
        .explode()
        .head(count)
        .alias("id")
    )
