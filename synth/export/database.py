"""Build the run's DuckDB database from its Parquet files, without loading them into pandas."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_duckdb(path: Path, tables: list[tuple[str, str, Path]]) -> None:
    """Create ``path`` with one table per ``(schema, table, parquet file)``.

    Args:
        path: the database file to create.
        tables: schema name, table name and the Parquet file (or folder of part files) holding its rows.
    """
    con = duckdb.connect(str(path))
    try:
        con.execute("SET threads TO 2")
        for schema in sorted({s for s, _, _ in tables}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
        for schema, table, parquet in tables:
            source = str(parquet / "*.parquet") if parquet.is_dir() else str(parquet)
            con.execute(f"CREATE TABLE {_q(schema)}.{_q(table)} AS SELECT * FROM read_parquet(?)", [source])
        con.execute("CHECKPOINT")
    finally:
        con.close()
