"""Run a translated script on an in-memory DuckDB connection over the run, and explain DuckDB's errors."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from synth.sql.catalog import RunCatalog, RunTable, connect, open_run
from synth.sql.errors import (
    QueryError,
    SqlFileError,
    SqlSyntaxError,
    UnknownColumnError,
    UnknownTableError,
    UnsupportedConstructError,
)
from synth.sql.translate import Script, Step, explain_text, translate


def read_script(path: Path) -> str:
    """The text of a query file.

    Raises:
        SqlFileError: when it is missing, a folder, unreadable or not UTF-8 text.
    """
    path = Path(path)
    if not path.exists():
        raise SqlFileError(f"{path}: no such query file; give the path of a .sql file")
    if not path.is_file():
        raise SqlFileError(f"{path}: not a file; give the path of a .sql file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise SqlFileError(f"{path}: unreadable ({type(e).__name__}); give a UTF-8 text file") from None


def explain(run_dir: Path, sql: str, dialect: str = "duckdb", where: str = "query") -> str:
    """The DuckDB SQL a script becomes on the run ``run_dir`` (names resolved, dialect rewritten).

    Raises:
        SqlError: for a folder that is not a run, an unknown dialect, a syntax error, an unknown table.
    """
    return explain_text(translate(open_run(Path(run_dir)), sql, dialect, where))


def query(run_dir: Path, sql: str, dialect: str = "duckdb", where: str = "query") -> pd.DataFrame:
    """Run a script written for the real tables on the run ``run_dir``.

    Args:
        run_dir: a folder made by ``synth generate``.
        sql: one or more statements (``;``-separated); all run in order.
        dialect: ``duckdb`` (the run's own names), ``db2`` (SAIL) or ``presto`` (``trino``, ``athena``:
            the MoJ analytical platform).
        where: the script's name, used in error messages.

    Returns:
        The rows of the script's last query (an empty frame when it has none).

    Raises:
        SqlError: one line saying what is wrong and where (see synth.sql.errors).
    """
    catalog = open_run(Path(run_dir))
    script = translate(catalog, sql, dialect, where)
    return run_script(catalog, script, where)


def run_script(catalog: RunCatalog, script: Script, where: str = "query") -> pd.DataFrame:
    """Run the steps of ``script`` in order; the last query's rows."""
    con = connect(catalog, script.aliases, script.workspaces)
    try:
        con.execute("SET python_enable_replacements = false")
        runnable = [(s, s.sql) for s in script.steps if s.sql is not None]
        last = max((i for i, (s, _) in enumerate(runnable) if s.returns_rows), default=-1)
        result = pd.DataFrame()
        for i, (step, sql) in enumerate(runnable):
            try:
                cur = con.execute(sql)
                if i == last:
                    result = cur.df()
            except duckdb.Error as e:
                raise diagnose(e, step, catalog, where) from None
        return result
    finally:
        con.close()


def diagnose(e: duckdb.Error, step: Step, catalog: RunCatalog, where: str) -> Exception:
    """The one-line SqlError for DuckDB's error ``e`` on ``step``."""
    msg = str(e)
    first = msg.splitlines()[0] if msg else type(e).__name__
    at = f"{where}: line {step.line}"
    col = re.search(r'Referenced column "([^"]+)" not found', msg) or \
        re.search(r'"([^"]+)" does not have a column named "([^"]+)"', msg)
    if col:
        return _column_error(at, step, catalog, *(col.groups()[::-1] if col.lastindex == 2 else (col[1], None)))
    m = re.search(r"Table with name (\S+) does not exist", msg)
    if m:
        near = re.search(r'Did you mean "([^"]+)"', msg)
        hint = f"; did you mean {near[1]}?" if near else ""
        return UnknownTableError(f"{at}: table {m[1]} is not in this run{hint} (see its dictionary.md)")
    m = re.search(r"(?:Scalar|Aggregate|Table) Function with name (\S+) does not exist", msg)
    if m:
        return UnsupportedConstructError(f"{at}: function {m[1].upper()} is neither a DuckDB function nor one of "
                                         "the DB2 functions synth sql rewrites (docs/sql.md)")
    if isinstance(e, duckdb.ParserException):
        near = re.search(r'at or near "([^"]*)"', msg)
        return SqlSyntaxError(f"{at}: syntax error" + (f" at or near \"{near[1]}\"" if near else f": {first}")
                              + " (after the dialect rewrites; see --explain)")
    return QueryError(f"{at}: {first}")


def _column_error(at: str, step: Step, catalog: RunCatalog, column: str, qualifier: str | None) -> Exception:
    tables = _tables_read(step, catalog)
    if qualifier is not None:
        aliased = tables.get(qualifier.upper())
        candidates = [aliased] if aliased else []
    else:
        candidates = list(dict.fromkeys(tables.values()))
    for t in candidates:
        why = {k.upper(): v for k, v in t.not_modelled.items()}.get(column.upper())
        if why is not None:
            return UnknownColumnError(f"{at}: column {column} of {t.qualified} is not modelled in this run "
                                      f"({why}; see dictionary.md)", t.qualified, column, True)
    if candidates:
        names = ", ".join(t.qualified for t in candidates)
        has = f"{names} has no such column" if len(candidates) == 1 else f"none of {names} has such a column"
        return UnknownColumnError(f"{at}: column {column} is unknown: {has} "
                                  "(and the dictionary does not list it as not modelled)",
                                  candidates[0].qualified if len(candidates) == 1 else None, column, False)
    where = f"{qualifier}" if qualifier else "the tables the statement reads"
    return UnknownColumnError(f"{at}: column {column} is unknown in {where}", qualifier, column, False)


def _tables_read(step: Step, catalog: RunCatalog) -> dict[str, RunTable]:
    """Name or alias (capitals) -> run table, for the tables the statement reads."""
    out: dict[str, RunTable] = {}
    try:
        tree = sqlglot.parse_one(step.sql or "", read="duckdb")
    except sqlglot.errors.SqlglotError:
        return {t.name.upper(): t for t in step.tables}
    for node in tree.find_all(exp.Table):
        t = catalog.find(node.db, node.name) if node.db else \
            next((x for x in catalog.tables if x.name.upper() == node.name.upper()), None)
        if t is not None:
            out[(node.alias or node.name).upper()] = t
            out.setdefault(node.name.upper(), t)
    return out
