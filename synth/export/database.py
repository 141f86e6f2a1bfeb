"""Build the run's DuckDB database from its Parquet files, without loading them into pandas.

The file is written with DuckDB storage version :data:`STORAGE_VERSION`, so the DuckDB CLI on PyPI
and the last releases of the library open it whatever library version wrote it. Every table carries a
comment starting ``SYNTHETIC`` and its columns the dictionary's descriptions; primary and foreign keys
are declared where the rows satisfy them (checked first: DuckDB enforces constraints on insert), and
each declared foreign key gets a view joining the child table to its parent (``<child>__<parent>``,
``<child>__<parent>__<fk columns>`` when a table has two keys to the same parent): the parent's
columns the child lacks are appended to the child's.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: Storage format of synth.duckdb: read by DuckDB 1.2 and every later release (1.3, 1.4, the 1.5 CLI).
STORAGE_VERSION = "v1.2.0"


@dataclass(frozen=True)
class TableMeta:
    """What the database declares about one table beyond its rows.

    Attributes:
        comment: the table comment (prefixed ``SYNTHETIC`` if it is not already).
        columns: column name -> comment.
        key: primary-key columns (declared only if the rows are unique and not null).
        foreign_keys: ``(columns, referenced table, referenced columns)`` in the same schema.
    """

    comment: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cols(cols: tuple[str, ...] | list[str]) -> str:
    return ", ".join(_q(c) for c in cols)


def _unique(con: duckdb.DuckDBPyConnection, name: str, key: tuple[str, ...]) -> bool:
    nulls = " OR ".join(f"{_q(c)} IS NULL" for c in key)
    row = con.execute(f"SELECT count(*), count(DISTINCT ({_cols(key)})), count(*) FILTER (WHERE {nulls}) "
                      f"FROM {name}").fetchone()
    return row is not None and row[0] == row[1] and row[2] == 0


def _orphans(con: duckdb.DuckDBPyConnection, child: str, cols: tuple[str, ...], parent: str,
             ref: tuple[str, ...]) -> int:
    on = " AND ".join(f"c.{_q(a)} = p.{_q(b)}" for a, b in zip(cols, ref, strict=True))
    some = " AND ".join(f"c.{_q(a)} IS NOT NULL" for a in cols)
    row = con.execute(f"SELECT count(*) FROM {child} c WHERE {some} AND NOT EXISTS "
                      f"(SELECT 1 FROM {parent} p WHERE {on})").fetchone()
    return int(row[0]) if row else 0


def _create(con: duckdb.DuckDBPyConnection, schema: str, table: str, select: str, source: str,
            meta: TableMeta, keyed: dict[tuple[str, str], tuple[str, ...]]) -> list[str]:
    """Create one table (with the keys its rows satisfy), fill it; return the views' DDL."""
    name = f"{_q(schema)}.{_q(table)}"
    con.execute(f"CREATE TEMP VIEW _src AS SELECT {select} FROM read_parquet({_lit(source)})")
    try:
        types = con.execute("DESCRIBE _src").fetchall()
        defs = [f"{_q(c)} {t}" for c, t, *_ in types]
        names = {c for c, *_ in types}
        views: list[str] = []
        if meta.key and set(meta.key) <= names and _unique(con, "_src", meta.key):
            defs.append(f"PRIMARY KEY ({_cols(meta.key)})")
            keyed[(schema, table)] = meta.key
        for cols, parent, ref in meta.foreign_keys:
            pname = f"{_q(schema)}.{_q(parent)}"
            if (keyed.get((schema, parent)) == ref and set(cols) <= names
                    and _orphans(con, "_src", cols, pname, ref) == 0):
                defs.append(f"FOREIGN KEY ({_cols(cols)}) REFERENCES {pname} ({_cols(ref)})")
                pcols = [c for c, *_ in con.execute(f"DESCRIBE {pname}").fetchall()]
                extra = ", ".join(f"p.{_q(c)}" for c in pcols if c not in names) or "NULL AS _no_parent_columns"
                on = " AND ".join(f"c.{_q(a)} = p.{_q(b)}" for a, b in zip(cols, ref, strict=True))
                twice = len(meta.foreign_keys) != len({p for _, p, _ in meta.foreign_keys})
                vname = f"{table}__{parent}" + ("__" + "_".join(cols) if twice else "")
                views.append(f"CREATE VIEW {_q(schema)}.{_q(vname)} AS SELECT c.*, {extra} "
                             f"FROM {name} c JOIN {pname} p ON {on}")
        comment = meta.comment if meta.comment.startswith("SYNTHETIC") else f"SYNTHETIC data. {meta.comment}".strip()
        # One transaction, comments on the empty table: COMMENT ON is a catalog change per column.
        con.execute(";\n".join([f"BEGIN; CREATE TABLE {name} ({', '.join(defs)})",
                                 f"COMMENT ON TABLE {name} IS {_lit(comment)}"] +
                                [f"COMMENT ON COLUMN {name}.{_q(c)} IS {_lit(text)}"
                                 for c, text in meta.columns.items() if c in names and text] +
                                [f"INSERT INTO {name} SELECT * FROM _src", "COMMIT"]))
    finally:
        con.execute("DROP VIEW _src")
    return views


def _parents_first(tables: list[tuple[str, str, Path]],
                   meta: dict[tuple[str, str], TableMeta]) -> list[tuple[str, str, Path]]:
    """The tables reordered so each comes after the tables its foreign keys reference (stable)."""
    left, out = list(tables), []
    done: set[tuple[str, str]] = set()
    while left:
        ready = [t for t in left if all((t[0], p) in done or (t[0], p) == (t[0], t[1])
                                        or (t[0], p) not in {(s, n) for s, n, _ in left}
                                        for _, p, _ in meta.get((t[0], t[1]), TableMeta()).foreign_keys)]
        ready = ready or left[:1]  # a cycle: keep the given order
        ready = ready[:1]
        out += ready
        done.update((s, n) for s, n, _ in ready)
        left = [t for t in left if t not in ready]
    return out


def build_duckdb(path: Path, tables: list[tuple[str, str, Path]],
                 sql_types: dict[tuple[str, str], dict[str, str]] | None = None,
                 on_table: Callable[[int], None] | None = None,
                 meta: dict[tuple[str, str], TableMeta] | None = None) -> None:
    """Create ``path`` with one table per ``(schema, table, parquet file)``.

    Columns with a declared SQL type (a profile column's ``sql_type``) are cast to it, and the type
    starts their DuckDB column comment (``CHAR(2): <description>``): DuckDB stores CHAR(n) as VARCHAR,
    so the comment keeps the SAIL type visible (``SELECT comment FROM duckdb_columns()``).

    Args:
        path: the database file to create.
        tables: schema name, table name and the Parquet file (or folder of part files) holding its rows
            (built parents first, so every foreign key can be declared).
        sql_types: per ``(schema, table)``, the SQL type of each column that declares one.
        on_table: called with the number of tables built so far (progress).
        meta: per ``(schema, table)``, comments and keys (see :class:`TableMeta`).
    """
    sql_types = sql_types or {}
    meta = meta or {}
    if path.exists():  # callers build into a fresh staging folder; never over a file
        raise FileExistsError(errno.EEXIST, "build_duckdb writes a new database only", str(path))
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads TO 2")
        con.execute(f"ATTACH {_lit(str(path))} AS synth (STORAGE_VERSION {_lit(STORAGE_VERSION)})")
        con.execute("USE synth")
        for schema in sorted({s for s, _, _ in tables}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
        keyed: dict[tuple[str, str], tuple[str, ...]] = {}
        tables = _parents_first(tables, meta)
        views: list[str] = []
        for i, (schema, table, parquet) in enumerate(tables):
            source = str(parquet / "*.parquet") if parquet.is_dir() else str(parquet)
            types = sql_types.get((schema, table), {})
            cols = ", ".join(f"CAST({_q(c)} AS {t}) AS {_q(c)}" for c, t in types.items())
            select = f"* REPLACE ({cols})" if cols else "*"
            m = meta.get((schema, table), TableMeta())
            described = dict(m.columns)
            for c, t in types.items():
                described[c] = f"{t}: {described[c]}" if described.get(c) else t
            m = TableMeta(m.comment, described, m.key, m.foreign_keys)
            views += _create(con, schema, table, select, source, m, keyed)
            if on_table is not None:
                on_table(i + 1)
        for ddl in views:
            con.execute(ddl)
        con.execute("CHECKPOINT")
        con.execute("USE memory")
        con.execute("DETACH synth")
    finally:
        con.close()
