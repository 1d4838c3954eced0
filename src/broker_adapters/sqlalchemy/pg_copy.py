"""PostgreSQL bulk upsert through ``COPY``: an order of magnitude fewer round trips than executemany.

Rows are streamed with ``COPY ... FROM STDIN`` into a temporary table (never
held in memory), then merged with one ``INSERT ... SELECT ... ON CONFLICT``.
A key repeated within one load keeps its last row at the place of its first,
as a sequence of single upserts would; rows are inserted in the order they
came, so surrogate ids (and with them the order of generated files) match the
SQLite path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def copy_upsert(
    conn: Connection, table: Table, key_column: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Upsert ``rows`` (tuples in ``columns`` order) by ``key_column`` inside ``conn``'s transaction."""
    raw: Any = conn.connection.driver_connection  # psycopg.Connection, in the same transaction
    quoted = [f'"{c}"' for c in columns]
    staging = f"_load_{table.name}"
    types = ", ".join(f'"{c}" {table.c[c].type.compile(conn.dialect)}' for c in columns)
    written = 0
    with raw.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE "{staging}" (_seq bigint, {types}) ON COMMIT DROP')
        with cursor.copy(f'COPY "{staging}" (_seq, {", ".join(quoted)}) FROM STDIN') as copy:
            for row in rows:
                written += 1
                copy.write_row((written, *row))
        updates = ", ".join(
            f"{q} = EXCLUDED.{q}" for c, q in zip(columns, quoted, strict=True) if c != key_column
        )
        cursor.execute(
            f'INSERT INTO "{table.name}" ({", ".join(quoted)}) '
            f"SELECT {', '.join(quoted)} FROM ("
            f'  SELECT DISTINCT ON ("{key_column}") *, min(_seq) OVER (PARTITION BY "{key_column}") AS _first'
            f'  FROM "{staging}" ORDER BY "{key_column}", _seq DESC'
            f") AS latest ORDER BY _first "
            f'ON CONFLICT ("{key_column}") DO UPDATE SET {updates}'
        )
        cursor.execute(f'DROP TABLE "{staging}"')
    return written
