"""The errors ``synth sql`` raises: each is a :class:`~synth.errors.SynthError` the CLI prints as one line."""

from __future__ import annotations

from synth.errors import SynthError


class SqlError(SynthError):
    """Base class of every error a query file or its options can cause."""


class SqlFileError(SqlError):
    """The query file is missing, not a file or unreadable."""


class UnknownDialectError(SqlError):
    """The dialect is not one ``synth sql`` reads."""


class NotARunError(SqlError):
    """The folder given as the run is not a run made by ``synth generate``."""


class SqlSyntaxError(SqlError):
    """A statement cannot be parsed (in its own dialect, or by DuckDB after the rewrites)."""


class UnsupportedConstructError(SqlError):
    """A statement uses a construct of its dialect that ``synth sql`` does not translate."""


class UnknownTableError(SqlError):
    """A statement reads a table the run does not have."""


class UnknownColumnError(SqlError):
    """A statement reads a column the table does not have (``not modelled`` or unknown)."""

    def __init__(self, message: str, table: str | None, column: str, not_modelled: bool) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.not_modelled = not_modelled


class QueryError(SqlError):
    """DuckDB rejected a statement for another reason (a type mismatch, a division by zero, ...)."""
