"""A generated run as Python objects: its tables as DataFrames or Arrow tables, SQL over it, its truth.

Nothing is read until asked for: :meth:`Run.table` reads one table's files each time it is called
(keep the DataFrame if you need it twice), so a run of any size costs no memory until used.
"""

from __future__ import annotations

import difflib
import json
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa

from synth.api.tables import CSV_ROOT, UnknownTableError, read_arrow, read_pandas, table_files
from synth.errors import InputError
from synth.export.staging import remove_scratch


class Truth(Mapping[str, pd.DataFrame]):
    """The run's truth tables by name (``run.truth["person"]``), read on access.

    ``list(run.truth)`` gives the names; ``"person" in run.truth`` tests one.
    """

    def __init__(self, run: Run) -> None:
        self._run = run

    def _names(self) -> list[str]:
        return [k.split("/", 1)[1] for k in self._run.tables() if k.startswith("truth/")]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._run.table(f"truth/{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._names()

    def __repr__(self) -> str:
        return f"Truth({', '.join(self._names())})"


class Run:
    """A run folder made by ``synth generate`` or :func:`synth.generate`.

    Build it with :func:`synth.open` or :func:`synth.generate`, not directly.

    Args:
        path: the run folder (it holds ``manifest.json``).
        manifest: the parsed manifest.
        owned: a folder this object created and removes on :meth:`close` (a temporary run), or None.
    """

    def __init__(self, path: Path, manifest: dict, owned: Path | None = None) -> None:
        self._path = Path(path)
        self._manifest = manifest
        self._tables: list[str] | None = None
        self._owned = owned
        # Removes the temporary folder when the object is closed, collected or the interpreter exits.
        self._finalizer = weakref.finalize(self, remove_scratch, owned) if owned is not None else None

    @property
    def path(self) -> Path:
        """The run folder."""
        return self._path

    @property
    def manifest(self) -> dict:
        """The run's ``manifest.json``: profile, seed, families, row counts, files, timings."""
        return self._manifest

    @property
    def seed(self) -> int:
        """The run's seed."""
        return int(self._manifest["seed"])

    @property
    def families(self) -> int:
        """The number of families generated."""
        return int(self._manifest["families"])

    @property
    def closed(self) -> bool:
        """True after :meth:`close` removed a temporary run (an opened folder is never closed)."""
        return self._finalizer is not None and not self._finalizer.alive

    @property
    def truth(self) -> Truth:
        """The truth tables by name, read on access: ``run.truth["proceeding"]``."""
        return Truth(self)

    def tables(self) -> list[str]:
        """Every table of the run as ``agency/table`` names (agency folders and ``truth/...``), sorted."""
        if self._tables is None:
            counts = self._manifest.get("counts")
            if isinstance(counts, dict) and counts:
                self._tables = sorted(counts)
            else:
                self._tables = sorted(self._scan())
        return list(self._tables)

    def _scan(self) -> set[str]:
        """Table names found on disk (for a manifest without row counts)."""
        found: set[str] = set()
        for folder in (p for p in self._path.iterdir() if p.is_dir() and not p.name.startswith(".")
                       and p.name != CSV_ROOT):
            for p in folder.iterdir():
                name = p.name.removesuffix(".parquet").removesuffix(".csv").removeprefix("SYNTHETIC_")
                if p.suffix in (".parquet", ".csv") or (p.is_dir() and any(p.rglob("*.parquet"))):
                    found.add(f"{folder.name}/{name}")
        return found

    def _files(self, name: str) -> tuple[str, list[Path]]:
        self._check_open()
        names = self.tables()
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise UnknownTableError(f"{name!r} is not a table of the run {self._path}; {hint}"
                                    "use one of run.tables() (agency/table, e.g. truth/person)")
        fmt, files = table_files(self._path, name)
        if not files:
            raise InputError(f"{self._path}: table {name} is listed in manifest.json but has no files; "
                             "regenerate the run")
        return fmt, files

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One table as a pandas DataFrame (read now, every call).

        Args:
            name: ``agency/table`` as listed by :meth:`tables` (e.g. ``familyman/cases``, ``truth/person``).
            columns: only these columns (default: all).

        Raises:
            UnknownTableError: ``name`` is not a table of the run (the message names the closest).
            InputError: the table's files cannot be read, or a column is not in it.
        """
        return read_pandas(*self._files(name), columns)

    def arrow(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        """One table as a ``pyarrow.Table`` (read now, every call; see :meth:`table`)."""
        return read_arrow(*self._files(name), columns)

    def sql(self, query: str, dialect: str = "duckdb") -> pd.DataFrame:
        """Run SQL over the run's files (no copy: DuckDB reads the Parquet parts) and return the last query's rows.

        Args:
            query: one or more ``;``-separated statements. With ``dialect="duckdb"`` tables are
                ``<schema>.<table>``: each agency's schema name (``familyman.cases``, ``SAIL...V``
                names for SAIL agencies) and ``truth.<name>``.
            dialect: ``duckdb``, ``db2`` (SAIL) or ``presto`` / ``trino`` / ``athena`` (MoJ); see docs/sql.md.

        Raises:
            synth.sql.SqlError: one line saying what is wrong and where (a SynthError).
        """
        from synth.sql import query as run_query

        self._check_open()
        return run_query(self._path, query, dialect)

    def close(self) -> None:
        """Remove the run's folder if this object created it (``out=None``); otherwise do nothing."""
        if self._finalizer is not None:
            self._finalizer()

    def _check_open(self) -> None:
        if self.closed:
            raise InputError(f"{self._path}: this temporary run was closed (its folder removed); generate it again, "
                             "or pass out= to synth.generate to keep it")

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        prof = self._manifest.get("profile", {}).get("name", "?")
        state = " closed" if self.closed else (" temporary" if self._owned else "")
        m = self._manifest
        return f"<synth.Run{state} {prof} seed={m.get('seed')} families={m.get('families')} at {self._path}>"


def read_manifest(path: Path) -> dict:
    """The parsed ``manifest.json`` of run folder ``path`` (already checked by the caller)."""
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
