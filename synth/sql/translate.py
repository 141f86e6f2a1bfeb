"""A script in its dialect -> the DuckDB statements that run it on a run's tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError
from sqlglot.tokens import Tokenizer, TokenType

from synth.sql import db2
from synth.sql.catalog import RunCatalog, RunTable
from synth.sql.errors import SqlSyntaxError, UnknownDialectError, UnsupportedConstructError
from synth.sql.names import resolve, written_schemas
from synth.sql.tokens import Statement, split, tokenize

#: Dialect names ``synth sql`` reads -> sqlglot's name (None: DB2, rewritten by synth.sql.db2).
DIALECTS: dict[str, str | None] = {"duckdb": "duckdb", "db2": None, "presto": "presto", "trino": "trino",
                                   "athena": "athena"}
#: Statements whose result is a table of rows.
_QUERIES = {TokenType.SELECT, TokenType.WITH, TokenType.VALUES, TokenType.L_PAREN, TokenType.FROM,
            TokenType.DESCRIBE, TokenType.SHOW, TokenType.PRAGMA, TokenType.SUMMARIZE}


@dataclass
class Step:
    """One statement, ready to run.

    Attributes:
        line: the line of the script it starts on.
        original: its text as written.
        sql: its DuckDB text (None when it is skipped).
        note: what the rewrite did to it (e.g. ``skipped: COMMIT``), for --explain.
        returns_rows: whether it is a query (its result may be the script's).
        tables: the run tables it reads.
    """

    line: int
    original: str
    sql: str | None
    note: str = ""
    returns_rows: bool = False
    tables: list[RunTable] = field(default_factory=list)


@dataclass
class Script:
    """A translated script: its steps and what the connection must provide for them."""

    dialect: str
    steps: list[Step]
    aliases: set[str] = field(default_factory=set)
    workspaces: set[str] = field(default_factory=set)


def check_dialect(dialect: str) -> str:
    """``dialect`` in lower case.

    Raises:
        UnknownDialectError: when it is not one of :data:`DIALECTS`.
    """
    d = str(dialect).lower()
    if d not in DIALECTS:
        raise UnknownDialectError(f"--dialect {dialect}: unknown dialect; use one of {', '.join(DIALECTS)}")
    return d


def _sqlglot(dialect: str) -> str | None:
    """sqlglot's name for a dialect (Athena reads as Presto on a sqlglot without an Athena dialect)."""
    name = DIALECTS[dialect]
    if name == "athena":
        try:
            Dialect.get_or_raise(name)
        except ValueError:
            return "presto"
    return name


def _tokenizer(dialect: str) -> type[Tokenizer]:
    name = _sqlglot(dialect)
    return Tokenizer if name is None else Dialect.get_or_raise(name).tokenizer_class


def translate(catalog: RunCatalog, sql: str, dialect: str = "duckdb", where: str = "query") -> Script:
    """Translate a script to DuckDB statements over ``catalog``.

    Args:
        catalog: the run's tables.
        sql: the script (one or more statements separated by ``;``).
        dialect: ``duckdb``, ``db2``, ``presto`` (``trino``, ``athena``).
        where: the script's name for messages.

    Raises:
        UnknownDialectError, SqlSyntaxError, UnsupportedConstructError, UnknownTableError.
    """
    dialect = check_dialect(dialect)
    tok = _tokenizer(dialect)
    script = Script(dialect, [])
    rewritten: list[tuple[Statement, str | None, str]] = []
    written: set[str] = set()
    variables: set[str] = set()
    for stmt in split(sql, tok, where):
        text, note = db2.rewrite(stmt, where, variables) if dialect == "db2" else (stmt.text, "")
        rewritten.append((stmt, text, note))
        if text is not None:
            written |= written_schemas(text, tok, where, stmt.line)
    for stmt, text, note in rewritten:
        if text is None:
            script.steps.append(Step(stmt.line, stmt.text, None, note))
            continue
        res = resolve(text, catalog, tok, where, stmt.line, written)
        script.aliases |= res.aliases
        script.workspaces |= res.workspaces
        out = res.text
        if _sqlglot(dialect) not in (None, "duckdb"):
            out = _transpile(out, dialect, where, stmt)
        first = tokenize(out, where=where, line=stmt.line)
        rows = bool(first) and first[0].token_type in _QUERIES
        script.steps.append(Step(stmt.line, stmt.text, out, note, rows, res.tables))
    return script


def _transpile(text: str, dialect: str, where: str, stmt: Statement) -> str:
    try:
        out = sqlglot.transpile(text, read=_sqlglot(dialect), write="duckdb", pretty=True,
                                 unsupported_level=ErrorLevel.IGNORE)
    except ParseError as e:
        err = e.errors[0] if e.errors else {}
        line = stmt.line + int(err.get("line") or 1) - 1
        col = f", column {err['col']}" if err.get("col") else ""
        desc = str(err.get("description") or e).splitlines()[0]
        raise SqlSyntaxError(f"{where}: line {line}{col}: {desc} ({dialect})") from None
    except SqlglotError as e:
        raise UnsupportedConstructError(f"{where}: line {stmt.line}: {str(e).splitlines()[0]} ({dialect})") from None
    return ";\n".join(out)


def explain_text(script: Script) -> str:
    """The DuckDB text of a script, each statement headed by its line and what was rewritten."""
    parts = [f"-- dialect: {script.dialect}; statements: {len(script.steps)}"]
    for s in script.steps:
        head = f"-- line {s.line}" + (f": {s.note}" if s.note else "")
        body = s.sql if s.sql is not None else "-- " + re.sub(r"\s+", " ", s.original)[:100]
        parts.append(f"{head}\n{body};" if s.sql is not None else f"{head}\n{body}")
    return "\n\n".join(parts) + "\n"
