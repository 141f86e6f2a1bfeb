"""Checks as DuckDB SQL over a run's Parquet parts: validation that scales (issue 15, point 9).

The heavy checks (keys, foreign keys, per-row rules, identifier ranges) never load a table into
pandas: each is one DuckDB query streaming ``read_parquet('<table>/*.parquet')`` with a memory limit
on the connection (spilling to a temporary folder beyond it), so validating a million families stays
within a fixed memory budget. A table is addressed in SQL by :meth:`Sql.source`, which also gives
each row its place in the run (``_f`` the part file, ``_r`` the row in it) so examples are the first
offending rows in file order, exactly as the pandas checks listed them. A CSV-only run (small by
nature) is read with pandas once and handed to DuckDB as a registered frame, so the same SQL runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from synth.layout import is_csv_dir, parquet_parts

#: DuckDB's memory limit for validation (it spills to disk beyond it); the rest of the 1.5 GB budget
#: is Python, pandas and the realism measures.
MEMORY_LIMIT = "450MB"
#: Threads DuckDB may use (the machines this is benchmarked on have two cores).
THREADS = 2
#: Columns every source adds: the part file's position and the row's position in it.
ORDER = ("_f", "_r")


def quote(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


class Sql:
    """One DuckDB connection per validated run, with a source for each table.

    Args:
        memory_limit: DuckDB's memory limit (e.g. ``"700MB"``).
        threads: DuckDB's threads.
    """

    def __init__(self, memory_limit: str = MEMORY_LIMIT, threads: int = THREADS) -> None:
        self.memory_limit, self.threads = memory_limit, threads
        self._con: duckdb.DuckDBPyConnection | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._registered: dict[str, str] = {}
        self._types: dict[str, dict[str, str]] = {}

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection (opened on first use)."""
        if self._con is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="synth-validate-")
            con = duckdb.connect(config={"memory_limit": self.memory_limit, "threads": self.threads,
                                         "temp_directory": self._tmp.name, "preserve_insertion_order": True})
            self._con = con
        return self._con

    def parquet(self, folder: Path) -> str:
        """A FROM-able expression for a folder of Parquet parts, with ``_f`` and ``_r``."""
        files = ", ".join(literal(p) for p in parquet_parts(folder))
        # Part files are named in shard order, so (file name, row in file) is the run's row order.
        return (f"(SELECT * EXCLUDE (filename, file_row_number), filename AS _f, file_row_number AS _r "
                f"FROM read_parquet([{files}], filename = true, file_row_number = true))")

    def frame(self, key: str, df: pd.DataFrame) -> str:
        """A FROM-able expression for a pandas frame (a CSV-only run), with ``_f`` and ``_r``."""
        if key not in self._registered:
            name = f"_frame_{len(self._registered)}"
            self.con.register(name, df.assign(_f="", _r=range(len(df))))
            self._registered[key] = name
        return self._registered[key]

    def source(self, path: Path, df_loader: Any) -> str:
        """The SQL source of a table folder: Parquet parts streamed, or CSV parts read by ``df_loader()``."""
        if is_csv_dir(path):
            return self.frame(str(path), df_loader())
        return self.parquet(path)

    def describe(self, source: str) -> dict[str, str]:
        """Column name -> DuckDB type of a source (without ``_f`` and ``_r``)."""
        if source not in self._types:
            rows = self.rows(f"DESCRIBE SELECT * FROM {source}")
            self._types[source] = {r[0]: r[1] for r in rows if r[0] not in ORDER}
        return self._types[source]

    def df(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """The rows of a query as a DataFrame."""
        return self.con.execute(query, params or []).df()

    def rows(self, query: str, params: list[Any] | None = None) -> list[tuple]:
        """The rows of a query as tuples."""
        return self.con.execute(query, params or []).fetchall()

    def close(self) -> None:
        """Close the connection and remove its spill folder."""
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        self._registered.clear()
        self._types.clear()
