"""Run queries written for the real extracts (SAIL DB2, MoJ Athena/Presto) on a generated run.

``query(run_dir, sql, dialect)`` returns the last query's rows as a DataFrame; ``explain`` shows
the DuckDB SQL the script becomes. See docs/sql.md.
"""

from __future__ import annotations

from synth.sql.errors import (
    NotARunError,
    QueryError,
    SqlError,
    SqlFileError,
    SqlSyntaxError,
    UnknownColumnError,
    UnknownDialectError,
    UnknownTableError,
    UnsupportedConstructError,
)
from synth.sql.execute import explain, query, read_script
from synth.sql.translate import DIALECTS

__all__ = ["DIALECTS", "NotARunError", "QueryError", "SqlError", "SqlFileError", "SqlSyntaxError",
           "UnknownColumnError", "UnknownDialectError", "UnknownTableError", "UnsupportedConstructError",
           "explain", "query", "read_script"]
