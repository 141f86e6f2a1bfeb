"""Build the run's DuckDB database from its Parquet files, without loading them into pandas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_duckdb(path: Path, tables: list[tuple[str, str, Path]],
                 sql_types: dict[tuple[str, str], dict[str, str]] | None = None,
                 on_table: Callable[[int], None] | None = None) -> None:
    """Create ``path`` with one table per ``(schema, table, parquet file)``.

    Columns with a declared SQL type (a profile column's ``sql_type``) are cast to it and carry it as
    their DuckDB column comment: DuckDB stores CHAR(n) as VARCHAR, so the comment keeps the SAIL type
    visible (``SELECT comment FROM duckdb_columns()``).

    Args:
        path: the database file to create.
        tables: schema name, table name and the Parquet file (or folder of part files) holding its rows.
        sql_types: per ``(schema, table)``, the SQL type of each column that declares one.
        on_table: called with the number of tables built so far after each one (progress; display only).
    """
    sql_types = sql_types or {}
    con = duckdb.connect(str(path))
    try:
        con.execute("SET threads TO 2")
        for schema in sorted({s for s, _, _ in tables}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
        for done, (schema, table, parquet) in enumerate(tables, 1):
            source = str(parquet / "*.parquet") if parquet.is_dir() else str(parquet)
            types = sql_types.get((schema, table), {})
            cols = ", ".join(f"CAST({_q(c)} AS {t}) AS {_q(c)}" for c, t in types.items())
            select = f"* REPLACE ({cols})" if cols else "*"
            name = f"{_q(schema)}.{_q(table)}"
            con.execute(f"CREATE TABLE {name} AS SELECT {select} FROM read_parquet(?)", [source])
            for c, t in types.items():
                con.execute(f"COMMENT ON COLUMN {name}.{_q(c)} IS '{t}'")
            if on_table is not None:
                on_table(done)
        con.execute("CHECKPOINT")
    finally:
        con.close()
